"""Knowledge base (知识库) in the database: articles, review workflow, search at intake, import/export."""

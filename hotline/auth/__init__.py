"""Authentication: argon2id passwords, bearer tokens, role checks and the access log."""

"""Alembic environment: the models' metadata, the URL from the caller's configuration."""

from __future__ import annotations

from alembic import context

from hotline import models  # noqa: F401  (registers every table)
from hotline.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run online against the configured URL (batch mode so SQLite can alter tables)."""
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()

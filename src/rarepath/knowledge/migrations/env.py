"""Alembic environment: always driven programmatically with an open connection (no alembic.ini).

Batch mode (copy-and-move table rebuilds) exists for SQLite's limited ALTER TABLE; PostgreSQL alters
tables in place, so batch mode is switched on for SQLite connections only.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # `alembic -x`-style use from a shell: take the URL from the config
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)

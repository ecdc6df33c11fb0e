"""The Alembic migration and the ORM classes describe the same registry tables, on both back-ends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rarepath.knowledge.kb import SCHEMA_REVISION
from rarepath.registry.db import Registry
from rarepath.registry.models import Base


def test_migration_matches_the_models(registry: Registry) -> None:
    with registry.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,  # the knowledge base's own tables share the database: not compared here
            "include_name": lambda name, kind, _parent: kind != "table" or name.startswith("reg_")})
        assert compare_metadata(ctx, Base.metadata) == []
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == SCHEMA_REVISION


def test_sqlite_registry_runs_in_wal_mode(tmp_path) -> None:
    from rarepath.registry.db import open_registry

    reg = open_registry(str(tmp_path / "r.sqlite"))
    with reg.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    reg.close()

"""Where the registry lives and how sessions on it are made: the knowledge base's database layer, reused.

The registry is a SQLite file `$RAREPATH_HOME/registry.sqlite` in WAL mode by default (zero set-up), or a
PostgreSQL database named by a URL (`--db`, or `$RAREPATH_REGISTRY_URL`). Engines come from
`rarepath.knowledge.kb._engine` and the schema from the same Alembic history (`upgrade_schema`), so the
registry and the knowledge base can even share one PostgreSQL database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rarepath.errors import RarepathError
from rarepath.knowledge.kb import _engine, describe_location, kb_location, rarepath_home, upgrade_schema

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine
    from sqlalchemy.orm import Session, sessionmaker

REGISTRY_FILENAME = "registry.sqlite"
#: Environment variable naming the registry database (a URL or a file path) used when none is given.
REGISTRY_URL_ENV = "RAREPATH_REGISTRY_URL"


class RegistryError(RarepathError):
    """The registry refuses an operation: unknown record, not allowed, or an impossible change."""


def registry_location(target: str | Path | None = None) -> Path | URL:
    """The registry database: `target`, else `$RAREPATH_REGISTRY_URL`, else `$RAREPATH_HOME/registry.sqlite`."""
    if target is None or str(target).strip() == "":
        target = os.environ.get(REGISTRY_URL_ENV, "").strip() or rarepath_home() / REGISTRY_FILENAME
    return kb_location(target)


@dataclass
class Registry:
    """An open registry: the engine and its session factory. Use `open_registry`."""

    engine: Engine
    sessions: sessionmaker[Session]
    location: str

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without error, else rolls back."""
        with self.sessions.begin() as s:
            yield s

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def open_registry(target: str | Path | None = None) -> Registry:
    """Open (creating the SQLite file and its directory when needed) and migrate the registry to head."""
    from sqlalchemy.orm import sessionmaker

    location = registry_location(target)
    if isinstance(location, Path):
        try:
            location.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RegistryError(f"cannot create the registry directory ({err.strerror})",
                                source=str(location.parent)) from err
    engine = _engine(location, wal=True)
    upgrade_schema(engine)
    return Registry(engine, sessionmaker(engine, expire_on_commit=False), describe_location(location))

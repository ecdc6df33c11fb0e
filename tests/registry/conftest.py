"""Registry fixtures: an empty registry on SQLite and on the private PostgreSQL server, and example files."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from rarepath.examples import EXAMPLES
from rarepath.registry.db import Registry, open_registry

_db_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    """An empty, migrated registry on each back-end (PostgreSQL: a fresh database per test)."""
    if request.param == "sqlite":
        reg = open_registry(str(tmp_path / "registry.sqlite"))
    else:
        url = request.getfixturevalue("pg_server").create_database(f"reg_{next(_db_numbers)}")
        reg = open_registry(url)
    yield reg
    reg.close()


@pytest.fixture
def sma_yaml() -> bytes:
    return (EXAMPLES / "sma_infant.yaml").read_bytes()


@pytest.fixture
def dmd_yaml() -> bytes:
    return (EXAMPLES / "dmd_boy.yaml").read_bytes()

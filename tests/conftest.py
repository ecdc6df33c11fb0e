"""Shared fixtures. Tests that read ../shared/data skip with a reason where it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RAREPATH_SHARED", REPO.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """Path inside ../shared/data; skips the calling test when it is not there (a user's machine)."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p} (tests on real public data need ../shared/data)")
    return p


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not available at {SHARED_DATA}")
    return SHARED_DATA

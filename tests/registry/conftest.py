"""Registry fixtures: the example case files (the `registry` fixture itself is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from rarepath.examples import EXAMPLES


@pytest.fixture
def sma_yaml() -> bytes:
    return (EXAMPLES / "sma_infant.yaml").read_bytes()


@pytest.fixture
def dmd_yaml() -> bytes:
    return (EXAMPLES / "dmd_boy.yaml").read_bytes()

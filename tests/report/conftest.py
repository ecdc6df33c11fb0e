"""Three report cases from files in the repository: an infant (SMA), an adult (TTR) and a case without a gene."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CASES = {
    "sma_infant": REPO / "src/rarepath/examples/sma_infant.yaml",
    "ttr_adult": REPO / "tests/data/canonical/ttr_v50m.yaml",
    "no_gene": REPO / "tests/data/report/no_gene_deletion.json",
}
_CACHE: dict[str, dict[str, Any]] = {}


def assessment(name: str) -> dict[str, Any]:
    """The assessment JSON of one of the three cases (computed once per test session)."""
    if name not in _CACHE:
        from rarepath.intake import load_case
        from rarepath.triage.engine import assess_case

        _CACHE[name] = assess_case(load_case(CASES[name])).to_dict()
    return _CACHE[name]


@pytest.fixture(params=sorted(CASES))
def case_data(request) -> tuple[str, dict[str, Any]]:
    return request.param, assessment(request.param)


@pytest.fixture
def named_case():
    """`named_case("ttr_adult")` -> that case's assessment JSON."""
    return assessment

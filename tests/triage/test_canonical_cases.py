"""Every row of shared/cases/canonical.tsv is a test: mechanism, verdict floors and ceilings, products.

The cases are built as YAML files under tests/data/canonical/ (one per row); the expectations are read
from canonical.tsv in place, as its README defines them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import REPO, shared_path
from rarepath.intake import load_case
from rarepath.model import Modality, Verdict
from rarepath.triage.engine import assess_case

CASE_DIR = REPO / "tests/data/canonical"
CASE_IDS = sorted(p.stem for p in CASE_DIR.glob("*.yaml"))
AT_LEAST = Verdict.POSSIBLE.rank
AT_MOST = Verdict.NOT_SUITABLE.rank


def _expectations() -> dict[str, dict[str, str]]:
    path = shared_path("..", "cases", "canonical.tsv")
    with Path(path).open(encoding="utf-8") as fh:
        return {r["id"]: r for r in csv.DictReader(fh, delimiter="\t")}


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(",") if x.strip()]


def _product_names(option) -> set[str]:
    names = set()
    for p in option.products:
        names.add(p.name)
        names.update(part.strip() for part in p.name.split("/"))
    return names


def test_every_canonical_row_has_a_case_file():
    assert set(_expectations()) == set(CASE_IDS)


@pytest.fixture(scope="module")
def kb_context(tmp_path_factory):
    """A knowledge context with the full public releases in ../shared/data imported (gnomAD, ClinGen, G2P...)."""
    from rarepath.knowledge.context import KnowledgeContext
    from rarepath.knowledge.kb import import_directory

    data = shared_path()
    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    import_directory(data, db)
    return KnowledgeContext(kb_path=db)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_canonical_case(case_id: str):
    _check(case_id, None)


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_canonical_case_with_imported_kb(case_id: str, kb_context):
    assert kb_context.kb.available
    _check(case_id, kb_context)


def _check(case_id: str, kc) -> None:
    exp = _expectations()[case_id]
    case = load_case(CASE_DIR / f"{case_id}.yaml")
    a = assess_case(case, kc)
    gene = exp["gene"]
    # every modality appears for the disease gene
    modalities_on_gene = {o.modality for o in a.options if o.target == gene}
    assert modalities_on_gene >= set(Modality.contract())  # standard_care may be added (documented extension)
    if exp["expected_mechanism"]:
        want = exp["expected_mechanism"]
        got = a.mechanism.call.value
        ok = got == want or (want == "loss_of_function" and got == "haploinsufficiency")
        assert ok, f"mechanism {got} != {want}: {[e.detail for e in a.mechanism.evidence]}"
    for mod in _split(exp["at_least_possible"]):
        best = max((o.verdict.rank for o in a.options if o.modality.value == mod), default=-1)
        assert best >= AT_LEAST, f"{mod} should be at least possible: " + str(
            [(o.target, o.verdict.value, [r.detail for r in o.reasons]) for o in a.options if o.modality.value == mod])
    for mod in _split(exp["at_most_not_suitable"]):
        for o in a.options:
            if o.modality.value == mod and o.target == gene:
                assert o.verdict.rank <= AT_MOST, f"{mod} on {gene} should be at most not_suitable: " + str(
                    [r.detail for r in o.reasons])
    for product in _split(exp["products"]):
        holders = [o for o in a.options if product in _product_names(o)]
        assert holders, f"product {product} missing"
        best = max(holders, key=lambda o: o.verdict.rank)
        assert best.verdict.rank >= AT_LEAST, f"{product} offered in a {best.verdict.value} option"
        statuses = [p.status for o in holders for p in o.products if product in p.name.split("/") or p.name == product]
        if any(s in ("approved", "conditional_approval") for s in statuses):
            assert best.verdict == Verdict.RECOMMENDED, f"approved {product} not recommended: {best.reasons[:3]}"
    # evidence everywhere
    for o in a.options:
        assert o.reasons and all(r.rule and r.source and r.detail for r in o.reasons)
    assert "not medical advice" in a.disclaimer

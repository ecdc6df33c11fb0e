"""Every real phenopacket in shared/data/phenopackets assesses without error; mechanism calls are counted."""

from __future__ import annotations

from collections import Counter

from conftest import shared_path
from rarepath.intake import load_case
from rarepath.model import Modality, Verdict
from rarepath.triage.engine import assess_case


def _assess_all():
    root = shared_path("phenopackets")
    files = sorted(root.rglob("*.json"))
    assert len(files) == 150
    return [(f, assess_case(load_case(f))) for f in files]


def test_all_phenopackets_assess_and_count_mechanisms():
    results = _assess_all()
    calls = Counter(a.mechanism.call.value for _, a in results)
    known = sum(n for call, n in calls.items() if call != "unknown")
    print(f"\n{known} of {len(results)} phenopackets got a mechanism other than unknown: {dict(calls)}")
    assert known >= 75  # floor: most real cases carry enough evidence for a call
    for f, a in results:
        assert len(a.options) >= 6, f
        assert "not medical advice" in a.disclaimer
        for o in a.options:
            assert o.reasons, (f, o.modality)


def test_traps_gene_is_not_the_famous_disease():
    """F8 thrombophilia must never be offered haemophilia A gene therapy; LMNA cardiomyopathy is not progeria."""
    for f, a in _assess_all():
        products = {p.name for o in a.options for p in o.products}
        labels = " ".join(a.case.disease_labels).lower()
        if a.case.genes and a.case.genes[0] == "F8":
            assert "valoctocogene roxaparvovec" not in products, f
            assert "thrombophilia" in labels
            gr = next(o for o in a.options if o.modality == Modality.GENE_REPLACEMENT and o.target == "F8")
            assert gr.verdict.rank <= Verdict.NOT_SUITABLE.rank
        if a.case.genes and a.case.genes[0] == "LMNA" and "progeria" not in labels:
            assert "lonafarnib" not in products, (f, labels)
        if a.case.genes and a.case.genes[0] == "PMP22":
            assert all(o.verdict != Verdict.RECOMMENDED or not o.products for o in a.options), f

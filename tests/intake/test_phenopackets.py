"""All 150 real phenopackets in ../shared/data/phenopackets load; spot checks of extracted fields."""

from __future__ import annotations

import collections

import pytest

from conftest import shared_path
from rarepath.intake import load_case
from rarepath.model.types import VariantKind, Zygosity


@pytest.fixture(scope="module")
def cases():
    root = shared_path("phenopackets")
    files = sorted(root.glob("*/*.json"))
    return {f.relative_to(root).as_posix(): load_case(f) for f in files}


def test_all_150_load(cases):
    assert len(cases) == 150
    kinds = collections.Counter(v.kind for c in cases.values() for v in c.variants)
    known = sum(n for k, n in kinds.items() if k != VariantKind.UNKNOWN)
    print(f"\n{len(cases)} phenopackets loaded; variant kinds: {dict(kinds)}")
    assert known / sum(kinds.values()) > 0.85
    assert sum(1 for c in cases.values() if c.genes) == 148  # the two 11q terminal deletions have no gene
    assert all(c.phenotypes for c in cases.values())


def test_spot_check_cbs_homozygous(cases):
    cbs = [c for c in cases.values() if c.genes == ("CBS",)]
    assert len(cbs) == 2
    c = next(c for c in cbs if any(v.hgvs_c == "NM_000071.3:c.1330G>A" for v in c.variants))
    v = c.variants[0]
    assert v.kind == VariantKind.MISSENSE and v.zygosity == Zygosity.HOMOZYGOUS
    assert (v.chrom, v.pos, v.ref, v.alt, v.assembly) == ("chr21", 43058862, "C", "T", "hg38")
    assert c.diseases == ("OMIM:236200",)
    assert c.disease_labels[0].startswith("Homocystinuria")


def test_spot_check_f8_trap_disease_and_age(cases):
    c = cases["F8/PMID_40802951_Patient.json"]
    assert c.genes == ("F8",)
    assert c.diseases == ("OMIM:301071",)  # thrombophilia, not haemophilia A
    assert c.patient.sex == "male" and c.patient.age_years == 18.0
    assert c.zygosity == Zygosity.HEMIZYGOUS
    sv = cases["F8/PMID_33275657_Family_A_I_4.json"]
    assert sv.variants[0].kind == VariantKind.EXON_DUPLICATION and sv.patient.age_years == 77.0


def test_gene_less_case_does_not_crash(cases):
    c = cases["11q_terminal_deletion/PMID_15266616_120.json"]
    assert c.genes == ()
    assert c.diseases == ("OMIM:147791",)
    assert c.variants[0].kind == VariantKind.GENE_DELETION
    notes = getattr(c, "notes", None)
    if notes is not None:
        assert any("no disease gene" in n for n in notes)


def test_excluded_phenotypes_are_separate(cases):
    c = cases["F8/PMID_33275657_Family_A_I_4.json"]
    assert len(c.phenotypes) == 3 and len(c.excluded_phenotypes) == 2  # MANIFEST: 5 terms, 2 excluded
    assert not set(c.phenotypes) & set(c.excluded_phenotypes)

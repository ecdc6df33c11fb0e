"""Shipped exon structures and exon domains (`knowledge/data/exon_structures.tsv`, `exon_domains.tsv`),
checked against the annotation files they were derived from."""

from __future__ import annotations

import pytest

from conftest import shared_path
from rarepath.design.aso.regions import load_region
from rarepath.errors import KnowledgeError
from rarepath.knowledge import exons
from rarepath.knowledge.exons import exon_domain, shipped_coding_lengths, shipped_exon_lengths

DMD = shipped_exon_lengths("DMD")


def test_shipped_dmd_structure_matches_lrg_xml():
    region = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    assert len(DMD) == 79
    assert region.exon_lengths == DMD
    assert [DMD[e - 1] for e in (44, 45, 50, 51, 52, 53, 55)] == [148, 176, 109, 233, 118, 212, 190]
    recs = exons.shipped_structure("DMD")
    assert sum(r.cds_nt for r in recs) == 3686 * 3  # 3685 aa + stop codon
    assert [r.cds_nt for r in recs] == [x.cds_length for x in region.exons]
    # the derived exons.tsv beside the XML agrees
    rows = [ln.split("\t") for ln in shared_path("sequences", "DMD_LRG_199_t1.exons.tsv").read_text().splitlines()
            if ln and not ln.startswith("#") and not ln.startswith("exon")]
    assert [int(r[3]) for r in rows] == DMD


def test_shipped_ush2a_exon13_from_gff3():
    lens = shipped_exon_lengths("USH2A")
    assert lens[12] == 642 and 642 % 3 == 0
    assert shipped_exon_lengths("NOTAGENE") is None


def test_every_shipped_structure_matches_its_source_file():
    structures = exons.exon_structures()
    assert {"DMD", "USH2A", "MECP2", "KIF1A", "PCCB", "NR2E3", "SELENON"} <= set(structures)
    for recs in structures.values():
        src = recs[0].source.removeprefix("shared/data/")
        tx = "t1" if src.endswith(".xml") else recs[0].transcript
        region = load_region(shared_path(*src.split("/")), tx)
        assert [r.length_nt for r in recs] == region.exon_lengths, recs[0].gene
        assert [r.cds_nt for r in recs] == [x.cds_length for x in region.exons], recs[0].gene
        assert sum(r.cds_nt for r in recs) % 3 == 0, recs[0].gene


def test_coding_lengths_only_for_the_shipped_transcript():
    assert shipped_coding_lengths("DMD", DMD)[0] == 31  # exon 1: 275 nt, 31 coding
    assert shipped_coding_lengths("DMD", [100] * 79) is None
    assert shipped_coding_lengths("NOTAGENE", [100]) is None


def test_exon_domains_are_typed_rows():
    rod = exon_domain("DMD", 51)
    assert rod is not None and rod.essential is False and "rod" in rod.domain and rod.source
    abd = exon_domain("dmd", 3)
    assert abd is not None and abd.essential is True
    assert exon_domain("DMD", 1) is None and exon_domain("NOTAGENE", 3) is None


def test_an_essential_value_other_than_yes_or_no_is_a_located_error(monkeypatch):
    row = {"gene": "TOY", "first_exon": "1", "last_exon": "2", "domain": "d", "essential": "maybe", "source": "x"}
    monkeypatch.setattr(exons, "load_table", lambda name: (row,))
    exons._all_domains.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match="exon_domains.tsv: essential: essential must be yes or no"):
            exons.exon_domains("TOY")
    finally:
        exons._all_domains.cache_clear()

"""Reading-frame arithmetic for exon deletions and duplications, computed from exon lengths (never tabulated).

The pure arithmetic (`interpret.frame.exon_skip_analysis`) is checked on synthetic structures with the facts
handed in; DMD cases go through `interpret.amenability.frame_analysis`, which adds the shipped facts.
"""

from __future__ import annotations

import pytest

from rarepath.errors import InputError, KnowledgeError
from rarepath.interpret.amenability import frame_analysis
from rarepath.interpret.frame import exon_skip_analysis
from rarepath.knowledge.context import KnowledgeContext
from rarepath.knowledge.exons import ExonDomain, shipped_exon_lengths

DMD = shipped_exon_lengths("DMD")


def _rng(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    return int(a), int(b or a)


@pytest.mark.parametrize("deletion", ["45-50", "48-50", "49-50", "50", "52"])
def test_amenable_to_skipping_exon_51(deletion):
    fa = frame_analysis("DMD", DMD, *_rng(deletion))
    assert fa.frame == "out_of_frame"
    assert 51 in fa.single_skips


@pytest.mark.parametrize("deletion", ["52", "45-52", "48-52", "49-52", "50-52"])
def test_amenable_to_skipping_exon_53(deletion):
    fa = frame_analysis("DMD", DMD, *_rng(deletion))
    assert fa.frame == "out_of_frame"
    assert 53 in fa.single_skips


@pytest.mark.parametrize("deletion", ["44", "46-47", "46-48", "46-49", "46-51", "46-53"])
def test_amenable_to_skipping_exon_45(deletion):
    fa = frame_analysis("DMD", DMD, *_rng(deletion))
    assert fa.frame == "out_of_frame"
    assert 45 in fa.single_skips


@pytest.mark.parametrize("deletion", ["45-47", "48-51", "45-55"])
def test_in_frame_deletions(deletion):
    fa = frame_analysis("DMD", DMD, *_rng(deletion))
    assert fa.frame == "in_frame"
    assert fa.single_skips == [] and fa.double_skips == []
    assert fa.net_nt % 3 == 0


def test_skip_is_adjacent_and_restores_frame_arithmetic():
    fa = frame_analysis("DMD", DMD, 48, 50)
    assert fa.single_skips == [51]  # exon 47 (150 nt) would keep it out of frame
    assert fa.net_nt == -(186 + 102 + 109)
    d47 = next(o for o in fa.skip_details if o.exons == [47])
    assert not d47.restores_frame and d47.net_nt == fa.net_nt - 150
    # a deleted exon is never offered as a skip
    assert all(not 48 <= e <= 50 for e in fa.single_skips)


def test_double_skips_on_synthetic_structure():
    lens = [100, 31, 31, 31, 31, 100]
    fa = exon_skip_analysis("TOY", lens, 3, 3)
    assert fa.single_skips == []
    assert fa.double_skips == [[2, 4], [4, 5]]  # (1,2) would need the first exon
    assert any("coding_extent_unknown" in f for f in fa.flags)


def test_duplication_frame():
    lens = [100, 31, 30, 31, 100]
    fa = exon_skip_analysis("TOY", lens, 2, 2, kind="duplication")
    assert fa.frame == "out_of_frame" and fa.net_nt == 31
    assert any("single_exon_duplication" in f for f in fa.flags)
    in_frame = exon_skip_analysis("TOY", lens, 3, 3, kind="duplication")
    assert in_frame.frame == "in_frame"


def test_essential_domain_and_first_exon_flags():
    fa = frame_analysis("DMD", DMD, 3, 7)
    assert any("essential" in f and "actin-binding" in f for f in fa.flags)
    assert 2 in fa.single_skips or 8 in fa.single_skips
    assert any(f.startswith("skip 2:") or f.startswith("skip 8:") for f in fa.flags)
    first = frame_analysis("DMD", DMD, 1, 2)
    assert any("includes_first_exon" in f for f in first.flags)


def _context_with_therapies(monkeypatch, table):
    kc = KnowledgeContext()
    monkeypatch.setattr(kc, "table", table)
    return kc


def test_products_from_curated_table(monkeypatch):
    rows = ({"name": "eteplirsen", "gene": "DMD", "target": "DMD exon 51", "modality": "splice_modulation",
             "status": "approved", "requirement": "skip_exon:51", "source": "FDA"},
            {"name": "golodirsen", "gene": "DMD", "target": "DMD exon 53", "modality": "splice_modulation",
             "status": "approved", "requirement": "skip_exon:53", "source": "FDA"})
    kc = _context_with_therapies(monkeypatch, lambda name: rows)
    fa = frame_analysis("DMD", DMD, 52, 52, kc=kc)
    assert {(p["name"], p["skip"]) for p in fa.products} == {("eteplirsen", 51), ("golodirsen", 53)}
    assert frame_analysis("DMD", DMD, 48, 50, kc=kc).products[0]["name"] == "eteplirsen"


def test_missing_therapies_table_is_an_error_not_no_products(monkeypatch):
    def boom(name):
        raise KnowledgeError("curated table 'therapies' is missing")

    kc = _context_with_therapies(monkeypatch, boom)
    with pytest.raises(KnowledgeError, match="therapies"):
        frame_analysis("DMD", DMD, 48, 50, kc=kc)
    # the arithmetic itself needs no product facts
    fa = exon_skip_analysis("DMD", DMD, 48, 50)
    assert fa.products == [] and fa.single_skips == [51]
    d = fa.to_dict()
    assert d["frame"] == "out_of_frame" and d["single_skips"] == [51]


def test_pure_arithmetic_reads_only_the_facts_it_is_given():
    lens = [100, 40, 31, 32, 60, 100]
    bare = exon_skip_analysis("TOY", lens, 3, 3)
    assert bare.single_skips == [4] and any("coding_extent_unknown" in f for f in bare.flags)
    # a coding extent clips the terminal exons: no "extent unknown" flag, same frame for internal exons
    clipped = exon_skip_analysis("TOY", lens, 3, 3, coding_nt=[10, 40, 31, 32, 60, 20])
    assert clipped.single_skips == [4] and not any("coding_extent_unknown" in f for f in clipped.flags)
    # an essential domain on the skipped exon flags the skip; a dispensable one does not
    essential = ExonDomain("TOY", 4, 5, "catalytic domain", True, "written for this test")
    flagged = exon_skip_analysis("TOY", lens, 3, 3, domains=[essential])
    assert any(f.startswith("skip 4: exon 4 encodes an essential domain: catalytic domain") for f in flagged.flags)
    dispensable = ExonDomain("TOY", 4, 5, "linker", False, "written for this test")
    assert not any(f.startswith("skip 4") for f in exon_skip_analysis("TOY", lens, 3, 3, domains=[dispensable]).flags)
    # products are asked for the restoring single skips only
    asked = []
    fa = exon_skip_analysis("TOY", lens, 3, 3, products=lambda skips: asked.append(skips) or [{"name": "x"}])
    assert asked == [[4]] and fa.products == [{"name": "x"}]
    with pytest.raises(InputError, match="coding lengths"):
        exon_skip_analysis("TOY", lens, 3, 3, coding_nt=[1, 2])


@pytest.mark.parametrize("first,last", [(0, 3), (78, 80), (50, 48)])
def test_bad_exon_numbers(first, last):
    with pytest.raises(InputError):
        frame_analysis("DMD", DMD, first, last)


def test_products_from_shipped_therapies_table():
    from rarepath.knowledge.curated import load_table

    assert any("skip_exon:45" in (r.get("requirement") or "") for r in load_table("therapies"))
    fa = frame_analysis("DMD", DMD, 44, 44)
    assert 45 in fa.single_skips
    assert "casimersen" in {p["name"] for p in fa.products if p["skip"] == 45}

"""`bulge_ends="casoffinder"` reproduces a recorded Cas-OFFinder 3 run exactly (issue 12).

The reference is Cas-OFFinder's own output on a small planted genome (tests/data/offtarget/README.md), parsed by
the benchmark's parser (`benchmarks/peers.py`, which checks the same on yeast with the peer built)."""

from __future__ import annotations

import sys
from pathlib import Path

from rarepath.design.offtarget import GenomeIndex, search_guides

DATA = Path(__file__).resolve().parents[2] / "data" / "offtarget"
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
GUIDES = ["TGGCTAGTGTCACTGCGCAC", "AGTAAACATTATCGCACATT"]


def _sites(hits) -> dict[tuple, tuple[int, str]]:
    return {(h.query_index, h.chrom, h.start, h.end, h.strand): (h.mismatches, h.bulge) for h in hits}


def test_casoffinder_convention_reproduces_its_recorded_sites() -> None:
    from peers import compare_sites, parse_casoffinder

    with open(DATA / "casoffinder_planted_bulge_out.txt") as fh:
        ref = parse_casoffinder(fh, 23)
    idx = GenomeIndex.from_fasta(DATA / "casoffinder_planted.fa")
    got = _sites(search_guides(idx, GUIDES, pams=("NGG",), max_mismatches=3, bulge=1, bulge_ends="casoffinder"))
    assert compare_sites(got, ref) == (True, 0, 0, 0)
    assert {k for _, k in ref.values()} == {"", "DNA", "RNA"} and len(ref) > 20
    # the default (no bulge at a spacer end) finds these sites too, here, but one mismatch worse where the best
    # alignment puts the bulge at an end: the planted end-bulge sites with 0 mismatches (DNA bulge between
    # spacer and PAM, RNA bulge at the spacer's 5' base)
    default = _sites(search_guides(idx, GUIDES, pams=("NGG",), max_mismatches=3, bulge=1))
    same, only_ref, only_default, differ = compare_sites(default, ref)
    assert not same and only_default == 0 and differ >= 4
    assert all(default[k][0] in (ref[k][0], ref[k][0] + 1) for k in default)
    assert {k for k, v in ref.items() if v[0] == 0 and default[k][0] == 1} >= {
        (1, "chrP2", 470, 494, "-"), (0, "chrP2", 516, 538, "+")}

"""Splicing regulatory element tables and window scores (published PESE/PESS, FAS-ESS, ESEfinder)."""

from __future__ import annotations

import pytest

from rarepath.design.aso.sre import esefinder_matrices, splicing_kmers, sre_track
from rarepath.design.aso.tables import read_tsv


def test_tables_have_published_sizes_and_sources():
    sets = splicing_kmers()
    assert {k: len(v) for k, v in sets.items()} == {"PESE": 2060, "PESS": 1019, "FAS-ESS": 103}
    assert all(r["source"] for r in read_tsv("splicing_kmers.tsv"))
    assert all(r["source"] for r in read_tsv("esefinder_matrices.tsv"))
    assert not sets["PESE"] & sets["PESS"]
    m = esefinder_matrices()
    assert {p: (len(w), t) for p, (w, t) in m.items()} == {
        "SF2/ASF": (7, 1.956), "SC35": (8, 2.383), "SRp40": (7, 2.67), "SRp55": (6, 2.676)}


def test_window_counts_match_a_direct_scan():
    seq = "TTTT" + "GAAGAAGA" + "CCCC" + "AGGGGG" + "TTTTT"
    pese, fas = splicing_kmers()["PESE"], splicing_kmers()["FAS-ESS"]
    tr = sre_track(seq)
    for s, e in [(0, len(seq)), (2, 20), (4, 12), (10, 14)]:
        n8 = sum(seq[i:i + 8] in pese for i in range(s, e - 7))
        assert tr.kmer_fraction("PESE", s, e) == pytest.approx(n8 / (e - s - 7) if e - s >= 8 else 0.0)
        n6 = sum(seq[i:i + 6] in fas for i in range(s, e - 5))
        assert tr.kmer_fraction("FAS-ESS", s, e) == pytest.approx(n6 / (e - s - 5) if e - s >= 6 else 0.0)


def test_esefinder_scores_the_matrix_consensus_above_threshold():
    w, thr = esefinder_matrices()["SF2/ASF"]
    consensus = "".join("ACGT"[int(row.argmax())] for row in w)
    tr = sre_track("AAAA" + consensus + "AAAA")
    assert tr.esefinder("SF2/ASF", 0, 15) == pytest.approx(w.max(axis=1).sum() - thr)
    assert sre_track("A" * 20).esefinder("SF2/ASF", 0, 20) == 0.0
    assert tr.features(0, 15)["esefinder_total"] >= tr.esefinder("SF2/ASF", 0, 15)

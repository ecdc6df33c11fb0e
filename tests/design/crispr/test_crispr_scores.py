"""Published scores: package weights equal the shared tables; oracles and published Spearman reproduced."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from scipy.stats import spearmanr

from conftest import shared_path
from rarepath.design.crispr import scores
from rarepath.design.crispr.ontarget import (
    efficiency_table_registry,
    load_efficiency_table,
    rule_set_1_percent,
)


def _tsv(path):
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_rule_set_1_weights_equal_shared_table():
    shared = _tsv(shared_path("crispr", "doench2014_rule_set_1_weights.tsv"))
    ours = scores._data_rows("rule_set_1_weights.tsv")
    assert [(r["position"], r["nt"], float(r["weight"])) for r in shared] == \
        [(r["position"], r["nt"], float(r["weight"])) for r in ours]
    assert all(r["source"].startswith("Doench et al. 2014") for r in ours)


def test_cfd_and_mit_tables_equal_shared_tables():
    mm = {(r["position"], r["rna_base"], r["dna_base"]): float(r["score"])
          for r in _tsv(shared_path("crispr", "cfd_mismatch_scores.tsv"))}
    ours = {(r["position"], r["rna_base"], r["dna_base"]): float(r["score"])
            for r in scores._data_rows("cfd_mismatch_scores.tsv")}
    assert mm == ours and len(ours) == 240
    pam = {r["pam_2nt"]: float(r["score"]) for r in _tsv(shared_path("crispr", "cfd_pam_scores.tsv"))}
    assert pam == {r["pam_2nt"]: float(r["score"]) for r in scores._data_rows("cfd_pam_scores.tsv")}
    mit = [float(r["weight"]) for r in _tsv(shared_path("crispr", "mit_hsu2013_position_weights.tsv"))]
    assert list(scores.mit_weights()) == mit


def test_be4max_profile_equals_shared_csv():
    from rarepath.design.crispr.base_editing import be4max_profile

    with open(shared_path("crispr", "be4max_editing_weights_behive_fig1.csv")) as fh:
        shared = {int(r["Position"]): float(r["C2T"]) / 100 for r in csv.DictReader(fh)}
    assert be4max_profile() == shared
    assert max(shared, key=shared.get) == -15  # protospacer position 6


def test_rule_set_1_published_vectors():
    assert scores.rule_set_1("TATAGCTGCGATCTGAGGTAGGGAGGGACC") == pytest.approx(0.713089368437, abs=1e-6)
    assert scores.rule_set_1("TCCGCACCTGTCACGGTCGGGGCTTGGCGC") == pytest.approx(0.0189838463593, abs=1e-6)
    both = scores.rule_set_1(["TATAGCTGCGATCTGAGGTAGGGAGGGACC", "TCCGCACCTGTCACGGTCGGGGCTTGGCGC"])
    assert both.shape == (2,) and both[0] > both[1]


def test_rule_set_1_rejects_bad_input():
    with pytest.raises(ValueError):
        scores.rule_set_1("ACGT")
    with pytest.raises(ValueError):
        scores.rule_set_1("TATAGCTGCGATCTGAGGTAGGGAGGGACN")


def test_cfd_test_vectors_exact():
    rows = _tsv(shared_path("crispr", "oracles", "cfd_test_vectors.tsv"))
    assert len(rows) == 6
    for r in rows:
        assert scores.cfd_score(r["guide_23mer"], r["offtarget_23mer"]) == pytest.approx(
            float(r["expected_cfd"]), abs=1e-9)


def test_mit_hit_score_formula():
    assert scores.mit_hit_score_from_positions([]) == 100.0
    assert scores.mit_hit_score_from_positions([20]) == pytest.approx(100 * (1 - 0.583))
    # two mismatches at 1 and 20: mean distance 19 -> middle term 1, divided by n^2 = 4
    assert scores.mit_hit_score_from_positions([1, 20]) == pytest.approx(100 * 0.417 / 4)
    # adjacent mismatches 13,14: d = 1 -> 1/((18/19)*4+1)
    exp = 100 * (1 - 0.613) * (1 - 0.851) / ((18 / 19) * 4 + 1) / 4
    assert scores.mit_hit_score_from_positions([14, 13]) == pytest.approx(exp)
    assert scores.mit_hit_score("A" * 20, "A" * 19 + "C") == pytest.approx(41.7)
    assert scores.mit_specificity([100.0]) == pytest.approx(50.0)
    assert scores.mit_specificity([]) == 100.0
    assert scores.cfd_specificity([0.5, 0.5]) == pytest.approx(50.0)


def _published_rho() -> dict[str, float]:
    rows = _tsv(shared_path("crispr", "efficiency", "haeussler2016_effScoreComp_spearman.tsv"))
    return {r["dataset"]: float(r["Doench Score"]) for r in rows}


def test_rule_set_1_reproduces_published_spearman_on_every_table():
    published = _published_rho()
    checked = 0
    for entry in efficiency_table_registry():
        table = load_efficiency_table(shared_path("crispr", "efficiency", entry["file"]),
                                      negate=entry["negate"] == "1")
        ours = rule_set_1_percent(table.seqs30)
        assert np.array_equal(ours, table.published_rs1_percent), entry["file"]
        rho = spearmanr(ours, table.activity)[0]
        assert rho == pytest.approx(published[entry["published_label"]], abs=0.005), entry["file"]
        checked += 1
    assert checked == 14

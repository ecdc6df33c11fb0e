"""A finished patient-model screen (ranking.tsv) changes the case's options with the reason shown."""

from __future__ import annotations

import json
from pathlib import Path

from rarepath.cli import main

HEADER = "treatment\tname\tmodality\ttarget_gene\tmax_rescue_pct\tbest_dose\tunit\tec50\ttoxicity_pct\tq_value\thit\tcall\tscore\n"


def test_assess_with_screen_ranking(tmp_path: Path):
    ranking = tmp_path / "screen1"
    ranking.mkdir()
    (ranking / "ranking.tsv").write_text(
        HEADER
        + "T1\tnusinersen\taso\tSMN2\t82.0\t1.0\tuM\t0.2\t3.0\t0.001\tTrue\thit\t0.9\n"
        + "T2\tsomedrug\tdrug\tSMN1\t2.0\t10\tuM\t\t45.0\t0.8\tFalse\ttoxic\t0.1\n")
    out = tmp_path / "a.json"
    code = main(["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous",
                 "--patient", "age=1; sex=male", "--screen", str(ranking), "--json", str(out), "--quiet"])
    assert code == 0
    data = json.loads(out.read_text())
    rules = {r["rule"]: o for o in data["options"] for r in o["reasons"]}
    assert "screen_rescue_hit" in rules and "screen_toxicity" in rules
    hit = rules["screen_rescue_hit"]
    assert hit["target"] == "SMN2" and hit["screen_evidence"][0]["name"] == "nusinersen"
    assert any("patient-model screen screen1" == r["source"] for r in hit["reasons"])


def test_missing_ranking_is_a_one_line_error(tmp_path: Path, capsys):
    code = main(["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous",
                 "--screen", str(tmp_path / "nope"), "--quiet"])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1

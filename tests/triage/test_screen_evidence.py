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
    assert data["screens"][0]["id"] == "screen1" and data["screens"][0]["ranking"][0]["name"] == "nusinersen"


def test_missing_ranking_is_a_one_line_error(tmp_path: Path, capsys):
    code = main(["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous",
                 "--screen", str(tmp_path / "nope"), "--quiet"])
    assert code == 2 and capsys.readouterr().err.count("\n") == 1


def test_simulated_screen_end_to_end(tmp_path: Path):
    """Plates -> `screen analyze` -> `assess --screen`: the exon-51 ASO hit supports splice modulation on DMD only."""
    from rarepath.screens.simulate import write_example_screen

    paths = write_example_screen(tmp_path / "screen")
    out_dir = tmp_path / "screen_out"
    d = tmp_path / "screen"
    assert main(["screen", "analyze", "--plates", str(d / "plates"), "--map", str(d / "plate_map.csv"),
                 "--library", str(d / "library.csv"), "--out", str(out_dir)]) == 0, paths
    out = tmp_path / "a.json"
    assert main(["assess", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--zygosity", "hemizygous",
                 "--patient", "age=6; sex=male", "--screen", str(out_dir), "--json", str(out),
                 "--html", str(tmp_path / "html"), "--quiet"]) == 0
    data = json.loads(out.read_text())
    by = {(o["modality"], o["target"]): o for o in data["options"]}
    splice_rules = {r["rule"] for r in by[("splice_modulation", "DMD")]["reasons"]}
    assert "screen_rescue_hit" in splice_rules
    assert not any(r["rule"].startswith("screen_") for r in by[("gene_silencing", "DMD")]["reasons"])
    html = (tmp_path / "html" / "DMD-case.clinician.html").read_text()
    assert "Patient-model screens" in html and "eteplirsen" in html
    titles = [f["title"] for f in data["screens"][0]["figures"]]
    assert titles[0] == "ranking chart" and any("eteplirsen" in t for t in titles)
    assert html.count("data:image/png;base64,") == len(titles)

"""End-to-end: simulated two-genotype screen -> ranking -> triage options; CLI commands and bad input."""

from __future__ import annotations

import csv

import pytest

from rarepath.cli import main
from rarepath.model import Evidence, Modality, Option, Product, Verdict
from rarepath.screens.analysis import analyze_screen
from rarepath.screens.layout import read_library, read_plate_map
from rarepath.screens.ranking import apply_screen_evidence, bh_qvalues
from rarepath.screens.readers import read_plates
from rarepath.screens.simulate import write_example_screen


@pytest.fixture(scope="module")
def screen(tmp_path_factory):
    d = tmp_path_factory.mktemp("screen")
    paths = write_example_screen(d)
    pmap = read_plate_map(paths["map"])
    plates = read_plates([paths["plates"]], wells=pmap.plate_wells)
    return paths, analyze_screen(plates, pmap, read_library(paths["library"]), screen_id="SIM1")


def test_ranking_finds_simulated_rescuers(screen):
    _, res = screen
    by = {r["treatment"]: r for r in res.ranking}
    assert {t for t, r in by.items() if r["hit"]} == {"D001", "A001", "C001"}
    assert by["D002"]["call"] == "toxic" and by["D002"]["toxicity_pct"] > 50
    assert by["D003"]["call"] == "no_rescue"
    assert by["D001"]["ec50"] == pytest.approx(0.5, rel=0.3)
    assert by["C001"]["max_rescue_pct"] == pytest.approx(90, abs=10)
    assert all(q.verdict == "pass" for q in res.qc)
    assert by["D001"]["replicate_r"] > 0.9


def test_apply_screen_evidence_raises_and_lowers(screen):
    _, res = screen
    good = Option(Modality.DRUG, "CFTR", Verdict.POSSIBLE, 0.5, products=[Product("ataluren", "approved")])
    bad = Option(Modality.DRUG, "TOP2A", Verdict.POSSIBLE, 0.05, products=[Product("doxorubicin", "approved")])
    other = Option(Modality.GENE_REPLACEMENT, "HBB", Verdict.POSSIBLE, 0.4)
    apply_screen_evidence([good, bad, other], res)
    assert good.score > 0.5 and bad.score == 0.0 and other.score == 0.4
    assert isinstance(good.reasons[-1], Evidence) and good.reasons[-1].source == "patient-model screen SIM1"
    assert good.reasons[-1].rule == "screen_rescue_hit" and "0.500 ->" in good.reasons[-1].detail
    assert bad.reasons[-1].rule == "screen_toxicity"
    assert good.extra["screen_evidence"][0]["name"] == "ataluren"
    assert not other.reasons and "screen_evidence" not in other.extra


def test_bh_qvalues():
    q = bh_qvalues([0.01, 0.04, 0.03, float("nan")])
    assert q[:3].tolist() == pytest.approx([0.03, 0.04, 0.04])


def test_cli_analyze_writes_everything(screen, tmp_path):
    paths, _ = screen
    out = tmp_path / "out"
    rc = main(["screen", "analyze", "--plates", str(paths["plates"]), "--map", str(paths["map"]),
               "--library", str(paths["library"]), "--out", str(out), "--case", "SIM1"])
    assert rc == 0
    for f in ("qc.tsv", "wells.tsv", "fits.tsv", "ranking.tsv", "report_section.html", "plots/ranking.png"):
        assert (out / f).is_file(), f
    rows = list(csv.DictReader(open(out / "ranking.tsv"), delimiter="\t"))
    assert rows[0]["hit"] == "true"
    assert "Patient-model treatment screen SIM1" in (out / "report_section.html").read_text()


def test_cli_fit_tidy(tmp_path, capsys):
    f = tmp_path / "c.tsv"
    lines = ["curve_id\tdose\tresponse"]
    for d in (0.01, 0.1, 1, 10, 100):
        lines.append(f"a\t{d}\t{100 / (1 + d / 1.0):.6f}")
        lines.append(f"b\t{d}\t50")
    f.write_text("\n".join(lines) + "\n")
    out = tmp_path / "o.tsv"
    assert main(["screen", "fit", str(f), "--model", "ll4", "--tsv", str(out)]) == 0
    rows = list(csv.DictReader(open(out), delimiter="\t"))
    assert [r["status"] for r in rows] == ["sigmoid", "flat"]
    assert float(rows[0]["ec50"]) == pytest.approx(1.0, rel=1e-5)
    for col in ("curve_id", "status", "bottom", "top", "ec50", "slope", "rss", "ic50_abs", "aac"):
        assert col in rows[0]


@pytest.mark.parametrize("content,msg", [
    ("curve_id\tdose\tresponse\na\tx\t1\n", "must be numbers"),
    ("curve\tdose\tresponse\na\t1\t1\n", "missing column"),
])
def test_cli_fit_bad_input(tmp_path, capsys, content, msg):
    f = tmp_path / "c.tsv"
    f.write_text(content)
    assert main(["screen", "fit", str(f), "--tsv", str(tmp_path / "o.tsv")]) == 2
    err = capsys.readouterr().err
    assert msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_plate_without_controls_is_an_error(screen, tmp_path, capsys):
    paths, _ = screen
    m = tmp_path / "map.csv"
    lines = [ln for ln in paths["map"].read_text().splitlines() if ",negative," not in ln and ",positive," not in ln]
    m.write_text("\n".join(lines) + "\n")
    rc = main(["screen", "analyze", "--plates", str(paths["plates"]), "--map", str(m), "--library",
               str(paths["library"]), "--out", str(tmp_path / "o")])
    assert rc == 2 and "no control wells" in capsys.readouterr().err

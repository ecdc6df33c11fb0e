"""End-to-end: simulated two-genotype screen -> ranking -> triage options; CLI commands and bad input."""

from __future__ import annotations

import csv

import numpy as np
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
    """The DMD example behaves as its biology says: exon 51 skipping, micro-dystrophin, vamorolone and
    givinostat rescue; exon 53 skipping (wrong exon for del 48-50) and read-through (ataluren) do not;
    doxorubicin is toxic."""
    _, res = screen
    by = {r["treatment"]: r for r in res.ranking}
    assert {t for t, r in by.items() if r["hit"]} == {"A001", "C001", "D001", "D002"}
    assert by["A001"]["name"] == "eteplirsen" and by["A001"]["target_gene"] == "DMD"
    assert by["C001"]["modality"] == "construct" and by["C001"]["target_gene"] == "DMD"
    assert by["C001"]["unit"] == "vg/cell" and by["A001"]["unit"] == "uM"
    assert not any(r["target_gene"] in ("CFTR", "CLN3") for r in res.ranking)
    assert by["D004"]["call"] == "toxic" and by["D004"]["toxicity_pct"] > 50
    assert by["A002"]["call"] == by["D003"]["call"] == "no_rescue"
    assert by["A002"]["rescue_status"] == "flat" and by["D003"]["rescue_status"] == "flat"
    assert by["A001"]["ec50"] == pytest.approx(3.0, rel=0.3)
    assert by["D001"]["ec50"] == pytest.approx(0.1, rel=0.6)
    assert 0 < by["C001"]["ec50_lo"] < by["C001"]["ec50"] < by["C001"]["ec50_hi"]
    assert by["C001"]["max_rescue_pct"] == pytest.approx(75, abs=10)
    assert all(q.verdict == "pass" for q in res.qc)
    assert by["A001"]["replicate_r"] > 0.9
    # ranks: hits first, ordered by DSS3 of the rescue curve
    ranked = [r for r in res.ranking if r["rank"] == r["rank"]]
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    hits = [r for r in ranked if r["hit"]]
    assert ranked[: len(hits)] == hits
    assert [r["rescue_dss3"] for r in hits] == sorted((r["rescue_dss3"] for r in hits), reverse=True)
    assert all(r["toxicity_call"] in ("toxic", "not_toxic") for r in res.ranking)


def test_hits_come_from_the_whole_curve_and_flat_fits_never_hit(screen):
    """q is the BH-adjusted F test of each patient fit against the flat model; a flat fit is never a hit even
    when one dose looks high by chance."""
    from rarepath.screens.ranking import HitThresholds, rank_treatments

    _, res = screen
    by = {r["treatment"]: r for r in res.ranking}
    i = res.fits.index("patient|A001")
    assert by["A001"]["p_value"] == pytest.approx(res.fits.p_vs_flat[i])
    p = np.array([r["p_value"] for r in res.ranking])
    assert np.allclose([r["q_value"] for r in res.ranking], bh_qvalues(p))
    # lower the rescue threshold to nothing: flat curves still are not hits
    loose = rank_treatments(res.curves, res.fits, res.wells, res.library, HitThresholds(min_rescue_pct=-100))
    assert not any(r["hit"] for r in loose if r["rescue_status"] == "flat")


def test_unusable_fits_never_rank(screen):
    """A patient fit that stopped at the iteration limit (or is implausible) is not an estimate: no hit, no rank."""
    from rarepath.screens.ranking import HitThresholds, rank_treatments

    _, res = screen
    i = res.fits.index("patient|C001")
    j = res.fits.index("patient|D001")
    old = list(res.fits.status)
    try:
        res.fits.status[i] = "not_converged"
        res.fits.status[j] = "implausible"
        rows = {r["treatment"]: r for r in rank_treatments(res.curves, res.fits, res.wells, res.library,
                                                           HitThresholds())}
    finally:
        res.fits.status[:] = old
    assert rows["C001"]["call"] == "not_converged" and not rows["C001"]["hit"] and rows["C001"]["rank"] != rows["C001"]["rank"]
    assert rows["D001"]["call"] == "implausible_fit" and rows["D001"]["rank"] != rows["D001"]["rank"]
    assert sorted(r["rank"] for r in rows.values() if r["rank"] == r["rank"]) == list(range(1, len(rows) - 1))


def test_missing_isogenic_data_is_toxicity_unknown(screen, tmp_path):
    """Without isogenic wells a rescuer is 'toxicity_unknown', never 'not toxic', and never a hit."""
    paths, _ = screen
    m = tmp_path / "map.csv"
    lines = paths["map"].read_text().splitlines()
    m.write_text("\n".join(ln for ln in lines if ",isogenic,A001," not in ln) + "\n")
    pmap = read_plate_map(m)
    plates = read_plates([paths["plates"]], wells=pmap.plate_wells)
    res = analyze_screen(plates, pmap, read_library(paths["library"]), screen_id="SIM1")
    by = {r["treatment"]: r for r in res.ranking}
    assert by["A001"]["toxicity_call"] == "unknown" and by["A001"]["toxicity_pct"] != by["A001"]["toxicity_pct"]
    assert by["A001"]["call"] == "toxicity_unknown" and not by["A001"]["hit"]
    assert by["C001"]["call"] == "hit"


def test_apply_screen_evidence_raises_and_lowers(screen):
    _, res = screen
    good = Option(Modality.SPLICE_MODULATION, "DMD", Verdict.POSSIBLE, 0.5, products=[Product("eteplirsen", "approved")])
    bad = Option(Modality.DRUG, "TOP2A", Verdict.POSSIBLE, 0.05, products=[Product("doxorubicin", "approved")])
    other = Option(Modality.GENE_REPLACEMENT, "HBB", Verdict.POSSIBLE, 0.4)
    apply_screen_evidence([good, bad, other], res)
    assert good.score > 0.5 and bad.score == 0.0 and other.score == 0.4
    assert isinstance(good.reasons[-1], Evidence) and good.reasons[-1].source == "patient-model screen SIM1"
    assert good.reasons[-1].rule == "screen_rescue_hit" and "0.500 ->" in good.reasons[-1].detail
    assert bad.reasons[-1].rule == "screen_toxicity"
    assert good.extra["screen_evidence"][0]["name"] == "eteplirsen"
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
    fits = list(csv.DictReader(open(out / "fits.tsv"), delimiter="\t"))
    assert {"dss1", "dss2", "dss3", "log10_ec50_se", "ec50_lo", "ec50_hi"} <= set(fits[0])
    assert not any(c.startswith("boot_") for c in fits[0])  # only with --bootstrap
    assert (out / "plots" / "replicates.png").is_file()
    assert (out / "plots" / "curve_C001.png").is_file()
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
    assert "1 sigmoid, 1 flat, 0 implausible, 0 not_converged, 0 failed" in capsys.readouterr().out
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


def test_time_zero_plate_gives_gr_metrics(screen, tmp_path):
    """With a time-zero plate (untreated cells read at treatment start) the screen reports GR metrics per curve:
    the cytotoxic control goes below GR 0, a drug without effect stays flat at GR ~ 1 (GR50 = +inf)."""
    import shutil

    paths, _ = screen
    d = tmp_path / "s"
    shutil.copytree(paths["plates"], d / "plates")
    rows = ["," + ",".join(f"{c:02d}" for c in range(1, 25))]
    for r in range(16):  # 2 doublings to the untreated controls (1000 patient, 3000 isogenic)
        rows.append(chr(65 + r) + ",250,750" + "," * 22)
    (d / "plates" / "plate_t0.csv").write_text("\n".join(rows) + "\n")
    lines = paths["map"].read_text().splitlines()
    head = lines[0] + ",plate"
    body = [ln + "," for ln in lines[1:]]
    for r in range(16):
        body.append(f"{chr(65 + r)}01,time_zero,patient,,,,,,plate_t0")
        body.append(f"{chr(65 + r)}02,time_zero,isogenic,,,,,,plate_t0")
    (d / "map.csv").write_text("\n".join([head, *body]) + "\n")
    out = tmp_path / "out"
    assert main(["screen", "analyze", "--plates", str(d / "plates"), "--map", str(d / "map.csv"), "--library",
                 str(paths["library"]), "--out", str(out), "--no-plots"]) == 0
    gr = {r["curve_id"]: r for r in csv.DictReader(open(out / "gr.tsv"), delimiter="\t")}
    assert float(gr["isogenic|D004"]["GRmax"]) < 0 and gr["isogenic|D004"]["fit"] == "sigmoid"
    assert 0.01 < float(gr["isogenic|D004"]["GR50"]) < 10
    assert gr["isogenic|D003"]["fit"] == "flat" and gr["isogenic|D003"]["GR50"] == "inf"
    wells = [w for w in csv.DictReader(open(out / "wells.tsv"), delimiter="\t") if w["role"] == "sample"]
    w = wells[0]
    x0 = 250.0 if w["genotype"] == "patient" else 750.0
    want = 2 ** (np.log2(float(w["value"]) / x0) / np.log2(float(w["ctrl_median"]) / x0)) - 1
    assert float(w["gr"]) == pytest.approx(want, rel=1e-5)
    qc = list(csv.DictReader(open(out / "qc.tsv"), delimiter="\t"))
    assert [q["plate"] for q in qc] == ["plate_rep1", "plate_rep2"]  # the time-zero plate has no assay window

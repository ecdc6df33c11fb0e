"""Readers of every supported format, plate map/library validation, QC and normalisation on real data."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from conftest import shared_path
from rarepath.errors import InputError
from rarepath.screens import normalize as nz
from rarepath.screens.layout import read_library, read_plate_map
from rarepath.screens.plates import parse_well, well_name
from rarepath.screens.qc import plate_qc, z_prime, z_prime_robust
from rarepath.screens.readers import read_plate_file, read_plates


def rf(name: str):
    return shared_path("screens", "cellhts2", "reader_formats", name)


def test_well_names():
    assert parse_well("A01") == (0, 0)
    assert parse_well("p24") == (15, 23)
    assert parse_well("AF048") == (31, 47)
    assert well_name(31, 47) == "AF48"


def test_envision_two_result_blocks():
    plates = read_plate_file(rf("EnVisionExample__XXX_1500.csv"))
    assert [p.shape for p in plates] == [(16, 24), (16, 24)]
    assert plates[0].channel.startswith("Calculated results")
    assert plates[0].values[0, 0] == 28817900 and plates[1].values[0, 0] == 29089000
    assert plates[0].value("P24") > 0


def test_packard_fusion_96():
    (p,) = read_plate_file(rf("TwoWayAssay__DHA001LU1.CSV"))
    assert p.shape == (8, 12) and p.meta["instrument"] == "packard_fusion"
    assert p.values[0, :3].tolist() == [1919, 1894, 2454]


def test_analyst_txt_several_plates_cr_line_ends():
    plates = read_plate_file(rf("KcCellTiter__KcCellTiter0607.txt"))
    assert [p.id.split("-")[-1] for p in plates] == ["X001T006", "X002T006", "X003T006"]
    assert plates[0].values[0, 0] == 691952


def test_long_headerless_and_1536_and_drugscreen_envision():
    (p,) = read_plate_file(rf("KcViab__FT01-G01.txt"))
    assert p.id == "FT01-G01" and p.values[0, 1] == 958308
    d = shared_path("screens", "drugscreenexplorer")
    for name in ("example_plate1_384", "example_plate2_1536"):
        (q, *_) = read_plate_file(d / f"{name}.txt")
        exp = list(csv.DictReader(open(d / f"expected_{name}_parsed.tsv"), delimiter="\t"))
        assert q.values.size == len(exp)
        for r in exp[:: max(1, len(exp) // 50)]:
            row = r["rowID"][0] if r["rowID"].endswith("0") else r["rowID"]
            rr, cc = parse_well(row + r["colID"])
            assert q.values[rr, cc] == float(r["value"])
    plates = read_plates([d / "rawData"])
    assert len(plates) == 16 and all(p.shape == (16, 24) for p in plates)


def test_excel_and_tidy(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["plate", "well", "value"])
    ws.append(["P1", "A01", 5.0])
    ws.append(["P1", "H12", 7.5])
    wb.save(tmp_path / "x.xlsx")
    (p,) = read_plate_file(tmp_path / "x.xlsx")
    assert p.shape == (8, 12) and p.value("H12") == 7.5
    t = tmp_path / "t.tsv"
    t.write_text("plate\twell\tvalue\nP1\tA01\t1\nP1\tA02\tOVRFLW\n")
    (q,) = read_plate_file(t)
    assert np.isnan(q.value("A02")) and "non-numeric" in q.warnings[0]


@pytest.mark.parametrize("body,msg", [
    ("plate,well,value\nP1,A01,1\nP1,A01,2\n", "duplicate well"),
    ("plate,well,value\nP1,Z99,1\n", "larger than a 1536"),
    ("plate,well,value\nP1,hello,1\n", "not a well name"),
])
def test_bad_plate_files(tmp_path, body, msg):
    f = tmp_path / "bad.csv"
    f.write_text(body)
    with pytest.raises(InputError, match=msg):
        read_plate_file(f)


def test_well_outside_declared_plate(tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("plate,well,value\nP1,M01,1\n")
    with pytest.raises(InputError, match="outside a 96-well plate"):
        read_plate_file(f, wells=96)


@pytest.mark.parametrize("rows,msg", [
    ("A01,sample,patient,D1,drug,1,uM\nA02,sample,patient,D1,drug,2,MOI\n", "mixed units"),
    ("A01,sample,patient,D1,drug,abc,uM\n", "not a number"),
    ("A01,sample,patient,D1,drug,1,uM\nA01,negative,patient,,,,\n", "duplicate well"),
    ("A01,weird,patient,D1,drug,1,uM\n", "unknown role"),
    ("Q30,sample,patient,D1,drug,1,uM\n", "outside a 384-well"),
])
def test_bad_plate_maps(tmp_path, rows, msg):
    f = tmp_path / "map.csv"
    f.write_text("well,role,genotype,treatment,modality,dose,unit\n" + rows)
    with pytest.raises(InputError, match=msg):
        read_plate_map(f, wells=384)


def test_molar_units_converted_and_library(tmp_path):
    f = tmp_path / "map.csv"
    f.write_text("well,role,genotype,treatment,modality,dose,unit\nA01,sample,patient,D1,drug,100,nM\n"
                 "A02,sample,patient,D1,drug,1,uM\nA03,negative,patient,,,,\n")
    m = read_plate_map(f)
    assert [w.dose for w in m.wells[:2]] == [pytest.approx(0.1), 1.0] and m.plate_wells == 96
    lib = tmp_path / "lib.csv"
    lib.write_text("id,name,modality,target_gene\nD1,Ataluren,drug,cftr\nD1,x,drug,y\n")
    with pytest.raises(InputError, match="duplicate treatment id"):
        read_library(lib)


def _kcviab():
    rows = list(csv.DictReader(open(shared_path("screens", "cellhts2", "KcViab_raw_long.tsv")), delimiter="\t"))
    v = np.full((57, 2, 16, 24), np.nan)
    content = np.empty((16, 24), dtype=object)
    for r in rows:
        i, j = int(r["row"]) - 1, int(r["col"]) - 1
        val = np.nan if r["raw"] in ("NA", "") or r["flagged"] == "1" else float(r["raw"])
        v[int(r["plate"]) - 1, int(r["replicate"]) - 1, i, j] = val
        content[i, j] = r["content"]
    return v, content


def test_kcviab_zprime_and_published_scores():
    v, content = _kcviab()
    samp, pos, neg = content == "sample", content == "pos", content == "neg"
    ref = list(csv.DictReader(open(shared_path("screens", "cellhts2", "KcViab_reference_zprime.tsv")), delimiter="\t"))
    zs = []
    for q in range(2):
        norm = np.stack([nz.plate_median_scale(v[p, q], samp) for p in range(57)])
        assert z_prime_robust(norm[:, pos], norm[:, neg]) == pytest.approx(float(ref[q]["zprime_robust_norm"]), abs=0.01)
        assert z_prime_robust(v[:, q][:, pos], v[:, q][:, neg]) == pytest.approx(
            float(ref[q]["zprime_robust_raw"]), abs=0.01)
        assert z_prime(norm[:, pos], norm[:, neg]) == pytest.approx(float(ref[q]["zprime_classic_norm"]), abs=0.01)
        zs.append(-nz.robust_z(norm, norm[:, samp]))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        score = np.nanmean(np.stack(zs), axis=0)
    pub = csv.DictReader(open(shared_path("screens", "cellhts2", "reader_formats", "KcViab__Analysis2003.txt")),
                         delimiter="\t")
    a, b = [], []
    for r in pub:
        if r["Score"] in ("NA", ""):
            continue
        i, j = parse_well(r["Well"])
        s = score[int(r["Plate"]) - 1, i, j]
        if np.isfinite(s):
            a.append(s)
            b.append(float(r["Score"]))
    assert len(a) > 20000
    assert np.corrcoef(a, b)[0, 1] >= 0.98


def test_kcviab_bscore_matches_medpolish_reference():
    v, content = _kcviab()
    samp = content == "sample"
    ref = {r["well"]: r for r in csv.DictReader(open(shared_path("screens", "cellhts2", "KcViab_reference_baseR.tsv")),
                                                  delimiter="\t") if r["plate"] == "1"}
    bs = nz.b_score(v[0, 0], samp)
    for w in ("A03", "C05", "H12", "P24"):
        assert bs[parse_well(w)] == pytest.approx(float(ref[w]["b_score.1"]), rel=1e-4, abs=1e-4)


def test_drugscreen_normalisation_excluding_outer_rings():
    d = shared_path("screens", "drugscreenexplorer")
    exp = [r for r in csv.DictReader(open(d / "expected_screenData_normalized.tsv"), delimiter="\t")
           if r["fileName"] == "CTGLuminescence_P0007_12PB0265"]
    (p, *_) = read_plate_file(d / "rawData" / "CTGLuminescence_P0007_12PB0265.txt")
    neg = np.zeros(p.shape, bool)
    for r in exp:
        if r["wellType"] == "neg":
            neg[parse_well(r["wellID"][0] + r["wellID"][2:])] = True
    neg &= ~p.edge_mask(2)
    poc = nz.percent_of_control(p.values, neg) / 100
    for r in exp[::37]:
        assert poc[parse_well(r["wellID"][0] + r["wellID"][2:])] == pytest.approx(float(r["normVal"]), rel=1e-5)


def test_plate_qc_and_npi_rescue():
    rng = np.random.default_rng(0)
    v = rng.normal(100, 5, (16, 24))
    neg = np.zeros_like(v, bool)
    pos = np.zeros_like(v, bool)
    neg[:, 0], pos[:, 1] = True, True
    v[:, 1] = rng.normal(300, 5, 16)
    samp = ~(neg | pos)
    qc = plate_qc("p", v, pos, neg, samp)
    assert qc.verdict == "pass" and qc.z_prime > 0.7 and qc.s_b == pytest.approx(3, rel=0.05)
    assert qc.ssmd > 20
    r = nz.percent_rescue(v, neg, pos)
    assert np.median(r[neg]) == pytest.approx(0, abs=1e-9) and np.median(r[pos]) == pytest.approx(100)
    assert np.median(nz.npi(v, neg, pos)[pos]) == pytest.approx(100.0)
    bad = plate_qc("q", v, np.zeros_like(neg), neg, samp)
    assert bad.verdict == "fail" and "no positive" in bad.reason


def test_zprime_with_one_control_per_side_is_not_computable():
    """One well per side has no spread: robust Z' would read 1.0 ("pass"); it must say why it cannot be computed."""
    v = np.full((16, 24), 100.0)
    v[0, 1] = 300.0
    neg = np.zeros_like(v, bool)
    pos = np.zeros_like(v, bool)
    neg[0, 0], pos[0, 1] = True, True
    qc = plate_qc("one", v, pos, neg, ~(neg | pos))
    assert qc.verdict == "not_computable" and qc.passed
    assert "needs >= 3 control wells per side" in qc.reason and "have 1 positive, 1 negative" in qc.reason
    assert np.isnan(qc.z_prime_robust) and np.isnan(qc.z_prime)
    assert np.isnan(z_prime_robust([300.0, 310.0], [100.0, 101.0]))  # two per side: still not enough
    assert z_prime_robust([300.0, 310.0, 305.0], [100.0, 101.0, 99.0]) > 0.5

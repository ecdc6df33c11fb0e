"""Dose-response fitter: drc cross-checks on real data, statuses, tidy/CLI round trip."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from conftest import shared_path
from rarepath.screens.fit import fit_curves, fit_tidy


def _num(s: str) -> float:
    return float(s) if s not in ("", "NA") else np.nan


def _drc_rows():
    return list(csv.DictReader(open(shared_path("screens", "drc", "drc_reference_fits.tsv")), delimiter="\t"))


def test_ryegrass_matches_drc_published_values():
    rows = list(csv.DictReader(open(shared_path("screens", "drc", "ryegrass.csv"))))
    f = fit_tidy(["rye"] * len(rows), [float(r["conc"]) for r in rows], [float(r["rootl"]) for r in rows])
    assert f.status[0] == "sigmoid"
    assert f.ec50[0] == pytest.approx(3.05795, rel=1e-4)
    assert f.slope[0] == pytest.approx(2.98222, rel=1e-4)  # b > 0: decreasing (drc sign)
    assert f.bottom[0] == pytest.approx(0.48141, rel=1e-3)
    assert f.top[0] == pytest.approx(7.79296, rel=1e-4)
    assert f.rss[0] == pytest.approx(5.40021462843058, rel=1e-6)
    assert f.f_stat[0] == pytest.approx(299.87689, rel=1e-4)
    # delta-method SE / CI (Gauss-Newton covariance; drc uses the full Hessian: 0.18573)
    assert f.ec50_se[0] == pytest.approx(0.18573, rel=2e-3)
    assert f.ec50_lo[0] == pytest.approx(2.67053, rel=1e-3)
    assert f.ec50_hi[0] == pytest.approx(3.44538, rel=1e-3)


def test_ll3_bottom_fixed_matches_drc():
    rows = list(csv.DictReader(open(shared_path("screens", "drc", "ryegrass.csv"))))
    f = fit_tidy(["rye"] * len(rows), [float(r["conc"]) for r in rows], [float(r["rootl"]) for r in rows],
                 model="ll3")
    assert f.ec50[0] == pytest.approx(3.26335819541316, rel=1e-4)
    assert f.rss[0] <= 6.62281981886553 * (1 + 1e-6)


@pytest.mark.parametrize("model,prefix", [("ll4", "LL4"), ("ll3u", "LL3u")])
def test_ccle_rss_not_worse_than_drc(model, prefix):
    rows = list(csv.DictReader(open(shared_path("screens", "pharmacogx", "CCLEsmall_doseresponse_wide.tsv")),
                               delimiter="\t"))
    ref = {r["exp_id"]: r for r in csv.DictReader(
        open(shared_path("screens", "pharmacogx", "CCLEsmall_drc_reference_fits.tsv")), delimiter="\t")}
    x = np.array([[_num(r[f"dose_uM_{i}"]) for i in range(1, 9)] for r in rows])
    y = np.array([[_num(r[f"viability_pct_{i}"]) for i in range(1, 9)] for r in rows])
    ids = [r["exp_id"] for r in rows]
    f = fit_curves(x, y, model=model, curve_ids=ids)
    assert set(f.status) <= {"sigmoid", "flat", "failed"}
    drc_rss = np.array([_num(ref[i][f"{prefix}_rss"]) for i in ids])
    ok = np.array([ref[i][f"{prefix}_status"].startswith("ok") for i in ids]) & np.isfinite(drc_rss)
    assert ok.sum() > 11000
    frac = np.mean(f.rss[ok] <= drc_rss[ok] * (1 + 1e-4))
    assert frac >= 0.99, frac
    # where drc failed we still return a status, never raise
    assert all(f.status[i] in ("sigmoid", "flat", "failed") for i in np.flatnonzero(~ok))
    if model == "ll4":  # absolute IC50 agrees with drc where both are in range
        ic = np.array([_num(ref[i]["LL4_IC50abs"]) for i in ids])
        both = ok & np.isfinite(ic) & np.isfinite(f.ic50_abs) & (ic < 8) & (ic > 0.0025)
        assert np.median(np.abs(np.log10(f.ic50_abs[both]) - np.log10(ic[both]))) < 1e-3


def test_drc_datasets_with_failures_give_status_not_crash():
    ref = [r for r in _drc_rows() if r["dataset"] == "metals" and r["model"] == "LL.4"]
    rows = list(csv.DictReader(open(shared_path("screens", "drc", "metals.csv"))))
    f = fit_tidy([r["metal"] for r in rows], [float(r["conc"]) for r in rows], [float(r["BIF"]) for r in rows])
    by = dict(zip(f.curve_id, f.status, strict=True))
    assert set(by) >= {"Ag", "Cu"}
    for r in ref:
        if r["curve"] in by:
            assert by[r["curve"]] in ("sigmoid", "flat", "failed")


def test_statuses_flat_failed_and_reasons():
    x = np.tile(np.logspace(-2, 2, 8), (4, 1))
    y = np.vstack([
        100 / (1 + (x[0] / 1.0) ** 1.2),  # sigmoid
        np.full(8, 50.0),  # constant -> flat
        50 + np.array([1, -1, 1, -1, 1, -1, 1, -1.0]),  # noise -> flat
        [10, 20, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],  # too few points -> failed
    ])
    f = fit_curves(x, y)
    assert f.status == ["sigmoid", "flat", "flat", "failed"]
    assert f.reason[1] == "constant response"
    assert f.reason[2].startswith("F-test vs flat")
    assert "fewer than 4" in f.reason[3]
    assert f.ec50[0] == pytest.approx(1.0, rel=1e-6)
    assert f.slope[0] == pytest.approx(1.2, rel=1e-6)
    assert f.ic50_abs_flag[0] == "in_range"
    assert f.aac[0] == pytest.approx(0.5, abs=1e-6)  # symmetric curve over a symmetric log range


def test_numpy_and_numba_engines_agree():
    rng = np.random.default_rng(1)
    x = np.tile(np.logspace(-3, 1, 10), (200, 1))
    e = 10 ** rng.uniform(-2.5, 0.5, 200)
    y = 100 / (1 + (x / e[:, None]) ** 1.5) + rng.normal(0, 3, x.shape)
    a = fit_curves(x, y, engine="numba")
    b = fit_curves(x, y, engine="numpy")
    sig = np.array(a.status) == "sigmoid"
    assert sig.mean() > 0.9
    assert np.median(np.abs(np.log10(a.ec50[sig]) - np.log10(b.ec50[sig]))) < 1e-4
    assert np.all(a.rss <= b.rss * (1 + 1e-6) + 1e-9) or np.mean(a.rss <= b.rss * (1 + 1e-4)) > 0.98

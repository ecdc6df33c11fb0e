"""Residual-bootstrap intervals: agreement with drc's delta-method interval, coverage, reproducibility."""

from __future__ import annotations

import csv

import numba
import numpy as np
import pytest

from conftest import shared_path
from rarepath.screens.bootstrap import bootstrap_fits
from rarepath.screens.fit import fit_curves


def _ryegrass() -> tuple[np.ndarray, np.ndarray]:
    rows = list(csv.DictReader(open(shared_path("screens", "drc", "ryegrass.csv"))))
    return np.array([[float(r["conc"]) for r in rows]]), np.array([[float(r["rootl"]) for r in rows]])


def _truth(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = np.tile(np.logspace(-3, 1, 10), (n, 1))
    e = 10 ** rng.uniform(-2, 0, n)
    b = rng.uniform(0.8, 2.5, n)
    y = 20 + 80 / (1 + np.exp(b[:, None] * (np.log(x) - np.log(e[:, None]))))
    return x, y + rng.normal(0, 5, y.shape), e, b


def test_ryegrass_interval_close_to_drc_delta_method():
    x, y = _ryegrass()
    fits = fit_curves(x, y)
    bs = bootstrap_fits(x, y, fits, n_boot=2000, seed=1)
    assert bs.method == "residual" and bs.n_ok[0] == 2000
    # drc ED50 3.05795, delta-method 95 % CI (2.67053, 3.44538); the bootstrap is not symmetric but close
    assert bs.ec50_lo[0] < 3.05795 < bs.ec50_hi[0]
    assert bs.ec50_lo[0] == pytest.approx(2.67053, rel=0.04)
    assert bs.ec50_hi[0] == pytest.approx(3.44538, rel=0.04)
    # bootstrap SE of log10 EC50 vs the delta-method SE 0.18573 / (3.05795 ln 10)
    assert bs.log10_ec50_se[0] == pytest.approx(0.18573 / (3.05795 * np.log(10)), rel=0.1)
    assert bs.slope_lo[0] < fits.slope[0] < bs.slope_hi[0]
    assert bs.bottom_lo[0] < fits.bottom[0] < bs.bottom_hi[0] and bs.top_lo[0] < fits.top[0] < bs.top_hi[0]


def test_coverage_on_known_truth():
    x, y, e, b = _truth(400, seed=5)
    fits = fit_curves(x, y)
    bs = bootstrap_fits(x, y, fits, n_boot=400, seed=2)
    sig = np.array(fits.status) == "sigmoid"
    assert sig.mean() > 0.95
    cover = (bs.ec50_lo <= e) & (e <= bs.ec50_hi)
    # percentile residual bootstrap with 10 points and 4 parameters under-covers a little (~0.89 measured)
    assert 0.82 <= cover[sig].mean() <= 0.99, cover[sig].mean()
    assert 0.82 <= ((bs.slope_lo <= b) & (b <= bs.slope_hi))[sig].mean() <= 0.99
    assert np.all(bs.ec50_lo[sig] < fits.ec50[sig]) and np.all(fits.ec50[sig] < bs.ec50_hi[sig])


def test_reproducible_and_independent_of_threads_and_chunks(monkeypatch):
    import rarepath.screens.bootstrap as bmod

    x, y, _, _ = _truth(150, seed=9)
    fits = fit_curves(x, y)
    a = bootstrap_fits(x, y, fits, n_boot=200, seed=7)
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        monkeypatch.setattr(bmod, "_CHUNK", 40)
        b = bootstrap_fits(x, y, fits, n_boot=200, seed=7)
    finally:
        numba.set_num_threads(old)
    np.testing.assert_array_equal(a.ec50_lo, b.ec50_lo)
    np.testing.assert_array_equal(a.slope_hi, b.slope_hi)
    c = bootstrap_fits(x, y, fits, n_boot=200, seed=8)
    assert not np.array_equal(a.ec50_lo, c.ec50_lo, equal_nan=True)


def test_only_requested_statuses_and_fixed_top():
    x = np.tile(np.logspace(-2, 2, 8), (3, 1))
    rng = np.random.default_rng(0)
    y = np.vstack([
        100 / (1 + (x[0] / 1.0) ** 1.2) + rng.normal(0, 3, 8),  # sigmoid
        np.full(8, 100.0) + rng.normal(0, 3, 8),  # flat
        [10, 20, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],  # failed
    ])
    fits = fit_curves(x, y, model="ll3u")
    assert fits.status == ["sigmoid", "flat", "failed"]
    bs = bootstrap_fits(x, y, fits, n_boot=100)
    assert bs.n_ok.tolist()[1:] == [0, 0] and bs.n_ok[0] == 100
    assert np.isnan(bs.ec50_lo[1:]).all()
    assert bs.top_lo[0] == bs.top_hi[0] == 100.0  # LL.3u: the top is fixed, not resampled
    assert bs.ec50_lo[0] < fits.ec50[0] < bs.ec50_hi[0]


def test_bad_arguments():
    x = np.tile(np.logspace(-2, 2, 8), (2, 1))
    with pytest.raises(ValueError, match="shape"):
        bootstrap_fits(x, x[:, :5])
    with pytest.raises(ValueError, match="level"):
        bootstrap_fits(x, x, level=1.5)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_fits(x, x, n_boot=1)


def test_screen_analyze_writes_bootstrap_intervals(tmp_path):
    """`rarepath screen analyze --bootstrap N` joins per-curve intervals into fits.tsv (boot_* columns) that
    bracket the point EC50."""
    import csv

    from rarepath.cli import main
    from rarepath.screens.simulate import write_example_screen

    d = tmp_path / "s"
    write_example_screen(d)
    out = tmp_path / "out"
    assert main(["screen", "analyze", "--plates", str(d / "plates"), "--map", str(d / "plate_map.csv"),
                 "--library", str(d / "library.csv"), "--out", str(out), "--no-plots", "--bootstrap", "200"]) == 0
    assert not (out / "bootstrap.tsv").exists()
    fits = {r["curve_id"]: r for r in csv.DictReader((out / "fits.tsv").open(), delimiter="\t")}
    bracketed = 0
    for f in fits.values():
        if f["status"] != "sigmoid":
            assert f["boot_n_ok"] == "0" and f["boot_ec50_lo"] == "NA"
            continue
        assert f["boot_n_boot"] == "200" and f["boot_method"] == "residual" and f["boot_level"] == "0.95"
        lo, hi, ec50 = float(f["boot_ec50_lo"]), float(f["boot_ec50_hi"]), float(f["ec50"])
        assert 0 < lo <= hi
        bracketed += lo <= ec50 <= hi
    assert bracketed >= 3

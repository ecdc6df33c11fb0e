"""Guards for the speed work in the compiled fitter: the shortcuts must not change the answers.

(Timings live in benchmarks/doseresponse.py; tests never assert wall-clock times.)
"""

from __future__ import annotations

import numpy as np
import pytest

import rarepath.screens.fit as fit_mod
from rarepath.screens.fit import _dss, fit_curves


def _synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.tile(np.logspace(-3, 1, 10), (n, 1))
    e = 10 ** rng.uniform(-2.5, 0.5, n)
    b = rng.uniform(0.5, 8.0, n)
    c = rng.uniform(0, 40, n)
    y = c[:, None] + (100 - c[:, None]) / (1 + np.exp(b[:, None] * (np.log(x) - np.log(e[:, None]))))
    y[rng.random(n) < 0.25] = 100.0  # flat curves: the hard case for LM (drifting, steep local minima)
    return x, y + rng.normal(0, 6, y.shape)


@pytest.mark.parametrize("model", ["ll4", "ll3u"])
def test_selective_multistart_matches_all_starts(model, monkeypatch):
    """Extra starts only where the first fit looks poor: the RSS must match ms_factor = inf (every class
    start on fits that explain some variance)."""
    x, y = _synthetic(3000, seed=11)
    quick = fit_curves(x, y, model=model)
    monkeypatch.setattr(fit_mod, "_MS_FACTOR", np.inf)
    full = fit_curves(x, y, model=model)
    same = quick.rss <= full.rss * (1 + 1e-4) + 1e-9
    assert same.mean() >= 0.995, same.mean()
    assert np.mean(np.array(quick.status) == np.array(full.status)) >= 0.995
    # and the shortcut really skips work
    assert quick.iterations.sum() < full.iterations.sum()


def test_compiled_covariance_matches_numpy_pinv():
    rng = np.random.default_rng(3)
    x = np.tile(np.logspace(-3, 1, 9), (300, 1))
    e = 10 ** rng.uniform(-2, 0, 300)
    y = 10 + 90 / (1 + (x / e[:, None]) ** 1.3) + rng.normal(0, 4, x.shape)
    a = fit_curves(x, y, engine="numba")
    b = fit_curves(x, y, engine="numpy")
    both = (np.array(a.status) == "sigmoid") & (np.abs(np.log(a.ec50 / b.ec50)) < 1e-6)
    assert both.sum() > 250
    np.testing.assert_allclose(a.ec50_se[both], b.ec50_se[both], rtol=1e-4)
    np.testing.assert_allclose(a.slope_se[both], b.slope_se[both], rtol=1e-4)


def test_analytic_dss_matches_dense_numerical_integral():
    rng = np.random.default_rng(0)
    n = 500
    b = rng.uniform(-6, 6, n)
    c = rng.uniform(-20, 60, n)
    d = rng.uniform(40, 120, n)
    le = rng.uniform(-9, 4, n)
    lmin, lmax = np.full(n, np.log(1e-3)), np.full(n, np.log(10.0))
    got = _dss(b, c, d, le, lmin, lmax, 100.0, 10.0)
    u = np.linspace(0.0, 1.0, 40001)
    t = lmin[:, None] + (lmax - lmin)[:, None] * u
    f = c[:, None] + (d - c)[:, None] / (1 + np.exp(b[:, None] * (t - le[:, None])))
    above = np.clip(100.0 * (1 - f / 100.0) - 10.0, 0, None)
    ref = 100.0 * np.trapezoid(above, u, axis=1) / 90.0
    np.testing.assert_allclose(got, ref, atol=2e-5)
    assert (got > 0).sum() > 100 and (got == 0).sum() > 5  # inhibiting and non-inhibiting curves


def test_chunking_does_not_change_results(monkeypatch):
    x, y = _synthetic(700, seed=5)
    whole = fit_curves(x, y)
    monkeypatch.setattr(fit_mod, "_CHUNK", 128)
    parts = fit_curves(x, y)
    np.testing.assert_array_equal(whole.rss, parts.rss)
    assert whole.status == parts.status

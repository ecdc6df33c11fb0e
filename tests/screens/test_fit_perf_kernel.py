"""Guards for the speed work in the compiled fitter: the shortcuts must not change the answers.

(Timings live in benchmarks/doseresponse.py; tests never assert wall-clock times.)
"""

from __future__ import annotations

import numpy as np
import pytest

import rarepath.screens.fit as fit_mod
from rarepath.screens.fit import dss_scores, fit_curves


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


def test_dss1_2_3_match_dense_numerical_integral_of_yadav_definition():
    """Closed-form DSS1-3 against the definition integrated numerically (Yadav 2014, the FIMM reference code):
    effect shifted to 0 at dose 0, area above threshold t from the crossing to the top dose."""
    rng = np.random.default_rng(0)
    n = 500
    b = rng.uniform(-6, 6, n)
    c = rng.uniform(-20, 60, n)
    d = rng.uniform(40, 120, n)
    le = rng.uniform(-9, 4, n)
    lmin, lmax = np.log(1e-3), np.log(10.0)
    d1, d2, d3 = dss_scores(b, c, d, np.exp(le), 1e-3, 10.0, scale=100.0, threshold=10.0)
    u = np.linspace(lmin, lmax, 40001)
    f = c[:, None] + (d - c)[:, None] / (1 + np.exp(b[:, None] * (u[None, :] - le[:, None])))
    f0 = np.where(b >= 0, d, c)
    g = 100.0 * (f0[:, None] - f) / 100.0  # inhibition, shifted so that zero dose is 0
    a = 100.0 * (f0 - np.where(b >= 0, c, d)) / 100.0
    span = lmax - lmin
    ref1 = 100.0 * np.trapezoid(np.clip(g - 10.0, 0, None), u, axis=1) / (span * 90.0)
    frac = np.trapezoid((g >= 10.0).astype(float), u, axis=1) / span
    zero = (a <= 10.0) | (le >= lmax)
    ref1 = np.where(zero, 0.0, ref1)
    with np.errstate(all="ignore"):
        ref2 = np.where(zero, 0.0, ref1 / np.log10(a))
        ref3 = np.where(zero, 0.0, ref1 * 2.0 / np.log10(a) * frac)
    np.testing.assert_allclose(d1, ref1, atol=2e-5)
    np.testing.assert_allclose(d2, ref2, atol=2e-5)
    np.testing.assert_allclose(d3, ref3, rtol=2e-4, atol=1e-5)  # the indicator integral is grid-limited
    assert (d1 > 0).sum() > 100 and (d1 == 0).sum() > 5  # inhibiting and non-inhibiting curves


def test_dss_hand_example_and_activity_readout():
    """A full-amplitude step at the centre of the log range: DSS1 = 50, DSS2 = 50 / log10(100) = 25,
    DSS3 = DSS1 x (2 / log10 100) x 0.5 = 25; a rising rescue curve scores on the activity scale."""
    e = np.sqrt(1e-3 * 10.0)
    d1, d2, d3 = dss_scores(1e6, 0.0, 100.0, e, 1e-3, 10.0, threshold=10.0)
    assert (float(d1), float(d2), float(d3)) == pytest.approx((50.0, 25.0, 25.0), abs=1e-4)  # slope 1e6 ~ a step
    r1, _, r3 = dss_scores(-1e6, 0.0, 100.0, e, 1e-3, 10.0, threshold=10.0, activity=True)
    assert (float(r1), float(r3)) == pytest.approx((50.0, 25.0), abs=1e-4)
    z = dss_scores(-200.0, 0.0, 100.0, e, 1e-3, 10.0, threshold=10.0)  # rising viability inhibits nothing
    assert [float(v) for v in z] == [0.0, 0.0, 0.0]
    above = dss_scores(200.0, 0.0, 100.0, 20.0, 1e-3, 10.0)  # EC50 above the top dose -> 0 by definition
    assert float(above[0]) == 0.0


def test_chunking_does_not_change_results(monkeypatch):
    x, y = _synthetic(700, seed=5)
    whole = fit_curves(x, y)
    monkeypatch.setattr(fit_mod, "_CHUNK", 128)
    parts = fit_curves(x, y)
    np.testing.assert_array_equal(whole.rss, parts.rss)
    assert whole.status == parts.status

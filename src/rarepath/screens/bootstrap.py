"""Residual-bootstrap intervals for batched log-logistic fits (EC50, slope, bottom, top).

Method (a model-based residual bootstrap for nonlinear regression; Davison & Hinkley 1997, section 6.3):

1. fit every curve once (`fit.fit_curves`), giving fitted values f_j and residuals r_j = y_j - f_j;
2. centre the residuals of each curve and inflate them by sqrt(n / (n - k)) (k free parameters), since
   least-squares residuals underestimate the noise by the fitted degrees of freedom;
3. for each of B resamples draw n residuals with replacement (from the same curve), form
   y*_j = f_j + r*_j at the same doses, and refit the same model by Levenberg-Marquardt started from the
   point estimate (no grid search: the resample is a small perturbation of the data);
4. report percentile intervals (numpy's linear quantile) of each parameter over the resamples, EC50 on the
   log scale (so its interval is exp of the ln EC50 quantiles), and the bootstrap standard error of
   log10 EC50.

Why residual rather than case resampling: with 8-10 doses and one point per dose, case resampling often
drops whole doses (and so the plateau that pins a parameter); residual resampling keeps the design fixed.
It assumes the noise is exchangeable across doses (homoscedastic), as the least-squares fit itself does.

Random numbers are a counter-based SplitMix64 keyed by (seed, curve index, resample, dose), so the result
does not depend on the thread count, block schedule or chunking. Only curves with the requested statuses
(default ``sigmoid``) are resampled; the others get NaN intervals and ``n_ok = 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rarepath.screens.fit import _B_MAX, _CHUNK, _LE_PAD, CurveFits, fit_curves

METHOD = "residual"


@dataclass
class BootstrapIntervals:
    """Per-curve bootstrap intervals (arrays of length N); NaN where the curve was not resampled."""

    curve_id: list[str]
    n_boot: int
    level: float
    method: str
    n_ok: np.ndarray  # resamples whose refit gave a finite RSS
    n_converged: np.ndarray  # ... of which met the LM convergence test
    ec50_lo: np.ndarray
    ec50_hi: np.ndarray
    log10_ec50_se: np.ndarray
    slope_lo: np.ndarray
    slope_hi: np.ndarray
    bottom_lo: np.ndarray
    bottom_hi: np.ndarray
    top_lo: np.ndarray
    top_hi: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.curve_id)


def bootstrap_fits(
    doses: np.ndarray,
    responses: np.ndarray,
    fits: CurveFits | None = None,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    statuses: Sequence[str] = ("sigmoid",),
    max_iter: int = 100,
    tol: float = 1e-8,
    **fit_kwargs: Any,
) -> BootstrapIntervals:
    """Residual-bootstrap intervals for N curves given as (N, m) `doses` / `responses` (NaN = missing).

    `fits` is the point fit of the same arrays (fitted here with `fit_kwargs` when omitted). The model and
    fixed plateaus are taken from `fits.settings`. Work is O(N * n_boot * m * iterations); memory is
    O(N + threads * n_boot).
    """
    import numba

    from rarepath.screens._lm_numba import bootstrap_batch

    doses = np.atleast_2d(np.asarray(doses, dtype=float))
    responses = np.atleast_2d(np.asarray(responses, dtype=float))
    if doses.shape != responses.shape:
        raise ValueError(f"doses {doses.shape} and responses {responses.shape} differ in shape")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2, got {n_boot}")
    if fits is None:
        fits = fit_curves(doses, responses, **fit_kwargs)
    n_curves = doses.shape[0]
    if len(fits) != n_curves:
        raise ValueError(f"fits has {len(fits)} curves, the arrays {n_curves}")
    st = fits.settings
    fix_c_val = fix_d_val = np.nan
    if fits.model == "ll3u":
        fix_d_val = st.get("response_scale", 100.0) if st.get("top") is None else float(st["top"])
    elif fits.model == "ll3":
        fix_c_val = 0.0 if st.get("bottom") is None else float(st["bottom"])
    alpha = 1.0 - level
    qs = np.array([alpha / 2.0, 1.0 - alpha / 2.0])
    wanted = np.isin(np.asarray(fits.status, dtype=object), list(statuses))
    p_hat = np.column_stack([fits.slope, fits.bottom, fits.top, np.log(fits.ec50)])
    p_hat[~wanted] = np.nan

    lo_hi = np.full((n_curves, 4, 2), np.nan)
    sd_le = np.full(n_curves, np.nan)
    n_ok = np.zeros(n_curves, dtype=np.int64)
    n_conv = np.zeros(n_curves, dtype=np.int64)
    for start in range(0, n_curves, _CHUNK):
        sl = slice(start, min(n_curves, start + _CHUNK))
        x, y = doses[sl], responses[sl]
        valid = np.isfinite(x) & np.isfinite(y) & (x >= 0)
        with np.errstate(divide="ignore"):
            lx = np.where(valid, np.log(np.where(valid, x, 1.0)), 0.0)
        pos = valid & (x > 0)
        lpos = np.where(pos, lx, np.nan)
        has = pos.any(1)
        with np.errstate(invalid="ignore"):
            lmin = np.where(has, np.nanmin(np.where(has[:, None], lpos, 0.0), axis=1), np.nan)
            lmax = np.where(has, np.nanmax(np.where(has[:, None], lpos, 0.0), axis=1), np.nan)
        nc = x.shape[0]
        with numba.parallel_chunksize(1):
            lh, sd, ok, cv = bootstrap_batch(
                np.ascontiguousarray(lx), np.ascontiguousarray(np.where(valid, y, 0.0)), np.ascontiguousarray(valid),
                np.full(nc, fix_c_val), np.full(nc, fix_d_val), lmin, lmax, np.ascontiguousarray(p_hat[sl]),
                np.arange(sl.start, sl.stop, dtype=np.int64), int(n_boot), np.uint64(seed), int(max_iter),
                float(tol), _LE_PAD, _B_MAX, qs)
        lo_hi[sl], sd_le[sl], n_ok[sl], n_conv[sl] = lh, sd, ok, cv
    # too few usable resamples for a percentile interval: leave it undefined rather than misleading
    thin = n_ok < max(2, int(0.5 * n_boot))
    lo_hi[thin] = np.nan
    sd_le[thin] = np.nan
    with np.errstate(over="ignore"):
        ec50 = np.exp(lo_hi[:, 3, :])
    return BootstrapIntervals(
        curve_id=list(fits.curve_id), n_boot=int(n_boot), level=float(level), method=METHOD, n_ok=n_ok,
        n_converged=n_conv, ec50_lo=ec50[:, 0], ec50_hi=ec50[:, 1], log10_ec50_se=sd_le / np.log(10.0),
        slope_lo=lo_hi[:, 0, 0], slope_hi=lo_hi[:, 0, 1], bottom_lo=lo_hi[:, 1, 0], bottom_hi=lo_hi[:, 1, 1],
        top_lo=lo_hi[:, 2, 0], top_hi=lo_hi[:, 2, 1],
        settings={"model": fits.model, "seed": seed, "statuses": tuple(statuses), "max_iter": max_iter,
                  "tol": tol},
    )

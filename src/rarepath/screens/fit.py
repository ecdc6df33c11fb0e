"""Batched log-logistic dose-response fitting: every curve of a screen in one vectorised solve.

Model (drc's parameterisation, `LL.4`)::

    f(x) = c + (d - c) / (1 + exp(b * (ln x - ln e)))

with ``c`` the response at infinite dose (bottom when decreasing), ``d`` the response at dose 0, ``e`` the
relative EC50 (the dose half-way between the two plateaus) and ``b`` the slope. **Sign convention (drc):
b > 0 means the response *decreases* with dose** (GraphPad/thunor's Hill slope is ``-b``). For LL.4 the
fitted curve is reported with ``c <= d`` where the data allow it, so the sign of ``b`` alone says whether
the treatment lowers (b > 0) or raises (b < 0) the response. ``LL.3u`` fixes ``d`` (the untreated
response, e.g. 100 % viability), ``LL.3`` fixes ``c`` (default 0).

Why batched: a screen has 10^3-10^4 curves and bootstrap intervals multiply that by 10^3; per-curve
optimisers spend their time in Python overhead. Here the parameters are an (N, k) array, residuals and the
analytic Jacobian an (N, m, k) array, and a Levenberg-Marquardt step per curve is a batched 4x4 solve.
Starting values come from a grid over (slope, ln EC50) where the plateaus, being linear given those two,
are solved exactly (variable projection); this avoids the poor local minima of naive starts.

Every curve gets a status with a reason, and no curve ever raises:

* ``failed`` -- too few points/doses, negative dose, non-finite parameters;
* ``not_converged`` -- Levenberg-Marquardt still improving at the iteration limit even after continuing
  (``continue_iter`` more iterations from the best point, then restarts from each slope class's grid start):
  the best point is kept in the table, but its numbers are not estimates and the curve never ranks. On
  12,642 real CCLE/GDSC curves 1,532 stopped at 200 iterations (fits whose optimum lies at infinity: bottom
  -> -inf, EC50 -> +inf, crawling along the valley); all converge with the continuation, to ``flat`` or
  ``implausible``, with an RSS never above drc's;
* ``flat`` -- the extra-sum-of-squares F test of the fitted model against a constant is not significant at
  ``alpha`` (or the response is constant);
* ``implausible`` -- significant but extrapolated: a free plateau lies further than one data range outside
  the observed responses, the EC50 lies more than 10x outside the tested doses, or the standard error of
  log10 EC50 exceeds one decade (limits in `Plausibility`);
* ``sigmoid`` -- everything else. A step-like fit (90 % of the change between the two tested doses around
  the EC50) has a likelihood flat in EC50 inside that gap, so its Wald SE is meaningless: its EC50 interval
  is the dose gap and the reason says so.

EC50 intervals are Wald intervals on ln EC50 (the parameter the model is fitted in), back-transformed, at
level 1 - ``alpha``; they are never negative. DSS1-3 follow Yadav et al. 2014 (see `dss_scores`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

MODELS = ("ll4", "ll3u", "ll3")
STATUS_SIGMOID = "sigmoid"
STATUS_FLAT = "flat"
STATUS_FAILED = "failed"
STATUS_NOT_CONVERGED = "not_converged"
STATUS_IMPLAUSIBLE = "implausible"
STATUSES = (STATUS_SIGMOID, STATUS_FLAT, STATUS_IMPLAUSIBLE, STATUS_NOT_CONVERGED, STATUS_FAILED)
#: the DSS variant that the screen ranking uses (Yadav et al. 2014 recommend DSS3 for selective responses)
DSS_REPORTED = "dss3"

_B_MAX = 200.0  # |slope| cap: beyond it the curve is a step and the likelihood is flat in b
_LE_PAD = 20.0  # ln EC50 kept within [ln min dose - 20, ln max dose + 20]
_CHUNK = 100_000  # curves per batch; bounds the (chunk, doses) temporaries (~0.2 GB for 10 doses)
_MS_FACTOR = 1.2  # extra LM starts run when their grid RSS is within this factor of the first fit's RSS

OUTPUT_COLUMNS = (
    "curve_id", "status", "reason", "model", "n", "n_doses", "bottom", "top", "ec50", "ec50_se",
    "log10_ec50_se", "ec50_lo", "ec50_hi", "log10_ec50", "slope", "slope_se", "ic50_abs", "ic50_abs_flag",
    "emax_obs", "emax_fit", "einf", "auc", "aac", "dss1", "dss2", "dss3", "rss", "rss_flat", "r2", "f_stat",
    "p_vs_flat", "iterations", "converged",
)


@dataclass(frozen=True)
class Plausibility:
    """Limits beyond which a significant fit is an extrapolation, not an estimate (status ``implausible``).

    plateau_range_factor: a free plateau may lie at most this many data ranges (max - min response) outside
    the observed responses; ec50_range_factor: the EC50 may lie at most this factor below the lowest or above
    the highest tested dose; max_log10_ec50_se: largest standard error of log10 EC50 (decades).
    """

    plateau_range_factor: float = 1.0
    ec50_range_factor: float = 10.0
    max_log10_ec50_se: float = 1.0


@dataclass
class CurveFits:
    """Column-wise results for N curves (NumPy arrays of length N, plus per-curve strings)."""

    curve_id: list[str]
    model: str
    status: list[str]
    reason: list[str]
    n: np.ndarray
    n_doses: np.ndarray
    bottom: np.ndarray
    top: np.ndarray
    ec50: np.ndarray
    ec50_se: np.ndarray
    log10_ec50_se: np.ndarray
    ec50_lo: np.ndarray
    ec50_hi: np.ndarray
    slope: np.ndarray
    slope_se: np.ndarray
    ic50_abs: np.ndarray
    ic50_abs_flag: list[str]
    emax_obs: np.ndarray
    emax_fit: np.ndarray
    auc: np.ndarray
    aac: np.ndarray
    dss1: np.ndarray
    dss2: np.ndarray
    dss3: np.ndarray
    rss: np.ndarray
    rss_flat: np.ndarray
    r2: np.ndarray
    f_stat: np.ndarray
    p_vs_flat: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.curve_id)

    @property
    def log10_ec50(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(self.ec50)

    @property
    def dss(self) -> np.ndarray:
        """The DSS variant the ranking uses (`DSS_REPORTED`)."""
        return getattr(self, DSS_REPORTED)

    @property
    def einf(self) -> np.ndarray:
        """Response at infinite dose (drc's c)."""
        return self.bottom

    def row(self, i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in OUTPUT_COLUMNS:
            if col == "model":
                out[col] = self.model
            else:
                v = getattr(self, col)
                out[col] = v[i]
        return out

    def rows(self) -> list[dict[str, Any]]:
        return [self.row(i) for i in range(len(self))]

    def index(self, curve_id: str) -> int:
        return self.curve_id.index(curve_id)

    def predict(self, i: int, dose: np.ndarray) -> np.ndarray:
        """Fitted response of curve i at the given doses."""
        return ll4(np.asarray(dose, float), self.slope[i], self.bottom[i], self.top[i], self.ec50[i])


def ll4(dose: np.ndarray, b: float | np.ndarray, c: float | np.ndarray, d: float | np.ndarray,
        e: float | np.ndarray) -> np.ndarray:
    """drc LL.4: c + (d - c) / (1 + exp(b (ln x - ln e))); dose 0 gives d when b > 0."""
    from scipy.special import expit

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = b * (np.log(dose) - np.log(e))
        z = np.where(np.isnan(z), 0.0, z)
        return c + (d - c) * expit(-z)


# ----------------------------------------------------------------------------------------------- kernels

def _sigmoid_parts(b: np.ndarray, le: np.ndarray, lx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """s = 1/(1+exp(b(lx-le))), w = s(1-s), dlx = lx - le (0 where lx = -inf, i.e. dose 0)."""
    from scipy.special import expit

    with np.errstate(invalid="ignore", over="ignore"):
        dlx = lx - le[:, None]
        z = b[:, None] * dlx
    z = np.where(np.isnan(z), 0.0, z)
    s = expit(-z)
    w = s * (1.0 - s)
    dlx = np.where(np.isfinite(dlx), dlx, 0.0)
    return s, w, dlx


def _full_params(p: np.ndarray, fixed_c: np.ndarray | None, fixed_d: np.ndarray | None):
    """Unpack the free parameter array into (b, c, d, le)."""
    b = p[:, 0]
    j = 1
    if fixed_c is None:
        c = p[:, j]
        j += 1
    else:
        c = fixed_c
    if fixed_d is None:
        d = p[:, j]
        j += 1
    else:
        d = fixed_d
    le = p[:, j]
    return b, c, d, le


def _residuals_jacobian(p, lx, y, wmask, fixed_c, fixed_d, want_jac=True):
    b, c, d, le = _full_params(p, fixed_c, fixed_d)
    s, w, dlx = _sigmoid_parts(b, le, lx)
    f = c[:, None] + (d - c)[:, None] * s
    r = np.where(wmask, y - f, 0.0)
    if not want_jac:
        return r, None
    cols = [-(d - c)[:, None] * w * dlx]  # df/db
    if fixed_c is None:
        cols.append(1.0 - s)
    if fixed_d is None:
        cols.append(s)
    cols.append((d - c)[:, None] * w * b[:, None])  # df/dle
    jac = np.stack(cols, axis=2) * wmask[:, :, None]
    return r, jac


def _solve_batched(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(a, g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        return (np.linalg.pinv(a) @ g[:, :, None])[:, :, 0]


def _clip(p: np.ndarray, le_lo: np.ndarray, le_hi: np.ndarray) -> np.ndarray:
    p[:, 0] = np.clip(p[:, 0], -_B_MAX, _B_MAX)
    p[:, -1] = np.clip(p[:, -1], le_lo, le_hi)
    return p


def _grid_start(lx, y, wmask, fixed_c, fixed_d, le_lo_data, le_hi_data, both_signs):
    """Best (b, c, d, le) over a (slope, ln EC50) grid with plateaus solved linearly (variable projection)."""
    n_curves = lx.shape[0]
    span = np.maximum(le_hi_data - le_lo_data, 1e-6)
    fracs = np.linspace(-0.25, 1.25, 16)
    slopes = np.array([0.3, 0.7, 1.5, 3.0, 6.0, 12.0, 25.0])
    if both_signs:
        slopes = np.concatenate([slopes, -slopes])
    wf = wmask.astype(float)
    best_rss = np.full(n_curves, np.inf)
    best = np.zeros((n_curves, 4))
    for fr in fracs:
        le = le_lo_data + fr * span
        for bs in slopes:
            # scale slope to the dose span so that the grid covers shallow and steep curves alike
            b = np.full(n_curves, bs)
            s, _, _ = _sigmoid_parts(b, le, lx)
            a = 1.0 - s
            if fixed_c is None and fixed_d is None:
                saa = (wf * a * a).sum(1)
                sss = (wf * s * s).sum(1)
                sas = (wf * a * s).sum(1)
                say = (wf * a * y).sum(1)
                ssy = (wf * s * y).sum(1)
                det = saa * sss - sas * sas
                ok = np.abs(det) > 1e-12 * np.maximum(saa * sss, 1e-300)
                safe = np.where(ok, det, 1.0)
                c = np.where(ok, (say * sss - ssy * sas) / safe, np.nan)
                d = np.where(ok, (ssy * saa - say * sas) / safe, np.nan)
            elif fixed_d is not None:
                den = (wf * a * a).sum(1)
                c = np.where(den > 1e-12, (wf * a * (y - fixed_d[:, None] * s)).sum(1) / np.maximum(den, 1e-300),
                             np.nan)
                d = fixed_d
            else:
                den = (wf * s * s).sum(1)
                d = np.where(den > 1e-12, (wf * s * (y - fixed_c[:, None] * a)).sum(1) / np.maximum(den, 1e-300),
                             np.nan)
                c = fixed_c
            f = c[:, None] + (d - c)[:, None] * s
            rss = (wf * (y - f) ** 2).sum(1)
            better = np.isfinite(rss) & (rss < best_rss)
            best_rss = np.where(better, rss, best_rss)
            best[better] = np.column_stack([b, c, d, le])[better]
    return best


def _lm(p, lx, y, wmask, fixed_c, fixed_d, le_lo, le_hi, max_iter, tol):
    """Per-curve Levenberg-Marquardt with an active set: converged curves stop costing time."""
    n_curves, k = p.shape
    lam = np.full(n_curves, 1e-3)
    r, _ = _residuals_jacobian(p, lx, y, wmask, fixed_c, fixed_d, want_jac=False)
    rss = (r * r).sum(1)
    iters = np.zeros(n_curves, dtype=np.int64)
    quiet = np.zeros(n_curves, dtype=np.int64)
    rejects = np.zeros(n_curves, dtype=np.int64)
    converged = np.zeros(n_curves, dtype=bool)
    active = np.flatnonzero(np.isfinite(rss))
    eye = np.eye(k)
    for _ in range(max_iter):
        if active.size == 0:
            break
        pa = p[active]
        fc = None if fixed_c is None else fixed_c[active]
        fd = None if fixed_d is None else fixed_d[active]
        ra, ja = _residuals_jacobian(pa, lx[active], y[active], wmask[active], fc, fd)
        jt = np.transpose(ja, (0, 2, 1))
        jtj = jt @ ja
        g = (jt @ ra[:, :, None])[:, :, 0]
        diag = np.einsum("nii->ni", jtj)
        damp = lam[active][:, None] * np.maximum(diag, 1e-12 * (diag.max(1, keepdims=True) + 1e-300))
        step = _solve_batched(jtj + damp[:, :, None] * eye, g)
        cand = _clip(pa + step, le_lo[active], le_hi[active])
        rc, _ = _residuals_jacobian(cand, lx[active], y[active], wmask[active], fc, fd, want_jac=False)
        rss_new = (rc * rc).sum(1)
        old = rss[active]
        accept = np.isfinite(rss_new) & (rss_new <= old)
        iters[active] += 1
        p[active[accept]] = cand[accept]
        rss[active[accept]] = rss_new[accept]
        lam[active] = np.where(accept, lam[active] / 3.0, lam[active] * 4.0)
        lam[active] = np.clip(lam[active], 1e-12, 1e16)
        rel = (old - np.where(accept, rss_new, old)) / np.maximum(old, 1e-300)
        small = accept & ((rel < tol) | (old < 1e-300))
        quiet[active] = np.where(small, quiet[active] + 1, np.where(accept, 0, quiet[active]))
        rejects[active] = np.where(accept, 0, rejects[active] + 1)
        done = (quiet[active] >= 3) | (rejects[active] >= 12)
        converged[active[done]] = True
        active = active[~done]
    return p, rss, iters, converged


# ----------------------------------------------------------------------------------------------- API

def fit_curves(
    doses: np.ndarray,
    responses: np.ndarray,
    *,
    model: str = "ll4",
    curve_ids: Sequence[str] | None = None,
    top: float | None = None,
    bottom: float | None = None,
    alpha: float = 0.05,
    ic50_level: float | None = None,
    response_scale: float = 100.0,
    dss_threshold: float = 10.0,
    dss_readout: str | Sequence[str] = "inhibition",
    plausibility: Plausibility | None = None,
    max_iter: int = 200,
    continue_iter: int = 5000,
    tol: float = 1e-10,
    engine: str = "auto",
) -> CurveFits:
    """Fit N curves at once.

    ``doses`` and ``responses`` are (N, m) arrays; NaN marks a missing point (curves may differ in length).
    ``model``: ``ll4``, ``ll3u`` (top ``d`` fixed at ``top``, default ``response_scale``) or ``ll3``
    (bottom ``c`` fixed at ``bottom``, default 0). ``ic50_level`` is the response at which the absolute
    IC50 is read (default ``response_scale / 2``). ``response_scale`` is the untreated response (100 for
    percent, 1 for fractions) that normalises AUC/AAC and DSS. ``engine``: ``numba`` (compiled loop, curves
    in parallel), ``numpy`` (batched arrays) or ``auto`` (numba when importable). ``alpha`` is the level of
    the F test against the flat model and of the (1 - alpha) EC50 interval. ``max_iter`` bounds each LM
    start; a fit still improving there continues for up to ``continue_iter`` iterations (0: stop at
    ``max_iter``) before it is called ``not_converged``: the cost falls on those curves only. ``dss_readout`` (one value or one
    per curve): ``inhibition`` scores the effect as 100 (1 - f / scale) (viability readouts), ``activity`` as
    100 f / scale (readouts that rise with the desired effect, e.g. percent rescue).
    """
    doses = np.atleast_2d(np.asarray(doses, dtype=float))
    responses = np.atleast_2d(np.asarray(responses, dtype=float))
    if doses.shape != responses.shape:
        raise ValueError(f"doses {doses.shape} and responses {responses.shape} differ in shape")
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    n_curves = doses.shape[0]
    ids = [str(i) for i in range(n_curves)] if curve_ids is None else [str(c) for c in curve_ids]
    if ic50_level is None:
        ic50_level = response_scale / 2.0
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    readout = np.broadcast_to(np.asarray(dss_readout, dtype=object), (n_curves,))
    if not set(readout.tolist()) <= {"inhibition", "activity"}:
        raise ValueError("dss_readout must be 'inhibition' or 'activity'")
    activity = readout == "activity"
    lim = plausibility or Plausibility()
    parts = []
    for start in range(0, n_curves, _CHUNK):
        sl = slice(start, min(n_curves, start + _CHUNK))
        parts.append(_fit_chunk(doses[sl], responses[sl], model, top, bottom, alpha, ic50_level,
                                response_scale, dss_threshold, activity[sl], lim, max_iter, continue_iter, tol,
                                engine))
    cols = {k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in parts[0]} if parts else {}
    if not parts:
        cols = {k: np.zeros(0) for k in _fit_chunk(np.ones((1, 4)), np.ones((1, 4)), model, top, bottom, alpha,
                                                   ic50_level, response_scale, dss_threshold, np.zeros(1, bool),
                                                   lim, max_iter, continue_iter, tol, engine)}
    return CurveFits(
        curve_id=ids, model=model,
        status=[str(s) for s in cols["status"]], reason=[str(s) for s in cols["reason"]],
        ic50_abs_flag=[str(s) for s in cols["ic50_abs_flag"]],
        **{k: v for k, v in cols.items() if k not in ("status", "reason", "ic50_abs_flag")},
        settings={"model": model, "top": top, "bottom": bottom, "alpha": alpha, "ic50_level": ic50_level,
                  "response_scale": response_scale, "dss_threshold": dss_threshold,
                  "dss_reported": DSS_REPORTED, "plausibility": lim, "max_iter": max_iter,
                  "continue_iter": continue_iter},
    )


def _fit_chunk(x, y, model, top, bottom, alpha, ic50_level, scale, dss_t, activity, lim, max_iter, continue_iter,
               tol, engine) -> dict[str, np.ndarray]:
    from scipy import stats

    n_curves, m = x.shape
    valid = np.isfinite(x) & np.isfinite(y) & (x >= 0)
    bad_dose = np.isfinite(x) & (x < 0)
    with np.errstate(divide="ignore"):
        lx = np.where(valid, np.log(np.where(valid, x, 1.0)), 0.0)
    lx = np.where(valid & (x == 0), -np.inf, lx)
    yv = np.where(valid, y, 0.0)
    n = valid.sum(1)
    pos = valid & (x > 0)
    lpos = np.where(pos, lx, np.nan)
    with np.errstate(invalid="ignore"):
        lmin = np.nanmin(np.where(pos.any(1)[:, None], lpos, 0.0), axis=1)
        lmax = np.nanmax(np.where(pos.any(1)[:, None], lpos, 0.0), axis=1)
    # distinct doses (zero counts as one)
    xs = np.sort(np.where(valid, x, np.nan), axis=1)
    diff = np.diff(xs, axis=1)
    n_doses = np.where(n > 0, 1 + (np.isfinite(diff) & (diff > 0)).sum(1), 0)

    fixed_c = fixed_d = None
    if model == "ll3u":
        fixed_d = np.full(n_curves, scale if top is None else float(top))
    elif model == "ll3":
        fixed_c = np.full(n_curves, 0.0 if bottom is None else float(bottom))
    k = 4 - (fixed_c is not None) - (fixed_d is not None)

    ymean = np.where(n > 0, yv.sum(1) / np.maximum(n, 1), np.nan)
    rss_flat = np.where(valid, (yv - ymean[:, None]) ** 2, 0.0).sum(1)
    tss = rss_flat.copy()
    if model == "ll3u":  # flat model is the fixed top itself? No: a free constant, as in thunor/GRmetrics
        pass

    reason = np.full(n_curves, "", dtype=object)
    failed = np.zeros(n_curves, dtype=bool)
    for mask, why in (
        (bad_dose.any(1), "negative dose"),
        (n_doses < 4, "fewer than 4 distinct doses"),
        (n <= k, f"fewer than {k + 1} points"),
        (~pos.any(1), "no positive dose"),
    ):
        hit = mask & ~failed
        reason[hit] = why
        failed |= mask
    fit_idx = np.flatnonzero(~failed)

    p_all = np.full((n_curves, 4), np.nan)  # b, c, d, le
    rss = np.full(n_curves, np.nan)
    iters = np.zeros(n_curves, dtype=np.int64)
    conv = np.zeros(n_curves, dtype=bool)
    cov_le = np.full(n_curves, np.nan)
    cov_b = np.full(n_curves, np.nan)
    if fit_idx.size:
        sx, sy, sw = lx[fit_idx], yv[fit_idx], valid[fit_idx]
        lo_d, hi_d = lmin[fit_idx], lmax[fit_idx]
        fc = None if fixed_c is None else fixed_c[fit_idx]
        fd = None if fixed_d is None else fixed_d[fit_idx]
        free = [0] + ([1] if fc is None else []) + ([2] if fd is None else []) + [3]
        le_lo, le_hi = lo_d - _LE_PAD, hi_d + _LE_PAD
        inv_b = inv_le = None
        if _use_numba(engine):
            import numba

            from rarepath.screens._lm_numba import fit_batch

            nan = np.full(fit_idx.size, np.nan)
            with numba.parallel_chunksize(1):  # dynamic scheduling: the machine is shared, threads stall
                p4, r, it, cv, inv_b, inv_le, _ = fit_batch(
                    np.ascontiguousarray(sx), np.ascontiguousarray(sy), np.ascontiguousarray(sw),
                    nan if fc is None else fc, nan if fd is None else fd, lo_d, hi_d, model != "ll4",
                    max_iter, tol, _LE_PAD, _B_MAX, _MS_FACTOR, max(int(continue_iter), 0))
            p = p4[:, free].copy()
        else:
            start = _grid_start(sx, sy, sw, fc, fd, lo_d, hi_d, both_signs=(model != "ll4"))
            p0 = start[:, free].copy()
            p0 = _clip(np.where(np.isfinite(p0), p0, 0.0), le_lo, le_hi)
            p, r, it, cv = _lm(p0, sx, sy, sw, fc, fd, le_lo, le_hi, max_iter, tol)
            stuck = np.flatnonzero(~cv & np.isfinite(r))
            if stuck.size and continue_iter > 0:  # still improving at the limit: continue from the best point
                fc2 = None if fc is None else fc[stuck]
                fd2 = None if fd is None else fd[stuck]
                p2, r2, it2, cv2 = _lm(p[stuck].copy(), sx[stuck], sy[stuck], sw[stuck], fc2, fd2,
                                       le_lo[stuck], le_hi[stuck], int(continue_iter), tol)
                it[stuck] += it2
                take = r2 <= r[stuck]
                p[stuck[take]], r[stuck[take]], cv[stuck[take]] = p2[take], r2[take], cv2[take]
        b, c, d, le = _full_params(p, fc, fd)
        if model == "ll4":  # report c <= d so that sign(b) alone gives the direction
            swap = c > d
            b, c, d = np.where(swap, -b, b), np.where(swap, d, c), np.where(swap, c, d)
            p[:, 0] = b
            p[:, 1], p[:, 2] = c, d
        p_all[fit_idx] = np.column_stack([b, c, d, le])
        rss[fit_idx] = r
        iters[fit_idx] = it
        conv[fit_idx] = cv
        # standard errors: sigma^2 (J'J)^-1 at the solution (the compiled kernel returns the diagonal)
        if inv_b is None:
            _, jac = _residuals_jacobian(p, sx, sy, sw, fc, fd)
            jtj = np.transpose(jac, (0, 2, 1)) @ jac
            with np.errstate(all="ignore"):
                inv = np.linalg.pinv(jtj)
            inv_b, inv_le = inv[:, 0, 0], inv[:, -1, -1]
        dof = np.maximum(n[fit_idx] - k, 1)
        s2 = r / dof
        cov_le[fit_idx] = s2 * inv_le
        cov_b[fit_idx] = s2 * inv_b

    b, c, d, le = p_all.T
    nonfinite = ~failed & ~(np.isfinite(p_all).all(1) & np.isfinite(rss))
    reason[nonfinite] = "non-finite parameters"
    failed |= nonfinite

    dof1 = n - k
    with np.errstate(all="ignore"):
        f_stat = ((rss_flat - rss) / (k - 1)) / (rss / np.maximum(dof1, 1))
        f_stat = np.where(rss <= 1e-14 * np.maximum(rss_flat, 1e-300), np.inf, f_stat)
    p_flat = np.where(np.isfinite(f_stat), stats.f.sf(np.where(np.isfinite(f_stat), f_stat, 0.0), k - 1,
                                                      np.maximum(dof1, 1)), 0.0)
    p_flat = np.where(np.isnan(f_stat) | failed, np.nan, p_flat)
    const = rss_flat <= 1e-24 * np.maximum(1.0, np.abs(ymean) ** 2) * np.maximum(n, 1)
    flat = ~failed & (const | ~(p_flat < alpha))
    not_conv = ~failed & ~const & ~conv

    e = np.exp(le)
    from scipy.stats import t as tdist

    tq = tdist.ppf(1.0 - alpha / 2.0, np.maximum(dof1, 1))
    with np.errstate(all="ignore"):
        se_le = np.sqrt(cov_le)
        ec50_se = e * se_le  # delta method on the linear scale, for reference
        slope_se = np.sqrt(cov_b)
        # Wald interval on ln EC50 (the fitted parameter), back-transformed: positive and asymmetric
        ec50_lo, ec50_hi = np.exp(le - tq * se_le), np.exp(le + tq * se_le)
    log10_se = se_le / np.log(10.0)

    # plausibility of significant fits: extrapolated plateaus, EC50 far outside the doses, huge SE
    ymin = np.nanmin(np.where(valid, y, np.inf), axis=1)
    ymax = np.nanmax(np.where(valid, y, -np.inf), axis=1)
    rng = np.maximum(ymax - ymin, 1e-12 * np.maximum(np.abs(ymax), 1.0))
    slack = lim.plateau_range_factor * rng
    free_plateaus = [c] if fixed_c is None else []
    free_plateaus += [d] if fixed_d is None else []
    why_implausible = np.full(n_curves, "", dtype=object)
    with np.errstate(invalid="ignore"):
        for v, name in zip(free_plateaus, ("bottom", "top") if fixed_c is None else ("top",), strict=False):
            out = (v < ymin - slack) | (v > ymax + slack)
            why_implausible[out & (why_implausible == "")] = f"{name} far outside the observed responses"
        far = (le < lmin - np.log(lim.ec50_range_factor)) | (le > lmax + np.log(lim.ec50_range_factor))
        why_implausible[far & (why_implausible == "")] = (
            f"EC50 more than {lim.ec50_range_factor:g}x outside the tested doses")
        # a step-like fit (>= 90 % of the change between the two tested doses around the EC50) locates the
        # EC50 only to that dose gap: the likelihood is flat in ln EC50 inside it, so the Wald SE is
        # meaningless there; its interval is the gap (where the profile likelihood is flat), not "implausible"
        below = np.where(pos & (lx <= le[:, None]), lx, -np.inf).max(1)
        above = np.where(pos & (lx >= le[:, None]), lx, np.inf).min(1)
        from scipy.special import expit

        gap_change = np.abs(expit(-b * (above - le)) - expit(-b * (below - le)))
        step = np.isfinite(below) & np.isfinite(above) & (gap_change >= 0.9)
        wide = ~(log10_se <= lim.max_log10_ec50_se)
        step_wide = step & wide
        ec50_lo = np.where(step_wide, np.exp(below), ec50_lo)
        ec50_hi = np.where(step_wide, np.exp(above), ec50_hi)
        why_implausible[wide & ~step & (why_implausible == "")] = (
            f"SE of log10 EC50 above {lim.max_log10_ec50_se:g} decade(s)")
    implausible = ~failed & ~not_conv & ~flat & (why_implausible != "")

    status = np.full(n_curves, STATUS_SIGMOID, dtype=object)
    status[implausible] = STATUS_IMPLAUSIBLE
    status[flat & ~not_conv] = STATUS_FLAT
    status[not_conv] = STATUS_NOT_CONVERGED
    status[failed] = STATUS_FAILED
    reason[~failed & const] = "constant response"
    for i in np.flatnonzero(flat & ~const & ~not_conv):
        reason[i] = f"F-test vs flat p={p_flat[i]:.3g} >= {alpha:g}"
    for i in np.flatnonzero(not_conv):
        reason[i] = (f"iteration limit ({max_iter}, continued {continue_iter}) reached; best point kept, "
                     "not an estimate")
    for i in np.flatnonzero(implausible):
        reason[i] = str(why_implausible[i])
    reason[(status == STATUS_SIGMOID) & step_wide] = "step between adjacent doses: EC50 interval = the dose gap"

    # absolute IC50: dose where the fitted curve crosses ic50_level
    with np.errstate(all="ignore"):
        u = (d - c) / (ic50_level - c) - 1.0
        ic50 = np.exp(le + np.log(u) / b)
    reached = np.isfinite(ic50) & (u > 0)
    ic50 = np.where(reached, ic50, np.nan)
    xmin, xmax = np.exp(lmin), np.exp(lmax)
    flag = np.where(~reached, "not_reached",
                    np.where(ic50 > xmax, "above_range", np.where(ic50 < xmin, "below_range", "in_range")))
    flag = np.where(failed, "", flag).astype(object)

    # observed / fitted effect at the highest dose
    top_mask = valid & (x == np.nanmax(np.where(valid, x, -np.inf), axis=1)[:, None])
    emax_obs = np.where(top_mask.any(1), (yv * top_mask).sum(1) / np.maximum(top_mask.sum(1), 1), np.nan)
    emax_fit = ll4(xmax, b, c, d, e)

    auc = _auc_analytic(b, c, d, le, lmin, lmax) / scale
    aac = 1.0 - auc
    dss1, dss2, dss3 = dss_scores(b, c, d, e, np.exp(lmin), np.exp(lmax), scale=scale, threshold=dss_t,
                                  activity=activity)
    with np.errstate(all="ignore"):
        r2 = 1.0 - rss / tss
    return {
        "status": status, "reason": reason, "n": n, "n_doses": n_doses, "bottom": c, "top": d, "ec50": e,
        "ec50_se": ec50_se, "log10_ec50_se": log10_se, "ec50_lo": ec50_lo, "ec50_hi": ec50_hi, "slope": b, "slope_se": slope_se,
        "ic50_abs": ic50, "ic50_abs_flag": flag, "emax_obs": emax_obs, "emax_fit": emax_fit, "auc": auc,
        "aac": aac, "dss1": dss1, "dss2": dss2, "dss3": dss3, "rss": rss, "rss_flat": rss_flat, "r2": r2, "f_stat": f_stat,
        "p_vs_flat": p_flat, "iterations": iters, "converged": conv,
    }


def _use_numba(engine: str) -> bool:
    if engine == "numpy":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        if engine == "numba":
            raise
        return False
    return True


def _auc_analytic(b, c, d, le, lmin, lmax):
    """Mean of the fitted curve over [ln min dose, ln max dose] (closed form of the log-logistic integral)."""
    span = lmax - lmin
    with np.errstate(all="ignore"):
        # integral of s = 1/(1+exp(b(t-le))) dt = t - softplus(b(t-le))/b
        def prim(t):
            return t - np.logaddexp(0.0, b * (t - le)) / b

        mean_s = (prim(lmax) - prim(lmin)) / span
        small_b = np.abs(b) < 1e-9
        mean_s = np.where(small_b, 0.5, mean_s)
        mean_s = np.where(span <= 0, 1.0 / (1.0 + np.exp(b * (lmin - le))), mean_s)
    return c + (d - c) * mean_s


def dss_scores(b, c, d, e, xmin, xmax, *, scale: float = 100.0, threshold: float = 10.0,
               activity: bool | np.ndarray = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drug sensitivity scores DSS1, DSS2, DSS3 of fitted LL.4 curves (Yadav et al., Sci Rep 2014; 4:5193).

    As in the authors' reference implementation (the FIMM `DSS` R code): the fitted curve is put on the effect
    scale (percent inhibition 100 (1 - f / scale), or percent activity 100 f / scale when `activity`), shifted so
    that the effect at zero dose is 0, leaving the amplitude ``a`` (effect at infinite dose). With t the
    activity threshold (%), x1 the log dose where the curve crosses t (clipped to the tested range
    [xmin, xmax]) and the integral taken in closed form over log dose::

        DSS1 = 100 * (integral_{x1}^{xmax} effect dx - t (xmax - x1)) / ((100 - t)(xmax - xmin))
        DSS2 = DSS1 / log10(a)
        DSS3 = DSS1 * (log10(100) / log10(a)) * (xmax - x1) / (xmax - xmin)

    (DSS3 keeps the log10(100) factor of the reference code, so a full-amplitude response has DSS3 = DSS1 x
    the fraction of the range above threshold.) All three are 0 when the effect does not rise with dose, when
    a <= t, or when the EC50 is at or above the top dose; NaN where the parameters are not finite.
    """
    b, c, d, e = (np.asarray(v, float) for v in (b, c, d, e))
    t = float(threshold)
    with np.errstate(all="ignore"):
        lmin, lmax = np.log(np.asarray(xmin, float)), np.log(np.asarray(xmax, float))
        f0 = np.where(b >= 0, d, c)  # response at zero dose
        finf = np.where(b >= 0, c, d)  # response at infinite dose
        sign = np.where(activity, 1.0, -1.0)
        a = sign * 100.0 * (finf - f0) / scale  # effect amplitude (effect at zero dose shifted to 0)
        beta = np.abs(b)
        m = np.log(e)
        u2 = lmax
        u1 = np.clip(m - np.log((a - t) / t) / beta, lmin, lmax)

        def prim(u):  # integral of 1 / (1 + exp(-beta (u - m))) du
            return u + np.logaddexp(0.0, -beta * (u - m)) / beta

        area = a * (prim(u2) - prim(u1)) - t * (u2 - u1)
        area = np.maximum(area, 0.0)
        span = lmax - lmin
        dss1 = 100.0 * area / (span * (100.0 - t))
        dss2 = dss1 / np.log10(a)
        dss3 = dss1 * (2.0 / np.log10(a)) * (u2 - u1) / span
        zero = (a <= t) | (m >= lmax) | (beta == 0)
        bad = ~(np.isfinite(a) & np.isfinite(m) & np.isfinite(beta) & (span > 0))
        out = []
        for v in (dss1, dss2, dss3):
            v = np.where(zero, 0.0, v)
            out.append(np.where(bad, np.nan, v))
    return out[0], out[1], out[2]


def fit_tidy(
    curve_ids: Sequence[str], doses: Sequence[float], responses: Sequence[float], **kwargs: Any
) -> CurveFits:
    """Fit tidy rows (curve_id, dose, response): groups by curve id (first-seen order) and pads."""
    ids = np.asarray([str(c) for c in curve_ids], dtype=object)
    x = np.asarray(doses, dtype=float)
    y = np.asarray(responses, dtype=float)
    order_ids, first = np.unique(ids, return_index=True)
    order_ids = order_ids[np.argsort(first)]
    code = {cid: i for i, cid in enumerate(order_ids)}
    idx = np.fromiter((code[c] for c in ids), dtype=np.int64, count=len(ids))
    counts = np.bincount(idx, minlength=len(order_ids)) if len(ids) else np.zeros(0, dtype=np.int64)
    width = int(counts.max()) if counts.size else 1
    srt = np.argsort(idx, kind="stable")
    pos = np.arange(len(ids)) - np.repeat(np.cumsum(counts) - counts, counts)
    dx = np.full((len(order_ids), width), np.nan)
    dy = np.full((len(order_ids), width), np.nan)
    dx[idx[srt], pos] = x[srt]
    dy[idx[srt], pos] = y[srt]
    return fit_curves(dx, dy, curve_ids=[str(c) for c in order_ids], **kwargs)

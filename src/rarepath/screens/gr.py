"""Growth-rate inhibition (GR) metrics (Hafner, Niepel, Chung & Sorger, Nat Methods 2016; 13:521).

Viability at one time point confounds drug effect with division rate: a slow-growing patient line looks
resistant. When cell counts at the time of treatment (time zero) exist, GR values remove that:

    GR(c) = 2 ** (log2(x(c) / x0) / log2(x_ctrl / x0)) - 1

(x(c) treated count, x_ctrl untreated control, x0 time-zero count; 1 = no effect, 0 = cytostatic,
< 0 = cytotoxic). Per condition, as the GRmetrics R package does:

* fit GR(c) = GRinf + (1 - GRinf) / (1 + (c / GEC50) ** h) (drc LL.3u, top fixed at 1) by bounded least
  squares with GRmetrics' box: h in [0.1, 5], GRinf in [-1, 1], GEC50 in [min c / 100, max c * 100]
  (scipy `least_squares`, started from rarepath's batched fit and from GRmetrics' prior h=2, GRinf=0.1,
  GEC50 = median c, keeping the lower RSS);
* F test of that fit against a constant (2 and n - 3 degrees of freedom: three fitted parameters; GRmetrics
  R uses n - 2, so its p-values are smaller -- the flat/sigmoid class agreed on all 112 reference
  conditions all the same); not significant at `alpha` ->
  ``flat``: GRinf = mean GR, GEC50 and h undefined, GR50 = +inf (mean GR > 0.5) or -inf;
* GR50 = GEC50 ((1 - GRinf) / (0.5 - GRinf) - 1) ** (1 / h), +inf when GRinf >= 0.5;
* GRmax = the lower of the mean GR values at the two highest concentrations;
* GR_AOC = trapezoidal area over the mean GR values (1 - GR) across log10 concentration, divided by the
  log10 concentration range.

Cross-checked against GRmetrics' own outputs in tests/screens/test_gr.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

H_BOUNDS = (0.1, 5.0)
GRINF_BOUNDS = (-1.0, 1.0)
GEC50_FACTOR = 100.0  # GEC50 may lie this factor outside the tested concentrations


def gr_values(count: np.ndarray, count_ctrl: np.ndarray, count_time0: np.ndarray) -> np.ndarray:
    """GR value per well (NaN where a count is missing or not positive, or the control did not grow)."""
    x, xc, x0 = (np.asarray(v, float) for v in (count, count_ctrl, count_time0))
    with np.errstate(all="ignore"):
        gr = 2.0 ** (np.log2(x / x0) / np.log2(xc / x0)) - 1.0
    ok = (x > 0) & (xc > 0) & (x0 > 0) & (xc != x0)
    return np.where(ok & np.isfinite(gr), gr, np.nan)


@dataclass
class GRMetrics:
    """GR metrics of one condition (cell line x agent x time ...)."""

    n: int
    fit: str  # sigmoid | flat | failed
    reason: str
    GR50: float
    GRmax: float
    GR_AOC: float
    GEC50: float
    GRinf: float
    h_GR: float
    r2: float
    pval: float

    def to_dict(self) -> dict:
        return asdict(self)


def _ll3u(c: np.ndarray, h: float, ginf: float, lgec: float) -> np.ndarray:
    from scipy.special import expit

    return ginf + (1.0 - ginf) * expit(-h * (np.log(c) - lgec))


def gr_metrics(concentration: Sequence[float], gr: Sequence[float], *, alpha: float = 0.05,
               start: tuple[float, float, float] | None = None) -> GRMetrics:
    """GR metrics of one dose-response condition (replicate points may repeat a concentration). `start`:
    (h, GRinf, GEC50) of a batched LL.3u fit (computed here when omitted)."""
    from scipy import stats
    from scipy.optimize import least_squares

    from rarepath.screens.fit import fit_curves

    c = np.asarray(concentration, float)
    y = np.asarray(gr, float)
    ok = np.isfinite(c) & np.isfinite(y) & (c > 0)
    c, y = c[ok], y[ok]
    nan = float("nan")
    conc = np.unique(c)
    if conc.size < 4 or c.size < 5:
        return GRMetrics(int(c.size), "failed", "fewer than 4 concentrations or 5 points", nan, nan, nan, nan, nan,
                         nan, nan, nan)
    means = np.array([y[c == v].mean() for v in conc])
    grmax = float(min(means[-1], means[-2]))
    lc = np.log10(conc)
    aoc = float(np.sum(((1 - means[:-1]) + (1 - means[1:])) / 2.0 * np.diff(lc)) / (lc[-1] - lc[0]))

    lo = np.array([H_BOUNDS[0], GRINF_BOUNDS[0], np.log(conc[0] / GEC50_FACTOR)])
    hi = np.array([H_BOUNDS[1], GRINF_BOUNDS[1], np.log(conc[-1] * GEC50_FACTOR)])
    if start is None:
        f = fit_curves(c[None, :], y[None, :], model="ll3u", top=1.0, response_scale=1.0)
        start = (float(f.slope[0]), float(f.bottom[0]), float(f.ec50[0]))
    starts = [np.array([2.0, 0.1, np.log(np.median(conc))])]
    if np.all(np.isfinite(start)) and start[2] > 0:
        starts.append(np.array([start[0], start[1], np.log(start[2])]))
    best = None
    for p0 in starts:
        p0 = np.clip(p0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
        res = least_squares(lambda p: _ll3u(c, *p) - y, p0, bounds=(lo, hi), method="trf", x_scale="jac",
                            xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
        if best is None or res.cost < best.cost:
            best = res
    h, ginf, lgec = (float(v) for v in best.x)
    rss = float(2.0 * best.cost)
    rss0 = float(np.sum((y - y.mean()) ** 2))
    n = int(c.size)
    r2 = 1.0 - rss / rss0 if rss0 > 0 else nan
    if rss0 <= 0:
        pval = 1.0
    elif rss <= 0:
        pval = 0.0
    else:
        pval = float(stats.f.sf(((rss0 - rss) / 2.0) / (rss / (n - 3)), 2, n - 3))
    if not pval < alpha:
        mean = float(y.mean())
        return GRMetrics(n, "flat", f"F test vs flat p={pval:.3g} >= {alpha:g}", float("inf") if mean > 0.5
                         else float("-inf"), grmax, aoc, nan, mean, nan, r2, pval)
    gec = float(np.exp(lgec))
    gr50 = gec * ((1.0 - ginf) / (0.5 - ginf) - 1.0) ** (1.0 / h) if ginf < 0.5 else float("inf")
    return GRMetrics(n, "sigmoid", "", float(gr50), grmax, aoc, gec, ginf, h, r2, pval)


COUNT_COLUMNS = ("concentration", "cell_count", "cell_count__ctrl", "cell_count__time0")


def gr_table(rows: list[dict[str, str]], *, alpha: float = 0.05, source: str = "") -> list[dict]:
    """GRmetrics 'case A' rows (grouping columns + concentration, cell_count, cell_count__ctrl,
    cell_count__time0) -> one row of GR metrics per condition (every other column is a grouping key)."""
    from rarepath.errors import InputError

    if not rows:
        raise InputError("no rows", source=source)
    cols = list(rows[0])
    missing = [k for k in COUNT_COLUMNS if k not in cols]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)} (GRmetrics case A: concentration, cell_count, "
                         "cell_count__ctrl, cell_count__time0)", source=source)
    keys = [k for k in cols if k not in COUNT_COLUMNS]
    groups: dict[tuple, list[tuple[float, float]]] = {}
    for ln, r in enumerate(rows, start=2):
        try:
            vals = [float(r[k]) for k in COUNT_COLUMNS]
        except (TypeError, ValueError):
            raise InputError(f"line {ln}: concentration and counts must be numbers", source=source) from None
        g = float(gr_values(vals[1], vals[2], vals[3]))
        groups.setdefault(tuple(r[k] for k in keys), []).append((vals[0], g))
    from rarepath.screens.fit import fit_curves

    width = max(len(v) for v in groups.values())
    x = np.full((len(groups), width), np.nan)
    y = np.full((len(groups), width), np.nan)
    for i, pts in enumerate(groups.values()):
        a = np.array(pts)
        x[i, : len(a)], y[i, : len(a)] = a[:, 0], a[:, 1]
    starts = fit_curves(x, y, model="ll3u", top=1.0, response_scale=1.0)  # all conditions in one batch
    out = []
    for i, key in enumerate(groups):
        m = gr_metrics(x[i], y[i], alpha=alpha,
                       start=(float(starts.slope[i]), float(starts.bottom[i]), float(starts.ec50[i])))
        out.append({**dict(zip(keys, key, strict=True)), **m.to_dict()})
    return out

"""Per-plate normalisation of well values (2-D arrays, NaN = no reading).

* percent of control: 100 x / median(neg)
* NPI (normalised percent inhibition): 100 (median(neg) - x) / (median(neg) - median(pos))
* percent rescue (rarepath): 100 (x - median(untreated patient)) / (median(isogenic) - median(untreated));
  0 % = untreated patient cells, 100 % = isogenic corrected cells
* plate median scaling: x / median(sample wells) (cellHTS2 "median")
* robust z: (x - median(ref)) / MAD(ref)
* B-score: residuals of a two-way median polish on the sample wells, divided by their MAD (Brideau 2003;
  cellHTS2 uses stats::medpolish with eps 1e-5, maxiter 200)
* edge correction: divide by the smoothed row x column pattern of the median polish (multiplicative)
"""

from __future__ import annotations

import warnings

import numpy as np

from rarepath.screens.qc import mad


def _median(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def percent_of_control(values: np.ndarray, neg_mask: np.ndarray) -> np.ndarray:
    return 100.0 * values / _median(values[neg_mask])


def npi(values: np.ndarray, neg_mask: np.ndarray, pos_mask: np.ndarray) -> np.ndarray:
    n, p = _median(values[neg_mask]), _median(values[pos_mask])
    return 100.0 * (n - values) / (n - p)


def percent_rescue(values: np.ndarray, untreated_mask: np.ndarray, isogenic_mask: np.ndarray) -> np.ndarray:
    """0 % = untreated patient cells, 100 % = isogenic corrected cells (per plate, robust medians)."""
    u, iso = _median(values[untreated_mask]), _median(values[isogenic_mask])
    return 100.0 * (values - u) / (iso - u)


def plate_median_scale(values: np.ndarray, sample_mask: np.ndarray) -> np.ndarray:
    return values / _median(values[sample_mask])


def robust_z(values: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """(x - median(ref)) / MAD(ref); ref is the reference population (e.g. all sample wells)."""
    return (values - _median(ref)) / mad(ref)


def median_polish(x: np.ndarray, eps: float = 1e-5, max_iter: int = 200) -> tuple[float, np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
    """Tukey's two-way median polish (NaN ignored): x = overall + row + col + residual."""
    z = np.array(x, dtype=float)
    nr, nc = z.shape
    t = 0.0
    r = np.zeros(nr)
    c = np.zeros(nc)
    old = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(max_iter):
            rd = np.nan_to_num(np.nanmedian(z, axis=1))
            z -= rd[:, None]
            r += rd
            dd = np.nanmedian(c)
            c -= dd
            t += dd
            cd = np.nan_to_num(np.nanmedian(z, axis=0))
            z -= cd[None, :]
            c += cd
            dd = np.nanmedian(r)
            r -= dd
            t += dd
            new = float(np.nansum(np.abs(z)))
            if new == 0 or abs(new - old) < eps * new:
                break
            old = new
    return t, r, c, z


def b_score(values: np.ndarray, sample_mask: np.ndarray) -> np.ndarray:
    """B-score of every well: median-polish residual (fitted on sample wells) / MAD of sample residuals."""
    v = np.where(sample_mask, values, np.nan)
    t, r, c, _ = median_polish(v)
    resid = values - (t + r[:, None] + c[None, :])
    return resid / mad(resid[sample_mask])


def edge_correct(values: np.ndarray, sample_mask: np.ndarray) -> np.ndarray:
    """Divide out the multiplicative row/column pattern of the sample wells (keeps the plate median)."""
    v = np.where(sample_mask, values, np.nan)
    t, r, c, _ = median_polish(v)
    if not np.isfinite(t) or t == 0:
        return values.copy()
    factor = (t + r[:, None] + c[None, :]) / t
    factor = np.where(np.isfinite(factor) & (factor > 0.05), factor, 1.0)
    return values / factor

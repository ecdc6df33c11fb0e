"""Plate quality control: assay window metrics from the control wells and spatial effects.

Z' (Zhang 1999) = 1 - 3 (sd_pos + sd_neg) / |mean_pos - mean_neg|; the robust form replaces mean/SD by
median/MAD (MAD scaled by 1.4826 as R's `mad`, cellHTS2's default), which matters on real screens where a
few outlier control wells make the classic Z' negative. SSMD = (mean_pos - mean_neg)/sqrt(sd_pos^2 + sd_neg^2).
Failing plates are flagged, never dropped: downstream code sees `passed` and the reason.

A Z' needs a spread on each side: with fewer than `MIN_CONTROLS` control wells per side the MAD (or SD) is
0 or meaningless and Z' would read 1.0 ("excellent") from a single well. Such plates get the verdict
``not_computable`` with the reason, never ``pass``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

MAD_SCALE = 1.4826
Z_PRIME_PASS = 0.5  # excellent assay (Zhang 1999); 0 <= Z' < 0.5 marginal, < 0 fail
Z_PRIME_FAIL = 0.0
MIN_CONTROLS = 3  # control wells per side below which Z' is not computable


def mad(x: np.ndarray) -> float:
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    return float(MAD_SCALE * np.median(np.abs(x - np.median(x))))


def _clean(x) -> np.ndarray:
    x = np.asarray(x, float).ravel()
    return x[np.isfinite(x)]


def z_prime(pos, neg, min_controls: int = MIN_CONTROLS) -> float:
    """Classic Z' from means and sample SDs (NaN with fewer than `min_controls` wells per side)."""
    p, n = _clean(pos), _clean(neg)
    if p.size < max(2, min_controls) or n.size < max(2, min_controls):
        return float("nan")
    den = abs(p.mean() - n.mean())
    return float(1.0 - 3.0 * (p.std(ddof=1) + n.std(ddof=1)) / den) if den > 0 else float("-inf")


def z_prime_robust(pos, neg, min_controls: int = MIN_CONTROLS) -> float:
    """Robust Z' from medians and MADs (cellHTS2 getZfactor default); NaN with fewer than `min_controls`
    wells per side (see `z_prime_note` for the reason)."""
    p, n = _clean(pos), _clean(neg)
    if p.size < max(1, min_controls) or n.size < max(1, min_controls):
        return float("nan")
    den = abs(np.median(p) - np.median(n))
    return float(1.0 - 3.0 * (mad(p) + mad(n)) / den) if den > 0 else float("-inf")


def z_prime_note(pos, neg, min_controls: int = MIN_CONTROLS) -> str:
    """Why Z' cannot be computed for these controls ('' when it can)."""
    np_, nn = _clean(pos).size, _clean(neg).size
    if np_ >= min_controls and nn >= min_controls:
        return ""
    return (f"Z' not computable: needs >= {min_controls} control wells per side for a spread "
            f"(have {np_} positive, {nn} negative)")


def ssmd(pos, neg) -> float:
    p, n = _clean(pos), _clean(neg)
    if p.size < 2 or n.size < 2:
        return float("nan")
    den = np.sqrt(p.var(ddof=1) + n.var(ddof=1))
    return float((p.mean() - n.mean()) / den) if den > 0 else float("nan")


def signal_to_background(pos, neg) -> float:
    p, n = _clean(pos), _clean(neg)
    if p.size == 0 or n.size == 0 or n.mean() == 0:
        return float("nan")
    return float(p.mean() / n.mean())


def cv_percent(x) -> float:
    x = _clean(x)
    if x.size < 2 or x.mean() == 0:
        return float("nan")
    return float(100.0 * x.std(ddof=1) / abs(x.mean()))


def signal_window(pos, neg) -> float:
    """Sittampalam et al.: (|mean_p - mean_n| - 3 (sd_p + sd_n)) / sd_p."""
    p, n = _clean(pos), _clean(neg)
    if p.size < 2 or n.size < 2 or p.std(ddof=1) == 0:
        return float("nan")
    return float((abs(p.mean() - n.mean()) - 3 * (p.std(ddof=1) + n.std(ddof=1))) / p.std(ddof=1))


def spatial_effects(values: np.ndarray, sample_mask: np.ndarray) -> dict[str, float]:
    """Row/column/edge effects on sample wells, in robust SD units of the plate.

    row_effect / col_effect: largest |row (col) median - plate median| / plate MAD;
    edge_ratio: median of outer-ring samples / median of inner samples (1 = no edge effect).
    """
    v = np.where(sample_mask, values, np.nan)
    finite = v[np.isfinite(v)]
    if finite.size < 4:
        return {"row_effect": float("nan"), "col_effect": float("nan"), "edge_ratio": float("nan")}
    med, s = np.median(finite), mad(finite)
    with np.errstate(all="ignore"), _quiet():
        rows = np.nanmedian(v, axis=1)
        cols = np.nanmedian(v, axis=0)
    nr, nc = values.shape
    rr, cc = np.indices((nr, nc))
    edge = (rr == 0) | (cc == 0) | (rr == nr - 1) | (cc == nc - 1)
    e, i = v[edge & np.isfinite(v)], v[~edge & np.isfinite(v)]
    s = s if s > 0 else float("nan")
    return {
        "row_effect": float(np.nanmax(np.abs(rows - med)) / s) if np.isfinite(rows).any() else float("nan"),
        "col_effect": float(np.nanmax(np.abs(cols - med)) / s) if np.isfinite(cols).any() else float("nan"),
        "edge_ratio": float(np.median(e) / np.median(i)) if e.size and i.size and np.median(i) != 0 else float("nan"),
    }


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *a):
        self._w.__exit__(*a)


@dataclass
class PlateQC:
    plate: str
    n_pos: int
    n_neg: int
    z_prime: float
    z_prime_robust: float
    ssmd: float
    s_b: float
    cv_pos: float
    cv_neg: float
    signal_window: float
    row_effect: float
    col_effect: float
    edge_ratio: float
    verdict: str  # pass | marginal | fail | not_computable
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def passed(self) -> bool:
        return self.verdict != "fail"


def plate_qc(plate_id: str, values: np.ndarray, pos_mask: np.ndarray, neg_mask: np.ndarray,
             sample_mask: np.ndarray) -> PlateQC:
    """All QC metrics of one plate; verdict from the robust Z' (pass >= 0.5, fail < 0 or no controls,
    not_computable with too few controls to measure a spread)."""
    pos, neg = values[pos_mask], values[neg_mask]
    zr = z_prime_robust(pos, neg)
    sp = spatial_effects(values, sample_mask)
    np_, nn = int(np.isfinite(pos).sum()), int(np.isfinite(neg).sum())
    if np_ == 0 or nn == 0:
        verdict, reason = "fail", "no positive and/or negative control readings"
    elif z_prime_note(pos, neg):
        verdict, reason = "not_computable", z_prime_note(pos, neg)
    elif not np.isfinite(zr) or zr < Z_PRIME_FAIL:
        verdict, reason = "fail", f"robust Z' {zr:.2f} < {Z_PRIME_FAIL}"
    elif zr < Z_PRIME_PASS:
        verdict, reason = "marginal", f"robust Z' {zr:.2f} < {Z_PRIME_PASS}"
    else:
        verdict, reason = "pass", f"robust Z' {zr:.2f}"
    return PlateQC(plate_id, np_, nn, z_prime(pos, neg), zr, ssmd(pos, neg), signal_to_background(pos, neg),
                   cv_percent(pos), cv_percent(neg), signal_window(pos, neg), sp["row_effect"], sp["col_effect"],
                   sp["edge_ratio"], verdict, reason)

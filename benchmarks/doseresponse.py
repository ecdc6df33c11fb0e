"""Batched LL.4 fitter vs a per-curve scipy.optimize.curve_fit loop (same run, same machine).

Synthetic curves: 10 doses, 20 % flat, Gaussian noise; plus the CCLE curves when ../shared is present.
Last line: doseresponse: curves=N curves_per_s=X scipy_ratio=Y median_abs_dlog10_ec50=Z
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from pathlib import Path

import numpy as np


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.tile(np.logspace(-3, 1, 10), (n, 1))
    e = 10 ** rng.uniform(-2.5, 0.5, n)
    b = rng.uniform(0.7, 3.0, n)
    c = rng.uniform(0, 40, n)
    y = c[:, None] + (100 - c[:, None]) / (1 + np.exp(b[:, None] * (np.log(x) - np.log(e[:, None]))))
    y[rng.random(n) < 0.2] = 100.0
    return x, y + rng.normal(0, 5, y.shape)


def scipy_fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from scipy.optimize import curve_fit

    def f(lx, b, c, d, le):
        return c + (d - c) / (1 + np.exp(b * (lx - le)))

    out = np.full(len(x), np.nan)
    for i in range(len(x)):
        lx = np.log(x[i])
        p0 = [1.0, y[i].min(), y[i].max(), np.median(lx)]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p, _ = curve_fit(f, lx, y[i], p0=p0, maxfev=2000)
            out[i] = np.exp(p[3])
        except RuntimeError:
            pass
    return out


def main() -> None:
    from rarepath.screens.fit import fit_curves

    ap = argparse.ArgumentParser()
    ap.add_argument("--curves", type=int, default=100_000)
    ap.add_argument("--scipy-sample", type=int, default=1000)
    args = ap.parse_args()
    x, y = synthetic(args.curves)
    fit_curves(x[:50], y[:50])  # JIT compile outside the timing
    t = time.perf_counter()
    fits = fit_curves(x, y)
    dt = time.perf_counter() - t
    per_s = len(x) / dt
    print(f"batched: {len(x)} curves in {dt:.2f} s ({1e6 * dt / len(x):.1f} us/curve)")
    k = min(args.scipy_sample, len(x))
    t = time.perf_counter()
    ec_sp = scipy_fit(x[:k], y[:k])
    dt_sp = (time.perf_counter() - t) / k
    ratio = dt_sp / (dt / len(x))
    sig = (np.array(fits.status[:k]) == "sigmoid") & np.isfinite(ec_sp)
    inside = sig & (fits.ec50[:k] > 1e-3) & (fits.ec50[:k] < 10)
    d = np.abs(np.log10(fits.ec50[:k][inside]) - np.log10(ec_sp[inside]))
    med = float(np.median(d)) if d.size else float("nan")
    print(f"scipy curve_fit: {1e3 * dt_sp:.2f} ms/curve on {k} curves; ratio {ratio:.0f}x; "
          f"|dlog10 EC50| median {med:.2g}, 99th pct {np.percentile(d, 99) if d.size else float('nan'):.2g} "
          f"on {inside.sum()} converged sigmoid curves with EC50 in range")
    print("statuses:", {s: fits.status.count(s) for s in ("sigmoid", "flat", "failed")})
    ccle = Path(__file__).resolve().parents[2] / "shared/data/screens/pharmacogx/CCLEsmall_doseresponse_wide.tsv"
    if ccle.is_file():
        rows = list(csv.DictReader(open(ccle), delimiter="\t"))

        def num(s: str) -> float:
            return float(s) if s not in ("", "NA") else np.nan

        cx = np.array([[num(r[f"dose_uM_{i}"]) for i in range(1, 9)] for r in rows])
        cy = np.array([[num(r[f"viability_pct_{i}"]) for i in range(1, 9)] for r in rows])
        t = time.perf_counter()
        cf = fit_curves(cx, cy)
        print(f"CCLE: {len(rows)} curves in {time.perf_counter() - t:.2f} s;",
              {s: cf.status.count(s) for s in ("sigmoid", "flat", "failed")})
    print(f"doseresponse: curves={len(x)} curves_per_s={per_s:.0f} scipy_ratio={ratio:.1f} "
          f"median_abs_dlog10_ec50={med:.2g}")


if __name__ == "__main__":
    main()

"""Batched LL.4 fitter vs a per-curve scipy.optimize.curve_fit loop (same run, same machine).

Synthetic curves: 10 doses, 20 % flat, Gaussian noise; plus the CCLE curves when ../shared is present.
Also (options): residual-bootstrap intervals on `--bootstrap-curves` curves x `--bootstrap-resamples`,
projected linearly to 10,000 curves; and the peak resident memory of a separate process that generates and
fits `--memory-curves` curves (ru_maxrss of that child, so this process's own arrays do not count).
Wall and CPU (process, all threads) times are both printed: the machine may be shared.
Last line: doseresponse: curves=N curves_per_s=X scipy_ratio=Y median_abs_dlog10_ec50=Z [extra keys]
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
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


def memory_child(n: int) -> None:
    """Generate and fit n curves in this (fresh) process; print its peak RSS in MB."""
    from rarepath.screens.fit import fit_curves

    x, y = synthetic(n)
    t = time.perf_counter()
    fits = fit_curves(x, y)
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"memory_child: curves={len(fits)} fit_s={dt:.2f} peak_rss_mb={peak:.0f}")


def main() -> None:
    from rarepath.screens.fit import STATUSES, fit_curves

    ap = argparse.ArgumentParser()
    ap.add_argument("--curves", type=int, default=100_000)
    ap.add_argument("--scipy-sample", type=int, default=1000)
    ap.add_argument("--bootstrap-curves", type=int, default=1000, help="0 to skip")
    ap.add_argument("--bootstrap-resamples", type=int, default=1000)
    ap.add_argument("--memory-curves", type=int, default=0, help="e.g. 1000000; 0 to skip")
    ap.add_argument("--memory-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    x, y = synthetic(args.curves)
    fit_curves(x[:50], y[:50])  # JIT compile outside the timing
    t, c = time.perf_counter(), time.process_time()
    fits = fit_curves(x, y)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    per_s = len(x) / dt
    print(f"batched: {len(x)} curves in {dt:.2f} s wall, {dc:.2f} s CPU ({1e6 * dt / len(x):.1f} us/curve wall, "
          f"{1e6 * dc / len(x):.1f} us/curve CPU)")
    k = min(args.scipy_sample, len(x))
    t, c = time.perf_counter(), time.process_time()
    ec_sp = scipy_fit(x[:k], y[:k])
    dt_sp, dc_sp = (time.perf_counter() - t) / k, (time.process_time() - c) / k
    ratio = dt_sp / (dt / len(x))
    ratio_cpu = dc_sp / (dc / len(x))
    sig = (np.array(fits.status[:k]) == "sigmoid") & np.isfinite(ec_sp)
    inside = sig & (fits.ec50[:k] > 1e-3) & (fits.ec50[:k] < 10)
    d = np.abs(np.log10(fits.ec50[:k][inside]) - np.log10(ec_sp[inside]))
    med = float(np.median(d)) if d.size else float("nan")
    print(f"scipy curve_fit: {1e3 * dt_sp:.2f} ms/curve wall ({1e3 * dc_sp:.2f} ms CPU) on {k} curves; "
          f"ratio {ratio:.0f}x wall, {ratio_cpu:.0f}x CPU; "
          f"|dlog10 EC50| median {med:.2g}, 99th pct {np.percentile(d, 99) if d.size else float('nan'):.2g} "
          f"on {inside.sum()} converged sigmoid curves with EC50 in range")
    print("statuses:", {s: fits.status.count(s) for s in STATUSES},
          f"mean LM iterations {fits.iterations.mean():.1f}")
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
              {s: cf.status.count(s) for s in STATUSES})
    extra = ""
    if args.bootstrap_curves > 0:
        from rarepath.screens.bootstrap import bootstrap_fits

        nb_c = min(args.bootstrap_curves, len(x))
        bx, by = x[:nb_c], y[:nb_c]
        sub = fit_curves(bx, by)
        bootstrap_fits(bx[:4], by[:4], fit_curves(bx[:4], by[:4]), n_boot=10)  # compile
        t, c = time.perf_counter(), time.process_time()
        bs = bootstrap_fits(bx, by, sub, n_boot=args.bootstrap_resamples)
        dt_b, dc_b = time.perf_counter() - t, time.process_time() - c
        n_res = int((bs.n_ok > 0).sum())
        refits = int(bs.n_ok.sum())
        proj = dt_b * 10_000 / nb_c * 1000 / args.bootstrap_resamples
        proj_cpu = dc_b * 10_000 / nb_c * 1000 / args.bootstrap_resamples
        print(f"bootstrap ({bs.method}): {nb_c} curves ({n_res} sigmoid resampled) x {args.bootstrap_resamples} "
              f"resamples = {refits} refits in {dt_b:.2f} s wall, {dc_b:.2f} s CPU "
              f"({1e6 * dt_b / max(refits, 1):.2f} us/refit wall); projected to 10,000 curves x 1,000 resamples "
              f"(linear in curves x resamples): {proj:.0f} s wall, {proj_cpu:.0f} s CPU")
        extra += f" bootstrap_projected_s={proj:.0f} bootstrap_projected_cpu_s={proj_cpu:.0f}"
    if args.memory_curves > 0:
        out = subprocess.run([sys.executable, __file__, "--memory-child", str(args.memory_curves)],
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        print(out)
        extra += " peak_rss_mb=" + out.split("peak_rss_mb=")[1] + f" memory_curves={args.memory_curves}"
    print(f"doseresponse: curves={len(x)} curves_per_s={per_s:.0f} scipy_ratio={ratio:.1f} "
          f"median_abs_dlog10_ec50={med:.2g} cpu_s={dc:.2f} scipy_ratio_cpu={ratio_cpu:.1f}{extra}")


if __name__ == "__main__":
    main()

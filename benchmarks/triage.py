"""Benchmark the main job: assess every phenopacket in ../shared/data/phenopackets in one process (after a
warm-up) and as separate CLI invocations.

Targets (issue 2): p50 under 50 ms per case in-process after warm-up; CLI start under 1.5 s.
Usage: .venv/bin/python benchmarks/triage.py [--shared ../shared/data] [--cli-cases N]
Last line: `triage: cases=N p50_ms=X p95_ms=Y cli_s=Z`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rarepath.intake import load_case
from rarepath.triage.engine import assess_case


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--cli-cases", type=int, default=0, help="CLI invocations to time (0 = all cases)")
    args = ap.parse_args()
    files = sorted((args.shared / "phenopackets").rglob("*.json"))
    if not files:
        sys.exit(f"no phenopackets under {args.shared / 'phenopackets'}")
    # warm-up: load indexes and tables once, as a long-running service would
    assess_case(load_case(files[0]))
    lat = []
    t_all = time.perf_counter()
    for f in files:
        t0 = time.perf_counter()
        assess_case(load_case(f))
        lat.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - t_all
    q = statistics.quantiles(lat, n=100)
    p50, p95 = statistics.median(lat), q[94]
    print(f"in-process: {len(files)} cases in {total:.2f} s = {len(files) / total:.1f} cases/s; "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p50 < 50 ms)")
    exe = Path(sys.executable).with_name("rarepath")
    sample = files if args.cli_cases <= 0 else files[: args.cli_cases]
    cli = []
    for f in sample:
        t0 = time.perf_counter()
        subprocess.run([str(exe), "assess", str(f), "--quiet"], check=True, capture_output=True)
        cli.append(time.perf_counter() - t0)
    cli_mean = statistics.mean(cli)
    ratio = cli_mean * 1000 / p50
    print(f"CLI: {len(sample)} separate invocations, mean {cli_mean:.2f} s per case (target < 1.5 s); "
          f"CLI / in-process p50 ratio {ratio:.0f}x")
    print(f"triage: cases={len(files)} p50_ms={p50:.1f} p95_ms={p95:.1f} cli_s={cli_mean:.2f}")


if __name__ == "__main__":
    main()

"""Cohort throughput: N cases through `rarepath.cohort.run_cohort` with 1 worker (the baseline, same process)
and with 2 workers; cases/s per worker, the scaling ratio, and peak memory per worker process.

Usage: .venv/bin/python benchmarks/cohort.py [--cases 100000] [--workers 1,2] [--shared DIR]
The cohort: the 150 shared phenopackets (../shared/data/phenopackets) and the canonical cases
(tests/data/canonical/*.yaml), repeated to N cases, each copy with its own patient factors (age, anti-AAV
titres, conditioning tolerance, ambulatory status; seeded) given as overrides, as a cohort TSV or
`rarepath assess --patient` would. Each case is read from its file and assessed in full; nothing is cached.
Both runs must produce the same dataset. Targets (issue 13): 100,000 cases in under 10 minutes on 2 cores,
scaling >= 1.7x from 1 to 2 workers, under 1 GB per worker.
Last line: `cohort: cases=N workers=W cases_per_s=X scaling=Y peak_rss_mb=Z` (W the largest worker count,
X its cases/s per worker, Z the largest peak RSS of any worker process).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cohort_sources(n: int, shared: Path, seed: int = 13) -> list:
    """N sources cycling over the base cases, each with seeded patient factors."""
    from rarepath.cohort import CaseSource

    bases = sorted((shared / "phenopackets").rglob("*.json")) + sorted((REPO / "tests/data/canonical").glob("*.yaml"))
    if not bases:
        raise SystemExit(f"no base cases under {shared}/phenopackets or tests/data/canonical")
    rng = random.Random(seed)
    out = []
    for i in range(n):
        path = bases[i % len(bases)]
        factors = [f"age={rng.choice([0.3, 0.8, 1.5, 3, 6, 9, 14, 25, 40])}",
                   f"anti_AAV9_titre=1:{rng.choice([5, 25, 100, 400])}",
                   f"anti_AAV5_titre=1:{rng.choice([5, 25, 100])}",
                   f"conditioning_tolerated={rng.choice(['yes', 'no'])}",
                   f"ambulatory={rng.choice(['yes', 'no'])}"]
        out.append(CaseSource(key=f"{i:07d}/{path.parent.name}/{path.name}", path=str(path),
                              options={"patient": "; ".join(factors)}, origin=str(path)))
    return out


def _load() -> str:
    """The machine's 1-minute load average: on a shared machine, wall-clock scaling means little without it."""
    try:
        return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, the first is the baseline")
    parser.add_argument("--partition-size", type=int, default=250)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]

    from rarepath.cohort import read_cohort, run_cohort
    from rarepath.cohort.summary import write_summary

    sources = cohort_sources(args.cases, args.shared)
    print(f"{len(sources)} cases; load average at start {_load()}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="rarepath-cohort-bench-") as tmp:
        for w in counts:
            out = Path(tmp) / f"w{w}"
            stats = run_cohort(sources, out, workers=w, partition_size=args.partition_size, progress=False,
                               summary=False)
            per_worker = stats.cases / stats.seconds / w
            rss = max(stats.workers.values())
            results[w] = (per_worker, rss, stats)
            cpu = sum(stats.worker_cpu_seconds.values())
            print(f"{w} worker(s): {stats.cases} cases ({stats.errors} errors, {stats.rows} rows) in "
                  f"{stats.seconds:.1f} s = {stats.cases / stats.seconds:.1f} cases/s, {per_worker:.1f} cases/s per "
                  f"worker; {stats.cases / cpu:.1f} cases per worker CPU-second; peak RSS per worker "
                  f"{', '.join(f'{v:.0f}' for v in stats.workers.values())} MB; load average {_load()}")
        first, last = counts[0], counts[-1]
        t0 = time.perf_counter()
        table_first, table_last = read_cohort(Path(tmp) / f"w{first}"), read_cohort(Path(tmp) / f"w{last}")
        same = table_first.equals(table_last)
        write_summary(table_last, [], Path(tmp) / "summary.html")
        t_summary = time.perf_counter() - t0
        print(f"datasets of {first} and {last} worker(s) identical: {same}; reading both and writing "
              f"summary.html: {t_summary:.1f} s")
        if not same:
            raise SystemExit("the worker counts gave different datasets")
    total_first = results[first][0] * first
    total_last = results[last][0] * last
    scaling = total_last / total_first
    print(f"scaling {first} -> {last} workers: {scaling:.2f}x (baseline {total_first:.1f} cases/s)")
    print(f"cohort: cases={args.cases} workers={last} cases_per_s={results[last][0]:.1f} scaling={scaling:.2f} "
          f"peak_rss_mb={max(r[1] for r in results.values()):.0f}")


if __name__ == "__main__":
    main()

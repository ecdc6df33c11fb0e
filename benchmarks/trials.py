"""Trial pre-screening throughput: N cases matched against M trial records generated from the written fixtures.

Records: the written API v2 gene-therapy fixtures (tests/data/trials/written, fictional) copied M times with
new NCT ids, a condition/gene drawn from a list of rare diseases (and a few common ones), a status, age
limits in years/months/weeks/days, an anti-AAV titre threshold and site coordinates drawn at random (seeded).
Cases: quick cases (`--gene --variant --zygosity --patient`) over the same genes with random ages, sexes,
titres, prior treatments and ambulation.

A "match" is one (case, record) pair judged or ruled out: matches_per_s = N x M / seconds. The baseline, run
in the same process, judges every record for each case without the word index (`include_all`), on a subset
of cases; the ratio is indexed over baseline throughput. Criteria text is parsed once per distinct text and
vector before timing (reported separately).

Full size: python benchmarks/trials.py            (1,000 cases x 10,000 records)
Quick:     python benchmarks/trials.py --cases 100 --records 2000
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rarepath.intake.quick import case_from_options  # noqa: E402
from rarepath.trials.match import CaseProfile, TrialIndex, match_profile  # noqa: E402
from rarepath.trials.records import parse_v2  # noqa: E402

WRITTEN = ROOT / "tests" / "data" / "trials" / "written"
#: (condition as a registry would write it, gene, a variant for cases or None, zygosity)
DISEASES = [
    ("Spinal Muscular Atrophy", "SMN1", "deletion of exons 7-8", "homozygous"),
    ("Duchenne Muscular Dystrophy", "DMD", "deletion of exons 48-50", "hemizygous"),
    ("Duchenne Muscular Dystrophy", "DMD", "deletion of exons 45-50", "hemizygous"),
    ("Neuronal Ceroid Lipofuscinosis 2", "TPP1", None, "compound heterozygous"),
    ("Cystic Fibrosis", "CFTR", "p.Phe508del", "homozygous"),
    ("Hemophilia B", "F9", None, "hemizygous"),
    ("Fabry Disease", "GLA", None, "hemizygous"),
    ("Mucopolysaccharidosis I", "IDUA", None, "homozygous"),
    ("Glycogen Storage Disease Type II", "GAA", None, "compound heterozygous"),
    ("Rett Syndrome", "MECP2", None, "heterozygous"),
    ("Atopic Dermatitis", None, None, None),
    ("Coronary Artery Disease", None, None, None),
]
STATUSES = ["RECRUITING"] * 6 + ["NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED", "TERMINATED"]
AGES = [(None, None), ("6 Months", "5 Years"), ("2 Weeks", "180 Days"), ("4 Years", "7 Years"),
        ("18 Years", None), ("3 Months", "17 Years"), ("1 Years", "12 Weeks")]
TITRES = ["1:5", "1:25", "1:50", "1:400"]
PRIOR = ["", "nusinersen", "onasemnogene abeparvovec", "risdiplam", "eteplirsen"]


def make_records(n: int, rng: random.Random) -> list:
    bases = [json.loads(p.read_text()) for p in sorted(WRITTEN.glob("NCT*.json"))]
    out = []
    for i in range(n):
        rec = copy.deepcopy(bases[i % len(bases)])
        ps = rec["protocolSection"]
        cond, gene, _, _ = rng.choice(DISEASES)
        ps["identificationModule"]["nctId"] = f"NCT98{i:06d}"
        ps["identificationModule"]["briefTitle"] = f"Study {i} in {cond}"
        ps["conditionsModule"] = {"conditions": [cond], "keywords": [gene] if gene else []}
        ps["statusModule"]["overallStatus"] = rng.choice(STATUSES)
        lo, hi = rng.choice(AGES)
        elig = ps["eligibilityModule"]
        elig.pop("minimumAge", None), elig.pop("maximumAge", None)
        if lo:
            elig["minimumAge"] = lo
        if hi:
            elig["maximumAge"] = hi
        elig["eligibilityCriteria"] = elig["eligibilityCriteria"].replace("1:50", rng.choice(TITRES))
        for loc in ps["contactsLocationsModule"]["locations"]:
            loc["geoPoint"] = {"lat": rng.uniform(-60, 70), "lon": rng.uniform(-180, 180)}
        out.append(parse_v2(rec))
    return out


def make_cases(n: int, rng: random.Random) -> list:
    rare = [d for d in DISEASES if d[1]]
    out = []
    for i in range(n):
        _, gene, variant, zyg = rng.choice(rare)
        sex = "male" if zyg == "hemizygous" else rng.choice(["male", "female"])
        patient = (f"age={rng.choice([0.1, 0.4, 1, 2, 4, 6, 9, 15, 30])}; sex={sex}; "
                   f"anti_AAV9_titre=1:{rng.choice([0, 5, 25, 50, 100, 800])}; "
                   f"ambulatory={rng.choice(['yes', 'no'])}")
        prior = rng.choice(PRIOR)
        if prior:
            patient += f"; prior_treatments={prior}"
        out.append(case_from_options(gene, variant, zyg, patient, case_id=f"case-{i}"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--baseline-cases", type=int, default=20, help="cases judged without the index")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    trials = make_records(args.records, rng)
    t1 = time.perf_counter()
    index = TrialIndex(trials)
    t2 = time.perf_counter()
    for entry in index.entries:
        index.criteria(entry)
    t3 = time.perf_counter()
    cases = make_cases(args.cases, rng)
    profiles = [CaseProfile.build(c) for c in cases]
    t4 = time.perf_counter()
    print(f"records: {len(trials)} parsed in {t1 - t0:.2f} s; index {t2 - t1:.2f} s; criteria of "
          f"{len(index._criteria_cache)} distinct texts parsed in {t3 - t2:.2f} s; {len(cases)} cases built in "
          f"{t4 - t3:.2f} s")

    counts = {"eligible": 0, "possibly_eligible": 0, "not_eligible": 0}
    listed = 0
    start, cpu = time.perf_counter(), time.process_time()
    for prof in profiles:
        result = match_profile(index, prof)
        listed += len(result.trials)
        for m in result.trials:
            counts[m.eligibility.value] += 1
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    pairs = len(profiles) * len(index)
    rate, cpu_rate = pairs / seconds, pairs / cpu_s

    base_profiles = profiles[: args.baseline_cases]
    start, cpu = time.perf_counter(), time.process_time()
    for prof in base_profiles:
        match_profile(index, prof, include_all=True)
    base_seconds, base_cpu = time.perf_counter() - start, time.process_time() - cpu
    base_pairs = len(base_profiles) * len(index)

    print(f"indexed: {pairs:,} case-record pairs in {seconds:.2f} s wall, {cpu_s:.2f} s CPU = {rate:,.0f} "
          f"matches/s wall, {cpu_rate:,.0f} per CPU second; {listed:,} relevant listed "
          f"({listed / len(profiles):.1f} per case): {counts}")
    print(f"baseline (every record judged, no index): {len(base_profiles)} cases in {base_seconds:.2f} s wall, "
          f"{base_cpu:.2f} s CPU = {base_pairs / base_seconds:,.0f} matches/s wall; ratio "
          f"{rate / (base_pairs / base_seconds):.1f}x wall, {cpu_rate / (base_pairs / base_cpu):.1f}x CPU")
    print(f"trials: cases={len(profiles)} records={len(index)} matches_per_s={rate:.0f} "
          f"cpu_matches_per_s={cpu_rate:.0f}")


if __name__ == "__main__":
    main()

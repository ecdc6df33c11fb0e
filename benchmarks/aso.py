"""ASO design throughput on the full DMD gene with off-target checks, and openASO knockdown ranking.

Usage: .venv/bin/python benchmarks/aso.py [SHARED_DATA_DIR] [--exons 45,51,53]
Designs every skip-exon candidate (PMO 20-30 nt) for each skippable DMD exon (2-78 of 79; the first and last
exon cannot be skipped; `--exons` restricts the throughput loop for a quick run) on LRG_199, with off-target
search (<= 2 mismatches, both strands) against the yeast genome sacCer3 as a stand-in target. Baseline (same
run): the same one-exon design without the off-target check.
Blind rank of the approved DMD PMOs (eteplirsen ex51, golodirsen and viltolarsen ex53, casimersen ex45) among
their exon's candidates: the sequences are found after ranking, never looked up for it.
Last line: `aso: candidates=N candidates_per_s=X one_exon_s=Y approved_oligo_worst_rank_pct=Z`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def approved_ranks(dmd) -> list[tuple[str, int, int, int]]:
    """(drug, exon, blind rank, candidates) for every approved DMD oligo in the shipped table."""
    from rarepath.design.aso.design import approved_sequences, design, parse_goal

    out = []
    for seq, row in approved_sequences().items():
        if row["gene"] != "DMD":
            continue
        exon = int(row["target"].split()[-1])
        res = design(dmd, parse_goal(f"skip-exon:{exon}", dmd))
        rank = next(c.rank for c in res.candidates if c.oligo == seq)
        out.append((row["name"], exon, rank, len(res.candidates)))
    return out


def main(shared: Path, exons: list[int] | None = None) -> None:
    from rarepath.design.aso.design import design, parse_goal
    from rarepath.design.aso.knockdown import evaluate_openaso
    from rarepath.design.aso.offtarget import load_genome
    from rarepath.design.aso.regions import load_region

    dmd = load_region(shared / "sequences" / "DMD_LRG_199.xml")
    t0 = time.perf_counter()
    genome = load_genome(shared / "genomes" / "sacCer3")
    t_load = time.perf_counter() - t0

    # warm the engine's per-length seed tables once (a one-off cost per genome and oligo length)
    t0 = time.perf_counter()
    from rarepath.design.aso.offtarget import count_offtargets

    count_offtargets(genome, ["A" * n for n in range(20, 31)])
    t_tables = time.perf_counter() - t0

    goal = parse_goal("skip-exon:51", dmd)
    t0 = time.perf_counter()
    base = design(dmd, goal)
    t_base = time.perf_counter() - t0
    t0 = time.perf_counter()
    one = design(dmd, goal, genome=genome)
    one_exon_s = time.perf_counter() - t0
    print(f"one exon (51): {len(one.candidates)} candidates, {one_exon_s:.2f} s with off-targets; "
          f"baseline without off-targets {t_base:.2f} s (ratio {one_exon_s / t_base:.2f}x)")

    n = 0
    t0 = time.perf_counter()
    todo = exons or [ex.number for ex in dmd.exons[1:-1]]
    for number in todo:
        res = design(dmd, parse_goal(f"skip-exon:{number}", dmd), genome=genome)
        n += len(res.candidates)
    t_all = time.perf_counter() - t0
    per_s = n / t_all
    base_per_s = len(base.candidates) / t_base
    print(f"genome load {t_load:.2f} s; seed tables for 11 lengths {t_tables:.1f} s (one-off)")
    print(f"DMD: {len(todo)} exons, {n} candidates in {t_all:.1f} s = {per_s:.0f}/s "
          f"(baseline without off-targets {base_per_s:.0f}/s, ratio {per_s / base_per_s:.2f})")

    t0 = time.perf_counter()
    ev = evaluate_openaso(shared / "aso" / "openaso_9-20-21_cleandata.csv")
    print(f"openASO knockdown: {ev['n_oligos']} ASOs, {ev['n_transcripts']} transcripts (n>=10); median "
          f"within-gene Spearman leave-gene-out {ev['median_spearman_leave_gene_out']:.3f} "
          f"(mean {ev['mean_spearman_leave_gene_out']:.3f}), shipped model {ev['median_spearman_shipped']:.3f}, "
          f"low-GC baseline {ev['median_spearman_low_gc_baseline']:.3f} ({time.perf_counter() - t0:.1f} s)")
    for tx, rho in sorted(ev["per_transcript_leave_gene_out"].items()):
        print(f"  {tx}\t{rho:+.3f}")
    ranks = approved_ranks(dmd)
    for name, exon, rank, total in ranks:
        print(f"approved {name} (exon {exon}, {len(next(s for s, r in _approved().items() if r['name'] == name))} "
              f"nt): blind rank {rank}/{total} = {100 * rank / total:.1f}%")
    worst = max(100 * rank / total for _, _, rank, total in ranks)
    print(f"aso: candidates={n} candidates_per_s={per_s:.1f} one_exon_s={one_exon_s:.3f} "
          f"approved_oligo_worst_rank_pct={worst:.1f}")


def _approved():
    from rarepath.design.aso.design import approved_sequences

    return approved_sequences()


if __name__ == "__main__":
    args = sys.argv[1:]
    sel = None
    if "--exons" in args:
        i = args.index("--exons")
        sel = [int(x) for x in args[i + 1].split(",")]
        del args[i:i + 2]
    main(Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared/data", sel)

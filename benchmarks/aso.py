"""ASO design throughput on the full DMD gene with off-target checks, and openASO knockdown ranking.

Usage: .venv/bin/python benchmarks/aso.py [SHARED_DATA_DIR] [--exons 45,51,53] [--genome human|sacCer3]
Designs every skip-exon candidate (PMO 20-30 nt) for each skippable DMD exon (2-78 of 79; the first and last
exon cannot be skipped; `--exons` restricts the throughput loop for a quick run) on LRG_199, with off-target
search (<= 2 mismatches, both strands). Off-target genome (named in the output): `human` (default) = every
real human sequence shared with the project (DMD LRG_199 genomic, the six RefSeqGene records, the SMN1 region
of GRCh38, the PTEN transcript region), or the yeast genome sacCer3. The genome-wide human cost is projected
from the largest real sequence (DMD, 2.2 Mb): seed-table build and search, timed on it alone, scaled by
3,100 Mb / its length. Baseline (same run): the same one-exon design without the off-target check.
Blind rank of the approved DMD PMOs (eteplirsen ex51, golodirsen and viltolarsen ex53, casimersen ex45) among
their exon's candidates: the sequences are found after ranking, never looked up for it; printed also among the
candidates of the same length, and as the best rank of any candidate covering at least half of the approved site
(`approved_site_worst_rank_pct`: whether the design finds the site even where it prefers another length there).
Last line: `aso: candidates=N candidates_per_s=X one_exon_s=Y approved_oligo_worst_rank_pct=Z
approved_site_worst_rank_pct=S offtarget_genome=G hg38_projected_s=P`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HUMAN_SEQUENCES = ("sequences/DMD_LRG_199.genomic.fa", "sequences/KIF1A_NG_029724.1.fasta",
                   "sequences/MECP2_NG_007107.2.fasta", "sequences/NR2E3_NG_009113.2.fasta",
                   "sequences/PCCB_NG_008939.1.fasta", "sequences/SELENON_NG_009930.1.fasta",
                   "sequences/USH2A_NG_009497.1.fasta", "sequences/SMN1_region_hg38_chr5_70890000_71100000.fa",
                   "aso/PTEN_NM_000314.8_hg38.fa")
HG38_MB = 3100.0


def human_set(shared: Path, out: Path) -> Path:
    """One multi-FASTA of the shared real human sequences (a benchmark input, written to a temporary folder)."""
    with open(out, "w", encoding="utf-8") as fh:
        for rel in HUMAN_SEQUENCES:
            fh.write((shared / rel).read_text(encoding="utf-8").rstrip("\n") + "\n")
    return out


def projected_hg38(shared: Path, dmd, tmp: Path) -> tuple[float, float, float, float]:
    """Seed tables (11 lengths) and one exon's search against DMD alone, and both scaled linearly to hg38.

    Returns (tables_s, search_s, projected tables_s, projected search_s).
    """
    from rarepath.design.aso.design import design, parse_goal
    from rarepath.design.aso.offtarget import count_offtargets, load_genome

    fa = tmp / "dmd.fa"
    fa.write_text((shared / HUMAN_SEQUENCES[0]).read_text(encoding="utf-8"), encoding="utf-8")
    t0 = time.perf_counter()
    g = load_genome(fa)
    count_offtargets(g, ["A" * n for n in range(20, 31)])
    tables = time.perf_counter() - t0
    from rarepath.design.aso.regions import reverse_complement

    cands = design(dmd, parse_goal("skip-exon:51", dmd)).candidates
    t0 = time.perf_counter()
    count_offtargets(g, [reverse_complement(c.oligo) for c in cands],
                     site_spans=[(c.site_start, c.site_end) for c in cands])
    search = time.perf_counter() - t0
    scale = HG38_MB / (len(dmd.sequence) / 1e6)
    return tables, search, tables * scale, search * scale


def main(shared: Path, exons: list[int] | None = None, genome_name: str = "human") -> None:
    import tempfile

    from rarepath.design.aso.design import design, parse_goal
    from rarepath.design.aso.knockdown import evaluate_openaso
    from rarepath.design.aso.offtarget import load_genome
    from rarepath.design.aso.regions import load_region

    dmd = load_region(shared / "sequences" / "DMD_LRG_199.xml")
    tmp = Path(tempfile.mkdtemp(prefix="rarepath-aso-bench-"))
    t0 = time.perf_counter()
    if genome_name == "human":
        genome = load_genome(human_set(shared, tmp / "human_set.fa"))
        label = "human_shared_set"
    else:
        genome = load_genome(shared / "genomes" / "sacCer3")
        label = "sacCer3"
    mb = sum(int(x) for x in genome.lengths) / 1e6
    t_load = time.perf_counter() - t0
    print(f"off-target genome: {label}, {len(genome.names)} records, {mb:.1f} Mb")

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
    print("; ".join(n for n in one.notes if n.startswith("off-targets")))
    tab_s, search_s, tab_hg38, search_hg38 = projected_hg38(shared, dmd, tmp)
    hg38_s = tab_hg38 + search_hg38
    print(f"genome-wide human projection from DMD alone ({len(dmd.sequence) / 1e6:.2f} Mb, the largest real sequence "
          f"here): seed tables for 11 lengths {tab_s:.1f} s -> {tab_hg38:.0f} s once per genome; exon 51 search "
          f"{search_s:.2f} s -> {search_hg38:.0f} s per exon; total {hg38_s:.0f} s for {HG38_MB:.0f} Mb (linear)")
    from rarepath.design.aso.validation import approved_oligo_ranks

    ranks = approved_oligo_ranks(dmd)
    for r in ranks:
        print(f"approved {r.name} (exon {r.exon}, {r.length} nt): blind rank {r.rank}/{r.total} = "
              f"{r.fraction:.1%}; among {r.length}-mers {r.rank_in_length}/{r.same_length} = "
              f"{r.fraction_in_length:.1%}; best candidate covering >= half its site {r.site_rank}/{r.total} = "
              f"{r.site_fraction:.1%}")
    worst = 100 * max(r.fraction for r in ranks)
    worst_site = 100 * max(r.site_fraction for r in ranks)
    print(f"aso: candidates={n} candidates_per_s={per_s:.1f} one_exon_s={one_exon_s:.3f} "
          f"approved_oligo_worst_rank_pct={worst:.1f} approved_site_worst_rank_pct={worst_site:.1f} "
          f"offtarget_genome={label} hg38_projected_s={hg38_s:.0f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    sel = None
    gname = "human"
    if "--exons" in args:
        i = args.index("--exons")
        sel = [int(x) for x in args[i + 1].split(",")]
        del args[i:i + 2]
    if "--genome" in args:
        i = args.index("--genome")
        gname = args[i + 1]
        del args[i:i + 2]
    main(Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared/data", sel, gname)

"""ASO design throughput on the full DMD gene with off-target checks, and openASO knockdown ranking.

Usage: .venv/bin/python benchmarks/aso.py [SHARED_DATA_DIR] [--genome human|yeast|FASTA-or-folder]
Designs every skip-exon candidate for each skippable DMD exon (2-78 of 79; the first and last exon cannot be
skipped) on LRG_199, with off-target search (<= 2 mismatches, both strands) against a named sequence set:
`human` (default): the shared human RefSeqGene/LRG sequences (../shared/data/sequences: DMD LRG_199, KIF1A,
MECP2, NR2E3, PCCB, SELENON, USH2A, and the hg38 SMN1 region), real human sequence but not a genome; `yeast`:
sacCer3. Baseline (same run): the same one-exon design without the off-target check. The cost of a genome-wide
human search is projected from the largest real human sequence here (DMD LRG_199, 2.26 Mb: seed-table build and
the exon-51 off-target search timed on it alone, scaled by 3.1e9 / its length; search time is linear in sites).
Last line: `aso: candidates=N candidates_per_s=X one_exon_s=Y genome=NAME genome_mb=M hg38_build_s=B
hg38_one_exon_offtarget_s=S`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HG38_BASES = 3.1e9


def human_set(shared: Path) -> list[Path]:
    """The shared human sequences (FASTA files of ../shared/data/sequences)."""
    d = shared / "sequences"
    return sorted(p for p in d.iterdir() if p.suffix in (".fa", ".fasta"))


def hg38_projection(shared: Path, dmd, goal) -> tuple[float, float, float]:
    """(Mb, projected hg38 table build s, projected hg38 exon-51 off-target s) measured on DMD LRG_199 alone."""
    from rarepath.design.aso.design import design
    from rarepath.design.aso.offtarget import count_offtargets
    from rarepath.design.offtarget import GenomeIndex

    seq = GenomeIndex.from_fasta(shared / "sequences" / "DMD_LRG_199.genomic.fa")
    base = design(dmd, goal)
    lengths = sorted({len(c.oligo) for c in base.candidates})
    t0 = time.perf_counter()
    count_offtargets(seq, ["A" * n for n in lengths])
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    count_offtargets(seq, [c.oligo for c in base.candidates])  # the search the design runs, timed alone
    search_s = time.perf_counter() - t0
    scale = HG38_BASES / seq.total_length
    # memory: the per-site arrays scale with the genome; the bucket offsets (fixed per table) do not
    site_bytes = sum(a.nbytes for t in seq.tables.values() for st in t.strands for k, a in st.arrays().items()
                     if not k.startswith("off"))
    per_base = site_bytes / seq.total_length / len(lengths)
    print(f"largest real human sequence: DMD LRG_199 {seq.total_length / 1e6:.2f} Mb; seed tables for "
          f"{len(lengths)} oligo lengths {build_s:.1f} s, off-target search of the {len(base.candidates)} exon-51 "
          f"candidates {search_s:.2f} s -> "
          f"hg38 (x{scale:.0f}, linear; the sort is n log n, so the build is a lower bound): tables "
          f"~{build_s * scale / 3600:.1f} h once, ~{search_s * scale / 60:.1f} min per exon's candidates; "
          f"index ~{per_base:.0f} bytes/base per oligo length (PAM-less: every window is a site) = "
          f"~{per_base * HG38_BASES / 1e9:.0f} GB per length")
    return seq.total_length / 1e6, build_s * scale, search_s * scale


def main(shared: Path, genome_name: str = "human") -> None:
    from rarepath.design.aso.design import design, parse_goal
    from rarepath.design.aso.knockdown import evaluate_openaso
    from rarepath.design.aso.offtarget import load_genome
    from rarepath.design.aso.regions import load_region
    from rarepath.design.offtarget import GenomeIndex

    dmd = load_region(shared / "sequences" / "DMD_LRG_199.xml")
    t0 = time.perf_counter()
    if genome_name == "human":
        files = human_set(shared)
        genome = GenomeIndex.from_fasta(files)
        label = "human RefSeqGene/LRG set (" + ", ".join(p.name.split("_")[0] for p in files) + ")"
    elif genome_name == "yeast":
        genome = load_genome(shared / "genomes" / "sacCer3")
        label = "yeast sacCer3"
    else:
        genome = load_genome(genome_name)
        label = genome_name
    t_load = time.perf_counter() - t0
    print(f"off-target genome: {label}, {len(genome.names)} sequences, {genome.total_length / 1e6:.1f} Mb")

    # warm the engine's per-length seed tables once (a one-off cost per genome and oligo length)
    t0 = time.perf_counter()
    from rarepath.design.aso.offtarget import count_offtargets

    count_offtargets(genome, ["A" * n for n in range(25, 31)])
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
    for ex in dmd.exons[1:-1]:
        res = design(dmd, parse_goal(f"skip-exon:{ex.number}", dmd), genome=genome)
        n += len(res.candidates)
    t_all = time.perf_counter() - t0
    per_s = n / t_all
    base_per_s = len(base.candidates) / t_base
    print(f"genome load {t_load:.2f} s; seed tables for 6 lengths {t_tables:.1f} s (one-off)")
    print(f"full DMD: {len(dmd.exons) - 2} exons, {n} candidates in {t_all:.1f} s = {per_s:.0f}/s "
          f"(baseline without off-targets {base_per_s:.0f}/s, ratio {per_s / base_per_s:.2f})")

    t0 = time.perf_counter()
    ev = evaluate_openaso(shared / "aso" / "openaso_9-20-21_cleandata.csv")
    print(f"openASO knockdown: {ev['n_oligos']} ASOs, {ev['n_transcripts']} transcripts (n>=10); median "
          f"within-gene Spearman leave-gene-out {ev['median_spearman_leave_gene_out']:.3f} "
          f"(mean {ev['mean_spearman_leave_gene_out']:.3f}), shipped model {ev['median_spearman_shipped']:.3f}, "
          f"low-GC baseline {ev['median_spearman_low_gc_baseline']:.3f} ({time.perf_counter() - t0:.1f} s)")
    for tx, rho in sorted(ev["per_transcript_leave_gene_out"].items()):
        print(f"  {tx}\t{rho:+.3f}")
    mb, hg_build, hg_search = hg38_projection(shared, dmd, goal)
    print(f"aso: candidates={n} candidates_per_s={per_s:.1f} one_exon_s={one_exon_s:.3f} genome={genome_name} "
          f"genome_mb={genome.total_length / 1e6:.1f} hg38_build_s={hg_build:.0f} "
          f"hg38_one_exon_offtarget_s={hg_search:.0f} projected_from_mb={mb:.2f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--genome")]
    gen = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--genome=")), "human")
    main(Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared/data", gen)

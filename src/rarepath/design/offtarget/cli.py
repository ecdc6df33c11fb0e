"""`rarepath index`: build the off-target index of a genome."""

from __future__ import annotations

from pathlib import Path

import typer


def index_command(
    genome: Path = typer.Argument(..., help="Genome FASTA (multi-FASTA, .gz, or a folder of FASTA files)."),
    out: Path | None = typer.Option(None, "--out", "-o",
                                    help="Index folder to write (default: GENOME.rpidx next to the FASTA)."),
    bulges: int = typer.Option(0, "--bulges", min=0, max=1,
                               help="1: also build 19/21-nt tables for one-bulge searches of 20-nt spacers: optional "
                               "(a bulge search runs on the 20-nt tables alone), ~3x the index for ~2x fewer "
                               "bulge-pass searches (the same option as `design offtargets --bulges` and "
                               "`design edit --bulges`)."),
    compact: bool = typer.Option(False, "--compact", "--compact-index",
                                 help="Compact layout for a genome that must fit a workstation's memory: "
                                 "the same seed tables with their fields bit-packed, ~3.6 instead of ~4.8 bytes "
                                 "per base on a human genome (~11 instead of ~15 GB), bulge searches included "
                                 "(they use the same tables); identical sites, searches ~1.1-1.7x slower (rows "
                                 "are unpacked; small genomes get a shorter seed key; benchmarks/RESULTS.md). Not "
                                 "the default because the default layout is faster and its plain arrays are read "
                                 "directly by NumPy. Not with "
                                 "--bulges 1."),
    per_chromosome: bool = typer.Option(False, "--per-chromosome",
                                        help="Write one index folder per FASTA record (OUT/00001_NAME ...): "
                                        "building holds one chromosome at a time instead of the genome, and "
                                        "`design offtargets -r OUT` memory-maps one shard at a time (same sites, "
                                        "same order). OUT must be new or empty. `design edit` takes a single "
                                        "index folder, not this one."),
) -> None:
    """Build the off-target index of a genome (2-bit packed sequence plus SpCas9 NGG/NAG/NGA seed tables)."""
    import time

    from rarepath.design.offtarget import GenomeIndex

    out_dir = out if out is not None else genome.with_name(genome.name.rstrip("/") + ".rpidx")
    t0 = time.perf_counter()
    if per_chromosome:
        shards = GenomeIndex.build_per_record(genome, out_dir, bulge=bool(bulges), compact=compact)
    else:
        shards = [GenomeIndex.build(genome, out_dir, bulge=bool(bulges), compact=compact)]
    n_sites = sum(t.n_sites for idx in shards for t in idx.tables.values())
    bases = sum(idx.total_length for idx in shards)
    what = "SpCas9 sites (20, 19 and 21 nt)" if bulges else "SpCas9 sites"
    what += ", compact layout" if compact else ""
    where = f"{len(shards)} index folders in {out_dir}" if per_chromosome else str(out_dir)
    typer.echo(f"indexed {sum(len(idx.names) for idx in shards)} sequences, {bases:,} bp, {n_sites:,} {what} "
               f"({sum(idx.nbytes() for idx in shards) / max(bases, 1):.2f} bytes/base) in "
               f"{time.perf_counter() - t0:.1f} s -> {where}")

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
                                 "(they use the same tables); identical sites, searches ~1.2x slower (each row "
                                 "read is unpacked; benchmarks/RESULTS.md). Not the default because the default "
                                 "layout is faster and its plain arrays are read directly by NumPy. Not with "
                                 "--bulges 1."),
) -> None:
    """Build the off-target index of a genome (2-bit packed sequence plus SpCas9 NGG/NAG/NGA seed tables)."""
    import time

    from rarepath.design.offtarget import GenomeIndex

    out_dir = out if out is not None else genome.with_name(genome.name.rstrip("/") + ".rpidx")
    t0 = time.perf_counter()
    idx = GenomeIndex.build(genome, out_dir, bulge=bool(bulges), compact=compact)
    n_sites = sum(t.n_sites for t in idx.tables.values())
    what = "SpCas9 sites (20, 19 and 21 nt)" if bulges else "SpCas9 sites"
    what += ", compact layout" if compact else ""
    typer.echo(f"indexed {len(idx.names)} sequences, {idx.total_length:,} bp, {n_sites:,} {what} "
               f"({idx.nbytes() / max(idx.total_length, 1):.2f} bytes/base) in {time.perf_counter() - t0:.1f} s "
               f"-> {out_dir}")

"""`rarepath design ...` and `rarepath index`: thin shells over rarepath.design."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Reagent design: CRISPR guides and editors (edit), antisense oligonucleotides (aso).",
                  no_args_is_help=True)


def index_command(genome: Path = typer.Argument(..., help="Genome FASTA to index for off-target search.")) -> None:
    """Build the off-target index of a genome (2-bit packed sequence plus seed index)."""
    from rarepath.errors import InputError

    raise InputError("off-target indexing is not available in this build", source=str(genome))

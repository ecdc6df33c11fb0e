"""`rarepath index`: build the off-target index of a genome."""

from __future__ import annotations

from pathlib import Path

import typer


def index_command(genome: Path = typer.Argument(..., help="Genome FASTA to index for off-target search.")) -> None:
    """Build the off-target index of a genome (2-bit packed sequence plus seed index)."""
    from rarepath.errors import InputError

    raise InputError("off-target indexing is not available in this build", source=str(genome))

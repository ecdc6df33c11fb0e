"""`rarepath screen ...`: thin shell over rarepath.screens."""

from __future__ import annotations

import typer

app = typer.Typer(help="Plate-based treatment screens: QC, normalisation, dose-response fits, ranking.",
                  no_args_is_help=True)

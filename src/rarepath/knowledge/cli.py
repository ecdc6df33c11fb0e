"""`rarepath kb ...`: build and inspect the local knowledge base."""

from __future__ import annotations

import typer

app = typer.Typer(help="Local knowledge base: import public releases, show sources and versions.",
                  no_args_is_help=True)

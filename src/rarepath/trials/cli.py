"""`rarepath trials ...`: import and fetch trial records, and pre-screen a case against them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rarepath.errors import InputError

app = typer.Typer(help="Clinical-trial pre-screening: import or fetch ClinicalTrials.gov records, match a case. "
                  "Decision support, not medical advice.", no_args_is_help=True)

DB_HELP = ("Database (SQLite file or PostgreSQL URL) holding the trial records, shared with the knowledge base. "
           "Default: $RAREPATH_KB_URL, else $RAREPATH_HOME/kb.sqlite.")


@app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="Record files or folders (searched recursively): API v2 JSON "
                                       "(one study, a list, or a {\"studies\": [...]} page) and legacy XML."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Store trial records; a record imported again replaces the stored one. Bad records are named and skipped."""
    from rarepath.trials.records import RecordProblem, Trial, read_file, record_files
    from rarepath.trials.store import TrialStore

    for p in paths:
        if not p.exists():
            raise InputError("no such file or folder", source=str(p))
    trials: dict[str, Trial] = {}
    sources: dict[str, str] = {}
    problems: list[RecordProblem] = []
    for p in paths:
        for f in record_files(p):
            for item in read_file(f):
                if isinstance(item, Trial):
                    trials[item.nct_id] = item
                    sources[item.nct_id] = str(f)
                else:
                    problems.append(item)
    for prob in problems:
        typer.echo(f"skipped {prob.one_line()}", err=True)
    if not trials:
        raise InputError(f"no usable trial record ({len(problems)} skipped)", source=" ".join(map(str, paths)))
    with TrialStore.open(db) as store:
        n = store.replace(trials.values(), source=sources)
        typer.echo(f"imported {n} trial record(s) into {store.location} ({len(problems)} skipped); "
                   f"{store.count()} stored")


@app.command("fetch")
def fetch_command(
    condition: str | None = typer.Option(None, "--condition", help="Condition or disease (API query.cond)."),
    gene: str | None = typer.Option(None, "--gene", help="Gene symbol, searched in the whole record (query.term)."),
    network: bool = typer.Option(False, "--network", help="Allow the request to clinicaltrials.gov (required)."),
    status: list[str] = typer.Option([], "--status", help="Only these overall statuses (e.g. RECRUITING); "
                                     "repeat for several."),
    max_records: int = typer.Option(500, "--max", min=1, help="Stop after this many records."),
    save: Path | None = typer.Option(None, "--save", help="Also write each fetched record (API v2 JSON, as "
                                     "received; 'trials import' reads it back) to this folder."),
    base_url: str | None = typer.Option(None, "--base-url", help="API endpoint (default the public API v2)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Fetch records from the public ClinicalTrials.gov API v2 and store them (needs --network)."""
    from rarepath.trials.fetch import API_URL, StudiesClient
    from rarepath.trials.store import TrialStore

    if not condition and not gene:
        raise InputError("give --condition TEXT or --gene SYMBOL", source="trials fetch")
    if not network:
        raise InputError("this command queries clinicaltrials.gov; add --network to allow it, or import "
                         "downloaded records with 'rarepath trials import'", source="trials fetch")
    statuses = tuple(_status(s) for s in status)
    client = StudiesClient(base_url or API_URL)
    try:
        result = client.search(condition=condition, term=gene, max_records=max_records, statuses=statuses)
    finally:
        client.close()
    for prob in result.problems:
        typer.echo(f"skipped {prob.one_line()}", err=True)
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        for nct, study in result.raw.items():
            (save / f"{nct}.json").write_text(json.dumps(study, indent=1, ensure_ascii=False), encoding="utf-8")
    with TrialStore.open(db) as store:
        n = store.replace(result.trials, source=f"{client.base_url}?{result.query}")
        typer.echo(f"fetched {n} record(s) in {result.pages} page(s) into {store.location}; "
                   f"{store.count()} stored")


def _status(raw: str) -> str:
    from rarepath.trials.records import RecordError, parse_status

    try:
        return parse_status(raw).value
    except RecordError as err:
        raise InputError(err.problem, source="--status") from None


@app.command("match")
def match_command(
    case_file: Path | None = typer.Argument(None, help="Phenopacket v2 JSON, VCF, or YAML case file (as for "
                                            "'rarepath assess')."),
    gene: str | None = typer.Option(None, "--gene", help="Disease gene (HGNC symbol) for a quick case or a VCF."),
    variant: str | None = typer.Option(None, "--variant", help="HGVS or documented plain description; "
                                       "several separated by ';'."),
    zygosity: str | None = typer.Option(None, "--zygosity", help="homozygous, heterozygous, compound "
                                        "heterozygous, hemizygous."),
    patient: str | None = typer.Option(None, "--patient", help="'age=6; sex=male; anti_AAV9_titre=1:25; "
                                       "ambulatory=yes; prior_treatments=nusinersen; ...'"),
    hpo: list[str] = typer.Option([], "--hpo", help="HPO term ids (repeat or comma-separate)."),
    disease: list[str] = typer.Option([], "--disease", help="Diagnosis ids (OMIM:/ORPHA:), if known."),
    mechanism: str | None = typer.Option(None, "--mechanism", help="Override the inferred mechanism."),
    case_id: str | None = typer.Option(None, "--id", help="Case identifier."),
    json_path: Path | None = typer.Option(None, "--json", help="Write the matches as JSON here."),
    show_all: bool = typer.Option(False, "--all", help="List every stored trial with its relevance."),
    status: list[str] = typer.Option([], "--status", help="Only trials with these overall statuses."),
    phase: list[str] = typer.Option([], "--phase", help="Only these phases (PHASE1, PHASE2, PHASE3, PHASE4, "
                                    "EARLY_PHASE1, NA)."),
    intervention_type: list[str] = typer.Option([], "--intervention-type", help="Only trials with one of these "
                                                "intervention types (GENETIC, BIOLOGICAL, DRUG, ...)."),
    healthy_volunteers: str | None = typer.Option(None, "--healthy-volunteers", help="yes: only trials "
                                                  "accepting healthy volunteers; no: only those that do not."),
    near: str | None = typer.Option(None, "--near", help="LAT,LON or a site city ('Paris', 'Boston, United "
                                    "States'): distance to the nearest site."),
    within_km: float | None = typer.Option(None, "--within-km", min=0, help="With --near: leave out trials "
                                           "whose nearest site is farther (sites without coordinates stay)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No terminal table."),
) -> None:
    """Pre-screen a case against the stored trials: eligible, possibly eligible (what to check), not eligible."""
    from rarepath.intake import case_from_inputs
    from rarepath.triage.engine import assess_case
    from rarepath.trials.match import Filters, TrialIndex, match_case, resolve_place
    from rarepath.trials.store import TrialStore

    if case_file is not None and not case_file.exists():
        raise InputError("file not found", source=str(case_file))
    case = case_from_inputs(case_file, gene=gene, variant=variant, zygosity=zygosity, patient=patient,
                            hpo=tuple(hpo), diseases=tuple(disease), mechanism=mechanism, case_id=case_id)
    if within_km is not None and near is None:
        raise InputError("--within-km needs --near", source="trials match")
    with TrialStore.open(db) as store:
        trials = store.trials()
        location = store.location
    index = TrialIndex(trials)
    filters = Filters(
        statuses=frozenset(_status(s) for s in status),
        phases=frozenset(_phase(p) for p in phase),
        intervention_types=frozenset(t.strip().upper().replace(" ", "_") for t in intervention_type),
        healthy_volunteers=_yes_no(healthy_volunteers) if healthy_volunteers is not None else None,
        near=resolve_place(near, trials) if near else None, within_km=within_km)
    result = match_case(case, assess_case(case), index, filters, include_all=show_all)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    if not quiet:
        _print(result, location)
    if json_path is not None:
        typer.echo(f"json: {json_path.resolve()}")


def _phase(raw: str) -> str:
    token = raw.strip().upper().replace(" ", "").replace("_", "")
    token = {"EARLYPHASE1": "EARLY_PHASE1", "N/A": "NA"}.get(token, token)
    allowed = ("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA")
    if token not in allowed:
        raise InputError(f"unknown phase {raw!r} (known: {', '.join(allowed)})", source="--phase")
    return token


def _yes_no(raw: str) -> bool:
    v = raw.strip().lower()
    if v in ("yes", "y", "true", "1"):
        return True
    if v in ("no", "n", "false", "0"):
        return False
    raise InputError(f"expected yes or no, got {raw!r}", source="--healthy-volunteers")


def _print(result, location: str) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not result.trials:
        console.print(f"No stored trial is relevant to case {result.case_id} ({result.records} records in "
                      f"{location}; import or fetch more with 'rarepath trials import|fetch').")
        return
    table = Table(title=f"Trials for case {result.case_id} ({result.records} records searched)")
    for col in ("trial", "status", "eligibility", "relevance", "why / to check"):
        table.add_column(col)
    colour = {"eligible": "green", "possibly_eligible": "yellow", "not_eligible": "red"}
    for m in result.trials:
        if m.failing:
            why = f"fails: {m.failing[0]['criterion'][:90]} ({m.failing[0]['reason'][:90]})"
        elif m.conflicts:
            why = m.conflicts[0]["reason"][:160]
        else:
            why = f"{len(m.to_check)} item(s) to check" if m.to_check else "all criteria settled"
        table.add_row(f"{m.trial.nct_id}\n{m.trial.title[:70]}", m.trial.status.value,
                      f"[{colour[m.eligibility.value]}]{m.eligibility.value}[/]", f"{m.relevance:.2f}", why)
    console.print(table)
    console.print("Decision support, not medical advice: only the trial team can confirm eligibility.")

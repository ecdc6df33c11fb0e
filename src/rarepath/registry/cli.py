"""`rarepath registry ...` and `rarepath audit verify`: thin shells over `rarepath.registry.service`.

The command line acts as an administrator named after the operating-system user (`cli:NAME`), and every
command is recorded in the audit trail like a web request.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer

from rarepath.errors import InputError

app = typer.Typer(help="The registry: cases, assessments, decisions, treatments and long-term follow-up.",
                  no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail of the registry.", no_args_is_help=True)

DB_HELP = "Registry database: a SQLite file or postgresql:// URL (default $RAREPATH_REGISTRY_URL, else " \
          "$RAREPATH_HOME/registry.sqlite)."


def _actor():
    import getpass

    from rarepath.registry.access import Actor
    from rarepath.registry.models import Role

    return Actor(f"cli:{getpass.getuser()}", Role.ADMIN)


def _open(db: str | None):
    from rarepath.registry.db import open_registry

    return open_registry(db)


def _date(value: str | None, field: str) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date {value!r} (expected YYYY-MM-DD)", field=field) from None


@app.command("init")
def init_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Create (or migrate) the registry database."""
    reg = _open(db)
    typer.echo(f"registry: {reg.location} ({reg.backend})")


@app.command("add-user")
def add_user_command(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="clinician, lab, family, researcher or admin."),
    team: str | None = typer.Option(None, "--team", help="Care team (clinician and lab users)."),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True, envvar="RAREPATH_NEW_PASSWORD",
                                 help="At least 8 characters (prompted when not given)."),
    full_name: str = typer.Option("", "--name", help="Full name shown in the app."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Add a user (password stored as an argon2 hash)."""
    from rarepath.registry import service

    with _open(db).session() as s:
        user = service.add_user(s, _actor(), username=username, password=password, role=role, team=team,
                                full_name=full_name)
        typer.echo(f"user {user.username} ({user.role})")


@app.command("add")
def add_command(
    case_file: Path = typer.Argument(..., help="Phenopacket v2 JSON, VCF (with --gene) or YAML case file."),
    team: str | None = typer.Option(None, "--team", help="Care team the case belongs to."),
    consent: str = typer.Option("pending", "--consent", help="pending, care, research or withdrawn."),
    name: str = typer.Option("", "--name", help="Patient name (a direct identifier: never exported)."),
    family: str | None = typer.Option(None, "--family", help="Family user who may open this case."),
    gene: str | None = typer.Option(None, "--gene", help="Disease gene, for a VCF without annotations."),
    assess: bool = typer.Option(True, "--assess/--no-assess", help="Run the engine once the case is stored."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Register a case from a file kept exactly as received; prints its pseudonym."""
    from rarepath.registry import service

    if not case_file.is_file():
        raise InputError("file not found", source=str(case_file))
    content = case_file.read_bytes()
    with _open(db).session() as s:
        case = service.add_case(s, _actor(), filename=case_file.name, content=content, team=team, consent=consent,
                                patient_name=name, family_user=family, gene=gene)
        line = f"case {case.pseudonym}"
        if assess:
            a = service.assess(s, _actor(), case, trigger="upload")
            line += f"  assessment {a.id}: {a.top_option}"
        typer.echo(line)


@app.command("list")
def list_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Cases with their genes, consent and what is recorded."""
    from rarepath.registry import service

    with _open(db).session() as s:
        for c in service.list_cases(s, _actor()):
            counts = service.case_summary(s, c)
            typer.echo(f"{c.pseudonym}\t{','.join(c.intake.get('genes') or [])}\t{c.consent}\t"
                       + " ".join(f"{k}={v}" for k, v in counts.items()))


@app.command("assess")
def assess_command(case: str = typer.Argument(..., help="Case pseudonym."),
                   json_path: Path | None = typer.Option(None, "--json", help="Also write the contract here."),
                   db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Run the engine on a stored case and keep the assessment whole."""
    from rarepath.registry import service

    with _open(db).session() as s:
        row = service.assess(s, _actor(), service.get_case(s, _actor(), case))
        typer.echo(f"assessment {row.id}: {row.top_option} (engine {row.engine_version})")
        if json_path is not None:
            json_path.write_text(json.dumps(row.contract, indent=2) + "\n")


@app.command("decide")
def decide_command(
    case: str = typer.Argument(..., help="Case pseudonym."),
    modality: str = typer.Option(..., "--modality", help="Option chosen, e.g. gene_replacement."),
    target: str = typer.Option("", "--target", help="Gene the option acts on (when the modality appears twice)."),
    product: str = typer.Option("", "--product", help="Product listed for that option."),
    why: str = typer.Option(..., "--why", help="Rationale."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record the option chosen, against the latest assessment."""
    from rarepath.registry import service

    with _open(db).session() as s:
        d = service.decide(s, _actor(), service.get_case(s, _actor(), case), modality=modality, target=target,
                           product=product, rationale=why)
        typer.echo(f"decision {d.id}: {d.modality}:{d.target} {d.product} ({d.verdict_at_decision}) "
                   f"on assessment {d.assessment_id}")


@app.command("treat")
def treat_command(
    case: str = typer.Argument(..., help="Case pseudonym."),
    product: str = typer.Option(..., "--product", help="Product given (generic name)."),
    date: str | None = typer.Option(None, "--date", help="Date given, YYYY-MM-DD (default today)."),
    lot: str = typer.Option("", "--lot"),
    dose: float | None = typer.Option(None, "--dose"),
    unit: str = typer.Option("", "--unit", help="Dose unit, e.g. vg/kg."),
    route: str = typer.Option("", "--route"),
    vector: str = typer.Option("", "--vector"),
    category: str | None = typer.Option(None, "--category", help="Follow-up category (default: from the decision "
                                        "or the product)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record a treatment and generate its follow-up plan."""
    from sqlalchemy import select

    from rarepath.registry import service
    from rarepath.registry.models import Decision

    with _open(db).session() as s:
        c = service.get_case(s, _actor(), case)
        decision = s.scalar(select(Decision).where(Decision.case_id == c.id, Decision.product == product)
                            .order_by(Decision.id.desc()).limit(1))
        t = service.treat(s, _actor(), c, product=product, administered_on=_date(date, "--date"), lot=lot, dose=dose,
                          dose_unit=unit, route=route, vector=vector, decision=decision, category=category)
        typer.echo(f"treatment {t.id}: {t.product} ({t.category}); {len(t.visits)} follow-up visits to "
                   f"{t.visits[-1].due_on if t.visits else '-'}")


@app.command("followup")
def followup_command(case: str = typer.Argument(..., help="Case pseudonym."),
                     today: str | None = typer.Option(None, "--today", help="Reference date for overdue visits."),
                     db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """The follow-up calendar of a case: visits, checks, status (overdue marked)."""
    from rarepath.registry import followup, service

    ref = _date(today, "--today")
    with _open(db).session() as s:
        for v in service.visits_of(s, service.get_case(s, _actor(), case)):
            late = followup.is_overdue(v.due_on, v.window_days, v.status, ref)
            typer.echo(f"{v.id}\t{v.due_on}\tday {v.day}\t{'OVERDUE' if late else v.status}\t{', '.join(v.checks)}")


@app.command("visit")
def visit_command(visit_id: int = typer.Argument(..., help="Visit id (see `registry followup`)."),
                  date: str | None = typer.Option(None, "--date", help="Date done (default today)."),
                  notes: str = typer.Option("", "--notes"),
                  db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Record a follow-up visit as done."""
    from rarepath.registry import service

    with _open(db).session() as s:
        v = service.record_visit(s, _actor(), visit_id, done_on=_date(date, "--date"), notes=notes)
        typer.echo(f"visit {v.id} done on {v.done_on}")


@app.command("observe")
def observe_command(
    case: str = typer.Argument(..., help="Case pseudonym."),
    analyte: str = typer.Option(..., "--analyte", help="e.g. ALT, platelet count."),
    value: float = typer.Option(..., "--value"),
    unit: str = typer.Option("", "--unit"),
    low: float | None = typer.Option(None, "--low", help="The lab's lower limit of normal."),
    high: float | None = typer.Option(None, "--high", help="The lab's upper limit of normal."),
    date: str | None = typer.Option(None, "--date"),
    visit: int | None = typer.Option(None, "--visit", help="Visit the sample belongs to."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record a lab value (graded by CTCAE v5; abnormal values raise an alert)."""
    from rarepath.registry import service

    with _open(db).session() as s:
        o = service.record_observation(s, _actor(), service.get_case(s, _actor(), case), analyte=analyte,
                                       value=value, unit=unit, lower_limit=low, upper_limit=high,
                                       observed_on=_date(date, "--date"), visit_id=visit)
        typer.echo(f"observation {o.id}: {o.analyte}={o.value:g} {o.unit} CTCAE grade "
                   f"{o.ctcae_grade if o.ctcae_grade is not None else 'not graded'}")


@app.command("ae")
def ae_command(
    case: str = typer.Argument(..., help="Case pseudonym."),
    term: str = typer.Option(..., "--term", help="CTCAE v5 term."),
    grade: int = typer.Option(..., "--grade", help="CTCAE grade 1-5."),
    serious: bool = typer.Option(False, "--serious/--not-serious"),
    relatedness: str = typer.Option(..., "--relatedness", help="unrelated, unlikely, possible, probable, definite."),
    onset: str | None = typer.Option(None, "--onset"),
    treatment: int | None = typer.Option(None, "--treatment", help="Treatment id suspected."),
    description: str = typer.Option("", "--description"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record an adverse event."""
    from rarepath.registry import service

    with _open(db).session() as s:
        e = service.record_adverse_event(s, _actor(), service.get_case(s, _actor(), case), term=term, grade=grade,
                                         serious=serious, relatedness=relatedness, onset_on=_date(onset, "--onset"),
                                         treatment_id=treatment, description=description)
        typer.echo(f"adverse event {e.id}: {e.term} grade {e.grade}{' serious' if e.serious else ''}")


@app.command("model")
def model_command(
    case: str = typer.Argument(..., help="Case pseudonym."),
    kind: str = typer.Option(..., "--kind", help="cell_line, ipsc_clone, isogenic_clone or differentiation."),
    name: str = typer.Option(..., "--name"),
    parent: int | None = typer.Option(None, "--parent", help="Model it derives from (all but cell lines)."),
    source_tissue: str = typer.Option("", "--tissue", help="Cell lines: fibroblast, blood, ..."),
    guide: str = typer.Option("", "--guide", help="Isogenic clones: the guide used."),
    donor: str = typer.Option("", "--donor", help="Isogenic clones: the repair template."),
    genotype: str = typer.Option("", "--genotype", help="Genotype, confirmed by sequencing when --confirmed."),
    confirmed: bool = typer.Option(False, "--confirmed/--unconfirmed"),
    cell_type: str = typer.Option("", "--cell-type", help="Differentiations: the target cell type."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Record a patient-derived disease model."""
    from rarepath.registry import service

    with _open(db).session() as s:
        m = service.add_model(s, _actor(), service.get_case(s, _actor(), case), kind=kind, name=name,
                              parent_id=parent, source_tissue=source_tissue, guide=guide, donor=donor,
                              genotype=genotype, genotype_confirmed=confirmed, target_cell_type=cell_type)
        typer.echo(f"model {m.id}: {m.kind} {m.name}")


@app.command("qc")
def qc_command(model: int = typer.Argument(..., help="Disease model id."),
               test: str = typer.Option(..., "--test", help="karyotype, pluripotency, mycoplasma, sequencing, "
                                        "identity."),
               result: str = typer.Option(..., "--result", help="pass, fail or pending."),
               detail: str = typer.Option("", "--detail"),
               date: str | None = typer.Option(None, "--date"),
               db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Record a QC result of a disease model."""
    from rarepath.registry import service
    from rarepath.registry.access import NotFound
    from rarepath.registry.models import DiseaseModel

    with _open(db).session() as s:
        m = s.get(DiseaseModel, model)
        if m is None:
            raise NotFound("no such disease model", source=str(model))
        q = service.add_qc(s, _actor(), m, test=test, result=result, detail=detail, performed_on=_date(date, "--date"))
        typer.echo(f"qc {q.id}: model {model} {q.test}={q.result}")


@app.command("screen")
def screen_command(case: str = typer.Argument(..., help="Case pseudonym."),
                   ranking: Path = typer.Argument(..., help="ranking.tsv (or its folder) from `rarepath screen analyze`."),
                   model: int | None = typer.Option(None, "--model", help="Disease model screened."),
                   name: str | None = typer.Option(None, "--name", help="Screen name (default: the folder name)."),
                   db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Store a screen's ranking against the case and the disease model it was run on."""
    from rarepath.registry import service
    from rarepath.screens.ranking import load_ranking

    rows = load_ranking(ranking)
    label = name or (ranking.name if ranking.is_dir() else ranking.parent.name or ranking.stem)
    with _open(db).session() as s:
        sc = service.add_screen(s, _actor(), service.get_case(s, _actor(), case), name=label, ranking=rows,
                                model_id=model, source=str(ranking.resolve()))
        typer.echo(f"screen {sc.id}: {sc.name}, {len(rows)} ranked treatments")


@app.command("alerts")
def alerts_command(today: str | None = typer.Option(None, "--today", help="Reference date for overdue visits."),
                   db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Raise overdue-visit alerts, then list every open alert, most severe first."""
    from sqlalchemy import select

    from rarepath.registry import service
    from rarepath.registry.models import Case

    with _open(db).session() as s:
        service.refresh_overdue_alerts(s, today=_date(today, "--today"))
        for a in service.alerts_for(s, _actor()):
            pseudonym = s.scalar(select(Case.pseudonym).where(Case.id == a.case_id))
            typer.echo(f"{pseudonym}\t{a.kind}\tseverity {a.severity}\t{a.message}")


@app.command("reanalyse")
def reanalyse_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Re-run every stored case (after `rarepath kb import`) and alert on what changed."""
    from rarepath.registry import service

    with _open(db).session() as s:
        results = service.reanalyse(s, _actor())
    changed = [r for r in results if r.assessment_id is not None]
    for r in changed:
        what = "; ".join(c.message for c in r.changes) or ("first assessment" if r.first else
                                                           "contract updated, no change of mechanism, verdict or product")
        typer.echo(f"{r.case}: assessment {r.assessment_id}; {what}")
    typer.echo(f"re-analysed {len(results)} cases: {len(changed)} changed")


@app.command("export")
def export_command(
    out: Path = typer.Argument(..., help="Output file: .csv or .parquet for the cohort, .json for one case."),
    case: str | None = typer.Option(None, "--case", help="Export one case (pseudonym) instead of the cohort."),
    fhir: bool = typer.Option(False, "--fhir", help="With --case: the follow-up as a FHIR Bundle, not a phenopacket."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Pseudonymised exports: the research cohort (CSV/Parquet), or one case as Phenopacket / FHIR JSON."""
    from rarepath.registry import exports, service

    with _open(db).session() as s:
        if case is not None:
            c = service.get_case(s, _actor(), case)
            data = exports.follow_up_fhir(s, _actor(), c) if fhir else exports.case_phenopacket(s, _actor(), c)
            out.write_text(json.dumps(data, indent=2) + "\n")
        else:
            rows = exports.cohort_rows(s, _actor())
            if out.suffix.lower() == ".parquet":
                out.write_bytes(exports.cohort_parquet(rows))
            elif out.suffix.lower() in (".csv", ".tsv"):
                out.write_text(exports.cohort_csv(rows))
            else:
                raise InputError("cohort export needs a .csv or .parquet file name", source=str(out))
    typer.echo(f"wrote {out}")


@audit_app.command("verify")
def verify_command(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Recompute the hash chain of the audit trail; exit 1 when an entry was changed or removed."""
    from rarepath.registry import audit

    with _open(db).session() as s:
        check = audit.verify(s)
    if check.ok:
        typer.echo(f"audit trail intact: {check.entries} entries")
        return
    typer.echo(f"audit trail BROKEN at entry {check.broken_at} after {check.entries} good entries: {check.problem}",
               err=True)
    raise typer.Exit(1)

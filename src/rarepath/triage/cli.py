"""`rarepath assess`: a case file (phenopacket, VCF, YAML) or quick options in; reports out."""

from __future__ import annotations

from pathlib import Path

import typer

from rarepath.intake.patient import PATIENT_KEYS_HELP
from rarepath.intake.quick import ZYGOSITY_HELP


def assess_command(
    case_file: Path | None = typer.Argument(None, help="Phenopacket v2 JSON, VCF, or YAML case file."),
    gene: str | None = typer.Option(None, "--gene", help="Disease gene (HGNC symbol) for a quick case or a VCF."),
    variant: str | None = typer.Option(None, "--variant", help="HGVS expression or documented plain description; "
                                       "several separated by ';'."),
    zygosity: str | None = typer.Option(None, "--zygosity", help=f"One of: {ZYGOSITY_HELP}."),
    patient: str | None = typer.Option(None, "--patient", help=f"'key=value; ...'. Keys: {PATIENT_KEYS_HELP}"),
    sample: str | None = typer.Option(None, "--sample", help="VCF sample (column) to assess; required when the "
                                      "VCF has several samples (a trio)."),
    hpo: list[str] = typer.Option([], "--hpo", help="HPO term ids (repeat or comma-separate)."),
    disease: list[str] = typer.Option([], "--disease", help="Diagnosis ids (OMIM:/ORPHA:), if known."),
    mechanism: str | None = typer.Option(None, "--mechanism", help="Override the inferred mechanism: loss_of_function, "
                                         "haploinsufficiency, dominant_negative, gain_of_function or unknown."),
    case_id: str | None = typer.Option(None, "--id", help="Case identifier for reports."),
    json_path: Path | None = typer.Option(None, "--json", help="Write the assessment JSON here."),
    html_dir: Path | None = typer.Option(None, "--html", help="Write clinician and family HTML reports here."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write PDF reports (WeasyPrint) next to the HTML."),
    screen: list[Path] = typer.Option([], "--screen", help="ranking.tsv (or its directory) from "
                                      "`rarepath screen analyze`: attach patient-model evidence to the options."),
    design: list[Path] = typer.Option([], "--design", help="JSON from `rarepath design edit` or `rarepath design "
                                      "aso` to include in the case report."),
    reference: Path | None = typer.Option(None, "--reference", help="Genome or region FASTA: design CRISPR, base- "
                                          "and prime-editing reagents for each variant that lies in it."),
    annotation: Path | None = typer.Option(None, "--annotation", help="GFF3/GenBank with the CDS, for HGVS c. "
                                           "variants and amino-acid consequences in those designs."),
    trials: bool = typer.Option(False, "--trials", help="Pre-screen the case against the stored trial records "
                                "('rarepath trials import|fetch') and add them to the reports."),
    trials_db: str | None = typer.Option(None, "--trials-db", help="Database of the trial records (default "
                                         "$RAREPATH_HOME/kb.sqlite)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No terminal table."),
    tsv: bool = typer.Option(False, "--tsv", help="Print the verdict table as tab-separated values (context lines "
                             "as '#' comments). Without a terminal the table is printed in full anyway."),
) -> None:
    """Assess a case: mechanism, every therapy modality with verdict and reasons, delivery, safety, follow-up."""
    from rarepath.errors import InputError
    from rarepath.intake import case_from_inputs
    from rarepath.report.render import print_summary, write_reports
    from rarepath.triage.engine import assess_case

    if case_file is not None and not case_file.exists():
        raise InputError("file not found", source=str(case_file))
    case = case_from_inputs(case_file, gene=gene, variant=variant, zygosity=zygosity, patient=patient,
                            hpo=tuple(hpo), diseases=tuple(disease), mechanism=mechanism, case_id=case_id,
                            sample=sample)
    assessment = assess_case(case)
    if reference is not None:
        from rarepath.design.case_designs import editing_designs

        assessment.designs.extend(editing_designs(case, reference, annotation=annotation))
    if design:
        from rarepath.report.designs import summarise_design

        assessment.designs.extend(summarise_design(p) for p in design)
    if screen:
        from rarepath.screens.ranking import apply_screen_evidence, load_ranking
        from rarepath.triage.engine import rank_options

        for path in screen:
            rows = load_ranking(path)
            sid = path.stem if path.is_file() else path.name
            apply_screen_evidence(assessment.options, rows, screen_id=sid)
            keep = ("name", "modality", "target_gene", "call", "max_rescue_pct", "ec50", "unit", "toxicity_pct",
                    "q_value")
            folder = path if path.is_dir() else path.parent
            report = folder / "report_section.html"
            assessment.screens.append({
                "id": sid, "source": str(path), "report": str(report) if report.exists() else None,
                "ranking": [{k: r.get(k) for k in keep} for r in rows[:15]],
                "figures": _screen_figures(folder, rows)})
        rank_options(assessment.options, assessment.mechanism.gene)
    if trials or trials_db:
        from rarepath.trials.match import match_case, report_section
        from rarepath.trials.store import TrialStore

        with TrialStore.open(trials_db) as store:
            assessment.trials = report_section(match_case(case, assessment, store))
    if pdf and html_dir is None:
        html_dir = Path("reports")
    written = write_reports(assessment, json_path=json_path, html_dir=html_dir, pdf=pdf)
    if not quiet or tsv:
        print_summary(assessment, tsv=tsv)
    for kind, path in written.items():
        typer.echo(f"{kind}: {path.resolve()}")


def _screen_figures(folder: Path, rows: list[dict]) -> list[dict[str, str]]:
    """The ranking chart and the curves of the top hits (the report inlines them, so HTML and PDF stand alone)."""
    plots = folder / "plots"
    wanted = [("ranking chart", plots / "ranking.png")]
    for r in [r for r in rows if r.get("call") == "hit"][:3]:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(r.get("treatment", "")))
        wanted.append((f"dose-response: {r.get('name')}", plots / f"curve_{safe}.png"))
    return [{"title": title, "path": str(p.resolve())} for title, p in wanted if p.is_file()]

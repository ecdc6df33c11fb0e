"""`rarepath screen ...`: thin shell over rarepath.screens."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Plate-based treatment screens: QC, normalisation, dose-response fits, ranking.",
                  no_args_is_help=True)


@app.command("analyze")
def analyze_command(
    plates: list[Path] = typer.Option(..., "--plates", help="Plate files or a directory (repeatable)."),
    map_file: Path = typer.Option(..., "--map", help="Plate map CSV/TSV (well, role, genotype, treatment, dose, unit)."),
    library: Path = typer.Option(..., "--library", help="Treatment library CSV/TSV (id, name, modality, target_gene)."),
    out: Path = typer.Option(..., "--out", help="Output directory (tables, plots, report section)."),
    case: str | None = typer.Option(None, "--case", help="Case id the screen belongs to (labels the output)."),
    channel: str | None = typer.Option(None, "--channel", help="Reader channel / result block to use."),
    edge_correction: bool = typer.Option(False, "--edge-correction", help="Divide out row/column patterns."),
    no_plots: bool = typer.Option(False, "--no-plots", help="Skip the PNG figures."),
    bootstrap: int = typer.Option(0, "--bootstrap", min=0, help="Residual-bootstrap resamples per curve for "
                                  "EC50/slope/plateau intervals, joined into fits.tsv as boot_* columns "
                                  "(0 = Wald intervals on log EC50 only)."),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5, help="Level of each curve's F test against "
                                "the flat model and of the (1 - alpha) EC50 intervals."),
) -> None:
    """QC, normalise, fit and rank a screen; write qc/wells/fits/ranking TSVs, plots and an HTML section."""
    from rarepath.screens.analysis import analyze_screen
    from rarepath.screens.layout import read_library, read_plate_map
    from rarepath.screens.readers import read_plates
    from rarepath.screens.report import write_outputs

    pmap = read_plate_map(map_file)
    lib = read_library(library)
    plate_list = read_plates(plates, wells=pmap.plate_wells, channel=channel)
    result = analyze_screen(plate_list, pmap, lib, screen_id=case or out.name, edge_correction=edge_correction,
                            bootstrap=bootstrap, alpha=alpha)
    paths = write_outputs(result, plate_list, out, plots=not no_plots)
    hits = [r for r in result.ranking if r["hit"]]
    typer.echo(f"{len(plate_list)} plates ({sum(q.verdict == 'fail' for q in result.qc)} failed QC), "
               f"{len(result.fits)} curves, {len(hits)} hits; wrote {paths['ranking']} and {paths['html']}")
    for w in result.warnings[:20]:
        typer.echo(f"warning: {w}", err=True)


@app.command("fit")
def fit_command(
    curves: Path = typer.Argument(..., help="Tidy TSV/CSV with columns curve_id, dose, response."),
    model: str = typer.Option("ll4", "--model", help="ll4, ll3u (top fixed) or ll3 (bottom fixed)."),
    tsv: Path = typer.Option(..., "--tsv", help="Output TSV (one row per curve)."),
    top: float | None = typer.Option(None, "--top", help="Fixed top for ll3u (default --scale)."),
    scale: float = typer.Option(100.0, "--scale", help="Untreated response (100 for %, 1 for fractions)."),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5,
                                help="Level of the F test against the flat model and of the (1 - alpha) EC50 interval."),
) -> None:
    """Fit log-logistic curves to tidy dose-response data (all curves at once)."""
    import csv

    from rarepath.errors import InputError
    from rarepath.screens.fit import MODELS, OUTPUT_COLUMNS, STATUSES, fit_tidy
    from rarepath.screens.report import write_tsv

    if model.lower() not in MODELS:
        raise InputError(f"unknown model {model!r} (use {', '.join(MODELS)})", field="--model")
    if not curves.is_file():
        raise InputError("no such file", source=str(curves))
    text = curves.read_text(encoding="utf-8-sig").splitlines()
    delim = "\t" if text and text[0].count("\t") >= text[0].count(",") else ","
    reader = csv.DictReader(text, delimiter=delim)
    cols = [c.strip().lower() for c in reader.fieldnames or []]
    for need in ("curve_id", "dose", "response"):
        if need not in cols:
            raise InputError(f"missing column {need!r} (have: {', '.join(cols)})", source=str(curves))
    ids, doses, resp = [], [], []
    for ln, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            d = float(row["dose"]) if row["dose"] not in ("", "NA") else float("nan")
            r = float(row["response"]) if row["response"] not in ("", "NA") else float("nan")
        except ValueError:
            raise InputError(f"line {ln}: dose and response must be numbers", source=str(curves)) from None
        if d < 0:
            raise InputError(f"line {ln}: negative dose {d}", source=str(curves), field="dose")
        ids.append(row["curve_id"])
        doses.append(d)
        resp.append(r)
    if not ids:
        raise InputError("no curves", source=str(curves))
    fits = fit_tidy(ids, doses, resp, model=model.lower(), top=top, response_scale=scale, alpha=alpha)
    write_tsv(tsv, fits.rows(), OUTPUT_COLUMNS)
    counts = ", ".join(f"{fits.status.count(s)} {s}" for s in STATUSES)
    typer.echo(f"{len(fits)} curves: {counts}; wrote {tsv}")


@app.command("gr")
def gr_command(
    counts: Path = typer.Argument(..., help="TSV/CSV in GRmetrics 'case A' form: grouping columns (cell_line, "
                                  "agent, time, ...) + concentration, cell_count, cell_count__ctrl, cell_count__time0."),
    tsv: Path = typer.Option(..., "--tsv", help="Output TSV: one row of GR metrics per condition."),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5, help="Level of the F test against a flat fit."),
) -> None:
    """GR metrics (Hafner et al. 2016) from cell counts with time-zero counts: GR50, GRmax, GR_AOC, GEC50, GRinf,
    h_GR (same fit, bounds and flat rule as the GRmetrics R package)."""
    import csv

    from rarepath.errors import InputError
    from rarepath.screens.gr import gr_table
    from rarepath.screens.report import write_tsv

    if not counts.is_file():
        raise InputError("no such file", source=str(counts))
    text = counts.read_text(encoding="utf-8-sig").splitlines()
    delim = "\t" if text and text[0].count("\t") >= text[0].count(",") else ","
    rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(text, delimiter=delim)]
    out = gr_table(rows, alpha=alpha, source=str(counts))
    write_tsv(tsv, out)
    n_flat = sum(r["fit"] == "flat" for r in out)
    typer.echo(f"{len(out)} conditions ({n_flat} flat); wrote {tsv}")


@app.command("example")
def example_command(
    out: Path = typer.Argument(..., help="Directory to write the example screen into."),
    seed: int = typer.Option(7, "--seed", help="Random seed of the simulated readings."),
) -> None:
    """Write the simulated screen of the bundled DMD case (del exons 48-50; patient myotubes + isogenic control;
    exon 51/53 skipping PMOs, an AAV micro-dystrophin construct, DMD drugs and controls): two 384-well plates, a
    plate map and a treatment library, ready for `rarepath screen analyze`."""
    from rarepath.screens.simulate import write_example_screen

    paths = write_example_screen(out, seed=seed)
    for kind, path in paths.items():
        typer.echo(f"{kind}: {path}")

"""Write a screen analysis to a directory: TSV tables, plots and an HTML report section."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from rarepath.screens.fit import OUTPUT_COLUMNS

TEMPLATE = Path(__file__).parent / "templates" / "screen_section.html.j2"


def _cell(v: Any) -> str:
    if isinstance(v, float) or hasattr(v, "dtype"):
        try:
            f = float(v)
        except (TypeError, ValueError):
            return str(v)
        if math.isnan(f):
            return "NA"
        return f"{f:.6g}"
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def write_tsv(path: Path, rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...] | None = None) -> Path:
    cols = list(columns) if columns else sorted({k for r in rows for k in r}, key=lambda k: list(rows[0]).index(k)
                                                if rows and k in rows[0] else 999)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in cols])
    tmp.replace(path)  # never leave a half-written table in place of a good one
    return path


def fmt(x: Any) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if math.isnan(f) else f"{f:.3g}"


def render_section(result: Any, images: list[str], thresholds: Any) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.ChainableUndefined)
    tpl = env.from_string(TEMPLATE.read_text())
    return tpl.render(screen_id=result.screen_id, qc=result.qc, ranking=result.ranking, images=images,
                      warnings=result.warnings, thr=thresholds, fmt=fmt)


#: bootstrap columns joined into fits.tsv when `--bootstrap N` was given (prefix boot_)
BOOT_COLUMNS = ("n_boot", "level", "method", "n_ok", "n_converged", "ec50_lo", "ec50_hi", "log10_ec50_se",
                "slope_lo", "slope_hi", "bottom_lo", "bottom_hi", "top_lo", "top_hi")


def fit_columns(result: Any) -> list[str]:
    cols = list(OUTPUT_COLUMNS)
    if getattr(result, "bootstrap", None) is not None:
        cols += [f"boot_{c}" for c in BOOT_COLUMNS]
    return cols


def fit_rows(result: Any) -> list[dict[str, Any]]:
    """fits.tsv rows: the point fit, joined with the residual-bootstrap intervals of the same curve."""
    rows = result.fits.rows()
    boot = getattr(result, "bootstrap", None)
    if boot is None:
        return rows
    at = {cid: i for i, cid in enumerate(boot.curve_id)}
    for r in rows:
        i = at[r["curve_id"]]
        for c in BOOT_COLUMNS:
            v = getattr(boot, c)
            r[f"boot_{c}"] = v if c in ("n_boot", "level", "method") else v[i]
    return rows


def write_outputs(result: Any, plates: list[Any], out: str | Path, *, thresholds: Any = None,
                  plots: bool = True, max_curve_plots: int = 24) -> dict[str, Path]:
    """qc.tsv, wells.tsv, fits.tsv (with boot_* columns when bootstrapped), ranking.tsv, plots/*.png and
    report_section.html under `out` (columns documented in docs/screens.md)."""
    from rarepath.screens.ranking import HitThresholds

    thr = thresholds or HitThresholds()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "qc": write_tsv(out / "qc.tsv", [q.to_dict() for q in result.qc]),
        "wells": write_tsv(out / "wells.tsv", result.wells),
        "fits": write_tsv(out / "fits.tsv", fit_rows(result), fit_columns(result)),
        "ranking": write_tsv(out / "ranking.tsv", result.ranking),
    }
    if getattr(result, "gr", None):
        paths["gr"] = write_tsv(out / "gr.tsv", result.gr)
    images: list[str] = []
    if plots:
        from rarepath.screens import plots as pl

        pdir = out / "plots"
        pdir.mkdir(exist_ok=True)
        by_id = {p.id: p for p in plates}
        for q in result.qc:
            if q.plate in by_id:
                images.append(str(pl.plate_heatmap(by_id[q.plate].values, q, pdir / f"plate_{_safe(q.plate)}.png")
                                  .relative_to(out)))
        if result.ranking:
            images.append(str(pl.ranking_chart(result.ranking, pdir / "ranking.png").relative_to(out)))
        rep = pl.replicate_plot(result.wells, pdir / "replicates.png")
        if rep is not None:
            images.append(str(rep.relative_to(out)))
        for r in result.ranking[:max_curve_plots]:
            images.append(str(pl.curve_plot(result, r["treatment"], pdir / f"curve_{_safe(r['treatment'])}.png")
                              .relative_to(out)))
    html = out / "report_section.html"
    html.write_text(render_section(result, images, thr))
    paths["html"] = html
    return paths


def _safe(s: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in s)

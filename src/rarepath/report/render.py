"""Render an Assessment as JSON, clinician HTML, family HTML, PDF (WeasyPrint) and a terminal table (rich)."""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from rarepath.errors import InputError
from rarepath.model import Assessment
from rarepath.report.plain import (
    FAMILY_QUESTIONS,
    MECHANISM_PLAIN,
    MODALITY_PLAIN,
    ROUTE_PLAIN,
    VERDICT_PLAIN,
)

_ENV = Environment(loader=PackageLoader("rarepath.report", "templates"), autoescape=select_autoescape(["j2", "html"]))


def _css() -> str:
    return (Path(__file__).parent / "templates" / "base.css").read_text()


def _inline_figures(data: dict[str, Any]) -> dict[str, Any]:
    """Copy of the report data with screen figures embedded as base64 PNG (paths stay in the JSON)."""
    import base64

    screens = []
    for sc in data.get("screens") or []:
        figs = []
        for f in sc.get("figures") or []:
            p = Path(f.get("path", ""))
            if p.is_file():
                figs.append({**f, "png_base64": base64.b64encode(p.read_bytes()).decode("ascii")})
        screens.append({**sc, "figures": figs})
    return {**data, "screens": screens}


def render_clinician_html(a: Assessment | dict[str, Any]) -> str:
    data = _inline_figures(a.to_dict() if isinstance(a, Assessment) else a)
    return _ENV.get_template("clinician.html.j2").render(
        a=data, css=_css(), generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def _plain_option(o: dict[str, Any], disease_gene: str) -> dict[str, Any]:
    title, what = MODALITY_PLAIN[o["modality"]]
    reasons = o.get("reasons") or []
    first = reasons[0]["detail"] if reasons else ""
    route = (o.get("delivery") or {}).get("route", "")
    note = ""
    if o["target"] != disease_gene:
        note = f"acting on a helper gene, {o['target']}, rather than on {disease_gene} itself"
    return {
        "title": title, "what": what, "verdict": o["verdict"], "verdict_plain": VERDICT_PLAIN[o["verdict"]],
        "products": [p["name"] for p in o.get("products", []) if "not eligible" not in p.get("status", "")],
        "route": ROUTE_PLAIN.get(route, route if route not in ("unknown", "") else ""),
        "why": _soften(first), "target_note": note,
        "follow_years": int(o["follow_up"]["duration_years"]) if (o.get("follow_up") or {}).get("duration_years")
        and o["verdict"] in ("recommended", "possible") else None,
    }


def _soften(text: str) -> str:
    """Keep the engine's reason but expand the abbreviations a family meets most often."""
    repl = {"AAV": "AAV (a harmless virus shell used to carry genes)", "CDS": "gene's coding part",
            " bp": " DNA letters", "ASO": "ASO (short RNA-like medicine)", "HSC": "blood stem cell",
            "LNP": "LNP (fat-bubble carrier)"}
    out = text
    for token, (title, _) in MODALITY_PLAIN.items():
        out = out.replace(token, title.lower())
    for token in ("loss_of_function", "gain_of_function", "dominant_negative", "not_suitable", "in_vivo",
                  "ex_vivo"):
        out = out.replace(token, token.replace("_", " "))
    for k, v in repl.items():
        if k in out:
            out = out.replace(k, v, 1)
    # any remaining machine token (exclude_deleted_exons) reads as words
    return re.sub(r"\b([A-Za-z0-9]+(?:_[A-Za-z0-9]+)+)\b", lambda m: m.group(1).replace("_", " "), out)


def render_family_html(a: Assessment | dict[str, Any]) -> str:
    data = a.to_dict() if isinstance(a, Assessment) else a
    gene = (data["case"]["genes"] or ["?"])[0]
    conf = data["mechanism"]["confidence"]
    words = "fairly sure" if conf >= 0.7 else "somewhat sure" if conf >= 0.5 else "not very sure"
    disease = "; ".join(data["diseases"][0]["labels"]) if data.get("diseases") else ""
    return _ENV.get_template("family.html.j2").render(
        a=data, css=_css(), disease=disease, mechanism_plain=MECHANISM_PLAIN[data["mechanism"]["call"]],
        confidence_words=words, options=[_plain_option(o, gene) for o in data["options"]],
        questions=FAMILY_QUESTIONS)


def _atomic_write(path: Path, content: str | bytes) -> None:
    """Write via a temporary file and rename, so an earlier report is never left half-overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(a: Assessment, *, json_path: Path | None = None, html_dir: Path | None = None,
                  pdf: bool = False) -> dict[str, Path]:
    """Write the requested outputs; returns what was written, by kind."""
    written: dict[str, Path] = {}
    data = a.to_dict()
    try:
        if json_path is not None:
            _atomic_write(json_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            written["json"] = json_path
        if html_dir is not None or pdf:
            out = html_dir or Path("reports")
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in a.case.id)
            clin = render_clinician_html(data)
            fam = render_family_html(data)
            _atomic_write(out / f"{safe}.clinician.html", clin)
            _atomic_write(out / f"{safe}.family.html", fam)
            written["clinician_html"] = out / f"{safe}.clinician.html"
            written["family_html"] = out / f"{safe}.family.html"
            if pdf:
                from weasyprint import HTML

                for kind, html in (("clinician", clin), ("family", fam)):
                    target = out / f"{safe}.{kind}.pdf"
                    _atomic_write(target, HTML(string=html).write_pdf())
                    written[f"{kind}_pdf"] = target
    except OSError as err:
        raise InputError(f"cannot write report: {err.strerror}", source=str(err.filename or "")) from None
    return written


def print_summary(a: Assessment, console: Any = None) -> None:
    """Terminal summary with rich: mechanism line and the verdict table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    m = a.mechanism
    console.print(f"[bold]{a.case.id}[/bold]  gene {', '.join(a.case.genes)}  "
                  f"mechanism [bold]{m.call.value}[/bold] (confidence {m.confidence:.2f})")
    table = Table(show_lines=False)
    for col in ("#", "modality", "target", "verdict", "score", "delivery", "products"):
        table.add_column(col)
    colour = {"recommended": "green", "possible": "yellow", "not_suitable": "dim", "contraindicated": "red"}
    for i, o in enumerate(a.options, 1):
        d = o.delivery
        table.add_row(str(i), o.modality.value, o.target, f"[{colour[o.verdict.value]}]{o.verdict.value}[/]",
                      f"{o.score:.2f}", f"{d.mode}/{d.route}" if d else "",
                      ", ".join(p.name for p in o.products if "not eligible" not in p.status))
    console.print(table)
    console.print(f"[italic]{a.disclaimer}[/italic]")

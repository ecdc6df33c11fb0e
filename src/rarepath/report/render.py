"""Render an Assessment as JSON, clinician HTML, family HTML, PDF (WeasyPrint) and a terminal table (rich)."""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from rarepath.errors import InputError
from rarepath.model import Assessment
from rarepath.report.view import clinician_view, designs_view, family_view, human, screens_view, warnings

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
    """The clinician report: evidence tables, products with approvals by region, one plan per distinct plan."""
    data = _inline_figures(a.to_dict() if isinstance(a, Assessment) else a)
    return _ENV.get_template("clinician.html.j2").render(
        v=clinician_view(data), screens=screens_view(data.get("screens") or []),
        designs=designs_view(data.get("designs") or []), css=_css(), trials=data.get("trials") or {},
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def render_family_html(a: Assessment | dict[str, Any]) -> str:
    """The family report: plain words for the patient (adult) or the parent (child), no technical detail."""
    data = a.to_dict() if isinstance(a, Assessment) else a
    return _ENV.get_template("family.html.j2").render(f=family_view(data), css=_css(), trials=data.get("trials") or {})


def _umask() -> int:
    """The process umask (read by setting and restoring it: POSIX has no read-only call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, content: str | bytes) -> None:
    """Write via a temporary file and rename, so an earlier report is never left half-overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as fh:
            fh.write(content)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is shared like any file the user writes
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_reports(a: Assessment, *, json_path: Path | None = None, html_dir: Path | None = None,
                  pdf: bool = False) -> dict[str, Path]:
    """Write the requested outputs; returns what was written, by kind."""
    data = a.to_dict()
    # Everything is rendered before the first file is written: a failure leaves no partial set of reports.
    contents: dict[str, tuple[Path, str | bytes]] = {}
    if json_path is not None:
        contents["json"] = (json_path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    if html_dir is not None or pdf:
        out = html_dir or Path("reports")
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in a.case.id)
        html = {"clinician": render_clinician_html(data), "family": render_family_html(data)}
        for kind, text in html.items():
            contents[f"{kind}_html"] = (out / f"{safe}.{kind}.html", text)
        if pdf:
            from weasyprint import HTML

            for kind, text in html.items():
                contents[f"{kind}_pdf"] = (out / f"{safe}.{kind}.pdf", HTML(string=text).write_pdf())
    written: dict[str, Path] = {}
    try:
        for kind, (path, content) in contents.items():
            _atomic_write(path, content)
            written[kind] = path
    except OSError as err:
        raise InputError(f"cannot write report: {err.strerror}", source=str(err.filename or "")) from None
    return written


def summary_lines(a: Assessment | dict[str, Any]) -> list[str]:
    """What the terminal prints above the table: case, resolved disease, mechanism, then every warning."""
    data = a.to_dict() if isinstance(a, Assessment) else a
    case = data.get("case") or {}
    m = data.get("mechanism") or {}
    genes = ", ".join(case.get("genes") or []) or "none"
    lines = [f"{case.get('id')}  gene {genes}  mechanism {m.get('call')} (confidence "
             f"{float(m.get('confidence') or 0):.2f}{', user override' if m.get('overridden') else ''})"]
    status = data.get("affected_status") or {}
    if status.get("status") and status.get("status") != "affected":
        first = (status.get("evidence") or [{}])[0]
        lines.append(f"affected status: {str(status['status']).replace('_', ' ')}: {first.get('detail', '')} "
                     f"(best verdict allowed: {str(status.get('best_verdict_allowed', '')).replace('_', ' ')})")
    for d in data.get("diseases") or []:
        if d.get("ambiguous"):
            continue  # told by warnings()
        label = "; ".join(d.get("labels") or []) or "not resolved"
        how = "inferred from gene and variant" if d.get("inferred_from_gene") else "from the diagnosis given"
        lines.append(f"disease: {label} ({', '.join(d.get('ids') or []) or 'no id'}; {how})")
    if not data.get("diseases"):
        lines.append("disease: not resolved")
    lines += [f"warning: {w}" for w in warnings(data)]
    gene_less = [o for o in data.get("options") or [] if not o.get("target")]
    if gene_less and not any("disease gene" in w for w in warnings(data)):
        lines.append(f"warning: no disease gene in this case: {len(gene_less)} gene-level options not assessed")
    return lines


_COLUMNS = ("#", "modality", "target", "verdict", "score", "delivery", "products")


def summary_rows(a: Assessment | dict[str, Any]) -> list[tuple[str, ...]]:
    """The verdict table, full values; options without a target (no disease gene) are left to summary_lines."""
    data = a.to_dict() if isinstance(a, Assessment) else a
    rows = []
    for i, o in enumerate(data.get("options") or [], 1):
        if not o.get("target"):
            continue
        d = o.get("delivery") or {}
        products = ", ".join(str(p.get("name")) for p in o.get("products") or []
                             if "not eligible" not in str(p.get("status", "")))
        rows.append((str(i), str(o.get("modality")), str(o.get("target")), str(o.get("verdict")),
                     f"{float(o.get('score') or 0):.2f}", f"{d.get('mode')}/{d.get('route')}" if d else "",
                     products))
    return rows


def _clip(text: str, limit: int = 200) -> str:
    """Terminal cells stay short (a 100,000-character id would make the table quadratic to lay out)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_summary(a: Assessment, console: Any = None, *, tsv: bool = False, stream: Any = None) -> None:
    """Terminal summary: case, disease and warnings, then the verdict table.

    On a terminal the table is drawn with rich; when stdout is a pipe or a file the values are printed in full
    as aligned plain columns (no 80-column truncation); `tsv=True` prints tab-separated values with the
    context lines as `#` comments.
    """
    import sys

    out = stream or sys.stdout
    data = a.to_dict()
    lines, rows = summary_lines(data), summary_rows(data)
    if tsv:
        for ln in lines:
            out.write(f"# {ln}\n")
        out.write("\t".join(("rank", *_COLUMNS[1:])) + "\n")  # '#' would read as a comment
        for r in rows:
            out.write("\t".join(c.replace("\t", " ").replace("\n", " ") for c in r) + "\n")
        return
    if console is None and not out.isatty():
        for ln in lines:
            out.write(ln + "\n")
        if rows:
            widths = [max(len(c) for c in col) for col in zip(_COLUMNS, *rows, strict=True)]
            for r in (_COLUMNS, *rows):
                out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
        out.write(human(data.get("disclaimer")) + "\n")
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    for i, ln in enumerate(lines):
        style = "bold" if i == 0 else "yellow" if ln.startswith("warning:") else ""
        console.print(f"[{style}]{escape(_clip(ln, 400))}[/]" if style else escape(_clip(ln, 400)))
    if rows:
        table = Table(show_lines=False)
        for col in _COLUMNS:
            table.add_column(col)
        colour = {"recommended": "green", "possible": "yellow", "not_suitable": "dim", "contraindicated": "red"}
        for r in rows:
            cells = [escape(_clip(c)) for c in r]
            cells[3] = f"[{colour.get(r[3], '')}]{cells[3]}[/]" if colour.get(r[3]) else cells[3]
            table.add_row(*cells)
        console.print(table)
    console.print(f"[italic]{escape(human(data.get('disclaimer')))}[/italic]")

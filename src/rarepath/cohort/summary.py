"""The cohort at a glance: how many cases have a `recommended` or `possible` option, by modality, product and
disease, with charts (matplotlib, inlined as SVG so the HTML stands alone).

`summarise` is pure (a table in, counts out); `write_summary` renders them with Jinja2.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rarepath.cohort.rows import ACTIONABLE

__all__ = ["CohortSummary", "summarise", "write_summary"]

#: rows per table and bars per chart (the Parquet dataset has everything)
TOP = 25


@dataclass
class CohortSummary:
    """Counts of cases (not options): a case counts once per modality, product or disease, under the best
    verdict it reaches there."""

    cases: int = 0
    errors: int = 0
    best: Counter = field(default_factory=Counter)  # verdict of each case's best option -> cases
    by_modality: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_product: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_disease: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    disease_cases: Counter = field(default_factory=Counter)  # disease -> cases with that diagnosis

    def top(self, table: dict[str, Counter], n: int = TOP) -> list[tuple[str, int, int]]:
        """(name, cases with a recommended option, cases whose best there is possible), most first."""
        rows = [(k, c["recommended"], c["possible"]) for k, c in table.items()]
        return sorted(rows, key=lambda r: (-r[1] - r[2], -r[1], r[0]))[:n]


def _best_per_case(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """key -> best actionable verdict among the pairs (recommended beats possible)."""
    best: dict[str, str] = {}
    for key, verdict in pairs:
        if best.get(key) != "recommended":
            best[key] = verdict
    return best


def summarise(table: pa.Table, errors: int = 0) -> CohortSummary:
    """Counts for the summary page from the cohort rows (SCHEMA)."""
    out = CohortSummary(errors=errors)
    first = table.filter(pc.equal(table.column("option_rank"), 0))
    out.cases = first.num_rows
    out.best.update(first.column("verdict").to_pylist())
    labels: dict[str, str] = {}
    case_diseases: dict[str, list[str]] = {}
    for key, ids, names in zip(first.column("case_key").to_pylist(), first.column("disease_ids").to_pylist(),
                               first.column("disease_labels").to_pylist(), strict=True):
        named = []
        for i, did in enumerate(ids or ()):
            labels.setdefault(did, (names or [""])[i] if i < len(names or ()) else "")
            named.append(did)
        case_diseases[key] = named or ["no diagnosis resolved"]
        for did in case_diseases[key]:
            out.disease_cases[did] += 1
    act = table.filter(pc.is_in(table.column("verdict"), pa.array(ACTIONABLE)))
    keys = act.column("case_key").to_pylist()
    verdicts = act.column("verdict").to_pylist()
    modalities = act.column("modality").to_pylist()
    products = act.column("products").to_pylist()
    for table_out, per_row in ((out.by_modality, [[m] for m in modalities]),
                               (out.by_product, [p or [] for p in products]),
                               (out.by_disease, [case_diseases.get(k, []) for k in keys])):
        pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key, verdict, items in zip(keys, verdicts, per_row, strict=True):
            for item in items:
                pairs[item].append((key, verdict))
        for item, kv in pairs.items():
            table_out[item].update(_best_per_case(kv).values())
    for did in list(out.by_disease):
        if labels.get(did):
            out.by_disease[f"{labels[did]} ({did})"] = out.by_disease.pop(did)
    return out


def _bar_chart(title: str, rows: list[tuple[str, int, int]]) -> str:
    """Horizontal stacked bars (recommended, possible) as an inline SVG string."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(reversed(rows))
    names = [r[0] if len(r[0]) <= 48 else r[0][:45] + "..." for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
    try:
        ax.barh(names, [r[1] for r in rows], color="#2e7d32", label="recommended")
        ax.barh(names, [r[2] for r in rows], left=[r[1] for r in rows], color="#f9a825", label="possible")
        ax.set_xlabel("cases")
        ax.set_title(title, fontsize=11)
        ax.tick_params(axis="y", labelsize=8)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    finally:
        plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog so it inlines in HTML


def write_summary(table: pa.Table, errors: list[dict[str, str]], path: Path,
                  manifest: dict[str, Any] | None = None) -> Path:
    """Render summary.html for a cohort run."""
    from jinja2 import Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    from rarepath import DISCLAIMER

    s = summarise(table, errors=len(errors))
    sections = []
    for title, data in (("Cases by modality", s.by_modality), ("Cases by product", s.by_product),
                        ("Cases by disease", s.by_disease)):
        rows = s.top(data)
        chart = Markup(_bar_chart(title, rows)) if rows else None
        sections.append({"title": title, "rows": rows, "total": len(data), "chart": chart})
    env = Environment(loader=PackageLoader("rarepath.cohort", "templates"), autoescape=select_autoescape(["j2"]))
    html = env.get_template("summary.html.j2").render(
        s=s, sections=sections, errors=errors[:TOP], manifest=manifest or {}, disclaimer=DISCLAIMER,
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        actionable=sum(s.best[v] for v in ACTIONABLE))
    path.write_text(html, encoding="utf-8")
    return path

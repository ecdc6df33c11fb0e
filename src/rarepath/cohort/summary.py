"""The cohort at a glance: how many cases have a `recommended` or `possible` option, by modality, product and
disease, with charts (matplotlib, inlined as SVG so the HTML stands alone).

`summarise` is pure (a table in, counts out); `write_summary` renders them with Jinja2.
"""

from __future__ import annotations

import datetime as _dt
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rarepath.cohort.rows import ACTIONABLE, INELIGIBLE_MARK

__all__ = ["CohortSummary", "summarise", "write_summary"]

#: rows per table and bars per chart (the Parquet dataset has everything)
TOP = 25


@dataclass
class CohortSummary:
    """Counts of cases (not options): a case counts once per modality, product or disease, under the best
    verdict it reaches there; a product the patient is not eligible for does not count."""

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


def _count_best(pairs: pa.Table, by: str) -> dict[str, Counter]:
    """`pairs` has columns (by, case_key, rec: recommended?): cases per `by` value under their best verdict."""
    per_case = pairs.group_by([by, "case_key"]).aggregate([("rec", "max")])
    counts = per_case.group_by([by, "rec_max"]).aggregate([("case_key", "count")])
    out: dict[str, Counter] = defaultdict(Counter)
    for name, rec, n in zip(counts.column(by).to_pylist(), counts.column("rec_max").to_pylist(),
                            counts.column("case_key_count").to_pylist(), strict=True):
        out[name]["recommended" if rec else "possible"] += n
    return out


def _flatten(table: pa.Table, list_column: str, name: str, keep: tuple[str, ...]) -> pa.Table:
    """One row per item of a list column, with the `keep` columns of its row."""
    lists = table.column(list_column)
    parents = pc.list_parent_indices(lists)
    cols = {name: pc.list_flatten(lists)}
    cols.update({k: pc.take(table.column(k), parents) for k in keep})
    return pa.table(cols)


def summarise(table: pa.Table, errors: int = 0) -> CohortSummary:
    """Counts for the summary page from the cohort rows (SCHEMA), computed with Arrow group-bys (a run of
    100,000 cases has ~700,000 rows)."""
    out = CohortSummary(errors=errors)
    first = table.filter(pc.equal(table.column("option_rank"), 0))
    out.cases = first.num_rows
    counts = pc.value_counts(first.column("verdict"))
    out.best.update({c["values"].as_py(): c["counts"].as_py() for c in counts})
    act = table.filter(pc.is_in(table.column("verdict"), pa.array(ACTIONABLE)))
    act = act.append_column("rec", pc.equal(act.column("verdict"), "recommended"))
    out.by_modality = _count_best(act.select(["modality", "case_key", "rec"]), "modality")
    products = _flatten(act, "products", "product", ("case_key", "rec"))
    status = pc.list_flatten(act.column("product_status"))
    products = products.filter(pc.invert(pc.match_substring(status, INELIGIBLE_MARK)))
    out.by_product = _count_best(products, "product")
    # diseases belong to the case (its rank-0 row); a case without one is counted as such
    ids = first.column("disease_ids")
    none = "no diagnosis resolved"
    ids = pc.if_else(pc.greater(pc.list_value_length(ids), 0), ids, pa.scalar([none], pa.list_(pa.string())))
    cases = _flatten(first.set_column(first.schema.get_field_index("disease_ids"), "disease_ids", ids),
                     "disease_ids", "disease", ("case_key",))
    dc = cases.group_by("disease").aggregate([("case_key", "count_distinct")])
    out.disease_cases.update(dict(zip(dc.column("disease").to_pylist(),
                                      dc.column("case_key_count_distinct").to_pylist(), strict=True)))
    best = act.group_by("case_key").aggregate([("rec", "max")]).rename_columns(["case_key", "rec"])
    out.by_disease = _count_best(cases.join(best, "case_key", join_type="inner"), "disease")
    labels: dict[str, str] = {}
    for row_ids, row_labels in zip(first.column("disease_ids").to_pylist(),
                                   first.column("disease_labels").to_pylist(), strict=True):
        for i, did in enumerate(row_ids or ()):
            if did not in labels and row_labels and i < len(row_labels):
                labels[did] = row_labels[i]
    def name(did: str) -> str:
        return f"{labels[did]} ({did})" if labels.get(did) else did

    out.by_disease = {name(d): c for d, c in out.by_disease.items()}
    out.disease_cases = Counter({name(d): n for d, n in out.disease_cases.items()})
    return out


def _short(name: str, width: int = 48) -> str:
    """A chart label that fits, keeping a trailing '(OMIM:...)' id whole."""
    if len(name) <= width:
        return name
    label, sep, ident = name.rpartition(" (")
    if sep and ident.endswith(")") and len(ident) < width - 10:
        return f"{label[:width - len(ident) - 5]}... ({ident}"
    return name[:width - 3] + "..."


def _bar_chart(title: str, rows: list[tuple[str, int, int]]) -> str:
    """Horizontal stacked bars (recommended, possible) as an inline SVG string."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(reversed(rows))
    names = [_short(r[0]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.2))
    try:
        ax.barh(names, [r[1] for r in rows], color="#2e7d32", label="recommended")
        ax.barh(names, [r[2] for r in rows], left=[r[1] for r in rows], color="#f9a825", label="possible")
        ax.set_xlabel("cases")
        ax.set_title(title, fontsize=11)
        ax.tick_params(axis="y", labelsize=8)
        fig.legend(loc="lower center", ncols=2, fontsize=8, frameon=False)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
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
    for title, data, totals in (("Cases by modality", s.by_modality, None),
                                ("Cases by product", s.by_product, None),
                                ("Cases by disease", s.by_disease, s.disease_cases)):
        rows = s.top(data)
        chart = Markup(_bar_chart(title, rows)) if rows else None
        sections.append({"title": title, "rows": rows, "total": len(data), "chart": chart, "totals": totals})
    env = Environment(loader=PackageLoader("rarepath.cohort", "templates"), autoescape=select_autoescape(["j2"]))
    html = env.get_template("summary.html.j2").render(
        s=s, sections=sections, errors=errors[:TOP], manifest=manifest or {}, disclaimer=DISCLAIMER,
        generated=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        actionable=sum(s.best[v] for v in ACTIONABLE))
    path.write_text(html, encoding="utf-8")
    return path

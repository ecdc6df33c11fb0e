"""One row per case x option, read from the JSON contract of `rarepath assess` (`Assessment.to_dict()`),
so a cohort row says exactly what the per-case report says.

The columns (SCHEMA) are the question a programme asks of its cohort: which case (key, id, source), which
gene and diagnosis, which mechanism with what confidence, then each option as the engine ranked it
(option_rank 0 is the best), with its products, their status and latest approval year, and the versions
of the engine and of the knowledge it used.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

__all__ = ["SCHEMA", "assessment_rows", "knowledge_version", "ACTIONABLE"]

#: verdicts that make a case "have a treatment path" in the summary and the diff
ACTIONABLE = ("recommended", "possible")
#: product statuses that count as an approval (therapies.tsv `status` vocabulary)
APPROVED_STATUSES = ("approved", "conditional_approval")
#: how the engine qualifies the status of a product the patient is not eligible for ("approved (patient not
#: eligible)", rarepath.triage.products): such a product counts neither for `approval_year` (the latest
#: approval that applies to this patient) nor for the summary's product counts
INELIGIBLE_MARK = "not eligible"


def applies(status: str) -> bool:
    """A product status that does not say the patient is ineligible."""
    return INELIGIBLE_MARK not in status


def is_approval(status: str) -> bool:
    """An approved or conditionally approved product that applies to the patient ('approved', 'approved
    (eligibility to confirm)'; not 'approved (patient not eligible)')."""
    return status.split(" (")[0] in APPROVED_STATUSES and applies(status)

SCHEMA = pa.schema([
    pa.field("case_key", pa.string(), nullable=False),
    pa.field("case_id", pa.string()),
    pa.field("source", pa.string()),
    pa.field("gene", pa.string()),
    pa.field("disease_ids", pa.list_(pa.string())),
    pa.field("disease_labels", pa.list_(pa.string())),
    pa.field("mechanism", pa.string()),
    pa.field("mechanism_confidence", pa.float64()),
    pa.field("option_rank", pa.int32()),
    pa.field("modality", pa.string()),
    pa.field("target", pa.string()),
    pa.field("verdict", pa.string()),
    pa.field("score", pa.float64()),
    pa.field("products", pa.list_(pa.string())),
    pa.field("product_status", pa.list_(pa.string())),
    pa.field("approval_year", pa.int32()),
    pa.field("rarepath_version", pa.string()),
    pa.field("kb_version", pa.string()),
])


def knowledge_version(knowledge: dict[str, Any]) -> str:
    """A short readable version of the knowledge an assessment used (its `knowledge` block): curated
    table releases, the HPO release, and the imported knowledge-base sources."""
    curated = sorted({str(v.get("version", "?")).split()[0] for v in (knowledge.get("curated") or {}).values()})
    hpo = str(knowledge.get("hpo", "HPO ?")).split(";")[0]
    kb = knowledge.get("knowledge_base")
    imported = ",".join(f"{s.get('source')} {s.get('version')}" for s in kb) if isinstance(kb, list) else "none"
    return f"curated {'/'.join(curated)}; {hpo}; kb {imported or 'none'}"


@functools.cache
def _approval_years() -> dict[str, int]:
    """Product name -> year of first approval, from the curated therapies table (loaded once per process)."""
    from rarepath.knowledge.context import default_context

    out: dict[str, int] = {}
    for row in default_context().table("therapies"):
        year = (row.get("year") or "").strip()
        if year.isdigit() and row.get("name"):
            out[row["name"]] = int(year)
    return out


def _dedupe(values: Iterable[Any]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(str(v), None)
    return list(seen)


def assessment_rows(assessment: dict[str, Any], case_key: str, source: str,
                    kb_version: str | None = None) -> list[dict[str, Any]]:
    """Rows for one assessed case, from `Assessment.to_dict()`; options keep the engine's order."""
    case = assessment["case"]
    mech = assessment["mechanism"]
    diseases = assessment.get("diseases") or []
    disease_ids = _dedupe(i for d in diseases for i in d.get("ids") or ()) or _dedupe(
        d.get("id") for d in case.get("diseases") or ())
    labels = _dedupe(lab for d in diseases for lab in d.get("labels") or ()) or _dedupe(
        d.get("label") for d in case.get("diseases") or ())
    genes = case.get("genes") or []
    version = kb_version if kb_version is not None else knowledge_version(assessment.get("knowledge") or {})
    years = _approval_years()
    base = {
        "case_key": case_key,
        "case_id": case.get("id"),
        "source": source,
        "gene": mech.get("gene") or (genes[0] if genes else ""),
        "disease_ids": disease_ids,
        "disease_labels": labels,
        "mechanism": mech.get("call"),
        "mechanism_confidence": mech.get("confidence"),
        "rarepath_version": assessment.get("rarepath_version"),
        "kb_version": version,
    }
    rows = []
    for rank, opt in enumerate(assessment.get("options") or ()):
        products = opt.get("products") or []
        approved = [years[p["name"]] for p in products if is_approval(p.get("status", "")) and p.get("name") in years]
        rows.append({
            **base,
            "option_rank": rank,
            "modality": opt.get("modality"),
            "target": opt.get("target"),
            "verdict": opt.get("verdict"),
            "score": opt.get("score"),
            "products": [p.get("name", "") for p in products],
            "product_status": [p.get("status", "") for p in products],
            "approval_year": max(approved) if approved else None,
        })
    return rows

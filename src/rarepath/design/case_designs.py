"""Reagent designs for a case: editing designs for each patient variant that lies in a given reference.

`rarepath assess CASE --reference REGION.fa` calls this, so the case report carries the guides, base-editor and
prime-editor options a lab would use to correct the variant in the patient's cells (isogenic control).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rarepath.errors import InputError
from rarepath.model import Case, Variant


def variant_spec(v: Variant) -> str | None:
    """The form `design edit` reads: `SEQ:POSREF>ALT` from coordinates, else an accessioned HGVS c. expression."""
    if v.chrom and v.pos and v.ref and v.alt:
        return f"{v.chrom}:{v.pos}{v.ref}>{v.alt}"
    if v.hgvs_c and ":" in v.hgvs_c:
        return v.hgvs_c
    return None


def editing_designs(case: Case, reference: Path, *, annotation: Path | None = None, transcript: str | None = None,
                    goal: str = "correct") -> list[dict[str, Any]]:
    """One design summary per variant that lies in `reference`; variants elsewhere are listed as skipped.

    An InputError is raised only when no variant of the case could be designed (the user asked for designs).
    """
    from rarepath.design.crispr.design import design_edit
    from rarepath.report.designs import summarise_edit_design

    out: list[dict[str, Any]] = []
    skipped: list[str] = []
    for v in case.variants:
        spec = variant_spec(v)
        if spec is None:
            skipped.append(f"{v.description}: no genomic position or accessioned HGVS c. expression")
            continue
        try:
            design = design_edit(reference, spec, goal=goal, annotation=annotation, transcript=transcript)
        except InputError as err:
            skipped.append(f"{v.description}: {err.problem}")
            continue
        summary = summarise_edit_design(design.to_dict(), source=str(reference))
        summary["variant"] = summary.get("variant") or spec
        summary["case_variant"] = v.description
        out.append(summary)
    if not out:
        raise InputError("no variant of the case lies in the reference: " + "; ".join(skipped),
                         source=str(reference), field="--reference")
    for note in skipped:
        out.append({"kind": "genome_editing", "source": str(reference), "headline": f"not designed: {note}",
                    "shortlist": []})
    return out

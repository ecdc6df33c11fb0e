"""Attach reagent designs (`rarepath design edit --json`, `rarepath design aso --json`) to a case report.

The design commands are run on the lab's reference sequence; the case report shows their short lists next to
the therapy options they support (genome editing, splice modulation), without recomputing them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rarepath.errors import InputError


def summarise_edit_design(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Headline and short list of a `design edit` result (its JSON form)."""
    return {
        "kind": "genome_editing", "source": source, "variant": data.get("variant"),
        "goal": data.get("goal"), "change": data.get("change"),
        "headline": data.get("base_editing_note") or "",
        "counts": {k: len(data.get(k) or []) for k in ("nuclease_guides", "base_editor_guides", "pegrnas")},
        "offtarget_scope": data.get("offtarget_scope"),
        "shortlist": [{k: s.get(k) for k in ("rank", "method", "editor", "guide", "score", "reason")}
                      for s in data["shortlist"][:5]],
    }


def summarise_design(path: Path) -> dict[str, Any]:
    """Read one design JSON and keep what a clinician report shows: kind, headline and a short list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid JSON ({err})", source=str(path)) from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object from `rarepath design`", source=str(path))
    if "shortlist" in data:
        return summarise_edit_design(data, source=str(path))
    design = data.get("design", data)
    if "candidates" in design:
        return {
            "kind": "aso_design", "source": str(path), "goal": design.get("goal"), "region": design.get("region"),
            "headline": f"{design.get('n_candidates', len(design['candidates']))} candidate oligos",
            "approved_drug_matches": design.get("approved_drug_matches", []),
            "shortlist": [{"rank": c.get("rank"), "oligo": c.get("oligo"), "chemistry": c.get("chemistry"),
                           "score": c.get("score"), "reason": "; ".join(c.get("reasons", [])[:3]),
                           "approved_drug": c.get("approved_drug")} for c in design["candidates"][:5]],
        }
    if "single_skips" in data and "frame" in data:
        return {
            "kind": "exon_skipping", "source": str(path), "gene": data.get("gene"),
            "headline": f"deletion of exons {data.get('first')}-{data.get('last')} is "
                        f"{str(data.get('frame', '')).replace('_', ' ')}; frame-restoring single skips: exon "
                        f"{', '.join(str(x) for x in data.get('single_skips') or []) or 'none'}",
            "products": data.get("products", []),
            "shortlist": [],
        }
    raise InputError("not a `rarepath design edit` or `rarepath design aso` JSON", source=str(path))

"""Safety and long-term follow-up per option, from the curated follow_up table (regulator guidance named)."""

from __future__ import annotations

from typing import Any

from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Modality, Option
from rarepath.triage.immunity import antibody_status

QUESTIONS = (
    "Which vector or product would be used, and what is its genotoxicity profile (does it integrate into the "
    "genome, and what is known about off-target effects)?",
    "What is the monitoring schedule after treatment, for how many years, and who runs it?",
    "How would an immune response (to the vector or to the new protein) be detected, and how is it managed?",
)


def follow_up_category(option: Option) -> str:
    vec = ((option.delivery.vector if option.delivery else "") or "").lower()
    mode = option.delivery.mode if option.delivery else ""
    if option.modality == Modality.GENOME_EDITING:
        return "genome_editing"
    if option.modality in (Modality.GENE_REPLACEMENT, Modality.GENE_ADDITION):
        if "hsv" in vec or "herpes" in vec:
            return "hsv"
        if any(k in vec for k in ("lenti", "retro", "integrat")) or mode == "ex_vivo":
            return "integrating_vector"
        return "aav"
    if option.modality in (Modality.GENE_SILENCING, Modality.SPLICE_MODULATION):
        names = " ".join(p.name for p in option.products)
        if any(n.endswith("plam") or n.endswith("dil") for n in names.split()):  # small-molecule splice modifiers
            return "small_molecule"
        return "oligonucleotide"
    names = " ".join(p.name for p in option.products)
    if "alfa" in names or "ase" in names.split()[-1:] or names.endswith("ase"):
        return "enzyme_replacement"
    return "small_molecule"


def safety_and_follow_up(option: Option, case: Case, kc: KnowledgeContext, biallelic_null: bool,
                         category: str | None = None) -> None:
    """Fill option.safety and option.follow_up in place; a product's curated category wins over the inferred one."""
    cat = category if category in kc.follow_up else follow_up_category(option)
    row = kc.follow_up.get(cat, {})
    risks = split_multi(row.get("risks"))
    safety: dict[str, Any] = {"category": cat, "risks": risks, "source": row.get("source", "")}
    p = case.patient
    if cat in ("aav", "hsv"):
        vec = option.delivery.vector if option.delivery else ""
        sero = next((s for s in kc.serotypes if s and vec and s.upper() in vec.upper()), None)
        if sero:
            titre, pos = antibody_status(p, sero)
            srow = kc.serotypes.get(sero.upper(), {})
            status = (f"1:{titre}" if titre is not None else ("positive" if pos else "negative") if pos is not None
                      else "not tested: test before treatment")
            safety["pre_existing_antibodies"] = {
                "serotype": sero, "patient": status, "label_threshold": srow.get("label_threshold", ""),
                "seroprevalence_pct": srow.get("seroprevalence_pct", ""), "source": srow.get("source", "")}
        safety["redosing"] = "AAV is effectively single-dose: antibodies after dosing prevent re-administration"
    if option.modality in (Modality.GENE_REPLACEMENT, Modality.GENE_ADDITION) and biallelic_null:
        safety["transgene_immunity"] = ("no functional allele: the patient may make no native protein, so the "
                                        "transgene product can be seen as foreign (monitor for anti-transgene "
                                        "immunity, as with CRIM-negative Pompe disease)")
    if cat == "integrating_vector":
        safety["genotoxicity"] = ("integrating vector: insertional oncogenesis risk (haematological malignancy was "
                                  "reported after elivaldogene and lovotibeglogene autotemcel); integration-site "
                                  "monitoring required")
    if cat == "genome_editing":
        safety["off_target"] = ("off-target and unintended on-target edits must be characterised "
                                "(see `rarepath design edit` off-target search) and monitored")
    option.safety = safety
    option.follow_up = {
        "duration_years": _num(row.get("duration_years")),
        "guidance": row.get("guidance", ""),
        "monitoring": split_multi(row.get("monitoring")),
        "source": row.get("source", ""),
    }


def _num(v: str | None) -> float | None:
    try:
        return float(v) if v not in (None, "") else None
    except ValueError:
        return None

"""Product matching: a product is offered for the patient's disease, not merely for the gene.

A case of F8-related thrombophilia must never be offered haemophilia A gene therapy, and LMNA
cardiomyopathy is not progeria. Each product row is matched on disease ids, then (failing ids) on
the indication's mechanism class, and its label requirements are checked against the patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rarepath.interpret.disease import DiseaseContext
from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.knowledge.rules import reason
from rarepath.model import Case, Evidence, Mechanism, Product
from rarepath.triage.immunity import Fit
from rarepath.triage.label import LabelFit, check_label


@dataclass
class ProductMatch:
    """A product row matched to the case: how its indication matches and how the patient fits its label."""

    row: dict[str, str]
    match: str  # exact | related | gene_level | different
    label: LabelFit = field(default_factory=LabelFit)
    reasons: list[Evidence] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row["name"]

    @property
    def approved(self) -> bool:
        return self.row.get("status") in ("approved", "conditional_approval")

    @property
    def eligibility(self) -> str:
        """eligible (every label item met) | pending (some unknown) | ineligible (one failed)."""
        return {Fit.MET: "eligible", Fit.UNKNOWN: "pending", Fit.FAILED: "ineligible"}[self.label.fit]

    @property
    def pending_kinds(self) -> list[str]:
        return self.label.open_items

    @property
    def usable(self) -> bool:
        return (self.match in ("exact", "related", "gene_level") and self.eligibility != "ineligible"
                and self.row.get("status") != "withdrawn")

    def product(self, evidence_level: str = "") -> Product:
        r = self.row
        status = r.get("status", "")
        if self.eligibility == "ineligible":
            status += " (patient not eligible)"
        elif self.eligibility == "pending":
            status += " (eligibility to confirm)"
        return Product(name=r["name"], status=status, modality=r.get("modality", ""), target=r.get("target", ""),
                       indication=r.get("disease", ""), route=r.get("route", ""), delivery=r.get("delivery", ""),
                       vector_or_chemistry=r.get("vector_or_chemistry", ""), approvals=r.get("approvals", ""),
                       evidence_level=evidence_level, source=r.get("source", ""))


_STOP_WORDS = {"disease", "syndrome", "type", "deficiency", "disorder", "the", "of", "and", "with", "due", "to",
               "hereditary", "familial", "congenital", "related", "associated", "1", "2", "3", "a", "b", "in"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS and len(w) > 2}


def disease_match(row: dict[str, str], disease: DiseaseContext, mechanism: Mechanism) -> tuple[str, Evidence]:
    """exact (ids), related (indication words; unconfirmed), gene_level (no diagnosis) or different.

    Only `exact` can make an option recommended; the others name what must be confirmed first.
    """
    ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
    case_ids = {d.upper() for d in disease.disease_ids}
    src = row.get("source", "") or None
    name, indication = row["name"], row.get("disease", "")
    if ids & case_ids:
        return "exact", reason("product_indication_matches",
                               f"{name} is indicated for {indication} ({', '.join(sorted(ids & case_ids))})", src)
    treats = row.get("treats_mechanism", "any") or "any"
    # an unknown mechanism is not a fit: it can at best leave the match unconfirmed
    mech_ok = treats == "any" or treats == mechanism.value or (
        mechanism.is_loss and treats in ("loss_of_function", "haploinsufficiency"))
    mech_unknown = mechanism == Mechanism.UNKNOWN and not mech_ok
    labels = " ".join(disease.disease_labels)
    overlap = _words(indication) & _words(labels)
    if case_ids and not disease.inferred:
        if overlap and (mech_ok or mech_unknown):
            return "related", reason("product_indication_related",
                                     f"{name} is labelled for {indication}; the diagnosis "
                                     f"({labels or ', '.join(case_ids)}) shares '{', '.join(sorted(overlap))}' "
                                     "but not the disease id: confirm the indication", src)
        return "different", reason("product_for_other_disease", f"{name} treats {indication}, not this "
                                   f"patient's {labels or ', '.join(case_ids)}: not offered", src)
    if not mech_ok and not mech_unknown:
        return "different", reason("product_mechanism_mismatch", f"{name} treats {treats.replace('_', ' ')} "
                                   f"disease ({indication}); this case is {mechanism.value}: not offered", src)
    if case_ids:  # disease inferred from curated facts (variant, reading frame): their ids are authoritative
        return "different", reason("product_for_other_disease", f"{name} treats {indication}, not the inferred "
                                   f"{labels or ', '.join(sorted(case_ids))}: not offered", src)
    if disease.ambiguous:
        return "related", reason("product_indication_unconfirmed", f"{name} is labelled for {indication}, one of "
                                 f"several diseases of {disease.gene} these variants could cause: confirm the "
                                 "diagnosis first", src)
    why = "the mechanism is unknown" if mech_unknown else "no diagnosis was given"
    return "gene_level", reason("product_gene_level_match", f"{name} is labelled for {indication}; {why}, so "
                                "the indication is matched on the gene only: confirm the diagnosis", src)


def label_reasons(pm: ProductMatch) -> list[Evidence]:
    """One reason per label item, its effect following the item's outcome."""
    out = []
    src = pm.row.get("source", "product label")
    for token, c in pm.label.checks:
        rule = {Fit.MET: "label_requirement_met", Fit.UNKNOWN: "label_requirement_unknown",
                Fit.FAILED: "label_requirement_failed"}[c.fit]
        ev = reason(rule, f"{pm.name}: {c.detail}", src)
        out.append(Evidence(f"{rule}:{token.split(':')[0]}", ev.source, ev.detail, ev.effect))
    return out


def check_requirements(row: dict[str, str], case: Case, frame_skips: list[int] | None,
                       kc: KnowledgeContext | None = None) -> ProductMatch:
    """The label fit of one product row for the patient (indication match not yet set)."""
    from rarepath.knowledge.context import default_context

    pm = ProductMatch(row=row, match="", label=check_label(row, case, kc or default_context(), frame_skips))
    pm.reasons = label_reasons(pm)
    return pm


def candidate_products(gene: str, kc: KnowledgeContext, extra_names: set[str] = frozenset()) -> list[dict[str, str]]:
    """Product rows for the disease gene: by gene column, or named by an alternative-target row."""
    rows = list(kc.therapies_by_gene.get(gene.upper(), []))
    seen = {r["name"] for r in rows}
    if extra_names:
        for r in kc.table("therapies"):
            if r["name"] in extra_names and r["name"] not in seen:
                rows.append(r)
                seen.add(r["name"])
    return rows


def match_products(case: Case, disease: DiseaseContext, mechanism: Mechanism, kc: KnowledgeContext,
                   frame_skips: list[int] | None, extra_names: set[str] = frozenset()) -> list[ProductMatch]:
    out = []
    for row in candidate_products(disease.gene, kc, extra_names):
        pm = check_requirements(row, case, frame_skips, kc)
        pm.match, ev = disease_match(row, disease, mechanism)
        pm.reasons.insert(0, ev)
        out.append(pm)
    return out

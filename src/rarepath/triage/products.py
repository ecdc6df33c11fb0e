"""Product matching: a product is offered for the patient's disease, not merely for the gene.

A case of F8-related thrombophilia must never be offered haemophilia A gene therapy, and LMNA
cardiomyopathy is not progeria. Each product row is matched on disease ids, then (failing ids) on
the indication's mechanism class, and its label requirements are checked against the patient.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rarepath.interpret.mechanism import DiseaseContext
from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Evidence, Mechanism, Product, Variant, VariantKind

# Label requirements that are routine pre-treatment tests: unknown values do not lower the verdict.
SCREENING_REQUIREMENTS = ("max_anti_", "no_anti_", "min_age_years", "max_age_years", "sex", "open_epiphyses")

ONE_TO_THREE = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly", "H": "His",
    "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp",
    "Y": "Tyr", "V": "Val", "X": "Ter", "*": "Ter",
}

_STOP_WORDS = {"disease", "syndrome", "type", "deficiency", "disorder", "the", "of", "and", "with", "due", "to",
               "hereditary", "familial", "congenital", "related", "associated", "1", "2", "3", "a", "b", "in"}


@dataclass
class ProductMatch:
    row: dict[str, str]
    match: str  # exact | related | gene_level | different
    eligibility: str  # eligible | pending | ineligible
    reasons: list[Evidence] = field(default_factory=list)
    pending_kinds: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row["name"]

    @property
    def approved(self) -> bool:
        return self.row.get("status") in ("approved", "conditional_approval")

    @property
    def usable(self) -> bool:
        return self.match in ("exact", "related", "gene_level") and self.eligibility != "ineligible"

    def product(self) -> Product:
        r = self.row
        status = r.get("status", "")
        if self.eligibility == "ineligible":
            status += " (patient not eligible)"
        elif self.eligibility == "pending":
            status += " (eligibility to confirm)"
        return Product(name=r["name"], status=status, modality=r.get("modality", ""), target=r.get("target", ""),
                       indication=r.get("disease", ""), route=r.get("route", ""),
                       vector_or_chemistry=r.get("vector_or_chemistry", ""), source=r.get("source", ""))


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS and len(w) > 2}


def protein_change_forms(code: str) -> set[str]:
    """'G551D' -> {'g551d', 'gly551asp'}; 'F508del' -> {'f508del', 'phe508del'}."""
    code = code.strip()
    forms = {code.lower()}
    m = re.fullmatch(r"([A-Z*])(\d+)([A-Z*]|del|dup|fs)", code)
    if m:
        a, pos, b = m.groups()
        three_b = ONE_TO_THREE.get(b, b)
        forms.add(f"{ONE_TO_THREE.get(a, a)}{pos}{three_b}".lower())
    return forms


def variant_protein_changes(variants: tuple[Variant, ...]) -> set[str]:
    out = set()
    for v in variants:
        if v.hgvs_p:
            p = v.hgvs_p.replace("p.", "").replace("(", "").replace(")", "").lower()
            out.add(p)
        out.add(v.description.lower())
    return out


def disease_match(row: dict[str, str], disease: DiseaseContext, mechanism: Mechanism) -> tuple[str, Evidence]:
    """exact (ids), related (indication words), gene_level (no diagnosis; mechanism compatible) or different."""
    ids = {d.upper() for d in split_multi(row.get("disease_ids"))}
    case_ids = {d.upper() for d in disease.disease_ids}
    src = row.get("source", "rarepath curated therapies table")
    if ids & case_ids:
        return "exact", Evidence("product_indication_matches", src,
                                 f"{row['name']} is indicated for {row.get('disease')} ({', '.join(sorted(ids & case_ids))})")
    treats = row.get("treats_mechanism", "any") or "any"
    mech_ok = treats == "any" or mechanism == Mechanism.UNKNOWN or treats == mechanism.value or (
        mechanism.is_loss and treats in ("loss_of_function", "haploinsufficiency"))
    labels = " ".join(disease.disease_labels)
    overlap = _words(row.get("disease", "")) & _words(labels)
    if case_ids and not disease.inferred:
        if overlap and mech_ok:
            return "related", Evidence("product_indication_related", src,
                                       f"{row['name']} is labelled for {row.get('disease')}; the diagnosis "
                                       f"({labels or ', '.join(case_ids)}) shares '{', '.join(sorted(overlap))}' "
                                       "but not the disease id: confirm the indication")
        return "different", Evidence("product_for_other_disease", src,
                                     f"{row['name']} treats {row.get('disease')}, not this patient's "
                                     f"{labels or ', '.join(case_ids)}: not offered")
    if not mech_ok:
        return "different", Evidence("product_mechanism_mismatch", src,
                                     f"{row['name']} treats {treats.replace('_', ' ')} disease "
                                     f"({row.get('disease')}); this case is {mechanism.value}: not offered")
    if case_ids:  # disease inferred from curated facts (variant, reading frame): their ids are authoritative
        return "different", Evidence("product_for_other_disease", src,
                                     f"{row['name']} treats {row.get('disease')}, not the inferred "
                                     f"{labels or ', '.join(sorted(case_ids))}: not offered")
    if disease.ambiguous:
        return "related", Evidence("product_indication_unconfirmed", src,
                                   f"{row['name']} is labelled for {row.get('disease')}, one of several diseases "
                                   f"of {disease.gene} these variants could cause: confirm the diagnosis first")
    return "gene_level", Evidence("product_gene_level_match", src,
                                  f"{row['name']} is labelled for {row.get('disease')}; no diagnosis was given, "
                                  "so the indication is matched on gene and mechanism only: confirm the diagnosis")


def check_requirements(row: dict[str, str], case: Case, frame_skips: list[int] | None) -> ProductMatch:
    """Check the label requirements of a product row against the patient; unknowns become 'pending'."""
    pm = ProductMatch(row=row, match="", eligibility="eligible")
    p = case.patient
    src = row.get("source", "product label")
    name = row["name"]
    for token in split_multi(row.get("requirement")):
        key, _, value = token.partition(":")
        key = key.strip()
        value = value.strip()
        ok: bool | None
        detail: str
        if key.startswith("max_anti_") and key.endswith("_titre"):
            sero = key[len("max_anti_"):-len("_titre")].upper()
            limit = int(value)
            titre = _titre(p, sero)
            pos = _antibodies(p, sero)
            if titre is not None:
                ok = titre <= limit
                detail = f"anti-{sero} titre 1:{titre} {'within' if ok else 'above'} the label limit 1:{limit}"
            elif pos is False:
                ok, detail = True, f"anti-{sero} antibodies negative (label limit 1:{limit})"
            else:
                ok, detail = None, f"anti-{sero} antibody titre unknown: test required (label limit 1:{limit})"
                if p.age_years is not None and p.age_years < 0.5:
                    detail += "; in infants under 6 months maternal antibodies wane, retest in 4-8 weeks"
        elif key.startswith("no_anti_") and key.endswith("_antibodies"):
            sero = key[len("no_anti_"):-len("_antibodies")].upper()
            titre = _titre(p, sero)
            pos = _antibodies(p, sero)
            if pos is None and titre is not None:
                pos = titre > 0
            if pos is None:
                ok, detail = None, f"anti-{sero} antibodies unknown: the label requires none detectable (test required)"
            else:
                ok = not pos
                detail = f"anti-{sero} antibodies {'detected' if pos else 'not detected'}; the label requires none"
        elif key == "conditioning":
            c = p.conditioning_tolerated
            ok = c
            detail = (f"{value.replace('_', '-')} conditioning required; patient "
                      + ("tolerates it" if c else "cannot tolerate it" if c is False else "tolerance not assessed"))
        elif key == "min_age_years":
            ok = None if p.age_years is None else p.age_years >= float(value)
            detail = f"label minimum age {value} y; patient {p.age_years if p.age_years is not None else 'age unknown'}"
        elif key == "max_age_years":
            ok = None if p.age_years is None else p.age_years <= float(value)
            detail = f"label maximum age {value} y; patient {p.age_years if p.age_years is not None else 'age unknown'}"
        elif key == "min_age_years_male":
            if p.sex == "female":
                ok, detail = True, f"male-specific minimum age {value} y does not apply (female patient)"
            elif p.sex == "male":
                ok = None if p.age_years is None else p.age_years >= float(value)
                detail = f"label minimum age for boys {value} y; patient {p.age_years}"
            else:
                ok, detail = None, f"label minimum age for boys {value} y; patient sex unknown"
        elif key == "open_epiphyses":
            ok, detail = None, "label requires open epiphyses (growth plates): confirm by X-ray"
        elif key == "variant_type":
            wanted_kinds = {k.strip() for k in value.split(",")}
            kinds = {v.kind.value for v in case.variants}
            if not case.variants or kinds <= {"unknown", "loss_of_function"}:
                ok, detail = None, f"requires a {value} variant; the variant type is not specified"
            else:
                ok = bool(kinds & wanted_kinds)
                detail = f"requires a {value} variant; patient has {', '.join(sorted(kinds))}"
        elif key == "sex":
            ok = None if not p.sex or p.sex == "unknown" else p.sex == value
            detail = f"label restricted to {value} patients; patient sex {p.sex or 'unknown'}"
        elif key == "skip_exon":
            if frame_skips is None:
                ok, detail = None, f"amenability to exon {value} skipping not determinable from the variant"
            else:
                ok = int(value) in frame_skips
                detail = (f"deletion {'is' if ok else 'is not'} amenable to exon {value} skipping "
                          f"(frame-restoring single skips: {', '.join(map(str, frame_skips)) or 'none'})")
        elif key in ("variant", "variant_any"):
            wanted = [w for w in re.split(r"[,|]", value) if w.strip()]
            have = variant_protein_changes(case.variants)
            hits = [w for w in wanted if any(f in h for f in protein_change_forms(w) for h in have)]
            if not case.variants or all(v.kind in (VariantKind.UNKNOWN, VariantKind.LOSS_OF_FUNCTION)
                                        for v in case.variants):
                ok, detail = None, f"requires one of {', '.join(wanted)}; the patient's variant is not specified"
            else:
                ok = bool(hits)
                detail = (f"requires one of {', '.join(wanted[:8])}{'...' if len(wanted) > 8 else ''}; "
                          f"patient {'carries ' + ', '.join(hits) if hits else 'carries none of them'}")
        elif key == "variant_homozygous":
            wanted = [w for w in re.split(r"[,|]", value) if w.strip()]
            forms = set().union(*(protein_change_forms(w) for w in wanted))
            carries = [any(f in h for f in forms for h in variant_protein_changes((v,))) for v in case.variants]
            if not case.variants:
                ok, detail = None, f"requires homozygous {', '.join(wanted)}; the patient's variant is not specified"
            else:
                ok = (case.zygosity.value == "homozygous" and any(carries)) or (len(carries) >= 2 and all(carries))
                detail = f"requires homozygous {', '.join(wanted)}; patient " + (
                    "qualifies" if ok else "does not carry it on both alleles")
        elif key == "exclude_deleted_exons":
            excluded = {int(x) for x in re.split(r"[,|]", value) if x.strip().isdigit()}
            spans = [v.exons for v in case.variants if v.exons]
            if not spans:
                ok, detail = None, f"label excludes deletions of exon(s) {value}; deletion extent unknown"
            else:
                hit = sorted(excluded & {e for a, b in spans for e in range(a, b + 1)})
                ok = not hit
                detail = (f"label excludes deletions involving exon(s) {value}; patient's deletion "
                          + (f"includes exon {', '.join(map(str, hit))}" if hit else "does not"))
        elif key == "variant_amenable":
            ok, detail = None, (f"requires a variant amenable to {value or name}: check the label's amenability "
                                "table or assay (not available offline)")
            pm.pending_kinds.append("genotype")
        elif key in ("ambulatory", "transfusion_dependent", "presymptomatic_or_early", "presymptomatic"):
            flag = p.flags.get(key) if key in p.flags else p.flags.get(key.replace("_or_early", ""))
            want = value != "no"
            ok = None if flag is None else flag == want
            detail = f"label requires {key.replace('_', ' ')}={value}; patient " + (
                "unknown" if flag is None else ("yes" if flag else "no"))
        else:
            ok, detail = None, f"label condition '{token}' not checked automatically"
        rule = f"label_requirement:{key}"
        pm.reasons.append(Evidence(rule, src, f"{name}: {detail}"))
        if ok is False:
            pm.eligibility = "ineligible"
        elif ok is None and pm.eligibility == "eligible":
            pm.eligibility = "pending"
            if not key.startswith(SCREENING_REQUIREMENTS):
                pm.pending_kinds.append(key)
        elif ok is None and not key.startswith(SCREENING_REQUIREMENTS):
            pm.pending_kinds.append(key)
    return pm


def _titre(p, sero: str) -> int | None:
    for k, v in p.aav_titres.items():
        if k.upper() == sero.upper():
            return v
    return None


def _antibodies(p, sero: str) -> bool | None:
    for k, v in p.aav_antibodies.items():
        if k.upper() == sero.upper():
            return v
    return None


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
        pm = check_requirements(row, case, frame_skips)
        pm.match, ev = disease_match(row, disease, mechanism)
        pm.reasons.insert(0, ev)
        out.append(pm)
    return out

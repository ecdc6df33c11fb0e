"""Label fit: is the patient inside a product's labelled population? One small interpreter over table rows.

Each product row of `therapies.tsv` lists its population as requirement tokens (`max_anti_AAV9_titre:50;
max_age_years:1.99`). `REQUIREMENTS` maps each token pattern to one checker; a token no checker knows is a
knowledge error naming the product and the token (the contract suite parses every row). Every checker
answers met, unknown or failed; an unknown item keeps the product at most `possible`, with the item
named. Two checks apply to every product whatever its row says: a product already given is not offered
again, and an AAV serotype already given systemically is not given again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rarepath.errors import KnowledgeError
from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Variant, VariantKind, Zygosity
from rarepath.triage.immunity import Check, Fit, titre_check

ONE_TO_THREE = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly", "H": "His",
    "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp",
    "Y": "Tyr", "V": "Val", "X": "Ter", "*": "Ter",
}


@dataclass(frozen=True)
class LabelContext:
    """What the checkers may look at: the case, the reading-frame skips, the product row."""

    case: Case
    row: dict[str, str]
    frame_skips: tuple[int, ...] | None = None  # exons whose skipping restores the frame (None: not computable)


Checker = Callable[[re.Match, LabelContext], Check]


@dataclass
class LabelFit:
    """The outcome of every label item for one product."""

    checks: list[tuple[str, Check]] = field(default_factory=list)

    @property
    def fit(self) -> Fit:
        fits = {c.fit for _, c in self.checks}
        return Fit.FAILED if Fit.FAILED in fits else Fit.UNKNOWN if Fit.UNKNOWN in fits else Fit.MET

    @property
    def open_items(self) -> list[str]:
        return [c.item or tok for tok, c in self.checks if c.fit == Fit.UNKNOWN]

    @property
    def failed(self) -> list[Check]:
        return [c for _, c in self.checks if c.fit == Fit.FAILED]


# ---------------------------------------------------------------------------------------------------
# checkers


def _age(m: re.Match, ctx: LabelContext) -> Check:
    bound, value = m["bound"], float(m["value"])
    age = ctx.case.patient.age_years
    item = "age"
    if m["male"]:
        sex = ctx.case.patient.sex
        if sex == "female":
            return Check(Fit.MET, f"minimum age for boys ({value:g} y) does not apply to a girl", item)
        if sex != "male":
            return Check(Fit.UNKNOWN, f"label minimum age for boys {value:g} y; patient sex not recorded", "sex")
    if age is None:
        return Check(Fit.UNKNOWN, f"label {bound}imum age {value:g} y; patient age not recorded", item)
    ok = age >= value if bound == "min" else age <= value
    return Check(Fit.MET if ok else Fit.FAILED, f"label {bound}imum age {value:g} y; patient {age:g} y", item)


def _titre(m: re.Match, ctx: LabelContext) -> Check:
    return titre_check(ctx.case.patient, m["serotype"], int(m["value"]), f"the {ctx.row['name']} label")


def _no_antibodies(m: re.Match, ctx: LabelContext) -> Check:
    return titre_check(ctx.case.patient, m["serotype"], None, f"the {ctx.row['name']} label")


def _conditioning(m: re.Match, ctx: LabelContext) -> Check:
    c = ctx.case.patient.conditioning_tolerated
    kind = m["value"].replace("_", "-")
    if c is None:
        return Check(Fit.UNKNOWN, f"{kind} conditioning required; tolerance not assessed", "conditioning tolerance")
    return Check(Fit.MET if c else Fit.FAILED,
                 f"{kind} conditioning required; patient {'tolerates' if c else 'cannot tolerate'} it", "conditioning")


def _sex(m: re.Match, ctx: LabelContext) -> Check:
    sex = ctx.case.patient.sex
    if not sex or sex == "unknown":
        return Check(Fit.UNKNOWN, f"label restricted to {m['value']} patients; sex not recorded", "sex")
    return Check(Fit.MET if sex == m["value"] else Fit.FAILED,
                 f"label restricted to {m['value']} patients; patient {sex}", "sex")


def _epiphyses(m: re.Match, ctx: LabelContext) -> Check:
    age = ctx.case.patient.age_years
    if age is not None and age >= 25:
        return Check(Fit.FAILED, f"label requires open growth plates; closed by {age:g} y", "open epiphyses")
    return Check(Fit.UNKNOWN, "label requires open epiphyses (growth plates): confirm by X-ray", "open epiphyses")


def _unspecified(case: Case) -> bool:
    return not case.variants or all(v.kind in (VariantKind.UNKNOWN, VariantKind.LOSS_OF_FUNCTION)
                                    for v in case.variants)


def protein_change_forms(code: str) -> set[str]:
    """'G551D' -> {'g551d', 'gly551asp'}; 'F508del' -> {'f508del', 'phe508del'}."""
    code = code.strip()
    forms = {code.lower()}
    m = re.fullmatch(r"([A-Z*])(\d+)([A-Z*]|del|dup|fs)", code)
    if m:
        a, pos, b = m.groups()
        forms.add(f"{ONE_TO_THREE.get(a, a)}{pos}{ONE_TO_THREE.get(b, b)}".lower())
    return forms


def variant_protein_changes(variants: tuple[Variant, ...]) -> set[str]:
    out = set()
    for v in variants:
        if v.hgvs_p:
            out.add(v.hgvs_p.replace("p.", "").replace("(", "").replace(")", "").lower())
        out.add(v.description.lower())
    return out


def _carries(v: Variant, wanted: list[str]) -> list[str]:
    have = variant_protein_changes((v,))
    return [w for w in wanted if any(f in h for f in protein_change_forms(w) for h in have)]


def _variant_any(m: re.Match, ctx: LabelContext) -> Check:
    wanted = [w for w in re.split(r"[,|]", m["value"]) if w.strip()]
    shown = ", ".join(wanted[:8]) + ("..." if len(wanted) > 8 else "")
    if _unspecified(ctx.case):
        return Check(Fit.UNKNOWN, f"requires one of {shown}; the patient's variant is not specified", "genotype")
    hits = sorted({h for v in ctx.case.variants for h in _carries(v, wanted)})
    return Check(Fit.MET if hits else Fit.FAILED,
                 f"requires one of {shown}; patient {'carries ' + ', '.join(hits) if hits else 'carries none'}",
                 "genotype")


def _variant_homozygous(m: re.Match, ctx: LabelContext) -> Check:
    wanted = [w for w in re.split(r"[,|]", m["value"]) if w.strip()]
    if _unspecified(ctx.case):
        return Check(Fit.UNKNOWN, f"requires {', '.join(wanted)} on both alleles; variant not specified", "genotype")
    carriers = [bool(_carries(v, wanted)) for v in ctx.case.variants]
    ok = (ctx.case.zygosity == Zygosity.HOMOZYGOUS and any(carriers)) or (len(carriers) >= 2 and all(carriers))
    return Check(Fit.MET if ok else Fit.FAILED, f"requires {', '.join(wanted)} on both alleles; patient "
                 + ("qualifies" if ok else "does not carry it on both"), "genotype")


def _variant_type(m: re.Match, ctx: LabelContext) -> Check:
    wanted = {k.strip() for k in m["value"].split(",")}
    kinds = {v.kind.value for v in ctx.case.variants}
    if _unspecified(ctx.case):
        return Check(Fit.UNKNOWN, f"requires a {m['value']} variant; the variant type is not specified", "genotype")
    ok = bool(kinds & wanted)
    return Check(Fit.MET if ok else Fit.FAILED,
                 f"requires a {m['value']} variant; patient has {', '.join(sorted(kinds))}", "genotype")


def _skip_exon(m: re.Match, ctx: LabelContext) -> Check:
    exon = int(m["value"])
    if ctx.frame_skips is None:
        return Check(Fit.UNKNOWN, f"amenability to exon {exon} skipping not determinable from the variant",
                     f"exon {exon} amenability")
    ok = exon in ctx.frame_skips
    return Check(Fit.MET if ok else Fit.FAILED, f"variant {'is' if ok else 'is not'} amenable to exon {exon} "
                 f"skipping (frame-restoring skips: {', '.join(map(str, ctx.frame_skips)) or 'none'})",
                 f"exon {exon} amenability")


def _exclude_deleted(m: re.Match, ctx: LabelContext) -> Check:
    excluded = {int(x) for x in re.split(r"[,|]", m["value"]) if x.strip().isdigit()}
    spans = [v.exons for v in ctx.case.variants if v.exons and v.kind == VariantKind.EXON_DELETION]
    if not spans:
        if any(v.kind in (VariantKind.EXON_DELETION, VariantKind.UNKNOWN, VariantKind.STRUCTURAL)
               for v in ctx.case.variants) or _unspecified(ctx.case):
            return Check(Fit.UNKNOWN, f"label excludes deletions of exon(s) {m['value']}; extent unknown",
                         "deletion extent")
        return Check(Fit.MET, f"label excludes deletions of exon(s) {m['value']}; no exon deletion", "deletion")
    hit = sorted(excluded & {e for a, b in spans for e in range(a, b + 1)})
    return Check(Fit.FAILED if hit else Fit.MET, f"label excludes deletions involving exon(s) {m['value']}; "
                 + (f"patient's deletion includes exon {', '.join(map(str, hit))}" if hit else "patient's does not"),
                 "deletion extent")


def _phenotype(m: re.Match, ctx: LabelContext) -> Check:
    """A labelled indication that names a manifestation (seizures of TSC): observed, excluded, or not recorded."""
    from rarepath.knowledge.hpo import HpoIndex

    hpo = HpoIndex.load()
    term = m["value"]
    name = (hpo.term(term).name if hpo.term(term) else term).lower()
    item = f"{name} ({term})"
    if any(term in hpo.ancestors(q) for q in ctx.case.phenotypes):
        return Check(Fit.MET, f"label indication names {item}: observed", item)
    if any(term in hpo.ancestors(q) or q == term for q in ctx.case.excluded_phenotypes):
        return Check(Fit.FAILED, f"label indication names {item}: recorded as absent", item)
    return Check(Fit.UNKNOWN, f"label indication names {item}: not recorded for this patient", item)


def _amenable(m: re.Match, ctx: LabelContext) -> Check:
    return Check(Fit.UNKNOWN, f"requires a variant amenable to {m['value'] or ctx.row['name']}: check the label's "
                 "amenability table or assay", "amenability")


def _flag(m: re.Match, ctx: LabelContext) -> Check:
    key, want = m["key"], m["value"] != "no"
    flags = ctx.case.patient.flags
    val = flags.get(key, flags.get(key.replace("_or_early", "")))
    words = key.replace("_", " ")
    if val is None:
        return Check(Fit.UNKNOWN, f"label requires {words}: not recorded", words)
    return Check(Fit.MET if val == want else Fit.FAILED, f"label requires {words}={m['value']}; patient "
                 + ("yes" if val else "no"), words)


PROTEIN = r"[A-Z*]\d+(?:[A-Z*]|del|dup|Ter|fs)"

#: token pattern -> checker. One entry per kind of label population item.
REQUIREMENTS: dict[str, Checker] = {
    r"(?P<bound>min|max)_age_years(?P<male>_male)?:(?P<value>\d+(?:\.\d+)?)": _age,
    r"max_anti_(?P<serotype>AAV\w+?)_titre:(?P<value>\d+)": _titre,
    r"no_anti_(?P<serotype>AAV\w+?)_antibodies": _no_antibodies,
    r"conditioning:(?P<value>myeloablative|reduced_intensity)": _conditioning,
    r"sex:(?P<value>male|female)": _sex,
    r"open_epiphyses(?::(?P<value>yes))?": _epiphyses,
    rf"variant(?:_any)?:(?P<value>{PROTEIN}(?:[,|]{PROTEIN})*)": _variant_any,
    rf"variant_homozygous:(?P<value>{PROTEIN}(?:[,|]{PROTEIN})*)": _variant_homozygous,
    r"variant_type:(?P<value>[a-z_]+(?:,[a-z_]+)*)": _variant_type,
    r"skip_exon:(?P<value>\d+)": _skip_exon,
    r"exclude_deleted_exons:(?P<value>\d+(?:[,|]\d+)*)": _exclude_deleted,
    r"variant_amenable(?::(?P<value>.*))?": _amenable,
    r"phenotype:(?P<value>HP:\d{7})": _phenotype,
    r"(?P<key>ambulatory|transfusion_dependent|presymptomatic_or_early|presymptomatic):(?P<value>yes|no)": _flag,
}
_COMPILED = [(re.compile(p), f) for p, f in REQUIREMENTS.items()]


def parse_requirements(row: dict[str, str]) -> list[tuple[str, re.Match, Checker]]:
    """The row's tokens with their checkers; an unknown token is a KnowledgeError naming product and token."""
    out = []
    for token in split_multi(row.get("requirement")):
        for rx, fn in _COMPILED:
            m = rx.fullmatch(token)
            if m:
                out.append((token, m, fn))
                break
        else:
            raise KnowledgeError(f"product {row.get('name')!r}: unknown label requirement {token!r}",
                                 source="therapies.tsv", field="requirement")
    return out


def _given(case: Case, row: dict[str, str]) -> bool:
    names = {n.strip().lower() for n in case.patient.prior_treatments}
    own = {row.get("name", "").lower(), row.get("brand", "").lower()} - {""}
    return bool(names & own)


def systemic_aav_given(case: Case, kc: KnowledgeContext) -> list[dict[str, str]]:
    """Product rows with an AAV serotype that the patient already received systemically."""
    return [row for row in kc.table("therapies")
            if row.get("serotype") and _given(case, row) and row.get("route") in ("intravenous", "")]


def prior_exposure_checks(row: dict[str, str], case: Case, kc: KnowledgeContext) -> list[tuple[str, Check]]:
    """Checks every product gets: already given? same AAV serotype given systemically before?"""
    out: list[tuple[str, Check]] = []
    if _given(case, row):
        out.append(("not_already_given", Check(Fit.FAILED, f"{row['name']} was already given to this patient: "
                                               "not offered again", "prior treatment")))
    sero = (row.get("serotype") or "").upper()
    if sero:
        for prior in systemic_aav_given(case, kc):
            if prior is not row and prior["serotype"].upper() == sero:
                out.append(("no_prior_systemic_aav", Check(
                    Fit.FAILED, f"{prior['name']} ({sero}, systemic) was already given: antibodies after dosing "
                    f"make re-dosing {sero} contraindicated", "prior AAV exposure")))
    return out


def antibody_limit(row: dict[str, str], serotype: str) -> tuple[bool, int | None]:
    """The product label's antibody item for a serotype, read through the same registry as every other item:
    (found, max reciprocal titre or None for 'none detectable')."""
    for _token, m, fn in parse_requirements(row):
        if fn in (_titre, _no_antibodies) and m["serotype"].upper() == serotype.upper():
            return True, int(m["value"]) if fn is _titre else None
    return False, None


def check_label(row: dict[str, str], case: Case, kc: KnowledgeContext,
                frame_skips: tuple[int, ...] | list[int] | None = None) -> LabelFit:
    """Every label item of a product row against the patient."""
    ctx = LabelContext(case, row, tuple(frame_skips) if frame_skips is not None else None)
    fit = LabelFit(prior_exposure_checks(row, case, kc))
    for token, m, fn in parse_requirements(row):
        fit.checks.append((token, fn(m, ctx)))
    return fit


def prior_serotypes(case: Case, kc: KnowledgeContext) -> dict[str, str]:
    """AAV serotypes the patient already received systemically -> the product given."""
    return {row["serotype"].upper(): row["name"] for row in systemic_aav_given(case, kc)}


__all__ = ["REQUIREMENTS", "LabelFit", "LabelContext", "check_label", "parse_requirements", "antibody_limit",
           "systemic_aav_given",
           "prior_exposure_checks", "prior_serotypes", "protein_change_forms", "variant_protein_changes"]

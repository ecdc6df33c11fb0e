"""Could an antisense oligonucleotide work for this variant? One call per ASO strategy, with reasons.

Levels follow the five-level scheme of published n-of-1 ASO variant-assessment guidelines (eligible,
likely_eligible, unlikely_eligible, not_eligible, unable_to_assess). The rules read the variant's location and
type, the disease mechanism, zygosity, the exon structure (frame arithmetic, `rarepath.interpret.frame`) and the
curated `upregulation_targets` table; whether oligonucleotides reach the disease's tissue is read from the tissues
table (`KnowledgeContext.oligo_reach`), the one place for that fact, which triage reads too. `frame_analysis` is
the frame arithmetic with the shipped facts (coding extent, essential domains, products per skip); the triage,
trial matching and `rarepath design aso` all call it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rarepath.interpret.frame import FrameAnalysis, exon_skip_analysis
from rarepath.knowledge.context import KnowledgeContext, default_context
from rarepath.knowledge.curated import load_table
from rarepath.knowledge.exons import (
    exon_domain,
    exon_domains,
    exon_of_coding_position,
    shipped_coding_lengths,
    shipped_structure,
)
from rarepath.model.types import Evidence, Mechanism, Variant, VariantKind, Zygosity

LEVELS = ("eligible", "likely_eligible", "unlikely_eligible", "not_eligible", "unable_to_assess")
STRATEGIES = ("splice_correction", "exon_skipping", "knockdown", "allele_selective_knockdown", "upregulation")
GUIDELINE = "N=1 Collaborative ASO variant eligibility levels (Kim et al. 2023, Nat Med 29:2157) [lit]"
#: the published basis of each family of amenability rules (the default source of a reason)
RULE_SOURCES = {
    "aso.splice": "Kim et al., Nature 619:828 (2023) (eligibility of variants for individualized splice-switching ASOs)",
    "aso.skip": "Aartsma-Rus et al., Hum Mutat 30:293 (2009) (exon skipping and the reading frame)",
    "aso.knockdown": "Roberts, Langer & Wood, Nat Rev Drug Discov 19:673 (2020) (oligonucleotide knockdown)",
    "aso.delivery": "Crooke et al., Nat Rev Drug Discov 20:427 (2021) (antisense delivery to tissues)",
    "aso.up": "Lim et al., Sci Transl Med 12:eaaz6100 (2020) (TANGO: upregulating the normal allele)",
    "aso.allele": "Southwell et al., Trends Mol Med 18:634 (2012) (allele-selective oligonucleotides)",
    "aso.levels": "Kim et al., Nature 619:828 (2023) (eligibility levels)",
}


@dataclass
class AmenabilityCall:
    strategy: str
    level: str
    reasons: list[Evidence] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {"strategy": self.strategy, "level": self.level, "reasons": [r.to_dict() for r in self.reasons]}
        d.update(self.extra)
        return d


def frame_analysis(gene: str, exon_lengths: Sequence[int], first: int, last: int, kind: str = "deletion",
                   kc: KnowledgeContext | None = None) -> FrameAnalysis:
    """`exon_skip_analysis` with the shipped facts: coding extent when `exon_lengths` are the shipped transcript's,
    the gene's curated domains, and the curated products for each frame-restoring single skip."""
    ctx = kc or default_context()
    return exon_skip_analysis(gene, exon_lengths, first, last, kind,
                              coding_nt=shipped_coding_lengths(gene, exon_lengths), domains=exon_domains(gene),
                              products=lambda skips: ctx.skip_products(gene, skips))


@cache
def _upregulation_table() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in load_table("upregulation_targets"):
        out.setdefault(r["gene"].upper(), []).append(r)
    return out


_C_POS = re.compile(r"c\.(?P<utr>[-*]?)(?P<pos>\d+)(?P<off>[+-]\d+)?")
_SNV = re.compile(r"c\.[-*]?\d+(?:[+-]\d+)?([ACGT])>([ACGT])")


def parse_c_position(hgvs_c: str | None) -> tuple[int | None, int | None, str]:
    """(coding position, intronic offset, utr marker) of the first position in an HGVS c. description."""
    if not hgvs_c:
        return None, None, ""
    m = _C_POS.search(hgvs_c)
    if not m:
        return None, None, ""
    off = int(m.group("off")) if m.group("off") else None
    return int(m.group("pos")), off, m.group("utr")


def _ev(rule: str, detail: str, source: str | None = None) -> Evidence:
    """A reason; its source defaults to the publication behind its rule family (`RULE_SOURCES`)."""
    family = ".".join(rule.split(".")[:2])
    return Evidence(rule=rule, source=source or RULE_SOURCES[family], detail=detail)


def _delivery_reason(gene: str, tissue: str | None, kc: KnowledgeContext) -> tuple[Evidence, bool | None]:
    """Whether an oligonucleotide reaches the tissue of the disease: True, False, or None when the tissue is not
    known (then reachability is unknown and can only lower a level)."""
    tissue = tissue or kc.gene_tissue(gene)
    if tissue is None:
        return _ev("aso.delivery", f"target tissue of {gene} not known: oligonucleotide reachability unknown"), None
    reach = kc.oligo_reach(tissue)
    if reach is None:
        return _ev("aso.delivery", f"no established oligonucleotide route to {tissue} (tissues table)"), False
    route, vehicle = reach
    source = kc.tissues.get(tissue, {}).get("source") or RULE_SOURCES["aso.delivery"]
    return _ev("aso.delivery", f"{tissue}: reached {route}" + (f" ({vehicle})" if vehicle else ""),
               f"{RULE_SOURCES['aso.delivery']}; {source}"), True


def _splice_correction(gene: str, v: Variant, mech: Mechanism) -> AmenabilityCall:
    cpos, off, _ = parse_c_position(v.hgvs_c)
    r: list[Evidence] = []
    if v.kind == VariantKind.DEEP_INTRONIC or (off is not None and abs(off) > 50):
        r.append(_ev("aso.splice.deep_intronic", "deep-intronic variant: a pseudo-exon or cryptic site it creates "
                     "can be blocked (milasen, atipeksen precedents); needs RNA evidence of mis-splicing"))
        level = "likely_eligible"
    elif v.kind == VariantKind.SPLICE or off is not None:
        if off is not None and abs(off) <= 2:
            r.append(_ev("aso.splice.canonical", f"canonical splice-site variant (offset {off:+d}): the native "
                         "site is destroyed and an ASO cannot restore it; skipping the exon may be an option"))
            level = "unlikely_eligible"
        elif off is not None:
            r.append(_ev("aso.splice.near_canonical", f"near-splice variant (offset {off:+d}): a weakened site may "
                         "be rescued by blocking a nearby silencer or a competing cryptic site"))
            level = "likely_eligible"
        else:
            r.append(_ev("aso.splice.unlocated", "splice variant without an HGVS intronic offset"))
            level = "unable_to_assess"
    elif v.kind == VariantKind.SYNONYMOUS:
        r.append(_ev("aso.splice.exonic", "exonic synonymous variant: splice correction only if it creates a "
                     "cryptic site or breaks an enhancer (RNA evidence needed)"))
        level = "unable_to_assess"
    else:
        r.append(_ev("aso.splice.not_splicing", f"{v.kind.value} variant does not act through splicing"))
        level = "not_eligible"
    if level in ("likely_eligible",) and not mech.is_loss and mech != Mechanism.UNKNOWN:
        r.append(_ev("aso.splice.mechanism", f"mechanism {mech.value}: restoring normal splicing of this allele "
                     "is not the usual goal"))
        level = "unlikely_eligible"
    return AmenabilityCall("splice_correction", level, r)


def _exon_skipping(gene: str, v: Variant, mech: Mechanism, kc: KnowledgeContext | None) -> AmenabilityCall:
    recs = shipped_structure(gene)
    r: list[Evidence] = []
    extra: dict[str, Any] = {}
    if mech in (Mechanism.GAIN_OF_FUNCTION,):
        return AmenabilityCall("exon_skipping", "unlikely_eligible", [_ev(
            "aso.skip.mechanism", "gain of function: removing an exon keeps a toxic protein unless the exon carries "
            "the toxic region")])
    if not recs:
        return AmenabilityCall("exon_skipping", "unable_to_assess", [_ev(
            "aso.skip.no_structure", f"no exon structure ships for {gene}; give one with --region")])
    lengths = [x.length_nt for x in recs]
    src = recs[0].source
    if v.kind in (VariantKind.EXON_DELETION, VariantKind.EXON_DUPLICATION) and v.exons:
        kind = "deletion" if v.kind == VariantKind.EXON_DELETION else "duplication"
        fa = frame_analysis(gene, lengths, v.exons[0], v.exons[1], kind, kc)
        extra["frame_analysis"] = fa.to_dict()
        r.append(_ev("aso.skip.frame", f"{kind} of exons {v.exons[0]}-{v.exons[1]} removes/adds {abs(fa.net_nt)} "
                     f"coding nt: {fa.frame}", src))
        if fa.frame == "in_frame":
            r.append(_ev("aso.skip.in_frame", "already in frame: skipping cannot improve the reading frame"))
            return AmenabilityCall("exon_skipping", "not_eligible", r, extra)
        if not fa.single_skips and not fa.double_skips:
            r.append(_ev("aso.skip.none", "no single or double skip of flanking exons restores the frame"))
            return AmenabilityCall("exon_skipping", "not_eligible", r, extra)
        skips = ", ".join(str(e) for e in fa.single_skips) or "; ".join("+".join(map(str, d))
                                                                       for d in fa.double_skips)
        r.append(_ev("aso.skip.restores", f"skipping exon(s) {skips} restores the frame (computed from exon "
                     "lengths mod 3)", src))
        bad = [f for f in fa.flags if f.startswith("skip ")]
        if bad:
            r.extend(_ev("aso.skip.flag", f) for f in bad)
        if fa.products:
            r.append(_ev("aso.skip.product", "approved/clinical product for this skip: " + ", ".join(
                f"{p['name']} ({p['status']})" for p in fa.products), fa.products[0].get("source", "")))
        if any("includes_first_exon" in f or "removes_essential" in f for f in fa.flags) or bad:
            level = "unlikely_eligible"
        elif fa.single_skips and (fa.products or _all_dispensable(gene, fa.single_skips)):
            level = "eligible"
        else:
            level = "likely_eligible"
        return AmenabilityCall("exon_skipping", level, r, extra)
    cpos, off, utr = parse_c_position(v.hgvs_c)
    if v.kind in (VariantKind.NONSENSE, VariantKind.FRAMESHIFT, VariantKind.TRUNCATING, VariantKind.MISSENSE,
                  VariantKind.INFRAME_INDEL) and cpos and off is None and not utr:
        ex = exon_of_coding_position(gene, cpos)
        if ex is None:
            return AmenabilityCall("exon_skipping", "unable_to_assess", [_ev(
                "aso.skip.unmapped", f"c.{cpos} lies outside the shipped coding sequence")])
        rec = recs[ex - 1]
        extra["variant_exon"] = ex
        r.append(_ev("aso.skip.variant_exon", f"c.{cpos} lies in exon {ex} ({rec.cds_nt} coding nt)", src))
        if ex in (1, len(recs)):
            r.append(_ev("aso.skip.terminal", f"exon {ex} is a terminal exon and cannot be skipped"))
            return AmenabilityCall("exon_skipping", "not_eligible", r, extra)
        if rec.cds_nt % 3 != 0:
            r.append(_ev("aso.skip.out_of_frame_exon", f"exon {ex} is out of frame ({rec.cds_nt} nt mod 3 = "
                         f"{rec.cds_nt % 3}): skipping it alone shifts the frame"))
            return AmenabilityCall("exon_skipping", "not_eligible", r, extra)
        r.append(_ev("aso.skip.in_frame_exon", f"exon {ex} is in frame: skipping removes the variant and keeps "
                     "the frame"))
        d = exon_domain(gene, ex)
        if d and d.essential:
            r.append(_ev("aso.skip.essential", f"exon {ex} encodes {d.domain}", d.source))
            return AmenabilityCall("exon_skipping", "unlikely_eligible", r, extra)
        if v.kind == VariantKind.MISSENSE:
            r.append(_ev("aso.skip.missense", "skipping trades a missense change for a loss of the exon's residues"))
            return AmenabilityCall("exon_skipping", "unlikely_eligible", r, extra)
        if d and not d.essential:
            r.append(_ev("aso.skip.dispensable", f"exon {ex} lies in {d.domain}", d.source))
            return AmenabilityCall("exon_skipping", "likely_eligible", r, extra)
        r.append(_ev("aso.skip.dispensability_unknown", f"whether exon {ex} is dispensable is not known"))
        return AmenabilityCall("exon_skipping", "likely_eligible" if rec.cds_nt < 300 else "unlikely_eligible",
                               r, extra)
    r.append(_ev("aso.skip.not_applicable", f"{v.kind.value} variant without an exon range or coding position"))
    return AmenabilityCall("exon_skipping", "unable_to_assess" if v.kind == VariantKind.UNKNOWN else "not_eligible",
                           r, extra)


def _all_dispensable(gene: str, exons: list[int]) -> bool:
    ds = [exon_domain(gene, e) for e in exons]
    return all(d is not None and not d.essential for d in ds)


def _knockdown(gene: str, v: Variant, mech: Mechanism, zyg: Zygosity) -> tuple[AmenabilityCall, AmenabilityCall]:
    r: list[Evidence] = []
    if mech.is_loss:
        e = _ev("aso.knockdown.lof", f"mechanism {mech.value}: reducing expression of {gene} would worsen a "
                "loss of function")
        return (AmenabilityCall("knockdown", "not_eligible", [e]),
                AmenabilityCall("allele_selective_knockdown", "not_eligible", [e]))
    if mech == Mechanism.UNKNOWN:
        e = _ev("aso.knockdown.mechanism_unknown", "disease mechanism unknown: knockdown only fits gain of "
                "function or dominant negative")
        return (AmenabilityCall("knockdown", "unable_to_assess", [e]),
                AmenabilityCall("allele_selective_knockdown", "unable_to_assess", [e]))
    if mech == Mechanism.GAIN_OF_FUNCTION:
        r.append(_ev("aso.knockdown.gof", "gain of function: lowering the toxic product helps (tofersen for SOD1 "
                     "precedent); total knockdown also lowers the normal allele"))
        total = AmenabilityCall("knockdown", "likely_eligible", r)
    else:
        r.append(_ev("aso.knockdown.dn", "dominant negative: total knockdown also removes the normal allele "
                     "(risk of haploinsufficiency); allele-selective knockdown is preferred"))
        total = AmenabilityCall("knockdown", "unlikely_eligible", r)
    ar: list[Evidence] = []
    if zyg in (Zygosity.HOMOZYGOUS, Zygosity.HEMIZYGOUS):
        ar.append(_ev("aso.allele.no_normal_allele", f"{zyg.value}: no normal allele to spare"))
        return total, AmenabilityCall("allele_selective_knockdown", "not_eligible", ar)
    snv = bool(v.hgvs_c and _SNV.search(v.hgvs_c)) or (bool(v.ref and v.alt) and len(v.ref or "") == 1
                                                       and len(v.alt or "") == 1)
    if zyg == Zygosity.UNKNOWN:
        ar.append(_ev("aso.allele.zygosity_unknown", "zygosity unknown"))
        return total, AmenabilityCall("allele_selective_knockdown", "unable_to_assess", ar)
    if snv:
        ar.append(_ev("aso.allele.variant_targetable", "heterozygous single-nucleotide variant: a gapmer with "
                      "the variant base in the gap centre can discriminate the alleles"))
        level = "likely_eligible"
    elif v.kind in (VariantKind.INSERTION, VariantKind.FRAMESHIFT, VariantKind.INFRAME_INDEL,
                    VariantKind.REPEAT_EXPANSION):
        ar.append(_ev("aso.allele.indel", f"heterozygous {v.kind.value}: the altered sequence itself may be "
                      "targetable; otherwise a phased heterozygous SNP is needed"))
        level = "likely_eligible" if v.kind != VariantKind.REPEAT_EXPANSION else "unlikely_eligible"
    else:
        ar.append(_ev("aso.allele.needs_snp", "the variant cannot be targeted itself: needs a phased heterozygous "
                      "SNP in the transcript"))
        level = "unable_to_assess"
    return total, AmenabilityCall("allele_selective_knockdown", level, ar)


def _upregulation(gene: str, v: Variant, mech: Mechanism, zyg: Zygosity) -> AmenabilityCall:
    rows = _upregulation_table().get(gene.upper(), [])
    if not mech.is_loss and mech != Mechanism.UNKNOWN:
        return AmenabilityCall("upregulation", "not_eligible", [_ev(
            "aso.up.mechanism", f"mechanism {mech.value}: more expression would not help")])
    if not rows:
        return AmenabilityCall("upregulation", "unable_to_assess", [_ev(
            "aso.up.no_target", f"no poison exon, antisense transcript or uORF target known for {gene} in the "
            "knowledge base")])
    r = [_ev("aso.up.target", f"{row['target']} ({row['mechanism']}); product {row['product']} ({row['status']})",
             row["source"]) for row in rows]
    needs_allele = all(row["requires"] == "functional_allele" for row in rows)
    if needs_allele and zyg.biallelic:
        r.append(_ev("aso.up.no_functional_allele", f"{zyg.value}: no functional allele to upregulate"))
        return AmenabilityCall("upregulation", "not_eligible", r)
    approved = any(row["status"] == "approved" for row in rows)
    # the gene(s) the ASO acts on: SMN2 for SMN1 disease, the disease gene itself for SCN1A poison exon 20N
    extra = {"target_genes": sorted({row["target_gene"].upper() for row in rows})}
    if mech == Mechanism.UNKNOWN:
        r.append(_ev("aso.up.mechanism_unknown", "mechanism unknown: upregulation fits loss of function"))
        return AmenabilityCall("upregulation", "likely_eligible" if approved else "unable_to_assess", r, extra)
    if zyg == Zygosity.UNKNOWN and needs_allele:
        return AmenabilityCall("upregulation", "likely_eligible", r, extra)
    return AmenabilityCall("upregulation", "eligible" if approved else "likely_eligible", r, extra)


def assess_amenability(gene: str, variant: Variant, mechanism: Mechanism, zygosity: Zygosity,
                       kc: KnowledgeContext | None = None, *, tissue: str | None = None) -> list[AmenabilityCall]:
    """One AmenabilityCall per strategy (STRATEGIES order); tissue reachability can only lower a level.
    `kc` names the products for a frame-restoring skip and the tissues oligonucleotides reach (default: the shipped
    knowledge); `tissue` is the disease's target tissue (default: the gene's curated one)."""
    kc = kc or default_context()
    mech = Mechanism(mechanism) if not isinstance(mechanism, Mechanism) else mechanism
    zyg = Zygosity(zygosity) if not isinstance(zygosity, Zygosity) else zygosity
    if zyg == Zygosity.UNKNOWN and variant.zygosity != Zygosity.UNKNOWN:
        zyg = variant.zygosity
    kd, akd = _knockdown(gene, variant, mech, zyg)
    calls = [_splice_correction(gene, variant, mech), _exon_skipping(gene, variant, mech, kc), kd, akd,
             _upregulation(gene, variant, mech, zyg)]
    deliv, reachable = _delivery_reason(gene, tissue, kc)
    for c in calls:
        c.reasons.append(deliv)
        if reachable is False and c.level in ("eligible", "likely_eligible"):
            c.level = "unlikely_eligible"
        elif reachable is None and c.level == "eligible":
            c.level = "likely_eligible"
        c.reasons.append(_ev("aso.levels", f"level {c.level}", GUIDELINE))
    return calls

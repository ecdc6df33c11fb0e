"""Repeat expansions: the repeat count decides the biology (knowledge/data/repeat_loci.tsv, one row per locus).

A polyglutamine CAG expansion in HTT or an ATXN gene makes a toxic protein and a CTG/CCTG expansion in DMPK/CNBP a
toxic RNA (gain of function); an FMR1 CGG full mutation (> 200) silences the gene (loss of function) while a
premutation (55-200) makes a toxic RNA (FXTAS); biallelic FXN GAA expansions silence frataxin (loss). A count in
the normal or intermediate range is not a disease allele, and a heterozygous expansion at a biallelic locus is a
carrier state: both are recorded without supporting any mechanism.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import Vote, gene_variants, note
from rarepath.model import Case, Evidence, Mechanism, Variant, VariantKind, Zygosity

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

TABLE = "repeat_loci"
#: A full mutation of a catalogued locus is close to decisive; an uncounted expansion is assumed full, less surely.
W_FULL = 0.85
W_PREMUTATION = 0.6
W_UNCOUNTED = 0.65
#: Loci not in the table: a heterozygous CAG expansion is read as polyglutamine gain, a biallelic one as silencing.
W_GENERIC = 0.5
GENERIC_CAG_SOURCE = "Orr & Zoghbi, Annu Rev Neurosci 2007;30:575 (polyglutamine diseases)"
GENERIC_BIALLELIC_SOURCE = "Campuzano et al., Science 1996;271:1423 (biallelic repeat silencing, FXN GAA)"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def repeat_range(row: dict[str, str], count: int | None, flags: tuple[str, ...] = ()) -> str:
    """'normal' | 'intermediate' | 'premutation' | 'full' | 'uncounted' for a repeat count at a locus; without a
    count, a stated `full_mutation` / `premutation` (variant flags) decides."""
    if count is None:
        if "premutation" in flags and row.get("premutation_min"):
            return "premutation"
        return "full" if "full_mutation" in flags else "uncounted"
    full = _int(row.get("full_min"))
    pre_lo, pre_hi = _int(row.get("premutation_min")), _int(row.get("premutation_max"))
    normal = _int(row.get("normal_max"))
    if full is not None and count >= full:
        return "full"
    if pre_lo is not None and pre_hi is not None and pre_lo <= count <= pre_hi:
        return "premutation"
    if normal is not None and count <= normal:
        return "normal"
    return "intermediate"


def _locus(kc: KnowledgeContext, gene: str, unit: str | None) -> dict[str, str] | None:
    rows = [r for r in kc.table(TABLE) if r.get("gene", "").upper() == gene.upper()]
    if unit:
        rows = [r for r in rows if r.get("unit", "").upper() == unit.upper()]
    return rows[0] if rows else None


def _generic(v: Variant, zyg: Zygosity) -> list[Vote]:
    unit = (v.repeat_unit or "").upper()
    if unit == "CAG" and zyg == Zygosity.HETEROZYGOUS:
        return [Vote(Mechanism.GAIN_OF_FUNCTION, W_GENERIC, Evidence(
            "coding_cag_expansion", GENERIC_CAG_SOURCE,
            f"heterozygous CAG expansion ({v.repeat_count or '?'} repeats) at a locus not in the repeat table: "
            "read as toxic polyglutamine gain"))]
    if zyg in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
        return [Vote(Mechanism.LOSS_OF_FUNCTION, W_GENERIC, Evidence(
            "biallelic_repeat_silencing", GENERIC_BIALLELIC_SOURCE,
            f"biallelic {unit or 'repeat'} expansion: reduced expression (loss of function)"))]
    return []


def repeat_biology(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    expansions = [v for v in gene_variants(case, gene)
                  if v.kind == VariantKind.REPEAT_EXPANSION or v.repeat_count is not None]
    zyg = case.zygosity
    votes: list[Vote] = []
    for v in expansions:
        row = _locus(kc, gene, v.repeat_unit)
        any_unit = _locus(kc, gene, None)
        if row is None and any_unit is not None:
            votes.append(note("repeat_unit_mismatch", any_unit["source"],
                              f"{gene} expansions are {any_unit['unit']} repeats, not {v.repeat_unit}: not counted"))
            continue
        if row is None:
            votes.extend(_generic(v, zyg))
            continue
        unit, src, count = row["unit"], row["source"], v.repeat_count
        where = f"{gene} {unit} x{count if count is not None else '?'}"
        bounds = (f"normal <= {row['normal_max']}, full mutation >= {row['full_min']}"
                  + (f", premutation {row['premutation_min']}-{row['premutation_max']}"
                     if row.get("premutation_min") else ""))
        band = repeat_range(row, count, v.flags)
        if row.get("allelic") == "biallelic" and zyg not in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
            if band in ("full", "premutation", "uncounted"):
                votes.append(note("repeat_carrier", src,
                                  f"{where}: disease needs expansions on both alleles; one expanded allele "
                                  f"({zyg.value}) is a carrier state ({bounds})"))
                continue
        if band in ("normal", "intermediate"):
            votes.append(note(f"repeat_{band}_range", src, f"{where} is in the {band} range ({bounds}): "
                                                           "not a disease-causing expansion", veto=True))
        elif band == "premutation":
            if row.get("premutation_effect"):
                votes.append(Vote(Mechanism(row["premutation_effect"]), W_PREMUTATION, Evidence(
                    "repeat_premutation", src, f"{where} is a premutation ({bounds}): {row['premutation_biology']}")))
            else:
                votes.append(note("repeat_premutation", src,
                                  f"{where} is a premutation ({bounds}): no disease expected in the carrier; "
                                  "may expand in offspring"))
        else:
            weight = W_FULL if band == "full" else W_UNCOUNTED
            how = "a full mutation" if band == "full" else "an expansion without a count (read as a full mutation)"
            votes.append(Vote(Mechanism(row["full_effect"]), weight, Evidence(
                "repeat_full_mutation" if band == "full" else "repeat_expansion_uncounted", src,
                f"{where} is {how} ({bounds}): {row['full_biology']}")))
    return votes

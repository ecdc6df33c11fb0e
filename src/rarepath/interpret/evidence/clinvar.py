"""Where the gene's known pathogenic variants sit: an imported ClinVar (`kb import` of variant_summary.txt.gz), else
the shipped knowledge/data/clinvar_gene_patterns.tsv (ClinVar 2016-05-05).

Gerasimavicius et al. (Nat Commun 13:3895, 2022): loss-of-function genes carry truncating pathogenic variants
and missense variants spread along the protein; dominant-negative and gain-of-function missense variants cluster,
and gain-of-function ones recur at a few hotspot residues. Used for monoallelic missense variants in genes
without a curated gene+disease row. Thresholds were chosen on the tuning half of the Gene2Phenotype genes only
(benchmarks/validity.py reports both halves).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from scipy.stats import binomtest

from rarepath.interpret.evidence.base import (
    Vote,
    all_missense,
    all_null,
    gene_variants,
    monoallelic,
    note,
    protein_change,
)
from rarepath.interpret.evidence.protein_class import matching_class
from rarepath.knowledge.clinvar_patterns import WINDOW_FRACTION
from rarepath.knowledge.curated import load_table
from rarepath.model import Case, Evidence, Mechanism

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

TABLE = "clinvar_gene_patterns"
#: Fewest P/LP variants (truncating + missense) before a gene's pattern is read.
MIN_PLP = 5
#: Truncating fraction at or above which the gene's disease comes from loss of the product (tuning half: 65 of 74
#: monoallelic G2P genes at or above 0.2 are loss of function, 8 dominant negative, 1 gain of function).
TRUNCATING_LOSS = 0.2
#: Truncating fraction at or below which pathogenic variants are (almost) all missense.
TRUNCATING_RARE = 0.1
#: Fraction of missense P/LP variants at recurrent residues from which the gene has activating hotspots (tuning
#: half: 10 of 15 such genes gain of function, 3 dominant negative, 2 loss).
RECURRENT_GAIN = 0.4
W_LOSS = 0.6
#: The truncating fraction is read with its uncertainty: the lower end of its 80% Wilson interval must reach
#: TRUNCATING_LOSS for the full weight; a point estimate above it with too few variants (1-2 truncating among a
#: handful) counts W_LOSS_FEW, which cannot make a call alone (tuning half: CASP10, MIP and F12, altered-function
#: genes with two or one truncating P/LP variant, had been called loss of function from this line alone).
TRUNCATING_CONFIDENCE = 0.8
W_LOSS_FEW = 0.4
W_GAIN = 0.58
#: Missense-only without hotspots: altered function of either kind (gain, dominant negative; loss not excluded).
W_ALTERED = 0.25
W_HOTSPOT_VARIANT = 0.3
#: A Gly-X-Y helix seen in ClinVar: most P/LP missense replace a glycine, nearly all in one phase of 3 (tuning half:
#: COL3A1, COL5A2 dominant negative, no other gene passes; COL1A1, COL2A1, COL6A1 unlabelled there).
GLYCINE_FRACTION = 0.7
GLYCINE_PHASE_FRACTION = 0.85
MIN_GLYCINE_MISSENSE = 8
W_GLYCINE_HELIX = 0.6
#: Truncating P/LP variants that all sit in one window of WINDOW_FRACTION x the protein, in its C-terminal half,
#: escape nonsense-mediated decay and make a shortened protein (Coban-Akdemir et al., Am J Hum Genet 2018;
#: Gerasimavicius et al. 2022): a heterozygous truncation there alters function rather than halving dosage, and
#: the gene's truncating fraction says nothing about haploinsufficiency. Needs at least MIN_CLUSTERED_TRUNCATING
#: placed truncations (tuning half: CXCR4 and DVL3, both dominant negative, pass; no loss-of-function gene does;
#: SRCAP, dominant negative, just misses with its truncations spread over 10.2% of the protein).
MIN_CLUSTERED_TRUNCATING = 3
C_TERMINAL_HALF = 0.5
W_NMD_ESCAPE = 0.5


@cache
def truncating_lower_bound(truncating: int, total: int) -> float:
    """Lower end of the 80% Wilson interval of the truncating fraction: a few truncating variants among a
    handful are not yet a pattern (two of six is as consistent with 15% as with 33%)."""
    ci = binomtest(truncating, total).proportion_ci(confidence_level=TRUNCATING_CONFIDENCE, method="wilson")
    return float(ci.low)


@cache
def gene_patterns() -> dict[str, dict[str, str]]:
    return {r["gene"].upper(): r for r in load_table(TABLE)}


def c_terminal_truncations(row: dict[str, str]) -> tuple[int, int] | None:
    """(first, last) residue of the gene's truncating P/LP variants when they all cluster near the C-terminus."""
    placed = [int(x) for x in (row.get("truncating_residues") or "").split(";") if x]
    length = int(row.get("protein_length") or 0)
    if len(placed) < MIN_CLUSTERED_TRUNCATING or length <= 0:
        return None
    first, last = min(placed), max(placed)
    if first >= C_TERMINAL_HALF * length and last - first <= WINDOW_FRACTION * length:
        return first, last
    return None


def nmd_escape_votes(gene: str, row: dict[str, str], residue: int | None) -> list[Vote]:
    """Votes for a heterozygous truncating variant in a gene whose pathogenic truncations escape decay."""
    cluster = c_terminal_truncations(row)
    if cluster is None:
        return []
    first, last = cluster
    src = row["source"]
    where = f"residues {first}-{last} of {row['protein_length']}"
    if residue is not None and residue < first - WINDOW_FRACTION * int(row["protein_length"]):
        return [note("clinvar_truncation_outside_cluster", src,
                     f"{gene}'s pathogenic truncations cluster at {where}; this one (residue {residue}) lies "
                     "upstream, where the transcript is expected to decay: read as an ordinary null allele")]
    detail = (f"all {len(row['truncating_residues'].split(';'))} placed truncating P/LP variants of {gene} lie at "
              f"{where}, the C-terminal end: they escape nonsense-mediated decay and make a shortened protein, "
              "so a truncation here alters function (dominant negative or gain of function) rather than halving "
              "the dose")
    return [Vote(m, W_NMD_ESCAPE, Evidence("clinvar_c_terminal_truncations", src, detail))
            for m in (Mechanism.DOMINANT_NEGATIVE, Mechanism.GAIN_OF_FUNCTION)]


def glycine_helix(row: dict[str, str]) -> int | None:
    """The Gly phase (position mod 3) when the gene's P/LP missense variants trace a Gly-X-Y triple helix."""
    if (int(row["missense_plp"]) >= MIN_GLYCINE_MISSENSE and row.get("glycine_phase", "") != ""
            and float(row["glycine_fraction"]) >= GLYCINE_FRACTION
            and float(row["glycine_phase_fraction"]) >= GLYCINE_PHASE_FRACTION):
        return int(row["glycine_phase"])
    return None


def pattern_votes(gene: str, row: dict[str, str], residue: int | None = None, ref: str | None = None,
                  altered: Mechanism | None = None) -> list[Vote]:
    """Votes from one gene's ClinVar pattern for a monoallelic missense variant (at `residue`, replacing `ref`).

    Clustered, recurrent missense variants say the protein's function is altered, not lost; by default that reads
    as activation (Gerasimavicius et al.: gain-of-function variants recur at hotspots most), but when a more
    specific line has already named the kind of altered function for this residue (`altered`, e.g. a keratin or
    intermediate-filament chain, which acts dominant-negatively) the cluster supports that kind instead of
    contradicting it."""
    n_t, n_m = int(row["truncating_plp"]), int(row["missense_plp"])
    src = row["source"]
    phase = glycine_helix(row)
    if phase is not None and ref == "Gly" and residue is not None and residue % 3 == phase:
        return [Vote(Mechanism.DOMINANT_NEGATIVE, W_GLYCINE_HELIX, Evidence(
            "clinvar_glycine_helix", src,
            f"{float(row['glycine_fraction']):.0%} of the {n_m} P/LP missense variants of {gene} replace a glycine, "
            f"{float(row['glycine_phase_fraction']):.0%} of them at every third residue (a Gly-X-Y triple helix); "
            f"Gly{residue} is in that phase: a glycine substitution that poisons the helix (dominant negative)"))]
    if n_t + n_m < MIN_PLP:
        return [note("clinvar_pattern_sparse", src, f"{gene}: only {n_t + n_m} P/LP variants in ClinVar")]
    tf = float(row["truncating_fraction"])
    rec = float(row["recurrent_fraction"] or 0)
    counts = f"{n_t} truncating and {n_m} missense P/LP variants"
    hotspots = {int(x) for x in row["recurrent_residues"].split(";") if x}
    at_hotspot = residue is not None and residue in hotspots
    if tf >= TRUNCATING_LOSS:
        if c_terminal_truncations(row) is not None:
            return [note("clinvar_pattern_mixed", src, f"{gene} has {counts}, but its truncations cluster at the "
                         "C-terminus (escaping decay): the truncating fraction does not speak for loss of function")]
        low = truncating_lower_bound(n_t, n_t + n_m)
        if low >= TRUNCATING_LOSS:
            return [Vote(Mechanism.HAPLOINSUFFICIENCY, W_LOSS, Evidence(
                "clinvar_truncating_gene", src,
                f"{gene} has {counts} (truncating fraction {tf:.2f}, 80% interval from {low:.2f}): its disease "
                "comes from loss of one copy, so a pathogenic missense variant most likely inactivates the protein"))]
        return [Vote(Mechanism.HAPLOINSUFFICIENCY, W_LOSS_FEW, Evidence(
            "clinvar_truncating_gene_few", src,
            f"{gene} has {counts} (truncating fraction {tf:.2f}, but the 80% interval reaches down to {low:.2f}): "
            "too few variants to be sure truncation is the gene's pattern; loss of function is favoured, not "
            "established, and needs another line of evidence"))]
    if tf > TRUNCATING_RARE or n_m < MIN_PLP:
        return [note("clinvar_pattern_mixed", src, f"{gene} has {counts}: pattern does not decide the mechanism")]
    votes: list[Vote] = []
    hotspot_kind = altered or Mechanism.GAIN_OF_FUNCTION
    if rec >= RECURRENT_GAIN:
        reading = ("the pattern of activating (gain-of-function) variants" if altered is None else
                   f"altered rather than lost function, of the kind this residue's protein class names "
                   f"({altered.value.replace('_', ' ')})")
        votes.append(Vote(hotspot_kind, W_GAIN, Evidence(
            "clinvar_missense_hotspots", src,
            f"{gene} has {counts}; {rec:.0%} of the missense ones recur at the same residues: pathogenic variants "
            f"are missense at hotspots, {reading}")))
    else:
        detail = (f"{gene} has {counts}, few recurrent residues ({rec:.0%}): pathogenic variants are missense, "
                  "which points away from loss without saying which altered function")
        votes.extend(Vote(m, W_ALTERED, Evidence("clinvar_missense_without_truncation", src, detail))
                     for m in (Mechanism.DOMINANT_NEGATIVE, Mechanism.GAIN_OF_FUNCTION))
    if at_hotspot and rec >= RECURRENT_GAIN:
        votes.append(Vote(hotspot_kind, W_HOTSPOT_VARIANT, Evidence(
            "clinvar_recurrent_residue", src, f"residue {residue} of {gene} carries several P/LP missense variants")))
    return votes


def clinvar_pattern(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    if disease.curated is not None or disease.hallmark is not None:
        return []  # a curated gene+disease fact already speaks for this gene
    if not monoallelic(case):
        return []
    null, missense = all_null(case, gene), all_missense(case, gene)
    if not (null or missense):
        return []
    row = kc.kb.clinvar_pattern(gene) if kc.kb.available else None  # an imported current ClinVar first
    row = row or gene_patterns().get(gene.upper())
    if row is None:
        return []
    changes = [c for v in gene_variants(case, gene) if (c := protein_change(v)) is not None]
    if null:
        return nmd_escape_votes(gene, row, changes[0][1] if changes else None)
    if not changes:
        return pattern_votes(gene, row)
    ref, pos, _ = changes[0]
    named = matching_class(gene, ref, pos)
    return pattern_votes(gene, row, pos, ref, Mechanism(named["mechanism"]) if named else None)

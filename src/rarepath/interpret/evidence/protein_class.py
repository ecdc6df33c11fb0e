"""Variant classes known to act dominant-negatively (knowledge/data/dominant_negative_classes.tsv).

A glycine substitution in the Gly-X-Y triple helix of a fibrillar collagen is incorporated into the trimer and
disrupts folding of the normal chains too (Marini et al. 2007); a cysteine substitution in a fibrillin-1 cbEGF
domain acts the same way, and so does a missense chain of a keratin, which co-assembles into the filament network.
These classes are data, one row per gene and residue range (`*` = any residue).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rarepath.interpret.evidence.base import MISSENSE_KINDS, Vote, gene_variants, monoallelic, protein_change
from rarepath.knowledge.curated import load_table
from rarepath.model import Case, Evidence, Mechanism

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext

TABLE = "dominant_negative_classes"
W_CLASS = 0.8


@cache
def _rows_by_gene() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in load_table(TABLE):
        out.setdefault(row["gene"].upper(), []).append(row)
    return out


def matching_class(gene: str, ref: str, pos: int) -> dict[str, str] | None:
    """The dominant-negative class row a residue change falls in, if any."""
    for row in _rows_by_gene().get(gene.upper(), []):
        if row["ref_aa"] not in (ref, "*") or not int(row["protein_start"]) <= pos <= int(row["protein_end"]):
            continue
        if row.get("phase") and pos % 3 != int(row["phase"]):
            continue
        return row
    return None


def dominant_negative_class(case: Case, gene: str, disease: DiseaseContext, kc: KnowledgeContext) -> list[Vote]:
    if not monoallelic(case):
        return []
    votes: list[Vote] = []
    for v in gene_variants(case, gene):
        change = protein_change(v)
        if v.kind not in MISSENSE_KINDS or change is None:
            continue
        row = matching_class(gene, change[0], change[1])
        if row is not None:
            votes.append(Vote(Mechanism(row["mechanism"]), W_CLASS, Evidence(
                "dominant_negative_class", row["source"],
                f"{change[0]}{change[1]}{change[2]} in {gene}: {row['what']}")))
    return votes

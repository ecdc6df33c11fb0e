"""The contract every line of evidence follows: `provider(case, gene, disease, kc) -> list[Vote]`.

A `Vote` says how strongly one line of evidence, taken alone, supports one mechanism (a weight in 0..1 read
like a probability). A weight of 0 records what a line saw without supporting anything (a tolerant gene, an
inconsistent source, a repeat in the normal range), so the report shows every check, including the ones that
did not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rarepath.model import Case, Evidence, Mechanism, Variant, VariantKind, Zygosity

if TYPE_CHECKING:
    from rarepath.interpret.disease import DiseaseContext
    from rarepath.knowledge.context import KnowledgeContext


@dataclass(frozen=True)
class Vote:
    """One line of evidence for one mechanism: weight 0..1 (0 = noted, supports nothing). A `veto` says the
    variant is not a disease allele at all (a repeat in the normal range), so no mechanism is called for it."""

    mechanism: Mechanism
    weight: float
    evidence: Evidence
    veto: bool = False


def note(rule: str, source: str, detail: str, veto: bool = False) -> Vote:
    """A check that was made and supports no mechanism (kept for the report); `veto` as in `Vote`."""
    return Vote(Mechanism.UNKNOWN, 0.0, Evidence(rule, source, detail), veto)


Provider = Callable[["Case", str, "DiseaseContext", "KnowledgeContext"], list[Vote]]

#: Consequences that change the protein sequence without truncating it.
MISSENSE_KINDS = frozenset({VariantKind.MISSENSE, VariantKind.INFRAME_INDEL})

_AA3 = {"A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu", "G": "Gly", "H": "His",
        "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe", "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp",
        "Y": "Tyr", "V": "Val", "*": "Ter", "X": "Ter"}
_P3 = re.compile(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|\*|=)")
_P1 = re.compile(r"p\.\(?([A-Z*])(\d+)([A-Z*=])")


def gene_variants(case: Case, gene: str) -> tuple[Variant, ...]:
    """The case's variants in `gene` (all variants when none names it: a single-gene case)."""
    own = tuple(v for v in case.variants if v.gene.upper() == gene.upper())
    return own or case.variants


def is_null(v: Variant) -> bool:
    """A null allele by consequence, or described as loss of function."""
    return v.kind.is_null or "loss_of_function" in v.flags


def all_null(case: Case, gene: str) -> bool:
    vs = gene_variants(case, gene)
    return bool(vs) and all(is_null(v) for v in vs)


def all_missense(case: Case, gene: str) -> bool:
    vs = gene_variants(case, gene)
    return bool(vs) and all(v.kind in MISSENSE_KINDS and "loss_of_function" not in v.flags for v in vs)


def monoallelic(case: Case) -> bool:
    """One altered copy: heterozygous (or mosaic) rather than biallelic or hemizygous."""
    return case.zygosity in (Zygosity.HETEROZYGOUS, Zygosity.MOSAIC)


def protein_change(v: Variant) -> tuple[str, int, str] | None:
    """(reference residue, position, alternative) of a protein substitution, three-letter codes."""
    text = (v.hgvs_p or "").split(":", 1)[-1]
    m = _P3.search(text)
    if m:
        return m.group(1), int(m.group(2)), m.group(3)
    m = _P1.search(text)
    if m:
        return _AA3.get(m.group(1), m.group(1)), int(m.group(2)), _AA3.get(m.group(3), m.group(3))
    return None

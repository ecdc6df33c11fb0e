"""Genotyping primers around a guide's cut or edit site, for confirming isogenic clones (as CRISPOR does).

primer3 (primer3-py) picks one pair whose amplicon holds the site with at least FLANK_NT on each side, so
that Sanger reads or amplicon sequencing cover the edit and indels near it. Coordinates are 0-based half-open
on the genome (BED convention), like every other `design edit` output.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GenotypingPrimers", "design_genotyping_primers"]

FLANK_NT = 50  # bases kept free of primers on each side of the site
PRODUCT_SIZE = (250, 600)
TEMPLATE_NT = 700  # template taken on each side of the site


@dataclass(frozen=True)
class GenotypingPrimers:
    """One primer3 pair; left primer on +, right primer on - (written 5'->3')."""

    left: str
    right: str
    left_start_0based: int  # genomic
    right_end_0based_excl: int  # genomic; amplicon = [left_start_0based, right_end_0based_excl)
    product_size: int
    left_tm: float
    right_tm: float
    penalty: float


def design_genotyping_primers(sequence: str, site_start: int, site_end: int, *, genome_offset0: int = 0,
                              product_size: tuple[int, int] = PRODUCT_SIZE) -> GenotypingPrimers | None:
    """Primers around ``sequence[site_start:site_end]`` (0-based on ``sequence``), or None if primer3 finds none.

    ``genome_offset0`` is the genomic 0-based coordinate of ``sequence[0]``.
    """
    import primer3

    a = max(0, site_start - TEMPLATE_NT)
    b = min(len(sequence), site_end + TEMPLATE_NT)
    template = sequence[a:b].upper()
    t0 = max(0, site_start - FLANK_NT - a)
    t1 = min(len(template), site_end + FLANK_NT - a)
    if t1 - t0 >= product_size[1] or set(template) - set("ACGTN"):
        return None
    res = primer3.bindings.design_primers(
        {"SEQUENCE_ID": "site", "SEQUENCE_TEMPLATE": template, "SEQUENCE_TARGET": [t0, t1 - t0]},
        {"PRIMER_TASK": "generic", "PRIMER_PICK_LEFT_PRIMER": 1, "PRIMER_PICK_RIGHT_PRIMER": 1,
         "PRIMER_OPT_SIZE": 20, "PRIMER_MIN_SIZE": 18, "PRIMER_MAX_SIZE": 25,
         "PRIMER_OPT_TM": 60.0, "PRIMER_MIN_TM": 57.0, "PRIMER_MAX_TM": 63.0,
         "PRIMER_MIN_GC": 30.0, "PRIMER_MAX_GC": 70.0, "PRIMER_MAX_POLY_X": 4,
         "PRIMER_PRODUCT_SIZE_RANGE": [list(product_size)], "PRIMER_NUM_RETURN": 1})
    if not res.get("PRIMER_PAIR_NUM_RETURNED"):
        return None
    left_pos, _ = res["PRIMER_LEFT_0"]
    right_pos, right_len = res["PRIMER_RIGHT_0"]  # primer3: right primer's 3' end position and length
    start = genome_offset0 + a + left_pos
    end = genome_offset0 + a + right_pos + 1
    return GenotypingPrimers(res["PRIMER_LEFT_0_SEQUENCE"], res["PRIMER_RIGHT_0_SEQUENCE"], start, end,
                             int(res["PRIMER_PAIR_0_PRODUCT_SIZE"]), round(float(res["PRIMER_LEFT_0_TM"]), 1),
                             round(float(res["PRIMER_RIGHT_0_TM"]), 1), round(float(res["PRIMER_PAIR_0_PENALTY"]), 3))

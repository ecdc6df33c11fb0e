"""Where the approved exon-skipping oligos land among the designer's own candidates (issue 12's yardstick).

The approved sequences are found after ranking, never looked up for it. Three views: the oligo's own rank among all
its exon's candidates; its rank among candidates of its length (the length is a chemistry and sponsor choice: PMO
30-mers for eteplirsen, a 21-mer for viltolarsen); and the best rank of any candidate covering at least half of
its site, which says whether the design finds the site even where it prefers another length there.
"""

from __future__ import annotations

from dataclasses import dataclass

from rarepath.design.aso.design import DesignResult, approved_sequences, design, parse_goal
from rarepath.design.aso.regions import GeneRegion


@dataclass(frozen=True)
class ApprovedRank:
    name: str
    exon: int
    length: int
    rank: int
    total: int
    rank_in_length: int
    same_length: int
    site_rank: int

    @property
    def fraction(self) -> float:
        return self.rank / self.total

    @property
    def fraction_in_length(self) -> float:
        return self.rank_in_length / self.same_length

    @property
    def site_fraction(self) -> float:
        return self.site_rank / self.total


def approved_oligo_ranks(region: GeneRegion) -> list[ApprovedRank]:
    """Blind ranks of every approved skip-exon oligo of the shipped table whose gene is `region`'s."""
    out = []
    designed: dict[int, DesignResult] = {}  # golodirsen and viltolarsen share exon 53: design each exon once
    for seq, row in approved_sequences().items():
        if row["gene"].upper() != region.gene.upper():
            continue
        exon = int(row["target"].split()[-1])
        if exon not in designed:
            designed[exon] = design(region, parse_goal(f"skip-exon:{exon}", region))
        res = designed[exon]
        own = next(c for c in res.candidates if c.oligo == seq)
        same = [c for c in res.candidates if len(c.oligo) == len(seq)]
        half_site = (own.site_end - own.site_start) / 2
        covering = [c.rank for c in res.candidates
                    if min(c.site_end, own.site_end) - max(c.site_start, own.site_start) >= half_site]
        out.append(ApprovedRank(row["name"], exon, len(seq), own.rank, len(res.candidates),
                                1 + sum(c.score > own.score for c in same), len(same), min(covering)))
    return out

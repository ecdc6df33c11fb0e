"""CRISPOR's sample output on yeast (sacCer3): off-target counts and MIT specificity of 7 guides.

CRISPOR conventions reproduced here (from its source and this oracle): up to 4 mismatches in the 20-nt
protospacer, PAMs NGG plus NAG/NGA; the 0-mismatch site inside the input sequence (chrI:766-~1000) is the
on-target and is not counted; NAG/NGA sites are kept only if their MIT hit score is >= 1.0 (ALTPAMMINSCORE);
MIT specificity = 10000 / (100 + sum of hit scores), with NAG/NGA hit scores x 0.2.
Two oracle values are not reproduced (see KNOWN_DIFFERENCES): our engine finds every site, confirmed by the
brute-force reference, so these come from CRISPOR's BWA-based pipeline, not from missed sites.
"""

from __future__ import annotations

import csv

import pytest

from conftest import shared_path
from rarepath.design.offtarget import GenomeIndex, search_guides
from rarepath.design.offtarget.bruteforce import bruteforce_search

# guide -> (our offtargetCount, our MIT) where they differ from CRISPOR's (6, 68) and (6, 38)
KNOWN_DIFFERENCES = {
    "TACATAAACATATTGGCTTGTGG": (7, 68),  # CRISPOR drops one 2-mismatch NAG site (MIT 1.6, chrXII:1064273 -)
    "AGAATATTTCGTACTTACACAGG": (6, 54),  # CRISPOR's 38 = one of four perfect NGA matches not down-weighted
}


def _mit_hit(mismatch_positions: tuple[int, ...]) -> float:
    try:
        from rarepath.design.crispr.scores import mit_hit_score_from_positions
    except ImportError:  # pragma: no cover - the crispr module is another engineer's
        pytest.skip("rarepath.design.crispr.scores not available")
    return mit_hit_score_from_positions([p + 1 for p in mismatch_positions])


@pytest.fixture(scope="module")
def yeast() -> GenomeIndex:
    return GenomeIndex.from_fasta(shared_path("genomes", "sacCer3"))


@pytest.fixture(scope="module")
def oracle() -> list[dict[str, str]]:
    path = shared_path("crispr", "oracles", "crispor_sample.sacCer3.expected.tsv")
    with path.open() as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        return [dict(zip(header, r, strict=False)) for r in csv.reader(fh, delimiter="\t")]


def test_counts_and_mit_specificity_match_crispor(yeast: GenomeIndex, oracle: list[dict[str, str]]) -> None:
    guides = [r["targetSeq"] for r in oracle]
    hits = search_guides(yeast, [g[:20] for g in guides], pams=("NGG", "NAG", "NGA"), max_mismatches=4)
    matched = 0
    for i, row in enumerate(oracle):
        mine = [h for h in hits if h.query_index == i]
        on = [h for h in mine if h.mismatches == 0 and h.chrom == "chrI" and 765 <= h.start < 1000]
        assert len(on) == 1 and on[0].site == row["targetSeq"]
        total, count = 0.0, 0
        for h in mine:
            if h is on[0]:
                continue
            score = _mit_hit(h.mismatch_positions)
            if h.pam[1:] != "GG":
                if score < 1.0:
                    continue
                score *= 0.2
            total += score
            count += 1
        got = (count, round(10000 / (100 + total)))
        want = (int(row["offtargetCount"]), int(row["mitSpecScore"]))
        if row["targetSeq"] in KNOWN_DIFFERENCES:
            assert got == KNOWN_DIFFERENCES[row["targetSeq"]]
        else:
            assert got == want
            matched += 1
    assert matched == 5


def test_yeast_engine_equals_bruteforce_for_two_guides(yeast: GenomeIndex, oracle) -> None:
    guides = [oracle[0]["targetSeq"][:20], oracle[5]["targetSeq"][:20]]
    pams = ("NGG", "NAG", "NGA")
    assert search_guides(yeast, guides, pams=pams, max_mismatches=4) == bruteforce_search(yeast, guides, pams, 4)

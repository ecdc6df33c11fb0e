"""Off-target summary over engine hits: a brute-force stand-in, the real engine, and CRISPOR's sacCer3 oracle."""

from __future__ import annotations

import csv
import random

import pytest

from conftest import shared_path
from rarepath.design.crispr.nucleases import nucleases, pam_matches
from rarepath.design.crispr.offtargets import OnTargetLocation, search_offtargets, summarize_hits
from rarepath.design.crispr.scores import cfd_score, mit_hit_score, revcomp
from rarepath.design.offtarget import OffTargetHit


def brute_search(genome: dict[str, str], spacers, pams=("NGG", "NAG", "NGA"), max_mismatches=4,
                 pam_side="3prime", bulge=0):
    """Stand-in with the engine's signature: every window, both strands, 3' PAM only."""
    assert pam_side == "3prime" and bulge == 0
    out = []
    for qi, sp in enumerate(spacers):
        L, P = len(sp), len(pams[0])
        for chrom, seq in genome.items():
            for strand in "+-":
                s = seq if strand == "+" else revcomp(seq)
                for j in range(len(s) - L - P + 1):
                    site = s[j:j + L + P]
                    if not any(pam_matches(p, site[L:]) for p in pams):
                        continue
                    mm = sum(a != b for a, b in zip(sp, site[:L], strict=True))
                    if mm <= max_mismatches:
                        start = j if strand == "+" else len(s) - j - L - P
                        out.append(OffTargetHit(qi, chrom, start, start + L + P, strand, site, mm, site[L:],
                                                mismatch_positions=()))
    return out


def _planted_genome(seed=7):
    rng = random.Random(seed)
    spacer = "".join(rng.choice("ACGT") for _ in range(20))
    chunks, pos = [], {}
    body = "".join(rng.choice("ACGT") for _ in range(3000))
    one_mm = spacer[:5] + ("A" if spacer[5] != "A" else "C") + spacer[6:]
    two_mm = ("G" if spacer[0] != "G" else "T") + spacer[1:19] + ("G" if spacer[19] != "G" else "T")
    plants = [(100, spacer + "TGG", "+"), (900, revcomp(one_mm + "CAG"), "-"), (2000, two_mm + "AGA", "+")]
    seq = list(body)
    for at, s, strand in plants:
        seq[at:at + 23] = s
        pos[strand, at] = s
    chunks.append("".join(seq))
    return spacer, {"chrT": chunks[0]}, one_mm, two_mm


def test_summary_counts_and_specificities_with_stand_in():
    spacer, genome, one_mm, two_mm = _planted_genome()
    nuc = nucleases()["SpCas9"]
    hits = brute_search(genome, [spacer])
    own = OnTargetLocation("chrT", 100, "+")
    summ = summarize_hits(spacer, hits, nuc, own=own)
    assert summ.own_site_found
    assert summ.counts_by_mismatch[0] == 0
    assert summ.counts_by_mismatch[1] >= 1 and summ.counts_by_mismatch[2] >= 1
    # the planted 1-mm NAG site (weight 0.2 in MIT) and the 2-mm NGA site contribute as computed by hand
    planted = [h for h in hits if (h.start, h.strand) in ((900, "-"), (2000, "+"))]
    assert len(planted) == 2
    mit_planted = sum(0.2 * mit_hit_score(spacer, h.site[:20]) for h in planted)
    cfd_planted = sum(cfd_score(spacer, h.site) for h in planted)
    rest = [h for h in hits if (h.start, h.strand) not in ((900, "-"), (2000, "+"), (100, "+"))]
    mit_rest = sum(mit_hit_score(spacer, h.site[:20]) * (1 if h.pam[1:] == "GG" else 0.2) for h in rest)
    cfd_rest = sum(cfd_score(spacer, h.site) for h in rest)
    assert summ.mit_specificity == pytest.approx(10000 / (100 + mit_planted + mit_rest))
    assert summ.cfd_specificity == pytest.approx(100 / (1 + cfd_planted + cfd_rest))
    assert summ.mit_specificity < 100 and summ.cfd_specificity < 100


def test_search_offtargets_routes_hits_per_guide():
    spacer, genome, one_mm, _ = _planted_genome()
    nuc = nucleases()["SpCas9"]
    res = search_offtargets(genome, [spacer, one_mm], nuc, search=brute_search,
                            own=[OnTargetLocation("chrT", 100, "+"), None])
    assert len(res) == 2
    # the 1-mm variant sees the original site at 1 mismatch and its own site at 0
    assert res[1].counts_by_mismatch[0] >= 1 and res[1].counts_by_mismatch[1] >= 1
    assert not res[1].own_site_found and res[0].own_site_found


def test_real_engine_matches_stand_in(tmp_path):
    import rarepath.design.offtarget as offtarget  # the project's own code: fail, never skip, if missing
    spacer, genome, one_mm, two_mm = _planted_genome()
    fa = tmp_path / "g.fa"
    fa.write_text("".join(f">{k}\n{v}\n" for k, v in genome.items()))
    idx = offtarget.GenomeIndex.from_fasta(fa)
    nuc = nucleases()["SpCas9"]
    qs = [spacer, one_mm, two_mm]
    real = search_offtargets(idx, qs, nuc, own=[OnTargetLocation("chrT", 100, "+"), None, None])
    ref = search_offtargets(genome, qs, nuc, search=brute_search,
                            own=[OnTargetLocation("chrT", 100, "+"), None, None])
    for a, b in zip(real, ref, strict=True):
        assert a.counts_by_mismatch == b.counts_by_mismatch and a.own_site_found == b.own_site_found
        assert a.mit_specificity == pytest.approx(b.mit_specificity)
        assert a.cfd_specificity == pytest.approx(b.cfd_specificity)
    assert real[0].counts_by_mismatch[:3] == (0, 1, 1)


# where CRISPOR's BWA pipeline differs from an exhaustive search (same findings as tests/design/offtarget):
KNOWN_DIFFERENCES = {
    "TACATAAACATATTGGCTTGTGG": (7, 68),  # CRISPOR (6, 68) drops one 2-mismatch NAG site
    "AGAATATTTCGTACTTACACAGG": (6, 54),  # CRISPOR (6, 38) leaves one perfect NGA site not down-weighted
}


@pytest.mark.slow
def test_crispor_sacCer3_oracle_mit_specificity_and_counts():
    import rarepath.design.offtarget as offtarget  # the project's own code: fail, never skip, if missing
    genome_dir = shared_path("genomes", "sacCer3")
    lines = [ln for ln in shared_path("crispr", "oracles", "crispor_sample.sacCer3.expected.tsv").read_text()
             .splitlines() if ln.strip()]
    rows = list(csv.DictReader([lines[0].lstrip("#")] + lines[1:], delimiter="\t"))
    idx = offtarget.GenomeIndex.from_fasta(genome_dir)
    chr1 = idx.sequence("chrI")
    nuc = nucleases()["SpCas9"]
    spacers, own = [], []
    for r in rows:
        site = r["targetSeq"]
        at = chr1.find(site)
        strand = "+"
        if at < 0:
            at, strand = chr1.find(revcomp(site)), "-"
        assert at >= 0
        spacers.append(site[:20])
        own.append(OnTargetLocation("chrI", at, strand))
    res = search_offtargets(idx, spacers, nuc, own=own)
    matched = 0
    for r, s in zip(rows, res, strict=True):
        assert s.own_site_found
        got = (s.total, round(s.mit_specificity))
        if r["targetSeq"] in KNOWN_DIFFERENCES:
            assert got == KNOWN_DIFFERENCES[r["targetSeq"]]
        else:
            assert got == (int(r["offtargetCount"]), int(r["mitSpecScore"])), r["targetSeq"]
            matched += 1
    assert matched == 5

"""Oligo tiling and features on real sequences; nusinersen recovery; off-target adapter; openASO ranking."""

from __future__ import annotations

import math

import pytest

from conftest import shared_path
from rarepath.design.aso.design import design, parse_goal, to_tsv
from rarepath.design.aso.features import oligo_features
from rarepath.design.aso.regions import GeneRegion, _read_fasta, load_region, reverse_complement
from rarepath.errors import InputError


def _smn1() -> GeneRegion:
    seqs = _read_fasta(shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa"))
    return GeneRegion("SMN1", "", next(iter(seqs.values())), [], "smn1")


def test_nusinersen_site_is_a_candidate_and_flagged_approved():
    smn1 = _smn1()
    # ISS-N1 = intron 7 +10..+27 = region 1-based 62005-62022 (annotation.tsv: 0-based 62004)
    assert smn1.sequence[62004:62022] == "CCAGCATTATGAAAGTGA"
    res = design(smn1, parse_goal("block:62005-62022", smn1), (18, 18))
    oligos = [c.oligo for c in res.candidates]
    assert "TCACTTTCATAATGCTGG" in oligos
    hit = next(c for c in res.candidates if c.oligo == "TCACTTTCATAATGCTGG")
    assert hit.approved_drug == "nusinersen (approved)"
    assert hit.site_start == 62004 and hit.site_end == 62022
    assert res.to_dict()["approved_drug_matches"][0]["oligo"] == "TCACTTTCATAATGCTGG"
    assert all(len(o) == 18 for o in oligos)


def test_approved_dmd_pmos_target_their_exons():
    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    from rarepath.design.aso.design import approved_sequences

    for seq, row in approved_sequences().items():
        if row["gene"] != "DMD":
            continue
        i = dmd.sequence.find(reverse_complement(seq))
        exon = int(row["target"].split()[-1])
        ex = dmd.exon(exon)
        assert i >= 0, row["name"]
        assert min(i + len(seq), ex.end) - max(i, ex.start) >= len(seq) - 3, row["name"]


def test_skip_exon_51_candidates_features():
    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    res = design(dmd, parse_goal("skip-exon:51", dmd))
    ex = dmd.exon(51)
    assert len(res.candidates) > 1000
    for c in res.candidates[:50]:
        assert 20 <= len(c.oligo) <= 30  # PMO lengths used in practice
        assert min(c.site_end, ex.end) - max(c.site_start, ex.start) >= len(c.oligo) / 2
        assert reverse_complement(c.oligo) == dmd.sequence[c.site_start:c.site_end]
        assert 0 <= c.features["site_unpaired_p"] <= 1
        assert c.features["hybrid_dg"] < -25 and 30 < c.features["tm_hybrid"] < 110
        assert c.reasons
    scores = [c.score for c in res.candidates]
    assert scores == sorted(scores, reverse=True)
    # eteplirsen (H51A +66+95) is among the tiled candidates and recognised
    assert any(c.approved_drug and c.approved_drug.startswith("eteplirsen") for c in res.candidates)
    tsv = to_tsv(res).splitlines()
    assert tsv[0].startswith("rank\toligo") and len(tsv) == len(res.candidates) + 1


def test_features_known_values():
    f = oligo_features("TCACTTTCATAATGCTGG", 0.5)
    assert f.gc == pytest.approx(7 / 18)
    assert 40 < f.tm_dna < 60
    assert f.site_open_dg == pytest.approx(-0.61632 * math.log(0.5))
    g = oligo_features("GGGGAAAACGCGTTTT")
    assert g.gggg and g.max_run == 4 and g.cpg == 2 and math.isnan(g.site_unpaired_p)


def test_accessibility_prefers_unstructured_site():
    hairpin = "GGGGCCCCGCGAAAGCGGGGGCCCC"
    loop = "A" * 25
    seq = "A" * 60 + hairpin + "A" * 40 + loop + "A" * 60
    reg = GeneRegion("TOY", "", seq, [], "toy")
    res = design(reg, parse_goal("knockdown", reg), (16, 16))
    by_start = {c.site_start: c for c in res.candidates}
    in_stem = by_start[60 + 4].features["site_unpaired_p"]
    in_a = by_start[60 + 25 + 45].features["site_unpaired_p"]
    assert in_a > in_stem


def _brute_search(genome: dict[str, str], queries, max_mismatches=2):
    """Stand-in for the off-target engine: every window of both strands, Hamming distance."""
    from types import SimpleNamespace

    hits = []
    for qi, q in enumerate(queries):
        L = len(q)
        for chrom, s in genome.items():
            for strand, text in (("+", s), ("-", reverse_complement(s))):
                for i in range(len(text) - L + 1):
                    mm = sum(a != b for a, b in zip(q, text[i:i + L], strict=True))
                    if mm <= max_mismatches:
                        start = i if strand == "+" else len(s) - i - L  # + strand coordinate, as the engine
                        hits.append(SimpleNamespace(query_index=qi, chrom=chrom, strand=strand, mismatches=mm,
                                                    start=start))
    return hits


def test_offtarget_counts_with_stand_in_search_lower_rank():
    import random

    rng = random.Random(7)
    seq = "".join(rng.choice("ACGT") for _ in range(400))
    reg = GeneRegion("TOY", "", seq, [], "toy")
    goal = parse_goal("knockdown", reg)
    plain = design(reg, goal, (16, 16))
    best = plain.candidates[0]
    site = reverse_complement(best.oligo)
    genome = {"chrX": "".join(rng.choice("ACGT") for _ in range(300)) + reverse_complement(site) + "ACGT" * 10}
    res = design(reg, goal, (16, 16), genome=genome, search=_brute_search)
    c = next(x for x in res.candidates if x.oligo == best.oligo)
    assert c.offtargets["mm0"] == 1
    assert c.rank > 1 and c.score < best.score
    assert any("off-targets" in r for r in c.reasons)


def test_engine_adapter_agrees_with_stand_in(tmp_path):
    from rarepath.design.aso import offtarget

    if not offtarget.engine_available():
        pytest.skip("off-target engine not importable")
    import random

    rng = random.Random(3)
    chrom = "".join(rng.choice("ACGT") for _ in range(3000))
    q = chrom[1000:1018]
    q1 = q[:5] + ("A" if q[5] != "A" else "C") + q[6:]
    chrom2 = chrom[:2000] + reverse_complement(q1) + chrom[2018:]
    fa = tmp_path / "g.fa"
    fa.write_text(">c1\n" + chrom2 + "\n")
    idx = offtarget.load_genome(fa)
    got, _ = offtarget.count_offtargets(idx, [q, "ACGTACGTACGTACGTAC"])
    want, _ = offtarget.count_offtargets({"c1": chrom2}, [q, "ACGTACGTACGTACGTAC"], search=_brute_search)
    assert got == want
    assert got[0].mm0 == 1 and got[0].mm1 >= 1


def test_own_site_in_a_genome_holding_the_region_is_not_counted(tmp_path):
    """A genome made of the region (on the - strand) plus a planted copy of one site: only the copy counts."""
    import random

    from rarepath.design.aso import offtarget

    rng = random.Random(9)
    seq = "".join(rng.choice("ACGT") for _ in range(300))
    reg = GeneRegion("TOY", "", seq, [], "toy")
    goal = parse_goal("block:141-160", reg)
    copy = seq[140:160]
    fa = tmp_path / "g.fa"
    filler = "".join(rng.choice("ACGT") for _ in range(500))
    fa.write_text(">chrA\n" + filler + reverse_complement(seq) + filler + "\n>chrB\n" + filler + copy + filler + "\n")
    res = design(reg, goal, (20, 20), genome=offtarget.load_genome(fa))
    by_site = {(c.site_start, c.site_end): c for c in res.candidates}
    assert by_site[(140, 160)].offtargets["mm0"] == 1  # the planted copy on chrB, not its own site on chrA
    assert all(c.offtargets["mm0"] == 0 for k, c in by_site.items() if k != (140, 160))
    assert any("lies at chrA (- strand)" in n for n in res.notes)


def test_allele_goal_puts_variant_in_gap():
    import random

    rng = random.Random(11)
    seq = "".join(rng.choice("ACGT") for _ in range(200))
    reg = GeneRegion("TOY", "", seq, [], "toy")
    ref = seq[99]
    alt = "A" if ref != "A" else "G"
    res = design(reg, parse_goal(f"allele:100:{ref}>{alt}", reg))
    assert res.candidates
    for c in res.candidates:
        assert c.site_start + 5 <= 99 < c.site_end - 5
        site = reverse_complement(c.oligo)
        assert site[99 - c.site_start] == alt
        assert c.knockdown_score is not None
    with pytest.raises(InputError):
        parse_goal(f"allele:100:{alt}>{ref}", reg)


@pytest.mark.parametrize("goal", ["skip-exon:99", "skip-exon:1", "block:0-5", "frobnicate", "allele:5",
                                  "knockdown:3"])
def test_bad_goals(goal):
    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    with pytest.raises(InputError):
        parse_goal(goal, dmd)


def test_openaso_knockdown_spearman():
    from rarepath.design.aso.knockdown import evaluate_openaso

    ev = evaluate_openaso(shared_path("aso", "openaso_9-20-21_cleandata.csv"))
    assert ev["n_transcripts"] == 42
    assert ev["median_spearman_leave_gene_out"] >= 0.3
    assert ev["median_spearman_shipped"] >= ev["median_spearman_leave_gene_out"] - 0.05


# --- exon-skipping rank of the approved DMD PMOs (issue 12) -------------------------------------------------

#: Blind ranks measured with the shipped scoring (benchmarks/aso.py prints the same); a worse rank fails.
APPROVED_RANK_PCT_AT_MOST = {"casimersen": 0.25, "eteplirsen": 0.28, "golodirsen": 0.03, "viltolarsen": 0.32}


@pytest.fixture(scope="module")
def approved_ranks():
    """The approved oligos' blind ranks, designed once for the three tests that read them."""
    from rarepath.design.aso.validation import approved_oligo_ranks

    return approved_oligo_ranks(load_region(shared_path("sequences", "DMD_LRG_199.xml")))


@pytest.mark.slow
def test_approved_dmd_oligos_are_generated_and_ranked_blind(approved_ranks):
    ranks = {r.name: (r.rank, r.total) for r in approved_ranks}
    assert set(ranks) == {"casimersen", "eteplirsen", "golodirsen", "viltolarsen"}  # 21- and 22-mers tiled too
    for name, (rank, n) in ranks.items():
        print(f"{name}: rank {rank}/{n} ({rank / n:.1%})")
        assert rank / n <= APPROVED_RANK_PCT_AT_MOST[name], (name, rank, n)


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 12 target not reached: the blind score puts eteplirsen, casimersen "
                   "and viltolarsen at 24-31% of their exon's candidates (golodirsen 2.4%)")
def test_approved_dmd_oligos_within_top_5_percent(approved_ranks):
    assert all(r.rank / r.total <= 0.05 for r in approved_ranks)


@pytest.mark.slow
def test_the_design_finds_every_approved_site(approved_ranks):
    """Each approved oligo's site is covered (>= half) by a candidate in the top 5% of its exon: the blind score
    finds where the approved oligos bind, even where it prefers a longer oligo there than the sponsor chose."""
    assert {r.name for r in approved_ranks} == {"casimersen", "eteplirsen", "golodirsen", "viltolarsen"}
    for r in approved_ranks:
        assert r.site_rank <= r.rank and r.rank_in_length <= r.same_length
        assert r.site_fraction <= 0.05, (r.name, r.site_rank, r.total)


def test_known_oligo_lookup_never_changes_the_rank(monkeypatch):
    from rarepath.design.aso import design as mod

    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    goal = parse_goal("skip-exon:53", dmd)
    with_lookup = design(dmd, goal, (21, 25))
    monkeypatch.setattr(mod, "approved_sequences", lambda: {})
    blind = design(dmd, goal, (21, 25))
    assert [c.oligo for c in with_lookup.candidates] == [c.oligo for c in blind.candidates]
    assert {c.approved_drug.split()[0] for c in with_lookup.candidates if c.approved_drug} == {"golodirsen",
                                                                                               "viltolarsen"}
    assert not any(c.approved_drug for c in blind.candidates)
    assert all("approved" not in r for c in with_lookup.candidates for r in c.reasons)


def test_skip_exon_features_are_reported_and_standardised():
    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    res = design(dmd, parse_goal("skip-exon:45", dmd), (22, 22))
    ex = dmd.exon(45)
    zs = [c.skipping["z_exon_fold_unpaired"] for c in res.candidates]
    assert abs(sum(zs) / len(zs)) < 1e-6
    for c in res.candidates:
        assert 0 <= c.skipping["exon_fold_unpaired"] <= 1
        assert c.skipping["acceptor_offset"] == (c.site_start + c.site_end) / 2 - ex.start
        assert 0 <= c.skipping["pese_frac"] <= 1 and c.skipping["esefinder_total"] >= 0
    row = to_tsv(res).splitlines()
    assert "sre_net" in row[0].split("\t")


@pytest.mark.parametrize(("chem", "lo", "hi"), [(None, 20, 30), ("PMO", 20, 30), ("MOE", 18, 20)])
def test_skip_exon_chemistry_lengths(chem, lo, hi):
    from rarepath.design.aso.design import tile

    dmd = load_region(shared_path("sequences", "DMD_LRG_199.xml"))
    _, _, wins, _ = tile(dmd, parse_goal("skip-exon:51", dmd), chemistry=chem)
    assert {e - s for s, e in wins} == set(range(lo, hi + 1))


def test_gapmer_chemistry_is_refused_for_skipping():
    from rarepath.design.aso.design import resolve_chemistry

    with pytest.raises(InputError, match="not usable for skip_exon"):
        resolve_chemistry("skip_exon", "gapmer")
    with pytest.raises(InputError, match="--chemistry"):
        resolve_chemistry("knockdown", "PMO")

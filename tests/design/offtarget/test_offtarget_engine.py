"""The seed-index engine against the brute-force reference, plus coordinates, Ns, PAM sides and the index files."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rarepath.cli import main
from rarepath.design.offtarget import GenomeIndex, OffTargetHit, search_guides, search_sequences
from rarepath.design.offtarget.bruteforce import bruteforce_search, expand_pams
from rarepath.design.offtarget.tables import revcomp
from rarepath.errors import InputError

PAM_SETS = [
    (("NGG", "NAG", "NGA"), "3prime", 20),
    (("NGG",), "3prime", 20),
    (("NNGRRT",), "3prime", 21),
    (("NRN", "NYN"), "3prime", 20),
    (("TTTV",), "5prime", 23),
]


def _mutate(rng: random.Random, seq: str, n: int) -> str:
    s = list(seq)
    for p in rng.sample(range(len(s)), n):
        s[p] = rng.choice([b for b in "ACGT" if b != s[p]])
    return "".join(s)


def _random_genome(rng: random.Random, guides: list[str], pams, side: str, n_plant: int) -> dict[str, str]:
    """2-4 random chromosomes with N runs, IUPAC letters and planted near-copies of the guides."""
    chroms = {}
    concrete = sorted(expand_pams(pams))
    for c in range(rng.randint(2, 4)):
        seq = [rng.choice("ACGT") for _ in range(rng.randint(60, 1500))]
        for _ in range(n_plant):
            g = _mutate(rng, rng.choice(guides), rng.randint(0, 5))
            pam = rng.choice(concrete)
            site = pam + g if side == "5prime" else g + pam
            if rng.random() < 0.5:
                site = revcomp(site)
            if len(seq) > len(site):
                p = rng.randrange(len(seq) - len(site))
                seq[p : p + len(site)] = site
        for _ in range(rng.randint(0, 3)):  # N runs and IUPAC letters, which must never match
            p = rng.randrange(len(seq))
            seq[p : p + rng.randint(1, 4)] = rng.choice(["N", "NN", "R", "Y", "NNNN"])
        chroms[f"chr{c}"] = "".join(seq)
    return chroms


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(PAM_SETS) - 1), max_mm=st.integers(0, 4))
def test_guides_identical_to_bruteforce(seed: int, which: int, max_mm: int) -> None:
    rng = random.Random(seed)
    pams, side, glen = PAM_SETS[which]
    guides = ["".join(rng.choice("ACGT") for _ in range(glen)) for _ in range(rng.randint(1, 4))]
    genome = _random_genome(rng, guides, pams, side, n_plant=6)
    idx = GenomeIndex.from_sequences(genome)
    got = search_guides(idx, guides, pams=pams, max_mismatches=max_mm, pam_side=side, workers=2)
    want = bruteforce_search(idx, guides, pams, max_mm, side)
    assert got == want
    planted_exact = [h for h in want if h.mismatches == 0]
    assert all(h in got for h in planted_exact)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), max_mm=st.integers(0, 3), qlen=st.integers(12, 24))
def test_sequences_identical_to_bruteforce(seed: int, max_mm: int, qlen: int) -> None:
    rng = random.Random(seed)
    queries = ["".join(rng.choice("ACGT") for _ in range(qlen)) for _ in range(3)]
    genome = _random_genome(rng, queries, ("",), "3prime", n_plant=5)
    idx = GenomeIndex.from_sequences(genome)
    got = search_sequences(idx, queries, max_mismatches=max_mm)
    assert got == bruteforce_search(idx, queries, (), max_mm)


def test_mixed_lengths_and_many_guides_match_bruteforce() -> None:
    rng = random.Random(7)
    guides = ["".join(rng.choice("ACGT") for _ in range(n)) for n in (18, 19, 20, 20, 21, 22) * 5]
    genome = _random_genome(rng, guides, ("NGG",), "3prime", n_plant=40)
    idx = GenomeIndex.from_sequences(genome)
    got = search_guides(idx, guides, pams=("NGG",), max_mismatches=4)
    assert got == bruteforce_search(idx, guides, ("NGG",), 4)
    assert len(got) >= 20 and {len(h.site) for h in got} == {21, 22, 23, 24, 25}  # planted sites, all lengths


GUIDE = "GACGTTACCGGATCAAGCTT"


def test_coordinates_plus_strand_are_zero_based_half_open() -> None:
    left = "ACATACATACATACATACATACAT"  # 24 nt, no PAM anywhere
    genome = {"c1": left + GUIDE + "TGG" + "ATATATATAT"}
    idx = GenomeIndex.from_sequences(genome)
    (hit,) = search_guides(idx, [GUIDE], pams=("NGG",), max_mismatches=0)
    assert (hit.chrom, hit.start, hit.end, hit.strand) == ("c1", 24, 47, "+")
    assert genome["c1"][hit.start : hit.end] == GUIDE + "TGG" == hit.site
    assert (hit.pam, hit.mismatches, hit.mismatch_positions, hit.query_index) == ("TGG", 0, (), 0)


def test_coordinates_minus_strand_site_is_reverse_complement() -> None:
    left = "ACATACATACATACATACAT"
    genome = {"c1": "AAAA", "c2": left + revcomp(GUIDE[:5] + "A" + GUIDE[6:] + "AGG") + "TTTTT"}
    idx = GenomeIndex.from_sequences(genome)
    (hit,) = search_guides(idx, [GUIDE], max_mismatches=1)
    assert (hit.chrom, hit.start, hit.end, hit.strand) == ("c2", 20, 43, "-")
    assert revcomp(genome["c2"][hit.start : hit.end]) == hit.site
    assert hit.site[:20] != GUIDE and hit.mismatch_positions == (5,) and hit.pam == "AGG"
    assert idx.fetch("c2", hit.start, hit.end) == genome["c2"][20:43]


def test_n_and_iupac_in_genome_never_match() -> None:
    site = GUIDE + "GGG"
    for bad in ("N", "R", "n"):
        broken = site[:7] + bad + site[8:]
        idx = GenomeIndex.from_sequences({"c": "TTTT" + broken + "TTTT"})
        assert search_guides(idx, [GUIDE], pams=("NGG",), max_mismatches=4) == []
    idx = GenomeIndex.from_sequences({"c": "TTTT" + site[:-1] + "N"})  # N in the PAM
    assert search_guides(idx, [GUIDE], pams=("NGN",), max_mismatches=0) == []
    assert len(search_guides(idx, [GUIDE], pams=("NG",), max_mismatches=0)) == 1


def test_lower_case_genome_is_read_as_upper_case() -> None:
    idx = GenomeIndex.from_sequences({"c": ("TTTT" + GUIDE + "CGG").lower()})
    (hit,) = search_guides(idx, [GUIDE.lower()], pams=("NGG",), max_mismatches=0)
    assert hit.site == GUIDE + "CGG" and hit.start == 4


def test_cas12a_five_prime_pam() -> None:
    spacer = "ACGTACGTTAGCATCGATCGGAT"  # 23 nt
    genome = {"c": "CCCC" + "TTTA" + spacer + "CCCC" + revcomp("TTTC" + spacer) + "CC" + "TTTT" + spacer}
    idx = GenomeIndex.from_sequences(genome)
    hits = search_guides(idx, [spacer], pams=("TTTV",), pam_side="5prime", max_mismatches=0)
    assert [(h.start, h.strand, h.pam) for h in hits] == [(4, "+", "TTTA"), (35, "-", "TTTC")]
    assert hits[0].site == "TTTA" + spacer and genome["c"][4:31] == hits[0].site


def test_search_sequences_both_strands() -> None:
    aso = "TCACTTTCATAATGCTGG"  # nusinersen
    genome = {"c": "GGGG" + revcomp(aso) + "AAAA" + aso + "C"}
    hits = search_sequences(GenomeIndex.from_sequences(genome), [aso], max_mismatches=0)
    assert [(h.start, h.end, h.strand, h.site, h.pam) for h in hits] == [
        (4, 22, "-", aso, ""), (26, 44, "+", aso, "")]


def test_index_build_load_roundtrip_and_cli(tmp_path) -> None:
    rng = random.Random(3)
    fa = tmp_path / "g.fa"
    seqs = {f"s{i}": "".join(rng.choice("ACGT") for _ in range(3000)) for i in range(3)}
    seqs["s1"] = seqs["s1"][:100] + GUIDE + "AGG" + "NNNN" + seqs["s1"][127:]
    fa.write_text("".join(f">{k} description\n{v[:1000]}\n{v[1000:]}\n" for k, v in seqs.items()))
    mem = GenomeIndex.from_fasta(fa)
    assert mem.names == ["s0", "s1", "s2"] and mem.sequence("s1")[123:127] == "NNNN"
    assert mem.sequence("s2") == seqs["s2"]
    out = tmp_path / "idx"
    assert main(["index", str(fa), "--out", str(out)]) == 0
    disk = GenomeIndex.load(out)
    assert disk.sequence("s1") == seqs["s1"]
    guides = [GUIDE, seqs["s0"][500:520]]
    want = search_guides(mem, guides, max_mismatches=4)
    assert search_guides(disk, guides, max_mismatches=4) == want
    assert search_guides(disk, guides, pams=("NGG",), max_mismatches=3) == \
        [h for h in want if h.pam.endswith("GG") and h.mismatches <= 3]
    assert any(h.chrom == "s1" and h.start == 100 and h.mismatches == 0 for h in want)


def test_bad_input_raises_input_error(tmp_path) -> None:
    idx = GenomeIndex.from_sequences({"c": "ACGT" * 20})
    with pytest.raises(InputError, match="invalid bases"):
        search_guides(idx, ["ACGTXACGTACGTACGTACG"])
    with pytest.raises(InputError, match="IUPAC"):
        search_guides(idx, [GUIDE], pams=("NGZ",))
    with pytest.raises(InputError):
        search_guides(idx, [GUIDE], pam_side="middle")
    with pytest.raises(InputError, match="longer"):
        search_guides(idx, ["A" * 31], pams=("NGG",))
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    with pytest.raises(InputError):
        GenomeIndex.from_fasta(empty)
    assert main(["index", str(empty), "--out", str(tmp_path / "x")]) == 2
    assert main(["index", str(tmp_path / "missing.fa")]) == 2
    with pytest.raises(InputError, match="index.json"):
        GenomeIndex.load(tmp_path)


def test_hit_is_a_plain_record() -> None:
    h = OffTargetHit(0, "c", 1, 24, "+", "A" * 23, 0, "AGG", ())
    assert h.bulge == "" and h.end - h.start == len(h.site)

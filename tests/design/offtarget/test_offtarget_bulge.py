"""One DNA or RNA bulge: the seed-index engine against the brute-force reference, plus worked examples."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rarepath.design.offtarget import GenomeIndex, search_guides
from rarepath.design.offtarget.bruteforce import bruteforce_search, expand_pams
from rarepath.design.offtarget.search import bulge_positions, bulge_variants
from rarepath.design.offtarget.tables import revcomp
from rarepath.errors import InputError

PAM_SETS = [
    (("NGG", "NAG", "NGA"), "3prime", 20),
    (("NGG",), "3prime", 19),
    (("NNGRRT",), "3prime", 21),
    (("TTTV",), "5prime", 23),
]
GUIDE = "GACGTTACCGGATCAAGCTT"
LEFT = "ACATACATACATACATACAT"  # 20 nt, no NGG/NAG/NGA PAM anywhere near


def _mutate(rng: random.Random, seq: str, n: int, keep: set[int] = frozenset()) -> str:
    s = list(seq)
    for p in rng.sample([i for i in range(len(s)) if i not in keep], n):
        s[p] = rng.choice([b for b in "ACGT" if b != s[p]])
    return "".join(s)


def _bulged(rng: random.Random, guide: str, n_mm: int) -> tuple[str, str]:
    """A protospacer with one random allowed bulge and n_mm mismatches on its paired bases."""
    L = len(guide)
    if rng.random() < 0.5:
        j = rng.randint(1, L - 1)
        proto = guide[:j] + rng.choice("ACGT") + guide[j:]
        return "DNA", _mutate(rng, proto, n_mm, keep={j})
    i = rng.randint(1, L - 2)
    return "RNA", _mutate(rng, guide[:i] + guide[i + 1 :], n_mm)


def _genome(rng: random.Random, guides: list[str], pams, side: str, n_plant: int):
    """Random chromosomes with planted bulged and unbulged sites (both strands), N runs and IUPAC letters.

    Returns the chromosomes and the planted bulged sites still intact: (chrom, start, end, strand, kind, mm)."""
    concrete = sorted(expand_pams(pams))
    chroms: dict[str, list[str]] = {}
    planted = []
    for c in range(rng.randint(1, 3)):
        name = f"chr{c}"
        seq = [rng.choice("ACGT") for _ in range(rng.randint(80, 1200))]
        for _ in range(n_plant):
            g = rng.choice(guides)
            n_mm = rng.randint(0, 3)
            if rng.random() < 0.3:
                kind, proto = "", _mutate(rng, g, n_mm)
            else:
                kind, proto = _bulged(rng, g, n_mm)
            pam = rng.choice(concrete)
            site = pam + proto if side == "5prime" else proto + pam
            strand = "-" if rng.random() < 0.5 else "+"
            text = revcomp(site) if strand == "-" else site
            if len(seq) > len(text):
                p = rng.randrange(len(seq) - len(text))
                seq[p : p + len(text)] = text
                if kind:
                    planted.append((name, p, p + len(text), strand, kind, n_mm, text))
        for _ in range(rng.randint(0, 2)):
            p = rng.randrange(len(seq))
            seq[p : p + 2] = rng.choice(["N", "NN", "R", "Y"])
        chroms[name] = seq
    genome = {n: "".join(s) for n, s in chroms.items()}
    intact = [t[:6] for t in planted if genome[t[0]][t[1] : t[2]] == t[6]]
    return genome, intact


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(PAM_SETS) - 1), max_mm=st.integers(0, 3))
def test_bulge_search_identical_to_bruteforce(seed: int, which: int, max_mm: int) -> None:
    rng = random.Random(seed)
    pams, side, glen = PAM_SETS[which]
    guides = ["".join(rng.choice("ACGT") for _ in range(glen)) for _ in range(rng.randint(1, 3))]
    genome, planted = _genome(rng, guides, pams, side, n_plant=6)
    idx = GenomeIndex.from_sequences(genome)
    got = search_guides(idx, guides, pams=pams, max_mismatches=max_mm, pam_side=side, bulge=1, workers=2)
    want = bruteforce_search(idx, guides, pams, max_mm, side, bulge=1)
    assert got == want
    # the unbulged hits are exactly those of a bulge=0 search
    assert [h for h in got if not h.bulge] == search_guides(idx, guides, pams=pams, max_mismatches=max_mm,
                                                            pam_side=side)
    found = {(h.chrom, h.start, h.end, h.strand): h for h in got}
    for chrom, start, end, strand, kind, n_mm in planted:
        if n_mm <= max_mm:  # every intact planted bulged site is reported, with no more mismatches than planted
            h = found[(chrom, start, end, strand)]
            assert h.bulge == kind and h.mismatches <= n_mm
    for h in got:  # site length tells the kind; the bulge is never at a spacer end
        L = len(guides[h.query_index])
        assert h.end - h.start == len(h.site) == L + len(pams[0]) + {"": 0, "DNA": 1, "RNA": -1}[h.bulge]
        assert h.bulge_position == -1 if not h.bulge else 1 <= h.bulge_position <= L - 1 - (h.bulge == "RNA")


def test_many_guides_mixed_lengths_four_mismatches_match_bruteforce() -> None:
    rng = random.Random(11)
    guides = ["".join(rng.choice("ACGT") for _ in range(n)) for n in (19, 20, 20, 21) * 3]
    genome, planted = _genome(rng, guides, ("NGG", "NAG"), "3prime", n_plant=40)
    idx = GenomeIndex.from_sequences(genome)
    got = search_guides(idx, guides, pams=("NGG", "NAG"), max_mismatches=4, bulge=1)
    assert got == bruteforce_search(idx, guides, ("NGG", "NAG"), 4, bulge=1)
    assert {h.bulge for h in got} == {"", "DNA", "RNA"} and len(planted) >= 10


def test_dna_bulge_worked_example_plus_strand() -> None:
    # extra T between spacer bases 6 and 7 (protospacer index 7), one mismatch at spacer base 15
    proto = GUIDE[:7] + "T" + GUIDE[7:15] + "C" + GUIDE[16:]
    genome = {"c1": LEFT + proto + "AGG" + LEFT}
    idx = GenomeIndex.from_sequences(genome)
    (hit,) = search_guides(idx, [GUIDE], max_mismatches=1, bulge=1)
    assert (hit.chrom, hit.start, hit.end, hit.strand) == ("c1", 20, 44, "+")
    assert hit.site == proto + "AGG" == genome["c1"][20:44] and hit.pam == "AGG"
    assert (hit.bulge, hit.bulge_position, hit.mismatches, hit.mismatch_positions) == ("DNA", 7, 1, (15,))
    assert search_guides(idx, [GUIDE], max_mismatches=0, bulge=1) == []  # the mismatch is counted
    assert search_guides(idx, [GUIDE], max_mismatches=4) == []  # and bulge=0 does not see the site


def test_rna_bulge_worked_example_minus_strand() -> None:
    proto = GUIDE[:12] + GUIDE[13:]  # spacer base 12 (T) has no genome partner
    genome = {"c0": "ACGT", "c1": LEFT + revcomp(proto + "TGG") + LEFT}
    idx = GenomeIndex.from_sequences(genome)
    (hit,) = search_guides(idx, [GUIDE], pams=("NGG",), max_mismatches=0, bulge=1)
    assert (hit.chrom, hit.start, hit.end, hit.strand) == ("c1", 20, 42, "-")
    assert hit.site == proto + "TGG" == revcomp(genome["c1"][20:42])
    assert (hit.bulge, hit.bulge_position, hit.mismatches, hit.mismatch_positions) == ("RNA", 12, 0, ())


def test_equivalent_alignments_reported_once_at_lowest_position() -> None:
    guide = "ACGTAAAACGTTGCATGCAC"  # AAAA run at spacer 4..7
    rna = guide[:5] + guide[6:]  # deleting any A of the run gives this protospacer
    dna = guide[:5] + "A" + guide[5:]  # inserting an A anywhere in the run gives this one
    genome = {"c": LEFT + rna + "CGG" + LEFT + dna + "TGG" + LEFT}
    idx = GenomeIndex.from_sequences(genome)
    hits = [h for h in search_guides(idx, [guide], pams=("NGG",), max_mismatches=2, bulge=1) if h.bulge]
    exact = [(h.start, h.bulge, h.bulge_position, h.mismatches) for h in hits if h.mismatches == 0]
    assert exact == [(20, "RNA", 4, 0), (62, "DNA", 4, 0)]
    # one record per genomic site, even though several (position, mismatch) alignments fit within 2
    assert len({(h.start, h.end, h.strand) for h in hits}) == len(hits)
    assert hits == [h for h in bruteforce_search(idx, [guide], ("NGG",), 2, bulge=1) if h.bulge]


def test_bulge_variants_cover_each_sequence_once() -> None:
    v = bulge_variants("ACGT")
    assert [(x.kind, x.position, x.seq) for x in v if x.kind == "RNA"] == [("RNA", 1, "AGT"), ("RNA", 2, "ACT")]
    dna = [(x.position, x.seq) for x in v if x.kind == "DNA"]
    assert len(dna) == len({s for _, s in dna}) == 3 * 4 - 2  # insertions equal to a neighbour coincide
    assert (1, "AACGT") in dna and (1, "ACCGT") in dna and (2, "ACCGT") not in dna and (3, "ACGTT") in dna


def test_bulge_input_errors() -> None:
    idx = GenomeIndex.from_sequences({"c": "ACGT" * 20})
    with pytest.raises(InputError, match="bulge"):
        search_guides(idx, [GUIDE], bulge=2)
    with pytest.raises(InputError, match="DNA-bulged"):
        search_guides(idx, ["A" * 29], pams=("NGG",), bulge=1)  # 29 + 3 fits, 30 + 3 does not
    assert search_guides(idx, ["A" * 29], pams=("NGG",), max_mismatches=0) == []


def test_index_with_bulge_tables_roundtrip(tmp_path) -> None:
    from rarepath.cli import main

    rng = random.Random(5)
    proto_dna = GUIDE[:9] + "G" + GUIDE[9:]
    seq = "".join(rng.choice("ACGT") for _ in range(2000))
    seq = seq[:300] + proto_dna + "TGG" + seq[324:900] + revcomp(GUIDE[:4] + GUIDE[5:] + "AGG") + seq[922:]
    fa = tmp_path / "g.fa"
    fa.write_text(f">s\n{seq}\n")
    assert main(["index", str(fa), "--out", str(tmp_path / "idx"), "--bulges", "1"]) == 0
    disk = GenomeIndex.load(tmp_path / "idx")
    assert sorted(t.spacer_len for t in disk.tables) == [19, 20, 21]
    n_tables = len(disk.tables)
    got = search_guides(disk, [GUIDE], max_mismatches=3, bulge=1)
    assert len(disk.tables) == n_tables  # nothing built at search time
    assert got == search_guides(GenomeIndex.from_fasta(fa), [GUIDE], max_mismatches=3, bulge=1)
    assert {(h.start, h.strand, h.bulge, h.mismatches) for h in got} >= {(300, "+", "DNA", 0), (900, "-", "RNA", 0)}
    plain = GenomeIndex.build(fa, tmp_path / "plain")  # without --bulges: only the 20-nt tables, as before
    assert [t.spacer_len for t in GenomeIndex.load(tmp_path / "plain").tables] == [20] and plain.path is not None


@pytest.mark.slow
@pytest.mark.parametrize("compact", [False, True])
def test_yeast_chromosomes_bulge_search_identical_to_bruteforce(compact: bool) -> None:
    """Real sequence (repeats, low-complexity runs): three yeast chromosomes, guides taken from the genome; both
    index layouts."""
    from conftest import shared_path

    d = shared_path("genomes", "sacCer3")
    idx = GenomeIndex.from_fasta([d / "chrI.fa", d / "chrIII.fa", d / "chrM.fa"])
    idx.compact = compact
    chr1, chrm = idx.sequence("chrI"), idx.sequence("chrM")
    guides = [chr1[30_000:30_020], chrm[40_000:40_020], "TTTTATTTTTTTAATTTTTT"]  # the last: AT-rich, many hits
    got = search_guides(idx, guides, max_mismatches=4, bulge=1)
    assert got == bruteforce_search(idx, guides, ("NGG", "NAG", "NGA"), 4, bulge=1)
    assert len({h.query_index for h in got if h.bulge}) == 3 and sum(1 for h in got if h.bulge) > 50


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(PAM_SETS) - 1), max_mm=st.integers(0, 3))
def test_casoffinder_bulge_ends_identical_to_bruteforce(seed: int, which: int, max_mm: int) -> None:
    """Issue 12: Cas-OFFinder's convention (bulges also at a spacer end) as an option, exhaustive as well."""
    rng = random.Random(seed)
    pams, side, glen = PAM_SETS[which]
    guides = ["".join(rng.choice("ACGT") for _ in range(glen)) for _ in range(rng.randint(1, 3))]
    genome, _ = _genome(rng, guides, pams, side, n_plant=6)
    idx = GenomeIndex.from_sequences(genome)
    got = search_guides(idx, guides, pams=pams, max_mismatches=max_mm, pam_side=side, bulge=1, workers=2,
                        bulge_ends="casoffinder")
    assert got == bruteforce_search(idx, guides, pams, max_mm, side, bulge=1, bulge_ends="casoffinder")
    default = search_guides(idx, guides, pams=pams, max_mismatches=max_mm, pam_side=side, bulge=1)
    assert [h for h in got if not h.bulge] == [h for h in default if not h.bulge]
    # every default site is found, never with more mismatches; the extra sites have a bulge at a spacer end
    best = {(h.query_index, h.chrom, h.start, h.end, h.strand): h for h in got}
    for h in default:
        assert best[(h.query_index, h.chrom, h.start, h.end, h.strand)].mismatches <= h.mismatches
    for h in got:
        L = len(guides[h.query_index])
        if h.bulge:
            assert h.bulge_position in bulge_positions(L, h.bulge, side, "casoffinder")


def test_bulge_at_spacer_ends_only_with_casoffinder_convention() -> None:
    # DNA: an extra base between the spacer and the PAM (protospacer index 20); RNA: spacer base 0 unpaired
    dna = GUIDE + "A" + "TGG"
    rna = GUIDE[1:] + "CGG"
    genome = {"c1": LEFT + revcomp(dna) + LEFT + rna + LEFT}
    idx = GenomeIndex.from_sequences(genome)
    assert [h for h in search_guides(idx, [GUIDE], pams=("NGG",), max_mismatches=0, bulge=1) if h.bulge] == []
    hits = [h for h in search_guides(idx, [GUIDE], pams=("NGG",), max_mismatches=0, bulge=1,
                                     bulge_ends="casoffinder") if h.bulge]
    assert [(h.start, h.end, h.strand, h.bulge, h.bulge_position, h.mismatches) for h in hits] == [
        (20, 44, "-", "DNA", 20, 0), (64, 86, "+", "RNA", 0, 0)]
    assert bulge_positions(20, "DNA") == range(1, 20) and bulge_positions(20, "RNA") == range(1, 19)
    assert bulge_positions(20, "DNA", "3prime", "casoffinder") == range(1, 21)
    assert bulge_positions(20, "DNA", "5prime", "casoffinder") == range(0, 20)
    assert bulge_positions(20, "RNA", "5prime", "casoffinder") == range(0, 19)
    with pytest.raises(InputError, match="bulge_ends"):
        search_guides(idx, [GUIDE], bulge=1, bulge_ends="both")


@pytest.mark.parametrize("ends", ["interior", "casoffinder"])
def test_bulge_pass_needs_no_second_index_and_finds_edge_sites(ends: str) -> None:
    """Issue 12: the bulge pass runs on the spacer-length tables (memory of a plain search); RNA-bulged sites
    that no longer site extends (chromosome start/end, next to N) are still found, on both strands."""
    rna = GUIDE[:9] + GUIDE[10:] + "TGG"  # 22 nt, spacer base 9 unpaired
    dna = GUIDE[:5] + "C" + GUIDE[5:] + "AGG"  # 24 nt
    genome = {
        "a": rna + LEFT,  # RNA site at the chromosome start (+ strand: PAM-distal end on the left)
        "b": LEFT + "N" + rna + LEFT + revcomp(rna),  # after an N; and at the chromosome end on the - strand
        "c": LEFT + revcomp(rna) + "NN" + LEFT + dna + LEFT,
    }
    idx = GenomeIndex.from_sequences(genome)
    plain = search_guides(idx, [GUIDE], pams=("NGG", "NAG"), max_mismatches=2)
    held = idx.nbytes()
    got = search_guides(idx, [GUIDE], pams=("NGG", "NAG"), max_mismatches=2, bulge=1, bulge_ends=ends)
    assert [t.spacer_len for t in idx.tables] == [20] and idx.nbytes() == held
    assert got == bruteforce_search(idx, [GUIDE], ("NGG", "NAG"), 2, bulge=1, bulge_ends=ends)
    assert [h for h in got if not h.bulge] == plain
    exact = {(h.chrom, h.start, h.strand, h.bulge) for h in got if h.mismatches == 0 and h.bulge}
    assert exact >= {("a", 0, "+", "RNA"), ("b", 21, "+", "RNA"), ("b", 63, "-", "RNA"), ("c", 20, "-", "RNA"),
                     ("c", 64, "+", "DNA")}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(PAM_SETS) - 1), max_mm=st.integers(0, 4))
def test_compact_index_identical_to_bruteforce(seed: int, which: int, max_mm: int) -> None:
    """Issue 12: the compact (bit-packed) layout, still exhaustive, bulges included."""
    rng = random.Random(seed)
    pams, side, glen = PAM_SETS[which]
    guides = ["".join(rng.choice("ACGT") for _ in range(glen)) for _ in range(rng.randint(1, 3))]
    genome, _ = _genome(rng, guides, pams, side, n_plant=6)
    full, compact = GenomeIndex.from_sequences(genome), GenomeIndex.from_sequences(genome)
    compact.compact = True
    for bulge in (0, 1):
        got = search_guides(compact, guides, pams=pams, max_mismatches=max_mm, pam_side=side, bulge=bulge)
        assert got == search_guides(full, guides, pams=pams, max_mismatches=max_mm, pam_side=side, bulge=bulge)
        assert got == bruteforce_search(compact, guides, pams, max_mm, side, bulge=bulge)
    assert all(t.compact for t in compact.tables.values()) and not any(t.compact for t in full.tables.values())
    for t in compact.tables.values():  # each packed field: its bits rounded up to words, plus one spare word
        for s in t.strands:
            n = int(s.off_a[-1])
            for arr, w in ((s.pos_a, t.pos_bits), (s.rest_a, t.rest_bits), (s.rest_b, t.rest_bits)):
                assert arr.nbytes == 8 * ((n * w + 63) // 64 + 1)


def test_compact_index_on_yeast_chromosome_and_roundtrip(tmp_path) -> None:
    from conftest import shared_path
    from rarepath.design.offtarget.tables import DEFAULT_SPEC, SiteTables, site_tables

    idx = GenomeIndex.from_fasta(shared_path("genomes", "sacCer3", "chrI.fa"))
    idx.compact = True
    chr1 = idx.sequence("chrI")
    guides = [chr1[30_000:30_020], chr1[100_000:100_020], "TTTTATTTTTTTAATTTTTT"]
    got = search_guides(idx, guides, max_mismatches=4)
    assert got == bruteforce_search(idx, guides, ("NGG", "NAG", "NGA"), 4) and len(got) > 10
    tab = site_tables(idx, DEFAULT_SPEC)
    per_site = sum(a.nbytes for st in tab.strands for k, a in st.arrays().items() if not k.startswith("off"))
    per_site /= tab.n_sites
    site_tables(idx, DEFAULT_SPEC).save(tmp_path / "t")
    loaded = SiteTables.load(tmp_path / "t")
    assert loaded.compact and loaded.n_sites == tab.n_sites > 10_000
    assert (loaded.pos_bits, loaded.rest_bits) == ((idx.total_length - 1).bit_length(), 2 * (20 - tab.kk))
    assert per_site == pytest.approx((tab.pos_bits + 2 * tab.rest_bits) / 8, abs=0.01)  # bucket offsets apart
    default = GenomeIndex.from_fasta(shared_path("genomes", "sacCer3", "chrI.fa"))
    site_tables(default, DEFAULT_SPEC)
    assert idx.nbytes() / idx.total_length < 4 < default.nbytes() / default.total_length  # offsets included
    loaded_idx = replace(idx, tables={DEFAULT_SPEC: loaded})
    assert search_guides(loaded_idx, guides, max_mismatches=4, bulge=1) == \
        search_guides(GenomeIndex.from_fasta(shared_path("genomes", "sacCer3", "chrI.fa")), guides,
                      max_mismatches=4, bulge=1)

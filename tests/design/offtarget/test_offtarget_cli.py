"""`rarepath design offtargets`: CRISPOR's 7 yeast guides end to end, coordinates, guide parsing, bad input."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.design.offtarget import GenomeIndex, search_guides
from rarepath.design.offtarget.tables import revcomp

# guide -> (offtargetCount, MIT) where we differ from CRISPOR, as pinned in test_offtarget_crispor_sacCer3.py
KNOWN_DIFFERENCES = {
    "TACATAAACATATTGGCTTGTGG": (7, 68),
    "AGAATATTTCGTACTTACACAGG": (6, 54),
}


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def oracle() -> list[dict[str, str]]:
    path = shared_path("crispr", "oracles", "crispor_sample.sacCer3.expected.tsv")
    with path.open() as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        return [dict(zip(header, r, strict=False)) for r in csv.reader(fh, delimiter="\t")]


@pytest.fixture(scope="module")
def yeast_run(oracle, tmp_path_factory) -> tuple[Path, Path, Path]:
    """The CLI on the 7 CRISPOR guides (23-mers with PAM, from a file) against the sacCer3 FASTA folder."""
    d = tmp_path_factory.mktemp("yeast_cli")
    guides = d / "guides.txt"
    guides.write_text("# CRISPOR sample\n" + "".join(r["targetSeq"] + "\n" for r in oracle))
    sites, summary = d / "sites.tsv", d / "summary.tsv"
    genome = shared_path("genomes", "sacCer3")
    rc = main(["design", "offtargets", "--reference", str(genome), "--guides", str(guides), "--max-mismatches",
               "4", "--tsv", str(sites), "--summary", str(summary)])
    assert rc == 0
    return genome, sites, summary


def test_summary_matches_crispor_on_yeast(yeast_run, oracle) -> None:
    _, _, summary = yeast_run
    rows = _read_tsv(summary)
    assert list(rows[0]) == ["guide", "sites_0mm", "sites_1mm", "sites_2mm", "sites_3mm", "sites_4mm",
                             "mit_specificity", "cfd_specificity"]
    assert [r["guide"] for r in rows] == [o["targetSeq"][:20] for o in oracle]
    matched = 0
    for r, o in zip(rows, oracle, strict=True):
        got = (sum(int(r[f"sites_{m}mm"]) for m in range(5)), round(float(r["mit_specificity"])))
        if o["targetSeq"] in KNOWN_DIFFERENCES:
            assert got == KNOWN_DIFFERENCES[o["targetSeq"]]
        else:
            assert got == (int(o["offtargetCount"]), int(o["mitSpecScore"]))
            matched += 1
        assert 0 < float(r["cfd_specificity"]) <= 100
    assert matched == 5
    # one guide in detail: TTGTGG... has one other perfect NGG match besides its own site (chrI:802 +)
    second = rows[1]
    assert [second[f"sites_{m}mm"] for m in range(5)] == ["1", "0", "0", "0", "0"]
    assert float(second["mit_specificity"]) == pytest.approx(50.0)


def test_sites_coordinates_and_scores(yeast_run, oracle) -> None:
    genome, sites, _ = yeast_run
    rows = _read_tsv(sites)
    assert list(rows[0]) == ["guide", "chrom", "start_0based", "end_0based_excl", "strand", "site", "mismatches",
                             "bulge", "cfd", "mit", "gene", "exon"]
    idx = GenomeIndex.from_fasta(genome)
    hits = search_guides(idx, [o["targetSeq"][:20] for o in oracle], pams=("NGG", "NAG", "NGA"), max_mismatches=4)
    assert len(rows) == len(hits) == 103
    for r in rows:
        start = int(r["start_0based"])
        assert int(r["end_0based_excl"]) == start + 23
        plus = idx.fetch(r["chrom"], start, start + 23)  # 0-based leftmost base of protospacer+PAM on +
        assert (plus if r["strand"] == "+" else revcomp(plus)) == r["site"]
        mm = sum(a != b for a, b in zip(r["guide"], r["site"][:20], strict=True))
        assert int(r["mismatches"]) == mm and r["bulge"] == ""
        assert 0 <= float(r["cfd"]) <= 1 and 0 <= float(r["mit"]) <= 100
    own = [r for r in rows if r["guide"] == "TACATAAACATATTGGCTTG" and r["mismatches"] == "0"]
    assert [(r["chrom"], r["start_0based"], r["strand"], r["site"], r["cfd"], r["mit"]) for r in own] == [
        ("chrI", "785", "+", "TACATAAACATATTGGCTTGTGG", "1.0000", "100.000")]


def test_workers_give_identical_files(yeast_run, tmp_path) -> None:
    genome, sites, summary = yeast_run
    guides = [r["guide"] for r in _read_tsv(summary)]
    s2, m2 = tmp_path / "s.tsv", tmp_path / "m.tsv"
    rc = main(["design", "offtargets", "--reference", str(genome), "--guides", *guides, "--workers", "2",
               "--tsv", str(s2), "--summary", str(m2)])
    assert rc == 0
    assert s2.read_text() == sites.read_text()
    assert m2.read_text() == summary.read_text()


# ---------------------------------------------------------------------------- a small planted genome


def _genome(tmp_path: Path) -> tuple[Path, str]:
    """Two random chromosomes with the guide planted: + strand (own, NGG), - strand 1 mm (NGG), + 2 mm (NAG)."""
    rng = random.Random(7)
    guide = "".join(rng.choice("ACGT") for _ in range(20))
    c1 = [rng.choice("ACGT") for _ in range(3000)]
    c2 = [rng.choice("ACGT") for _ in range(2000)]
    mm1 = guide[:5] + ("A" if guide[5] != "A" else "C") + guide[6:]
    mm2 = ("G" if guide[0] != "G" else "T") + guide[1:12] + ("G" if guide[12] != "G" else "T") + guide[13:]
    c1[100:123] = guide + "TGG"
    c2[500:523] = revcomp(mm1 + "AGG")
    c2[1500:1523] = mm2 + "CAG"
    fa = tmp_path / "genome.fa"
    fa.write_text(f">c1\n{''.join(c1)}\n>c2\n{''.join(c2)}\n")
    return fa, guide


def test_planted_sites_summary_and_bulges(tmp_path) -> None:
    fa, guide = _genome(tmp_path)
    out, summ = tmp_path / "sites.tsv", tmp_path / "summary.tsv"
    rc = main(["design", "offtargets", "-r", str(fa), "--guides", guide.lower().replace("t", "u") + "TGG",
               "--max-mismatches", "2", "--bulges", "1", "--tsv", str(out), "--summary", str(summ)])
    assert rc == 0
    rows = [r for r in _read_tsv(out) if r["bulge"] == ""]
    assert [(r["chrom"], r["start_0based"], r["strand"], r["mismatches"]) for r in rows] == [
        ("c1", "100", "+", "0"), ("c2", "500", "-", "1"), ("c2", "1500", "+", "2")]
    assert rows[1]["site"].endswith("AGG") and rows[2]["site"].endswith("CAG")
    bulged = [r for r in _read_tsv(out) if r["bulge"]]
    assert bulged and all(r["cfd"] == "" and r["mit"] == "" for r in bulged)
    (s,) = _read_tsv(summ)
    assert list(s) == ["guide", "sites_0mm", "sites_1mm", "sites_2mm", "sites_bulged", "mit_specificity",
                       "cfd_specificity"]
    assert (s["guide"], s["sites_0mm"], s["sites_1mm"], s["sites_2mm"]) == (guide, "0", "1", "1")
    # the NAG site is kept only if its MIT hit score is >= 1 (x 0.2); the NGG 1-mm site always counts
    mit_1mm = float(rows[1]["mit"])
    mit_nag = float(rows[2]["mit"])
    total = mit_1mm + (0.2 * mit_nag if mit_nag >= 1 else 0)
    assert float(s["mit_specificity"]) == pytest.approx(10000 / (100 + total), abs=0.01)
    assert float(s["cfd_specificity"]) == pytest.approx(100 / (1 + float(rows[1]["cfd"]) + float(rows[2]["cfd"])),
                                                        abs=0.01)
    # bulged alignments of the guide's own site are not off-targets
    assert int(s["sites_bulged"]) == sum(1 for r in bulged if not (r["chrom"] == "c1" and abs(int(r["start_0based"]) - 100)
                                                                   <= 3 and r["strand"] == "+"))


def test_index_folder_reference_and_guide_forms(tmp_path) -> None:
    fa, guide = _genome(tmp_path)
    assert main(["index", str(fa), "--out", str(tmp_path / "idx")]) == 0
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    gfile = tmp_path / "guides.txt"
    gfile.write_text(f"guide\n{guide}\n\n{guide}TGG\n")
    assert main(["design", "offtargets", "-r", str(tmp_path / "idx"), "--guides", str(gfile), "--summary",
                 str(a), "--max-mismatches", "3"]) == 0
    assert main(["design", "offtargets", "-r", str(fa), "--guides", f"{guide},{guide}", "--summary", str(b),
                 "--max-mismatches", "3"]) == 0
    assert a.read_text() == b.read_text()
    assert [r["guide"] for r in _read_tsv(a)] == [guide, guide]


@pytest.mark.parametrize(("guide", "message"), [
    ("ACGTNACGTACGTACGTACG", "invalid bases N"),
    ("ACGTACGTACGTACGTAC", "is 18 nt"),
    ("ACGTACGTACGTACGTACGTAAA", "PAM AAA is not NGG"),
    ("missing/guides.txt", "guide file not found"),
])
def test_bad_guides_one_line_exit_2(tmp_path, capsys, guide: str, message: str) -> None:
    fa, _ = _genome(tmp_path)
    out = tmp_path / "summary.tsv"
    out.write_text("kept\n")
    rc = main(["design", "offtargets", "-r", str(fa), "--guides", guide, "--summary", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert out.read_text() == "kept\n"  # earlier output untouched


def test_bad_reference_and_nuclease(tmp_path, capsys) -> None:
    assert main(["design", "offtargets", "-r", str(tmp_path / "none.fa"), "--guides", "A" * 20]) == 2
    assert "reference not found" in capsys.readouterr().err
    empty = tmp_path / "empty.fa"
    empty.write_text("")
    assert main(["design", "offtargets", "-r", str(empty), "--guides", "A" * 20]) == 2
    assert "no sequence record" in capsys.readouterr().err
    fa, guide = _genome(tmp_path)
    assert main(["design", "offtargets", "-r", str(fa), "--guides", guide, "--nuclease", "Cas99"]) == 2
    assert "unknown nuclease" in capsys.readouterr().err


def test_bulge_ends_option_reproduces_casoffinder_convention(tmp_path, capsys) -> None:
    fa, guide = _genome(tmp_path)
    files = {}
    for ends in ("interior", "casoffinder"):
        files[ends] = tmp_path / f"{ends}.tsv"
        assert main(["design", "offtargets", "-r", str(fa), "--guides", guide, "--max-mismatches", "2",
                     "--bulges", "1", "--bulge-ends", ends, "--tsv", str(files[ends])]) == 0
    default = {(r["chrom"], r["start_0based"], r["strand"], len(r["site"])): r for r in _read_tsv(files["interior"])}
    cof = {(r["chrom"], r["start_0based"], r["strand"], len(r["site"])): r for r in _read_tsv(files["casoffinder"])}
    assert default.keys() <= cof.keys()
    # guide[1:] + TGG at c1:101 is an RNA bulge at spacer base 0 with no mismatch: Cas-OFFinder's convention only
    assert cof[("c1", "101", "+", 22)]["mismatches"] == "0" and cof[("c1", "101", "+", 22)]["bulge"] == "RNA"
    assert ("c1", "101", "+", 22) not in default or default[("c1", "101", "+", 22)]["mismatches"] != "0"
    assert all(int(cof[k]["mismatches"]) <= int(r["mismatches"]) for k, r in default.items())
    rc = main(["design", "offtargets", "-r", str(fa), "--guides", guide, "--bulges", "1", "--bulge-ends", "ends"])
    assert rc == 2 and "bulge_ends" in capsys.readouterr().err

"""`rarepath design aso` end to end, including one-line errors with exit 2."""

from __future__ import annotations

import json

from conftest import shared_path
from rarepath.cli import main
from rarepath.design.aso.regions import load_region


def test_frame_json(tmp_path):
    out = tmp_path / "a.json"
    assert main(["design", "aso", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["frame"] == "out_of_frame" and d["single_skips"] == [51] and "double_skips" in d
    assert "products" in d


def test_frame_from_region_file(tmp_path):
    out = tmp_path / "a.json"
    lrg = shared_path("sequences", "DMD_LRG_199.xml")
    assert main(["design", "aso", "--region", str(lrg), "--variant", "deletion of exons 45-47",
                 "--json", str(out)]) == 0
    assert json.loads(out.read_text())["frame"] == "in_frame"


def test_nusinersen_cli(tmp_path, capsys):
    fa = shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
    tsv, js = tmp_path / "c.tsv", tmp_path / "c.json"
    assert main(["design", "aso", "--region", str(fa), "--goal", "block:62005-62022", "--lengths", "18-18",
                 "--tsv", str(tsv), "--json", str(js)]) == 0
    assert "TCACTTTCATAATGCTGG is the sequence of nusinersen" in capsys.readouterr().out
    assert "nusinersen (approved)" in tsv.read_text()
    assert json.loads(js.read_text())["design"]["approved_drug_matches"][0]["oligo"] == "TCACTTTCATAATGCTGG"


def test_moe_chemistry_cli(tmp_path):
    fa = shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
    js = tmp_path / "c.json"
    assert main(["design", "aso", "--region", str(fa), "--goal", "block:62005-62022", "--chemistry", "MOE",
                 "--json", str(js)]) == 0
    cands = json.loads(js.read_text())["design"]["candidates"]
    assert {c["chemistry"] for c in cands} == {"2'-MOE PS"} and {c["length"] for c in cands} <= {18, 19, 20}


def test_bad_input_one_line_exit_2(tmp_path, capsys):
    lrg = str(shared_path("sequences", "DMD_LRG_199.xml"))
    fa = str(shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa"))
    keep = tmp_path / "keep.json"
    keep.write_text("{}")
    cases = [
        ["--gene", "DMD", "--variant", "deletion of exons 48-90"],  # exon does not exist
        ["--region", fa, "--goal", "skip-exon:7"],  # region without exons
        ["--region", lrg, "--variant", "deletion of exons 48-50", "--goal", "skip-exon:49"],  # deleted exon
        ["--region", lrg, "--variant", "deletion of exons 48-50", "--goal", "skip-exon:55"],  # no frame fix
        ["--region", lrg, "--variant", "deletion of exons 45-47", "--goal", "skip-exon:48"],  # already in frame
        ["--region", lrg, "--goal", "skip-exon:80"],
        ["--gene", "NOPE1", "--variant", "deletion of exon 3"],
        ["--region", str(tmp_path / "missing.xml"), "--goal", "knockdown"],
        ["--region", lrg, "--goal", "knockdown", "--lengths", "x-y"],
        ["--region", lrg, "--goal", "skip-exon:51", "--chemistry", "gapmer"],  # not a steric blocker
        ["--region", lrg, "--goal", "skip-exon:51", "--chemistry", "LNA"],
        ["--gene", "DMD"],
    ]
    for args in cases:
        capsys.readouterr()
        assert main(["design", "aso", *args, "--json", str(keep)]) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("rarepath: error:"), (args, err)
        assert "Traceback" not in err[0]
    assert keep.read_text() == "{}"


def test_gff3_and_genbank_regions(tmp_path):
    ush = load_region(shared_path("sequences", "USH2A_NG_009497.1.gff3"), "NM_206933.2")
    assert ush.exon(13).length == 642 and len(ush.exons) == 72
    from Bio.Seq import Seq
    from Bio.SeqFeature import CompoundLocation, FeatureLocation, SeqFeature
    from Bio.SeqRecord import SeqRecord

    seq = "A" * 50 + "ATGGCC" + "G" * 40 + "TTTCCC" + "C" * 48
    loc = CompoundLocation([FeatureLocation(50, 56, strand=-1), FeatureLocation(96, 102, strand=-1)])
    rec = SeqRecord(Seq(seq), id="TOY1", name="TOY1", annotations={"molecule_type": "DNA"},
                    features=[SeqFeature(loc, type="mRNA", qualifiers={"gene": ["TOY"]})])
    gb = tmp_path / "toy.gb"
    from Bio import SeqIO

    SeqIO.write(rec, gb, "genbank")
    r = load_region(gb)
    assert r.gene == "TOY" and r.exon_lengths == [6, 6]
    # minus strand: exon 1 is the reverse complement of the right-most block
    assert r.sequence[r.exons[0].start:r.exons[0].end] == "GGGAAA"

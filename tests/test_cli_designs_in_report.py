"""Reagent designs made by `rarepath design ...` appear in the case report when passed to `assess --design`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import shared_path
from rarepath.cli import main

CASE = ["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous", "--quiet"]


def test_editing_and_exon_skip_designs_in_report(tmp_path: Path):
    region = shared_path("sequences", "SMN1_region_hg38_chr5_70890000_71100000.fa")
    edit = tmp_path / "edit.json"
    assert main(["design", "edit", "--reference", str(region), "--variant", "chr5:70951946C>T", "--goal", "correct",
                 "--no-offtargets", "--json", str(edit)]) == 0
    skip = tmp_path / "skip.json"
    assert main(["design", "aso", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--json", str(skip)]) == 0
    out = tmp_path / "a.json"
    assert main([*CASE, "--design", str(edit), "--design", str(skip), "--json", str(out),
                 "--html", str(tmp_path)]) == 0
    designs = json.loads(out.read_text())["designs"]
    assert [d["kind"] for d in designs] == ["genome_editing", "exon_skipping"]
    assert designs[0]["change"] == "T>C" and designs[0]["shortlist"]
    assert "51" in designs[1]["headline"]
    html = (tmp_path / "SMN1-case.clinician.html").read_text()
    assert "Reagent designs" in html and designs[0]["shortlist"][0]["guide"] in html


def test_bad_design_file_is_one_line_error(tmp_path: Path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text('{"something": 1}')
    assert main([*CASE, "--design", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "x.json" in err

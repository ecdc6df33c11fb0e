"""The assess command end to end: outputs, the JSON contract, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import one_line_error as _one_line_error
from rarepath.cli import main

QUICK = ["assess", "--gene", "DMD", "--variant", "deletion of exons 48-50", "--zygosity", "hemizygous",
         "--patient", "age=6; sex=male; ambulatory=yes", "--quiet"]




def test_quick_case_writes_json_contract_and_reports(tmp_path: Path, capsys):
    out = tmp_path / "out.json"
    assert main([*QUICK, "--json", str(out), "--html", str(tmp_path / "html")]) == 0
    data = json.loads(out.read_text())
    assert set(data) >= {"rarepath_version", "case", "mechanism", "options", "disclaimer"}
    assert data["case"]["genes"] == ["DMD"]
    assert data["mechanism"]["call"] == "loss_of_function"
    assert {"rule", "source", "detail"} <= set(data["mechanism"]["evidence"][0])
    modalities = {o["modality"] for o in data["options"] if o["target"] == "DMD"}
    assert len(modalities) == 6
    for o in data["options"]:
        assert {"modality", "target", "verdict", "score", "delivery", "products", "reasons"} <= set(o)
    clin = (tmp_path / "html" / "DMD-case.clinician.html").read_text()
    fam = (tmp_path / "html" / "DMD-case.family.html").read_text()
    assert "not medical advice" in clin and "not medical advice" in fam
    assert "eteplirsen" in clin
    # plain language: no raw vocabulary tokens in what the family reads
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", fam, flags=re.S))
    for token in ("gene_replacement", "loss_of_function", "not_suitable", "in_vivo", "_"):
        assert token not in visible, token
    printed = capsys.readouterr().out
    assert str(out.resolve()) in printed


@pytest.mark.slow
def test_pdf_reports(tmp_path: Path):
    assert main([*QUICK, "--html", str(tmp_path), "--pdf"]) == 0
    pdf = tmp_path / "DMD-case.clinician.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "DMD-case.family.pdf").stat().st_size > 1000


def test_broken_json(tmp_path: Path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text('{"id": "x", "subject": ')
    _one_line_error(capsys, ["assess", str(bad)], "broken.json")


def test_vcf_with_bad_header(tmp_path: Path, capsys):
    bad = tmp_path / "bad.vcf"
    bad.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tREF\n1\t100\tA\n")
    _one_line_error(capsys, ["assess", str(bad), "--gene", "F9"], "bad.vcf")


def test_unknown_hpo_term(capsys):
    _one_line_error(capsys, [*QUICK, "--hpo", "HP:9999999"], "HP:9999999")


def test_unknown_gene_symbol(capsys):
    _one_line_error(capsys, ["assess", "--gene", "NOTAGENE1", "--variant", "truncating", "--zygosity",
                             "heterozygous"], "NOTAGENE1")


def test_impossible_age(capsys):
    _one_line_error(capsys, ["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity",
                             "homozygous", "--patient", "age=-3; sex=male"], "age")


def test_unknown_patient_key_is_an_error(capsys):
    _one_line_error(capsys, [*QUICK[:-2], "--patient", "age=6; favourite_colour=blue"], "favourite_colour")


def test_bad_input_never_overwrites_an_earlier_report(tmp_path: Path, capsys):
    out = tmp_path / "out.json"
    out.write_text('{"kept": true}\n')
    _one_line_error(capsys, ["assess", "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--patient",
                             "age=200", "--json", str(out)], "age")
    assert json.loads(out.read_text()) == {"kept": True}


def test_mechanism_override_is_recorded(tmp_path: Path):
    out = tmp_path / "o.json"
    assert main([*QUICK, "--mechanism", "gain_of_function", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["mechanism"]["call"] == "gain_of_function" and data["mechanism"]["overridden"] is True
    silencing = next(o for o in data["options"] if o["modality"] == "gene_silencing" and o["target"] == "DMD")
    assert silencing["verdict"] != "contraindicated"

"""What the command line shows: context above the table, full values when piped, TSV, version, help, VCF samples,
size caps, and report files written with the user's umask."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from conftest import one_line_error as _one_line_error
from rarepath.cli import command, main
from rarepath.intake.patient import FLAG_KEYS
from rarepath.model.types import Zygosity

REPO = Path(__file__).resolve().parents[1]
SMA = REPO / "src/rarepath/examples/sma_infant.yaml"
NO_GENE = REPO / "tests/data/report/no_gene_deletion.json"




def test_version(capsys):
    from rarepath import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"rarepath {__version__}"


def _help(capsys, argv: list[str]) -> str:
    os.environ["COLUMNS"] = "200"
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def _commands(cmd, prefix=()):
    yield prefix
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        yield from _commands(sub, (*prefix, name))


def test_no_help_shows_bool(capsys):
    for argv in _commands(command()):
        out = _help(capsys, list(argv))
        assert "<bool>" not in out, argv
    assert "flag" in _help(capsys, ["assess"])


def test_help_documents_every_patient_key_and_zygosity(capsys):
    out = " ".join(_help(capsys, ["assess"]).replace("│", " ").split())
    for key in ("age=", "sex=male|female|unknown", "anti_<SEROTYPE>_titre=1:N", "anti_<SEROTYPE>_antibodies=",
                "conditioning_tolerated=yes|no", "prior_treatments=", *FLAG_KEYS):
        assert key in out, key
    for z in Zygosity:
        assert z.value in out, z
    readme = (REPO / "README.md").read_text()
    for key in ("conditioning_tolerated", "prior_treatments", *FLAG_KEYS):
        assert key in readme, key
    for z in Zygosity:
        assert z.value in readme, z


def test_piped_output_prints_full_values_and_the_disease(capsys):
    assert main(["assess", str(SMA)]) == 0  # capsys: stdout is not a terminal
    out = capsys.readouterr().out
    assert "gene_replacement" in out and "onasemnogene abeparvovec" in out and "…" not in out
    assert "disease: 5q spinal muscular atrophy" in out
    assert max(len(ln) for ln in out.splitlines()) > 80


def test_tsv(capsys):
    assert main(["assess", str(SMA), "--tsv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(i for i, ln in enumerate(lines) if not ln.startswith("# "))
    assert lines[header].split("\t") == ["rank", "modality", "target", "verdict", "score", "delivery", "products"]
    rows = [ln.split("\t") for ln in lines[header + 1:]]
    assert rows[0][1:4] == ["gene_replacement", "SMN1", "recommended"] and all(len(r) == 7 for r in rows)


def test_gene_less_case_prints_one_message_not_six_rows(capsys):
    assert main(["assess", str(NO_GENE)]) == 0
    out = capsys.readouterr().out
    assert "no disease gene in this phenopacket" in out
    assert "not_suitable" not in out and out.count("warning:") >= 1


def test_rich_table_on_a_terminal_keeps_context_lines():
    from rich.console import Console

    from rarepath.intake import load_case
    from rarepath.report.render import print_summary
    from rarepath.triage.engine import assess_case

    buf = io.StringIO()
    print_summary(assess_case(load_case(NO_GENE)), console=Console(file=buf, width=100))
    assert "no disease gene" in buf.getvalue()


def test_report_files_follow_the_umask(tmp_path: Path):
    old = os.umask(0o022)
    try:
        assert main(["assess", str(SMA), "--quiet", "--json", str(tmp_path / "a.json"), "--html", str(tmp_path)]) == 0
    finally:
        os.umask(old)
    for name in ("a.json", "example-sma-infant.clinician.html", "example-sma-infant.family.html"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name


TRIO = """##fileformat=VCFv4.2
##contig=<ID=chrX,length=156040895>
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM	POS	ID	REF	ALT	QUAL	FILTER	INFO	FORMAT	MOTHER	FATHER	BOY
chrX	31819974	.	G	A	50	PASS	ANN=A|stop_gained|HIGH|DMD|ENSG00000198947|transcript|ENST00000357033|protein_coding|70/79|c.10141C>T|p.Arg3381*|||||	GT	0/1	0	1
"""


def test_multi_sample_vcf_needs_sample(tmp_path: Path, capsys):
    vcf = tmp_path / "trio.vcf"
    vcf.write_text(TRIO)
    _one_line_error(capsys, ["assess", str(vcf), "--quiet"], "--sample", "MOTHER, FATHER, BOY")
    _one_line_error(capsys, ["assess", str(vcf), "--sample", "SISTER", "--quiet"], "SISTER")
    out = tmp_path / "boy.json"
    assert main(["assess", str(vcf), "--sample", "BOY", "--patient", "age=6; sex=male", "--quiet",
                 "--json", str(out)]) == 0
    import json

    data = json.loads(out.read_text())
    assert data["case"]["id"] == "trio-BOY" and data["case"]["variants"][0]["zygosity"] == "hemizygous"


def test_sample_without_a_vcf_is_an_error(capsys):
    _one_line_error(capsys, ["assess", "--gene", "DMD", "--variant", "truncating", "--sample", "BOY"], "--sample")


def test_runaway_case_id_is_refused_quickly(capsys):
    _one_line_error(capsys, ["assess", str(SMA), "--id", "x" * 100_000], "at most 200")
    _one_line_error(capsys, ["assess", "--gene", "DMD", "--variant", "truncating", "--id", "x" * 100_000],
                    "at most 200")


def test_runaway_case_file_is_refused_before_parsing(tmp_path: Path, capsys):
    big = tmp_path / "big.yaml"
    with big.open("w") as fh:
        fh.write("id: " + "x" * 6_000_000 + "\n")
    _one_line_error(capsys, ["assess", str(big)], "big.yaml", "at most")


@pytest.mark.parametrize("argv", [["--help"], ["assess", "--help"]])
def test_help_is_one_page_without_markup_leaks(capsys, argv):
    out = _help(capsys, argv[:-1])
    assert not re.search(r"\[/?(bold|italic)\]", out)


def test_case_vocabulary_page_lists_every_enum_value():
    from rarepath.model.types import Mechanism, Modality, VariantKind, Verdict

    page = (REPO / "docs" / "case-vocabulary.md").read_text()
    for enum in (Mechanism, Modality, Verdict, Zygosity, VariantKind):
        for member in enum:
            assert f"`{member.value}`" in page, member
    for key in FLAG_KEYS:
        assert f"`{key}`" in page, key


def _phenopacket(tmp_path: Path, edit) -> Path:
    import json

    data = json.loads(NO_GENE.read_text())
    edit(data)
    p = tmp_path / "case.json"
    p.write_text(json.dumps(data))
    return p


def _gaa(data: dict) -> None:
    vd = data["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]["variantInterpretation"][
        "variationDescriptor"]
    vd["geneContext"] = {"valueId": "HGNC:4065", "symbol": "GAA"}
    vd["label"] = "NM_000152.5:c.525del"
    vd.pop("structuralType")
    vd["expressions"] = [{"syntax": "hgvs.c", "value": "NM_000152.5:c.525del"}]
    data["interpretations"][0]["diagnosis"]["disease"] = {"id": "OMIM:232300", "label": "Pompe disease"}
    data["diseases"] = []


def test_phenopacket_without_variants_warns_on_every_output(tmp_path: Path, capsys):
    case = _phenopacket(tmp_path, lambda d: d.pop("interpretations"))
    assert main(["assess", str(case), "--html", str(tmp_path)]) == 0
    assert "warning: the phenopacket lists no variant" in capsys.readouterr().out
    clin = (tmp_path / "written-no-gene-case.clinician.html").read_text()
    fam = (tmp_path / "written-no-gene-case.family.html").read_text()
    assert clin.index("lists no variant") < clin.index('id="case"')
    assert fam.index("Please note") < fam.index('id="looked-at"')


def test_female_marked_hemizygous_is_a_visible_warning(tmp_path: Path, capsys):
    def edit(d: dict) -> None:
        _gaa(d)
        d["subject"]["sex"] = "FEMALE"
        gi = d["interpretations"][0]["diagnosis"]["genomicInterpretations"][0]
        gi["variantInterpretation"]["variationDescriptor"]["allelicState"] = {"id": "GENO:0000134",
                                                                              "label": "hemizygous"}
    case = _phenopacket(tmp_path, edit)
    assert main(["assess", str(case), "--html", str(tmp_path)]) == 0
    assert "female but NM_000152.5:c.525del is marked hemizygous" in capsys.readouterr().out
    assert "marked hemizygous" in (tmp_path / "written-no-gene-case.clinician.html").read_text()
    # the same check applies when the sex comes from the command line
    assert main(["assess", "--gene", "DMD", "--variant", "truncating", "--zygosity", "hemizygous", "--patient",
                 "sex=female", "--tsv"]) == 0
    assert "# warning: the patient is female" in capsys.readouterr().out


def test_unknown_hpo_id_in_a_phenopacket_is_an_error(tmp_path: Path, capsys):
    case = _phenopacket(tmp_path, lambda d: d["phenotypicFeatures"].append({"type": {"id": "HP:9999999"}}))
    _one_line_error(capsys, ["assess", str(case), "--quiet"], "HP:9999999", "case.json")


@pytest.mark.parametrize("argv", [
    ["--gene", "DMD", "--variant", "c." + "1" * 200_000 + "A>G"],
    ["--gene", "DMD", "--patient", "sex=" + "x" * 200_000],
    ["--gene", "x" * 200_000],
], ids=["hgvs", "patient", "gene"])
def test_runaway_values_give_a_short_error_line(capsys, argv):
    err = _one_line_error(capsys, ["assess", *argv, "--quiet"], "characters")
    assert len(err) < 600


def test_ambiguous_disease_is_printed_above_the_table(tmp_path: Path, capsys):
    argv = ["assess", "--gene", "DMD", "--variant", "truncating", "--zygosity", "hemizygous", "--patient",
            "age=6; sex=male"]
    assert main([*argv, "--html", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    head = out[: out.index("modality")]
    assert "warning: the disease is ambiguous" in head and "--disease" in head
    assert "the disease is ambiguous" in (tmp_path / "DMD-case.clinician.html").read_text()
    assert main([*argv, "--disease", "OMIM:310200"]) == 0
    out = capsys.readouterr().out
    assert "ambiguous" not in out and "disease: Duchenne muscular dystrophy" in out

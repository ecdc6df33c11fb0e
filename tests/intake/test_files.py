"""load_case on YAML, VCF and phenopacket files; one case per malformed input, each a one-line located error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rarepath.errors import InputError, UnknownGeneError
from rarepath.intake import load_case
from rarepath.intake.quick import case_from_options
from rarepath.model.types import VariantKind, Zygosity

DATA = Path(__file__).resolve().parents[1] / "data" / "intake"

MINIMAL_PHENOPACKET = {
    "id": "test-1",
    "subject": {"id": "p1", "sex": "FEMALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P3Y6M"}}},
    "phenotypicFeatures": [{"type": {"id": "HP:0001250", "label": "Seizure"}}],
    "interpretations": [{
        "id": "i1", "progressStatus": "SOLVED",
        "diagnosis": {
            "disease": {"id": "OMIM:607208", "label": "Dravet syndrome"},
            "genomicInterpretations": [{
                "subjectOrBiosampleId": "p1", "interpretationStatus": "CAUSATIVE",
                "variantInterpretation": {"variationDescriptor": {
                    "id": "v1", "geneContext": {"valueId": "HGNC:10585", "symbol": "SCN1A"},
                    "expressions": [{"syntax": "hgvs.p", "value": "NP_001159435.1:p.(Arg1407Ter)"}],
                    "allelicState": {"id": "GENO:0000135", "label": "heterozygous"}}}}]}}],
    "metaData": {"created": "2024-01-01T00:00:00Z", "createdBy": "test", "phenopacketSchemaVersion": "2.0",
                 "resources": [{"id": "hp", "name": "human phenotype ontology", "namespacePrefix": "HP",
                                "url": "http://purl.obolibrary.org/obo/hp.owl", "version": "2024-02-27",
                                "iriPrefix": "http://purl.obolibrary.org/obo/HP_"}]},
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def assert_one_line(err: pytest.ExceptionInfo, source: str, field: str | None, words: str) -> None:
    msg = err.value.one_line()
    assert "\n" not in msg
    assert msg.startswith(source), msg
    if field:
        assert err.value.field == field
    assert words in msg


# --- happy paths ---------------------------------------------------------------------------------
def test_yaml_examples():
    dmd = load_case(DATA / "dmd_boy.yaml")
    assert dmd.genes == ("DMD",) and dmd.variants[0].exons == (48, 50)
    assert dmd.zygosity == Zygosity.HEMIZYGOUS
    assert dmd.patient.aav_titres == {"AAVrh74": 100} and dmd.patient.flags == {"ambulatory": True}
    assert dmd.diseases == ("OMIM:310200",) and dmd.disease_labels == ("Duchenne muscular dystrophy",)
    cf = load_case(DATA / "cf_compound_het.yaml")
    assert [v.kind for v in cf.variants] == [VariantKind.MISSENSE, VariantKind.INFRAME_INDEL]
    assert cf.zygosity == Zygosity.COMPOUND_HETEROZYGOUS
    assert cf.mechanism_override == "loss_of_function"
    assert cf.patient.prior_treatments == ("ivacaftor",)


def test_overrides_apply_over_a_file():
    c = load_case(DATA / "dmd_boy.yaml", patient="anti_AAVrh74_titre=1:50", hpo=["HP:0001250"], case_id="x",
                  variant="deletion of exon 52", mechanism=None)
    assert c.id == "x" and c.variants[0].exons == (52, 52)
    assert c.patient.age_years == 6.0 and c.patient.aav_titres == {"AAVrh74": 50}
    assert c.phenotypes[-1] == "HP:0001250"


def test_vcf_annotated_male():
    c = load_case(DATA / "dmd_male.vcf", gene="DMD", patient="age=6; sex=male", hpo=["HP:0003560"])
    assert c.genes == ("DMD",)
    assert [(v.kind, v.zygosity) for v in c.variants] == [
        (VariantKind.NONSENSE, Zygosity.HEMIZYGOUS),  # haploid GT on chrX
        (VariantKind.MISSENSE, Zygosity.HEMIZYGOUS),  # diploid call on chrX in a male
    ]
    assert c.variants[0].hgvs_c == "c.10141C>T" and c.variants[0].pos == 31819974
    assert c.phenotypes == ("HP:0003560",)


def test_vcf_genes_from_annotation_and_homozygous_gt():
    c = load_case(DATA / "dmd_male.vcf", patient="sex=female")
    assert c.genes == ("DMD", "SMN1")
    smn1 = [v for v in c.variants if v.gene == "SMN1"][0]
    assert smn1.zygosity == Zygosity.HOMOZYGOUS
    dmd_missense = [v for v in c.variants if v.kind == VariantKind.MISSENSE and v.gene == "DMD"][0]
    assert dmd_missense.zygosity == Zygosity.HETEROZYGOUS  # 0/1 in a female
    assert len(c.variants) == 3  # the 0/0 record is not carried


def test_phenopacket_minimal(tmp_path):
    c = load_case(write(tmp_path, "p.json", json.dumps(MINIMAL_PHENOPACKET)))
    assert c.genes == ("SCN1A",) and c.variants[0].kind == VariantKind.NONSENSE
    assert c.patient.age_years == 3.5 and c.patient.sex == "female"
    assert c.phenotypes == ("HP:0001250",)


def test_case_from_options():
    c = case_from_options("DMD", "deletion of exons 48-50", "hemizygous", "age=6; sex=male", hpo=["HP:0003560"])
    assert c.genes == ("DMD",) and c.variants[0].kind == VariantKind.EXON_DELETION
    assert c.zygosity == Zygosity.HEMIZYGOUS and c.patient.age_years == 6.0
    cf = case_from_options("CFTR", "c.1652G>A p.(Gly551Asp); c.1521_1523del p.(Phe508del)",
                           "compound heterozygous", None, case_id="cf", diseases=["OMIM:219700"])
    assert len(cf.variants) == 2 and cf.zygosity == Zygosity.COMPOUND_HETEROZYGOUS
    assert cf.disease_labels == ("Cystic fibrosis",)


# --- malformed inputs: one case each -----------------------------------------------------------
BAD_SCHEMA = dict(MINIMAL_PHENOPACKET, subject={"id": "p1", "sex": "BANANA"})
BAD_HPO = dict(MINIMAL_PHENOPACKET, phenotypicFeatures=[{"type": {"id": "HP:9999999", "label": "?"}}])


@pytest.mark.parametrize(
    ("name", "text", "options", "error", "field", "words"),
    [
        pytest.param("broken.json", '{"id": "x", "subject": {', {}, InputError, "JSON", "not a valid Phenopacket",
                     id="broken_json"),
        pytest.param("schema.json", json.dumps(BAD_SCHEMA), {}, InputError, "phenopacket schema", "BANANA",
                     id="phenopacket_schema_error"),
        pytest.param("bad.vcf", "##fileformat=VCFv4.2\nchr1\t100\t.\tA\tG\t.\t.\t.\tGT\t0/1\n", {"gene": "DMD"},
                     InputError, "header", "bad VCF header", id="vcf_bad_header"),
        pytest.param("junk.vcf", "hello\nworld\n", {"gene": "DMD"}, InputError, "header", "##fileformat",
                     id="vcf_not_a_vcf"),
        pytest.param("c.yaml", "gene: DMD\nvariants: [deletion of exon 52]\nhpo: [HP:0003560, HP:9999999]\n", {},
                     InputError, "hpo", "unknown HPO term 'HP:9999999'", id="unknown_hpo_term_in_yaml"),
        pytest.param("p.json", json.dumps(BAD_HPO), {}, InputError, "phenotypicFeatures", "HP:9999999",
                     id="unknown_hpo_term_in_phenopacket"),
        pytest.param("g.yaml", "gene: NOTAGENE1\nvariants: [missense]\n", {}, UnknownGeneError, "gene", "NOTAGENE1",
                     id="unknown_gene_symbol_in_yaml"),
        pytest.param("a.yaml", "gene: DMD\nvariants: [deletion of exon 52]\npatient: 'age=-2; sex=male'\n", {},
                     InputError, "patient.age", "impossible age", id="impossible_age_in_yaml"),
        pytest.param("k.yaml", "gene: DMD\nvariantz: [x]\n", {}, InputError, "variantz", "unknown key",
                     id="unknown_yaml_key"),
        pytest.param("y.yaml", "gene: [DMD\n", {}, InputError, None, "not valid YAML", id="bad_yaml"),
        pytest.param("v.yaml", "gene: DMD\nvariants: [deletion of exon 52, banana]\n", {}, InputError,
                     "variants[1]", "banana", id="unparseable_variant_in_yaml"),
    ],
)
def test_malformed_case_file(tmp_path, name, text, options, error, field, words):
    p = write(tmp_path, name, text)
    with pytest.raises(error) as err:
        load_case(p, **options)
    assert_one_line(err, str(p), field, words)


@pytest.mark.parametrize(
    ("args", "options", "error", "source", "field", "words"),
    [
        pytest.param(("DMD", None, None, None), {"hpo": ["HP:9999999"]}, InputError, "--hpo", "hpo", "HP:9999999",
                     id="unknown_hpo_term"),
        pytest.param(("NOTAGENE1", "missense", "heterozygous", None), {}, UnknownGeneError, "--gene", "gene",
                     "unknown gene symbol 'NOTAGENE1'", id="unknown_gene_symbol"),
        pytest.param(("DMD", None, None, "age=150"), {}, InputError, "--patient", "patient.age", "impossible age",
                     id="impossible_age"),
    ],
)
def test_malformed_option(args, options, error, source, field, words):
    with pytest.raises(error) as err:
        case_from_options(*args, **options)
    assert_one_line(err, source, field, words)


def test_unknown_file_type_and_missing(tmp_path):
    with pytest.raises(InputError):
        load_case(write(tmp_path, "case.txt", "x"))
    with pytest.raises(InputError) as err:
        load_case(tmp_path / "nope.json")
    assert "no such file" in err.value.one_line()

"""Indication verification as a pure step: names, label text, source agreement (no files, no KB).

Fixtures here are written by hand for the test (label sentences quoted from the FDA labels named).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rarepath.errors import InputError
from rarepath.knowledge.importers import SPECS, discover
from rarepath.knowledge.importers import indications as importers
from rarepath.knowledge.importers import mondo as mondo_importers
from rarepath.knowledge.indications import (
    Claim,
    IndicationStatus,
    LabelText,
    NameIndex,
    drug_class_of,
    drug_class_table,
    ingredient_key,
    normalize_disease_id,
    normalize_drug,
    normalize_name,
    usable_name,
    verify,
)

SMA, SMA1, DMD, NCL, CLN2, ACH, HYPOCH, AHP, ANHP = (
    "MONDO:0001516", "MONDO:0009669", "MONDO:0010679", "MONDO:0016295", "MONDO:0008769", "MONDO:0007037",
    "MONDO:0007793", "MONDO:0002520", "MONDO:0013564")
NAMES = [
    (SMA, "spinal muscular atrophy"), (SMA1, "spinal muscular atrophy, type 1"),
    (SMA1, "infantile spinal muscular atrophy"), (SMA1, "SMA1"),
    (DMD, "Duchenne muscular dystrophy"), (DMD, "DMD"),
    (NCL, "neuronal ceroid lipofuscinosis"), (CLN2, "neuronal ceroid lipofuscinosis type 2"), (CLN2, "CLN2 disease"),
    (ACH, "Achondroplasia"), (ACH, "ACH"), (HYPOCH, "hypochondroplasia"),
    (AHP, "acute hepatic porphyria"), (ANHP, "anhaptoglobinemia"), (ANHP, "AHP"),
]
SPINRAZA = "SPINRAZA is indicated for the treatment of spinal muscular atrophy (SMA) in pediatric and adult patients."
VOXZOGO = ("VOXZOGO is indicated to increase linear growth in pediatric patients with achondroplasia with open "
           "epiphyses.")
GIVLAARI = "GIVLAARI is indicated for the treatment of adults with acute hepatic porphyria (AHP)."
BRINEURA = ("BRINEURA is indicated to slow the loss of ambulation in pediatric patients with neuronal ceroid "
            "lipofuscinosis type 2 (CLN2 disease).")


@pytest.fixture(scope="module")
def index() -> NameIndex:
    return NameIndex.build(NAMES)


def label(drug: str, text: str, regulator: str = "FDA", source: str = "everycure_fda") -> LabelText:
    return LabelText(drug, regulator, text, source, 2020)


# --- names -----------------------------------------------------------------------------------------


def test_names_are_normalised_and_acronyms_are_never_used() -> None:
    assert normalize_name("Friedreich's  Ataxia") == normalize_name("Friedreich\u2019s ataxia") == "friedreich ataxia"
    assert normalize_name("Gaucher disease type I") == "gaucher disease type 1"
    assert usable_name("AHP") is None and usable_name("PH1") is None and usable_name("DMD") is None
    assert usable_name("Ph1") is None  # too short, whatever the case
    assert usable_name("syndrome") is None and usable_name("anemia") is None  # generic, or one short word
    assert usable_name("obsolete dilated cardiomyopathy 1T") is None
    assert usable_name("Achondroplasia") == "achondroplasia"
    assert usable_name("CLN2 disease") == "cln2 disease"


def test_parent_terms_are_read_from_subtype_numbers_only() -> None:
    from rarepath.knowledge.indications import parent_name

    assert parent_name("spinal muscular atrophy, type 2") == "spinal muscular atrophy"
    assert parent_name("von Willebrand disease type 2B") == "von willebrand disease"
    assert parent_name("Gaucher disease type I") == "gaucher disease"
    assert parent_name("hemophilia A") is None and parent_name("Achondroplasia") is None


def test_drug_names_match_across_sources() -> None:
    assert normalize_drug("Nusinersen sodium") == normalize_drug("NUSINERSEN") == "nusinersen"
    assert normalize_drug("sodium phenylbutyrate") == "sodium phenylbutyrate"  # leading salt word is the drug
    assert normalize_drug("onasemnogene abeparvovec-xioi") == "onasemnogene abeparvovec"
    assert ingredient_key("{'NUSINERSEN'}") == "nusinersen"
    assert ingredient_key("relugolix, estradiol, norethisterone acetate") == "estradiol / norethisterone / relugolix"
    assert normalize_disease_id("Orphanet:558") == normalize_disease_id("orpha:558") == "ORPHA:558"
    assert normalize_disease_id("MIM:310200") == "OMIM:310200"


def test_mentions_keep_the_longest_name_and_skip_negated_sentences(index: NameIndex) -> None:
    assert index.mentions(BRINEURA) == {CLN2}  # not the whole NCL group as well
    assert index.mentions(SPINRAZA) == {SMA}
    assert index.mentions(GIVLAARI) == {AHP}  # "(AHP)" does not name anhaptoglobinemia
    assert index.mentions(VOXZOGO) == {ACH}  # "achondroplasia" is not inside "hypochondroplasia" as a word
    negated = "X is indicated for achondroplasia. Limitations of Use: not indicated for hypochondroplasia."
    assert index.mentions(negated) == {ACH}


# --- verification ----------------------------------------------------------------------------------


def test_label_text_confirms_a_single_source_claim(index: NameIndex) -> None:
    [item] = verify([Claim("Nusinersen", SMA, "everycure_indications")], [label("NUSINERSEN", SPINRAZA)], index,
                    disease_labels={SMA: "spinal muscular atrophy"})
    assert item.status is IndicationStatus.approved and item.recommendable
    assert item.regulators == ("FDA",) and item.year == 2020
    assert "label text of FDA" in item.rule
    assert item.reason.startswith("nusinersen approved for spinal muscular atrophy (MONDO:0001516)")
    assert 'FDA label 2020: "SPINRAZA is indicated' in item.reason


def test_documented_errors_stay_unverified(index: NameIndex) -> None:
    """givosiran -> anhaptoglobinemia comes from the acronym AHP; the label names acute hepatic porphyria."""
    claims = [Claim("Givosiran", ANHP, "everycure_indications"), Claim("Givosiran", AHP, "everycure_indications")]
    found = {i.disease_id: i for i in verify(claims, [label("GIVOSIRAN", GIVLAARI)], index)}
    assert found[AHP].status is IndicationStatus.approved
    assert found[ANHP].status is IndicationStatus.reported_unverified and not found[ANHP].recommendable
    assert "one source only" in found[ANHP].rule


def test_an_injected_wrong_row_stays_unverified(index: NameIndex) -> None:
    """A deliberately wrong claim next to a real label of the same drug: the label does not name it."""
    claims = [Claim("vosoritide", HYPOCH, "everycure_indications"), Claim("vosoritide", ACH, "everycure_indications")]
    found = {i.disease_id: i for i in verify(claims, [label("vosoritide", VOXZOGO)], index)}
    assert found[HYPOCH].status is IndicationStatus.reported_unverified
    assert found[ACH].status is IndicationStatus.approved


def test_two_independent_families_agree_but_one_family_twice_does_not(index: NameIndex) -> None:
    two = verify([Claim("imiglucerase", CLN2, "everycure_indications"),
                  Claim("imiglucerase", CLN2, "drugcentral_indications")], [], index)
    assert two[0].status is IndicationStatus.approved and two[0].sources == ("drugcentral", "everycure")
    same = verify([Claim("imiglucerase", CLN2, "everycure_indications"),
                   Claim("imiglucerase", CLN2, "everycure_fda")], [], index)
    assert same[0].status is IndicationStatus.reported_unverified


def test_a_label_of_another_drug_or_a_combination_does_not_confirm(index: NameIndex) -> None:
    claim = Claim("isopropanol", SMA, "everycure_indications")  # a real list row: Zolgensma mapped to an excipient
    assert verify([claim], [label("ONASEMNOGENE ABEPARVOVEC", SPINRAZA)], index)[0].status is \
        IndicationStatus.reported_unverified
    combo = verify([Claim("estradiol", ACH, "everycure_indications")],
                   [label("relugolix, estradiol, norethisterone acetate", VOXZOGO, "EMA")], index)
    assert combo[0].status is IndicationStatus.reported_unverified


def test_orphan_approval_text_is_a_claim_confirmed_by_its_own_label(index: NameIndex) -> None:
    orphan = LabelText("nusinersen", "FDA", "Treatment of spinal muscular atrophy in pediatric and adult patients",
                       "fda_orphan_approvals", 2016, "Spinraza")
    from rarepath.knowledge.indications import claims_from_labels

    claims = claims_from_labels([orphan], index)
    assert [(c.drug, c.disease_id, c.family) for c in claims] == [("nusinersen", SMA, "fda_orphan")]
    [item] = verify(claims, [orphan], index, citations={"fda_orphan_approvals": "FDA orphan approvals to 2022"})
    assert item.recommendable and item.labels[0].product == "Spinraza" and item.source == "FDA orphan approvals to 2022"


def test_approved_sort_before_unverified(index: NameIndex) -> None:
    found = verify([Claim("a-drug", ANHP, "everycure_indications"), Claim("z-drug", AHP, "everycure_indications")],
                   [label("z-drug", GIVLAARI)], index)
    assert [i.drug for i in found] == ["z drug", "a drug"]


# --- drug classes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("drug", "expected"), [
    ("cerliponase alfa", "enzyme_replacement"), ("alteplase", "enzyme"), ("eliglustat", "substrate_reduction"),
    ("venglustat", "substrate_reduction"), ("migalastat", "chaperone"), ("deferasirox", "chelator"),
    ("trientine", "chelator"), ("sodium phenylbutyrate", "ammonia_scavenger"), ("sapropterin", "cofactor"),
    ("cholic acid", "bile_acid"), ("hydrocortisone", "hormone_replacement"), ("somatropin", "hormone_replacement"),
    ("burosumab", "antibody"), ("givosiran", "sirna"), ("nusinersen", "antisense_oligonucleotide"),
    ("onasemnogene abeparvovec", "gene_therapy"), ("insulin glargine", "hormone_replacement"),
    ("nonacog beta pegol", "protein_replacement"), ("coagulation factor IX recombinant", "protein_replacement"),
    ("risdiplam", None),
])
def test_drug_classes_cover_the_issue_s_modalities(drug: str, expected: str | None) -> None:
    assert drug_class_of(ingredient_key(drug), drug_class_table()) == expected


# --- importers: located errors on bad files ----------------------------------------------------------


def test_every_indication_file_name_is_registered() -> None:
    names = {p for spec in SPECS for p in spec.patterns}
    for name in ("matrix_indication_list.xlsx", "fda_indications_deduplicated.xlsx", "drug_indication.tsv",
                 "ema_indications_deduplicated.xlsx", "pmda_indications_deduplicated.xlsx",
                 "Rare_diseases_drugs_FDA.csv", "new-rare-diseases.tsv", "mondo_exactmatch_*.sssom.tsv"):
        assert name in names


def test_discover_finds_each_sssom_file_as_its_own_source(tmp_path: Path) -> None:
    for stem in ("omim", "orphanet"):
        (tmp_path / f"mondo_exactmatch_{stem}.sssom.tsv").write_text("x\n")
    found = [f for f in discover(tmp_path) if f.spec.key == "mondo_crosswalk" and f.path]
    assert sorted(mondo_importers.source_name(f.path) for f in found) == ["mondo_omim", "mondo_orphanet"]


def test_sssom_parse_maps_orphanet_to_orpha_and_skips_obsolete(tmp_path: Path) -> None:
    path = tmp_path / "mondo_exactmatch_orphanet.sssom.tsv"
    path.write_text(
        "# mapping_set_version: http://purl.obolibrary.org/obo/mondo/releases/2026-08-04/mappings/x.tsv\n"
        "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n"
        "MONDO:0007037\tachondroplasia\tskos:exactMatch\tOrphanet:15\tAchondroplasia\tsemapv:ManualMappingCuration\n"
        "MONDO:0000911\tobsolete dilated cardiomyopathy 1T\tskos:exactMatch\tOrphanet:1\t\tsemapv:Manual\n")
    parsed = mondo_importers.parse_sssom(path)
    assert parsed.name == "mondo_orphanet" and parsed.version == "release 2026-08-04"
    assert parsed.tables["disease_xref"] == [{"mondo_id": "MONDO:0007037", "xref_id": "ORPHA:15",
                                              "xref_label": "Achondroplasia"}]


def test_sssom_with_a_bad_subject_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "mondo_exactmatch_omim.sssom.tsv"
    path.write_text("subject_id\tsubject_label\tpredicate_id\tobject_id\n"
                    "OMIM:100800\tachondroplasia\tskos:exactMatch\tMONDO:0007037\n")
    with pytest.raises(InputError, match=r"sssom.tsv:2: subject_id: expected a MONDO id"):
        mondo_importers.parse_sssom(path)


def test_orphan_csv_with_a_bad_date_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "Rare_diseases_drugs_FDA.csv"
    header = ",".join(importers.ORPHAN_COLUMNS)
    path.write_text(f"{header}\nnusinersen,Spinraza,Treatment of SMA,Designated/Approved,Treatment of SMA,"
                    "2016-12-23\n")
    with pytest.raises(InputError, match=r"csv:2: Marketing Approval Date: expected a month/day/year date"):
        importers.parse_fda_orphan(path)


def test_orphan_csv_reads_two_and_four_digit_years(tmp_path: Path) -> None:
    path = tmp_path / "Rare_diseases_drugs_FDA.csv"
    header = ",".join(importers.ORPHAN_COLUMNS)
    path.write_text(f"{header}\nnusinersen,Spinraza,SMA,Designated/Approved,Treatment of SMA,12/23/2016\n"
                    "bosentan,Tracleer,PAH,Designated/Approved,Treatment of PAH,9/05/17\n"
                    "x,X,rare thing,Designated,,\n")
    parsed = importers.parse_fda_orphan(path)
    years = [r["approval_year"] for r in parsed.tables["indication_label"]]
    assert years == [2016, 2017] and parsed.version == "approvals to 2017-09-05"
    assert "skipped 1" in parsed.notes[0]


def test_a_file_that_is_not_a_workbook_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "matrix_indication_list.xlsx"
    path.write_text("not a zip\n")
    with pytest.raises(InputError, match="not a readable .xlsx workbook"):
        importers.parse_everycure_list(path)


def test_workbook_without_the_columns_names_the_missing_one(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "fda_indications_deduplicated.xlsx"
    book = Workbook()
    book.active.append(["drug name", "indications text"])
    book.active.append(["X", "for Y"])
    book.save(path)
    with pytest.raises(InputError, match=r"xlsx:1: final normalized disease id: missing column"):
        importers.parse_everycure_regulator(path)


def test_drug_class_table_rejects_an_unknown_class() -> None:
    from rarepath.errors import KnowledgeError
    from rarepath.knowledge.indications import DRUG_CLASSES, _class_table

    assert set(drug_class_table().values()) == set(DRUG_CLASSES)  # every class is used, none unknown
    with pytest.raises(KnowledgeError, match="drug_classes.tsv: row 'x': .* found 'name', 'enzym'"):
        _class_table(({"match_kind": "name", "match": "x", "drug_class": "enzym", "source": "s"},))

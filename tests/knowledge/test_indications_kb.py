"""Indications imported from the real public files in ../shared/data/indications (one import per module).

The spot checks are those of SOURCES.md: rows known to be right must come out `approved`, rows known to be
wrong (and a wrong row injected here) must stay `reported_unverified`, whatever the list says.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.knowledge.context import KnowledgeContext
from rarepath.knowledge.indications import IndicationStatus
from rarepath.knowledge.kb import KnowledgeBase, import_directory

pytestmark = pytest.mark.slow

EXPECTED_ROWS = {
    "mondo_omim": 9_773, "mondo_orphanet": 8_457, "mondo_umls": 21_658, "mondo_sctid": 8_977, "mondo_doid": 11_819,
    "mondo_rare_diseases": 89_349,  # 16,610 diseases: labels + synonyms
    "everycure_indications": 11_111, "everycure_contraindications": 3_981,
    "everycure_fda": 8_719, "everycure_ema": 2_696, "everycure_pmda": 3_041,  # EMA: 2 rows without the drug name
    "drugcentral_indications": 22_776,  # 9,387 records, one row per UMLS/SNOMED/DOID id
    "fda_orphan_approvals": 1_000,
}


@pytest.fixture(scope="module")
def kb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    outcomes = import_directory(shared_path("indications"), db)
    assert all(o.imported is not None for o in outcomes if o.key in EXPECTED_ROWS or o.key.startswith("mondo"))
    return db


@pytest.fixture(scope="module")
def kb(kb_file: Path) -> KnowledgeBase:
    return KnowledgeBase.open(kb_file)


def find(kb: KnowledgeBase, disease: str, drug: str, scope: str = "exact"):
    hits = [i for i in kb.indications_for_disease([disease]) if i.drug == drug and i.scope == scope]
    assert len(hits) == 1, (disease, drug, [(i.drug, i.status) for i in kb.indications_for_disease([disease])])
    return hits[0]


def test_every_source_imported_with_its_row_count_and_version(kb: KnowledgeBase) -> None:
    status = {s.name: s for s in kb.status()}
    assert {n: s.row_count for n, s in status.items()} == EXPECTED_ROWS
    assert status["mondo_omim"].version == "release 2026-08-04"
    assert status["fda_orphan_approvals"].version == "approvals to 2022-05-20"
    assert "public domain" in status["fda_orphan_approvals"].licence
    assert "none stated" in status["everycure_indications"].licence
    assert kb.has_indications


def test_crosswalk_translates_omim_and_orpha_ids(kb: KnowledgeBase) -> None:
    assert kb.mondo_ids(["OMIM:310200"]) == {"MONDO:0010679": "OMIM:310200"}
    assert kb.mondo_ids(["ORPHA:15", "Orphanet:15"]) == {"MONDO:0007037": "ORPHA:15"}
    assert "OMIM:204500" in kb.disease_xrefs("MONDO:0008769")
    assert kb.disease_label("MONDO:0008769") == "neuronal ceroid lipofuscinosis 2"
    assert kb.is_rare("MONDO:0007037") and not kb.is_rare("MONDO:0005015")  # diabetes mellitus


@pytest.mark.parametrize(("disease", "drug"), [
    ("MONDO:0001516", "nusinersen"),  # spinal muscular atrophy
    ("OMIM:310200", "eteplirsen"),  # Duchenne muscular dystrophy, asked by OMIM id
    ("OMIM:204500", "cerliponase alfa"),  # CLN2 disease
    ("ORPHA:15", "vosoritide"),  # achondroplasia, asked by Orphanet id
    ("MONDO:0100339", "omaveloxolone"),  # Friedreich ataxia: 2023, in the Every Cure list and FDA label only
])
def test_known_good_indications_are_approved(kb: KnowledgeBase, disease: str, drug: str) -> None:
    item = find(kb, disease, drug)
    assert item.status is IndicationStatus.approved and item.recommendable
    assert item.labels and item.labels[0].excerpt
    assert "FDA" in item.regulators
    assert item.query_id is not None and item.source


@pytest.mark.parametrize(("disease", "drug", "right_disease"), [
    ("MONDO:0015629", "gemfibrozil", "MONDO:0007762"),  # von Willebrand disease 2B ("Type IIb" hyperlipidaemia)
    ("MONDO:0013564", "givosiran", "MONDO:0002520"),  # anhaptoglobinemia ("AHP" = acute hepatic porphyria)
    ("MONDO:0024685", "lumasiran", "MONDO:0009823"),  # Ph-positive CML ("PH1" = primary hyperoxaluria type 1)
])
def test_documented_list_errors_stay_unverified(kb: KnowledgeBase, disease: str, drug: str,
                                                right_disease: str) -> None:
    wrong = find(kb, disease, drug)
    assert wrong.status is IndicationStatus.reported_unverified and not wrong.recommendable
    assert wrong.sources == ("everycure",) and wrong.labels == ()
    if drug != "gemfibrozil":  # the drug's real indication next to it is confirmed by its label
        assert find(kb, right_disease, drug).recommendable


def test_a_product_mapped_to_an_excipient_is_not_confirmed_by_the_product_s_label(kb: KnowledgeBase) -> None:
    """The list maps Zolgensma's label to isopropanol; the label confirms onasemnogene abeparvovec only."""
    assert not find(kb, "MONDO:0001516", "isopropanol").recommendable
    assert find(kb, "MONDO:0001516", "onasemnogene abeparvovec").recommendable


def test_injected_wrong_rows_stay_unverified(kb_file: Path, tmp_path: Path) -> None:
    """A list written here with two wrong rows and one right row replaces the Every Cure list in a copy of the KB."""
    from openpyxl import Workbook

    db = tmp_path / "kb.sqlite"
    shutil.copy(kb_file, db)
    book = Workbook()
    sheet = book.active
    sheet.append(["final normalized drug id", "final normalized drug label", "final normalized disease id",
                  "final normalized disease label", "drug|disease"])
    sheet.append(["UNII:7SE5582Q2P", "Vosoritide", "MONDO:0007793", "hypochondroplasia", "x"])  # wrong
    sheet.append(["UNII:5Z9SP3X666", "Nusinersen", "MONDO:0010679", "Duchenne muscular dystrophy", "x"])  # wrong
    sheet.append(["UNII:7SE5582Q2P", "Vosoritide", "MONDO:0007037", "achondroplasia", "x"])  # right
    (tmp_path / "list").mkdir()
    book.save(tmp_path / "list" / "matrix_indication_list.xlsx")
    import_directory(tmp_path / "list", db)
    injected = KnowledgeBase.open(db)
    assert not find(injected, "MONDO:0007793", "vosoritide").recommendable
    assert not find(injected, "OMIM:310200", "nusinersen").recommendable
    assert find(injected, "MONDO:0007037", "vosoritide").recommendable


def test_two_sources_agreeing_without_a_label(kb: KnowledgeBase) -> None:
    """Lovastatin for familial combined hyperlipidaemia: DrugCentral 2016 and the Every Cure list agree."""
    item = find(kb, "MONDO:0007759", "lovastatin")
    assert item.recommendable and item.sources == ("drugcentral", "everycure") and item.labels == ()
    assert "2 independent sources agree" in item.rule


def test_type_1_gaucher_labels_confirm_the_subtype(kb: KnowledgeBase) -> None:
    """Labels write "type 1 Gaucher disease"; MONDO writes "Gaucher disease type I"."""
    item = find(kb, "OMIM:230800", "velaglucerase alfa")
    assert item.recommendable and item.drug_class == "enzyme_replacement" and "FDA" in item.regulators


def test_label_contraindications_for_a_patient_s_disease(kb: KnowledgeBase, kb_file: Path) -> None:
    """Valproate is contraindicated in POLG disease (Alpers-Huttenlocher, OMIM:203700): the label says so."""
    [hit] = kb.contraindications("valproic acid", ["OMIM:203700"])
    assert hit.confirmed and "mitochondrial" in hit.excerpt and "Every Cure" in hit.source
    assert kb.contraindications("valproic acid", ["OMIM:310200"]) == []
    assert {c.disease_label for c in kb.contraindications("rasburicase")} >= {"G6PD deficiency"}
    assert KnowledgeContext(kb_path=kb_file).contraindications_for("valproic acid", ["OMIM:203700"]) == [hit]
    no_kb = KnowledgeContext()  # the test home holds no imported KB
    assert no_kb.contraindications_for("valproic acid", ["OMIM:203700"]) == []


def test_context_prefers_the_imported_kb_to_the_shipped_table(kb_file: Path) -> None:
    with_kb = KnowledgeContext(kb_path=kb_file).indications_for(["MONDO:0100339"])
    assert [i.drug for i in with_kb if i.recommendable] == ["omaveloxolone"]
    offline = KnowledgeContext().indications_for(["MONDO:0100339"])  # the test home holds no imported KB
    assert offline == []  # approved in 2023: after the FDA orphan export and DrugCentral 2016


def test_every_source_of_an_answer_is_cited_with_its_version(kb: KnowledgeBase) -> None:
    item = find(kb, "OMIM:310200", "eteplirsen")
    assert "approvals to 2022-05-20" in item.source and "Every Cure" in item.source
    assert item.year == 2016


def test_antibodies_carry_the_gene_they_act_on(kb_file: Path, tmp_path: Path) -> None:
    """With DrugCentral's targets imported too, eculizumab for PNH names C5: an option on another gene."""
    db = tmp_path / "kb.sqlite"
    shutil.copy(kb_file, db)
    (tmp_path / "dc").mkdir()
    (tmp_path / "dc" / "drug.target.interaction.tsv.gz").symlink_to(
        shared_path("drugcentral", "drug.target.interaction.tsv.gz"))
    import_directory(tmp_path / "dc", db)
    item = find(KnowledgeBase.open(db), "MONDO:0100244", "eculizumab")  # paroxysmal nocturnal hemoglobinuria
    assert item.recommendable and item.drug_class == "antibody" and item.targets == ("C5",)


@pytest.mark.parametrize(("subtype", "drug"), [
    ("OMIM:253550", "nusinersen"),  # SMA type 2: nusinersen's labels name spinal muscular atrophy
    ("OMIM:231000", "eliglustat"),  # Gaucher disease type 2: eliglustat is for type 1 only
])
def test_approvals_of_the_parent_term_come_back_as_broader_and_never_recommendable(
        kb: KnowledgeBase, subtype: str, drug: str) -> None:
    hits = [i for i in kb.indications_for_disease([subtype]) if i.drug == drug and i.scope == "broader"]
    assert len(hits) == 1 and hits[0].status is IndicationStatus.approved and not hits[0].recommendable
    assert hits[0].query_id == subtype and "for the broader term" in hits[0].reason

"""The shipped offline indication table (`knowledge/data/approved_indications.tsv`): provenance, licences,
the verification rule holding in every row, and known-good and known-wrong pairs without any import.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import REPO, shared_path
from rarepath.knowledge.context import CURATED_TABLES, KnowledgeContext
from rarepath.knowledge.curated import load_table, table_path, table_version
from rarepath.knowledge.indications import IndicationStatus, ingredient_key

STATUSES = {s.value for s in IndicationStatus}
#: Redistributable families only: the Every Cure list states no licence and is never vendored.
SHIPPED_FAMILIES = {"drugcentral", "fda_orphan"}


@pytest.fixture(scope="module")
def offline() -> KnowledgeContext:
    context = KnowledgeContext()  # the test home holds no imported KB (a named missing KB is an error)
    assert not context.kb.available and not context.kb.has_indications
    assert context.kb.indications_for_disease(["OMIM:310200"]) == []
    return context


def test_table_is_registered_versioned_and_attributed() -> None:
    assert "approved_indications" in CURATED_TABLES and "drug_classes" in CURATED_TABLES
    assert table_version("approved_indications") == table_version("drug_classes") == "2026.12"
    header = "".join(ln for ln in table_path("approved_indications").open(encoding="utf-8") if ln.startswith("#"))
    for attribution in ("public domain", "CC BY 4.0", "Ursu et al.", "Mondo", "scripts/build_products_table.py"):
        assert attribution in header
    assert "every cure" not in table_path("approved_indications").read_text(encoding="utf-8").lower()


def test_every_row_follows_the_verification_rule() -> None:
    rows = load_table("approved_indications")
    assert len(rows) > 3000
    for row in rows:
        sources = set(row["sources"].split(";"))
        assert row["status"] in STATUSES and sources <= SHIPPED_FAMILIES, row
        assert row["source"] and "MONDO crosswalk" in row["source"]
        assert row["disease_id"].startswith("MONDO:")
        confirmed = bool(row["label_excerpt"]) or len(sources) >= 2
        assert (row["status"] == "approved") == confirmed, row
        if row["label_excerpt"]:
            assert row["regulators"] == "FDA" and row["approval_year"].isdigit()


@pytest.mark.parametrize(("disease", "drug", "drug_class"), [
    ("MONDO:0001516", "nusinersen", "antisense_oligonucleotide"),
    ("OMIM:310200", "eteplirsen", "antisense_oligonucleotide"),
    ("OMIM:204500", "cerliponase alfa", "enzyme_replacement"),
    ("ORPHA:15", "vosoritide", None),
    ("OMIM:230800", "imiglucerase", "enzyme_replacement"),  # Gaucher disease type 1 ("type I Gaucher's disease")
    ("OMIM:261600", "sapropterin", "cofactor"),  # phenylketonuria
])
def test_known_good_indications_are_approved_offline(offline: KnowledgeContext, disease: str, drug: str,
                                                     drug_class: str | None) -> None:
    hits = [i for i in offline.indications_for([disease]) if i.drug == drug]
    assert len(hits) == 1 and hits[0].recommendable, offline.indications_for([disease])
    assert hits[0].drug_class == drug_class and hits[0].query_id == disease
    assert hits[0].labels and hits[0].year


@pytest.mark.parametrize(("disease", "drug"), [
    ("MONDO:0015629", "gemfibrozil"), ("MONDO:0013564", "givosiran"), ("MONDO:0024685", "lumasiran"),
])
def test_documented_errors_never_become_approved_offline(offline: KnowledgeContext, disease: str, drug: str) -> None:
    assert not [i for i in offline.indications_for([disease]) if i.drug == drug and i.recommendable]


def test_unknown_and_empty_ids_give_no_indications(offline: KnowledgeContext) -> None:
    assert offline.indications_for([]) == [] and offline.indications_for(["OMIM:999999", " "]) == []


def _build_module():
    spec = importlib.util.spec_from_file_location("build_products_table", REPO / "scripts" / "build_products_table.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_shipped_table_is_what_the_script_builds_from_the_shared_files() -> None:
    build = _build_module()
    rows, header = build.build(shared_path("indications"))
    expected = [{c: " ".join(r[c].split()) for c in build.COLUMNS} for r in rows]
    assert [dict(r) for r in load_table("approved_indications")] == expected
    assert header[0] == f"# version: {table_version('approved_indications')}"


@pytest.mark.slow
def test_every_cure_cross_check_agrees_more_with_approved_rows() -> None:
    """Every Cure (not shipped) as an independent check: a pair approved here is listed there far more often
    than a single-source pair (measured 0.75 against 0.52 on the 2025-07 list)."""
    from rarepath.knowledge.importers.indications import parse_everycure_list

    listed = parse_everycure_list(shared_path("indications", "everycure-matrix-indication-list",
                                              "matrix_indication_list.xlsx"))
    pairs = {(ingredient_key(str(r["drug"])), r["disease_id"]) for r in listed.tables["indication_claim"]}
    drugs = {d for d, _ in pairs}
    rate = {}
    for status in STATUSES:
        rows = [r for r in load_table("approved_indications") if r["status"] == status
                and ingredient_key(r["drug"]) in drugs]
        rate[status] = sum((ingredient_key(r["drug"]), r["disease_id"]) in pairs for r in rows) / len(rows)
    assert rate["approved"] >= 0.70
    assert rate["approved"] - rate["reported_unverified"] >= 0.15


@pytest.mark.slow
def test_only_rare_diseases_are_shipped() -> None:
    rare = {line.split("\t", 1)[0] for line in
            shared_path("indications", "mondo-crosswalk", "new-rare-diseases.tsv").read_text().splitlines()[1:]}
    for row in load_table("approved_indications"):
        assert row["disease_id"] in rare or row["omim_ids"] or row["orpha_ids"], row


def test_build_script_refuses_nothing_silently(tmp_path: Path) -> None:
    """A missing source file is a located error, not an empty table."""
    from rarepath.errors import InputError

    build = _build_module()
    with pytest.raises(InputError, match="mondo_exactmatch_omim"):
        build.build(tmp_path)


def test_cli_lists_verified_indications_and_hides_unverified_ones(capsys: pytest.CaptureFixture[str]) -> None:
    from rarepath.cli import main

    assert main(["kb", "indications", "OMIM:310200"]) == 0  # the test home holds no imported KB
    out = capsys.readouterr().out
    assert "eteplirsen" in out and "approved" in out and "not medical advice" in out and "public domain" in out
    assert "ataluren" not in out  # DrugCentral only: reported, unverified
    assert main(["kb", "indications", "OMIM:310200", "--all"]) == 0
    assert "ataluren" in capsys.readouterr().out


def test_a_named_knowledge_base_that_does_not_exist_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    from rarepath.cli import main

    assert main(["kb", "indications", "OMIM:310200", "--db", str(REPO / ".pytest_cache" / "no-such-kb.sqlite")]) == 2
    assert "not found" in capsys.readouterr().err

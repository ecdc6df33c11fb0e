"""The knowledge base built from the real public releases in ../shared/data (imported once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.knowledge.kb import (
    SCHEMA_REVISION,
    Constraint,
    KnowledgeBase,
    import_directory,
)

EXPECTED_ROWS = {
    "hgnc_thesaurus": 91_864,  # 39,378 approved symbols + their aliases (one row per symbol -> approved pair)
    "hgnc_gene_set": 18_225,
    "gnomad_constraint": 19_659,  # 19,705 rows less the 46 duplicated symbols
    "clingen_dosage": 1_624,
    "g2p_dd": 1_717,
    "g2p_eye": 670,
    "g2p_skin": 383,
    "g2p_cardiac": 68,
    "g2p_cancer": 96,
    "exac_cds_length": 18_225,
    "drugcentral": 13_895,  # 12,217 human rows, multi-gene rows split per gene
    "macarthur_gene_lists": 5_537,
    "mane": 17_829,
    # indications and the MONDO crosswalk (tests/knowledge/test_indications_kb.py checks them in detail)
    "mondo_omim": 9_773, "mondo_orphanet": 8_457, "mondo_umls": 21_658, "mondo_sctid": 8_977, "mondo_doid": 11_819,
    "mondo_rare_diseases": 89_349, "everycure_indications": 11_111, "everycure_contraindications": 3_981,
    "everycure_fda": 8_719, "everycure_ema": 2_696,
    "everycure_pmda": 3_041, "drugcentral_indications": 22_776, "fda_orphan_approvals": 1_000,
}


@pytest.fixture(scope="module")
def full_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = shared_path()
    db = tmp_path_factory.mktemp("kb") / "kb.sqlite"
    outcomes = import_directory(root, db)
    # ../shared/data holds ClinVar only as the 2016 flat table (shipped as a derived table), no variant_summary;
    # its import is tested in test_clinvar_import.py
    missing = [o.skipped for o in outcomes if o.imported is None and o.key != "clinvar"]
    assert not missing, missing
    return KnowledgeBase.open(db)


def test_every_source_imported_with_its_row_count(full_kb: KnowledgeBase) -> None:
    counts = {s.name: s.row_count for s in full_kb.status()}
    assert counts == EXPECTED_ROWS
    assert full_kb.available


def test_status_records_version_checksum_and_citation(full_kb: KnowledgeBase) -> None:
    status = {s.name: s for s in full_kb.status()}
    assert status["gnomad_constraint"].version == "v2.1"
    assert status["clingen_dosage"].version == "06 Feb, 2026 (GRCh38)"
    assert status["g2p_cardiac"].version == "2021-07-23"
    assert status["exac_cds_length"].version == "r0.3"
    assert status["mane"].version == "v0.93"
    assert "Ursu" in status["drugcentral"].citation and "CC BY-SA" in status["drugcentral"].licence
    for s in status.values():
        assert len(s.sha256) == 64 and s.imported_at.startswith("20")
    assert Path(status["gnomad_constraint"].file).name == "gnomad_v2.1_constraint_canonical.tsv"


def test_cds_lengths_include_the_stop_codon(full_kb: KnowledgeBase) -> None:
    assert full_kb.cds_length("SMN1") == 885
    assert full_kb.cds_length("DMD") == 11058
    assert full_kb.cds_length("CFTR") == 4443
    assert full_kb.cds_length("F8") == 7056
    assert full_kb.cds_length("F9") == 1386
    assert full_kb.cds_length("NOT_A_GENE") is None


def test_gnomad_constraint_values_and_source(full_kb: KnowledgeBase) -> None:
    dmd = full_kb.constraint("DMD")
    assert isinstance(dmd, Constraint)
    assert dmd.pli == pytest.approx(1.0) and dmd.loeuf == pytest.approx(0.157)
    assert dmd.lof_z == pytest.approx(10.651) and dmd.mis_z == pytest.approx(-2.1138)
    assert dmd.gene_issues == "mis_too_many"
    smn1 = full_kb.constraint("SMN1")
    assert smn1.pli == pytest.approx(0.098726) and smn1.loeuf == pytest.approx(1.885)
    assert smn1.oe_lof == pytest.approx(0.92022)
    assert "gnomAD" in dmd.source and "v2.1" in dmd.source and "Karczewski" in dmd.source


def test_gnomad_duplicates_keep_the_transcript_with_more_expected_lof(full_kb: KnowledgeBase) -> None:
    aqp1 = full_kb.constraint("AQP1")  # ENST00000311813 exp_lof 8.56 vs ENST00000509504 exp_lof 18.56
    assert aqp1.transcript == "ENST00000509504" and aqp1.pli == pytest.approx(2.0111e-07)
    cks1b = full_kb.constraint("CKS1B")  # the other transcript has no expected LoF at all
    assert cks1b.transcript == "ENST00000308987" and cks1b.loeuf == pytest.approx(0.895)


def test_gnomad_rows_without_expected_lof_have_no_lof_metrics(full_kb: KnowledgeBase) -> None:
    c = full_kb.constraint("AC003043.1")
    assert c is not None and c.gene_issues == "no_exp_lof"
    assert c.pli is None and c.loeuf is None and c.lof_z is None
    assert c.mis_z is not None


def test_clingen_dosage_scores(full_kb: KnowledgeBase) -> None:
    mecp2 = full_kb.dosage("MECP2")
    assert mecp2.hi_score == 3 and mecp2.haploinsufficient
    # This ClinGen release lists MECP2 triplosensitivity as 0 (the duplication syndrome is curated as a region)
    assert mecp2.ts_score == 0 and mecp2.ts_description == "No evidence available"
    assert not mecp2.triplosensitive
    assert full_kb.dosage("PLP1").ts_score == 3 and full_kb.dosage("PLP1").triplosensitive
    cftr = full_kb.dosage("CFTR")
    assert cftr.hi_score == 30 and cftr.hi_description == "Gene associated with autosomal recessive phenotype"
    assert cftr.ts_score is None and cftr.ts_description == "Not yet evaluated"
    assert full_kb.dosage("BPHL").hi_score == 40
    assert "ClinGen" in mecp2.source and "2026" in mecp2.source
    assert full_kb.dosage("SMN1") is None


def test_g2p_allelic_requirement_and_consequence(full_kb: KnowledgeBase) -> None:
    cep290 = {(r.panel, r.disease): r for r in full_kb.g2p("CEP290")}
    joubert = cep290["DD", "JOUBERT SYNDROME TYPE 5"]
    assert ("Eye", "JOUBERT SYNDROME TYPE 5") in cep290  # the same pair on two panels stays two records
    assert joubert.allelic_requirement == "biallelic" and joubert.mutation_consequence == "loss of function"
    assert joubert.disease_mim == "610188" and joubert.confidence == "confirmed" and joubert.panel == "DD"
    mecp2 = full_kb.g2p("MECP2")
    assert {r.allelic_requirement for r in mecp2} >= {"hemizygous"}
    dsc2 = full_kb.g2p("DSC2")
    assert any(r.panel == "Cardiac" and r.allelic_requirement == "monoallelic" and r.disease_mim is None
               for r in dsc2)
    assert "Gene2Phenotype" in joubert.source and "Thormann" in joubert.source
    assert full_kb.g2p("NOT_A_GENE") == []


def test_drug_targets_human_with_moa_flag(full_kb: KnowledgeBase) -> None:
    cftr = {t.drug: t for t in full_kb.drug_targets("CFTR")}
    assert cftr["ivacaftor"].moa and cftr["ivacaftor"].action_type == "POSITIVE MODULATOR"
    assert cftr["lumacaftor"].moa
    assert full_kb.drug_targets("CFTR")[0].moa  # mechanism-of-action targets come first
    scn4a = {t.drug: t for t in full_kb.drug_targets("SCN4A")}
    assert scn4a["levobupivacaine"].action_type == "BLOCKER" and scn4a["levobupivacaine"].moa
    # `GRIN1|GRIN2A|...` rows are split per gene
    assert "memantine" in {t.drug for t in full_kb.drug_targets("GRIN2A")}
    assert "DrugCentral" in cftr["ivacaftor"].source


def test_symbol_resolution(full_kb: KnowledgeBase) -> None:
    assert full_kb.resolve_symbol("SMN1") == "SMN1"
    assert full_kb.resolve_symbol("smn1") == "SMN1"
    assert full_kb.resolve_symbol("c9orf72") == "C9orf72"
    assert full_kb.resolve_symbol("CLN2") == "TPP1"
    assert full_kb.resolve_symbol("ABCC7") == "CFTR"
    assert full_kb.resolve_symbol("NOT_A_GENE") is None
    # a shared alias is ambiguous: reported, never guessed
    assert full_kb.resolve_symbol("MLL2") is None
    assert full_kb.symbol_candidates("MLL2") == ["KMT2B", "KMT2D"]


def test_lookups_follow_aliases_both_ways(full_kb: KnowledgeBase) -> None:
    assert full_kb.cds_length("ABCC7") == 4443  # alias -> approved CFTR
    assert full_kb.constraint("ABCC7").gene == "CFTR"
    # gnomAD v2.1 still names PXYLP1 by its previous symbol ACPL2
    pxylp1 = full_kb.constraint("PXYLP1")
    assert pxylp1 is not None and pxylp1.gene == "ACPL2" and pxylp1.loeuf == pytest.approx(0.765)


def test_bonus_sources(full_kb: KnowledgeBase) -> None:
    smn1 = full_kb.mane("SMN1")
    assert smn1.refseq_nuc == "NM_000344.4" and smn1.mane_status == "MANE Select" and smn1.chrom == "5"
    assert "MANE" in smn1.source
    assert "XD" in full_kb.inheritance("MECP2")
    assert full_kb.inheritance("CFTR") == ("AR",)
    assert "haploinsufficiency_severe_curated_2016" in full_kb.gene_lists("MECP2")


def test_lookups_are_memoised(full_kb: KnowledgeBase) -> None:
    first = full_kb.constraint("TSC2")
    assert full_kb.constraint("TSC2") is first


def test_schema_revision_is_the_alembic_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from rarepath.knowledge.kb import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == SCHEMA_REVISION

"""ClinVar variant_summary import: only GRCh38 P/LP single-gene records count, the per-gene pattern is stored and the
mechanism rules read it before the shipped 2016 table. The file here is written by the test in the published
column layout (values invented for the test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarepath.errors import InputError
from rarepath.interpret.mechanism import infer_mechanism
from rarepath.knowledge.context import KnowledgeContext
from rarepath.knowledge.importers import clinvar
from rarepath.knowledge.kb import KnowledgeBase, import_directory
from rarepath.model import Case, Mechanism, Variant, VariantKind, Zygosity

HEADER = ("#AlleleID\tType\tName\tGeneID\tGeneSymbol\tHGNC_ID\tClinicalSignificance\tClinSigSimple\tLastEvaluated\t"
          "RS# (dbSNP)\tnsv/esv (dbVar)\tRCVaccession\tPhenotypeIDS\tPhenotypeList\tOrigin\tOriginSimple\tAssembly\t"
          "ChromosomeAccession\tChromosome\tStart\tStop\tReferenceAllele\tAlternateAllele\tCytogenetic\tReviewStatus\t"
          "NumberSubmitters\tGuidelines\tTestedInGTR\tOtherIDs\tSubmitterCategories\tVariationID\tPositionVCF\t"
          "ReferenceAlleleVCF\tAlternateAlleleVCF")


def _row(name: str, gene: str, significance: str, assembly: str = "GRCh38", date: str = "Mar 01, 2024") -> str:
    cells = ["1", "single nucleotide variant", name, "1", gene, "HGNC:1", significance, "1", date] + ["-"] * 7
    cells += [assembly] + ["-"] * 17
    return "\t".join(cells)


def _write(tmp_path: Path, rows: list[str]) -> Path:
    d = tmp_path / "clinvar"
    d.mkdir()
    path = d / "variant_summary.txt"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _hotspot_file(tmp_path: Path) -> Path:
    rows = []
    for i, (c, p) in enumerate([("c.227A>G", "Gly76Arg"), ("c.227A>T", "Gly76Glu"), ("c.227A>C", "Gly76Ala"),
                                ("c.284T>C", "Leu95Pro"), ("c.285G>T", "Leu95Phe"), ("c.300G>A", "Ile100Met")]):
        rows.append(_row(f"NM_002074.5(GNB1):{c} (p.{p})", "GNB1", "Pathogenic" if i % 2 else "Likely pathogenic"))
    rows.append(_row("NM_002074.5(GNB1):c.227A>G (p.Gly76Arg)", "GNB1", "Pathogenic", assembly="GRCh37"))
    rows.append(_row("NM_002074.5(GNB1):c.10C>T (p.Arg4Ter)", "GNB1", "Benign"))
    rows.append(_row("NM_002074.5(GNB1):c.20C>T (p.Arg7Ter)", "GNB1", "Conflicting interpretations of pathogenicity"))
    rows.append(_row("GRCh38/hg38 1p36(chr1:1-2)x1", "GNB1;SKI", "Pathogenic"))
    return _write(tmp_path, rows)


def test_parse_keeps_grch38_pathogenic_single_gene_records(tmp_path):
    parsed = clinvar.parse(_hotspot_file(tmp_path))
    (row,) = parsed.tables["clinvar_gene_pattern"]
    assert row["gene"] == "GNB1" and row["truncating_plp"] == 0 and row["missense_plp"] == 6
    assert row["recurrent_residues"] == "76;95" and row["recurrent_fraction"] == round(5 / 6, 3)
    assert parsed.version == "evaluations to 2024-03-01"


def test_imported_pattern_drives_the_mechanism(tmp_path):
    path = _hotspot_file(tmp_path)
    db = tmp_path / "kb.sqlite"
    import_directory(path.parent, db)
    kb = KnowledgeBase.open(db)
    assert kb.clinvar_pattern("GNB1")["missense_plp"] == "6"
    kc = KnowledgeContext(kb_path=db)
    v = Variant("p.(Gly76Arg)", "GNB1", VariantKind.MISSENSE, hgvs_p="p.(Gly76Arg)", zygosity=Zygosity.HETEROZYGOUS)
    call = infer_mechanism(Case(id="t", genes=("GNB1",), variants=(v,)), kc)
    hotspot = [e for e in call.evidence if e.rule == "clinvar_missense_hotspots"]
    assert hotspot and "ClinVar variant summary" in hotspot[0].source
    assert call.call == Mechanism.GAIN_OF_FUNCTION


def test_imported_truncations_keep_their_residues(tmp_path):
    """The residues of truncating variants are stored (migration 0006), so an imported ClinVar can show a
    C-terminal cluster of decay-escaping truncations."""
    rows = [_row(f"NM_003467.3(CXCR4):c.{3 * r}C>T (p.Arg{r}Ter)", "CXCR4", "Pathogenic") for r in (334, 338, 343)]
    path = _write(tmp_path, rows)
    db = tmp_path / "kb.sqlite"
    import_directory(path.parent, db)
    assert KnowledgeBase.open(db).clinvar_pattern("CXCR4")["truncating_residues"] == "334;338;343"


def test_bad_rows_are_located_errors(tmp_path):
    path = _write(tmp_path, [_row("NM_1(G):c.1A>G (p.Met1Val)", "G", "Pathogenic") + "\textra"])
    with pytest.raises(InputError, match=r"variant_summary.txt:2"):
        clinvar.parse(path)
    empty = tmp_path / "e" / "variant_summary.txt"
    empty.parent.mkdir()
    empty.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        clinvar.parse(empty)


def test_a_knowledge_base_from_before_truncating_residues_is_upgraded_in_place(tmp_path):
    """A ClinVar import made at revision 0005 keeps its rows when the file is opened by this version: the new
    column is added empty (no C-terminal cluster is claimed until the next import fills it)."""
    import sqlite3

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from rarepath.knowledge.kb import MIGRATIONS_DIR, SCHEMA_REVISION

    db = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005_registry")
    engine.dispose()
    import_directory(_hotspot_file(tmp_path).parent, tmp_path / "new.sqlite")  # rows to copy, in today's layout
    with sqlite3.connect(tmp_path / "new.sqlite") as new, sqlite3.connect(db) as old:
        pattern_cols = [r[1] for r in old.execute("PRAGMA table_info(clinvar_gene_pattern)")]
        assert "truncating_residues" not in pattern_cols
        for table in ("sources", "clinvar_gene_pattern"):  # the 0005 columns of each table, copied row by row
            cols = ", ".join(r[1] for r in old.execute(f"PRAGMA table_info({table})"))
            rows = new.execute(f"SELECT {cols} FROM {table}").fetchall()
            assert rows
            old.executemany(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(rows[0]))})", rows)
    kb = KnowledgeBase.open(db)
    row = kb.clinvar_pattern("GNB1")
    assert row is not None and row["missense_plp"] == "6" and row["truncating_residues"] == ""
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_REVISION

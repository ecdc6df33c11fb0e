"""Malformed files, the empty KB and the `rarepath kb` CLI (re-import and rollback, on SQLite and PostgreSQL
alike, are in test_kb_postgres.py)."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.errors import InputError, KnowledgeError
from rarepath.knowledge.importers import clingen, drugcentral, g2p, gnomad
from rarepath.knowledge.kb import SCHEMA_REVISION, KnowledgeBase, import_directory


def _release_dir(tmp_path: Path, *parts: tuple[str, ...]) -> Path:
    """A directory holding links to some real release files (read in place, never copied)."""
    root = tmp_path / "release"
    for rel in parts:
        src = shared_path(*rel)
        dst = root / rel[0] / rel[-1]
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.symlink_to(src)
    return root


EXAC = ("exac_cds_length", "exac_r03_cds_length.tsv")
CLINGEN = ("clingen_dosage", "ClinGen_gene_curation_list_GRCh38.tsv")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("parser", "name", "text", "expected"),
    [
        (gnomad.parse, "gnomad_v2.1_constraint_canonical.tsv",
         "gene\ttranscript\tobs_lof\texp_lof\toe_lof\toe_lof_lower\toe_lof_upper\tlof_z\tmis_z\tsyn_z\tpLI\tpRec\tpNull\n"
         "A1BG\tENST1\t1\t2\t0.5\t0.1\t0.9\t1\t1\t1\thigh\t0\t0\n", (":2", "pLI", "not a number")),
        (gnomad.parse, "gnomad_v2.1_constraint_canonical.tsv",
         "gene\ttranscript\tobs_lof\texp_lof\toe_lof\toe_lof_lower\toe_lof_upper\tlof_z\tmis_z\tsyn_z\tpLI\tpRec\tpNull\n"
         "A1BG\tENST1\t1\t2\t0.5\t0.1\t0.9\t1\t1\t1\t1.5\t0\t0\n", (":2", "pLI", "[0, 1]")),
        (gnomad.parse, "gnomad_v2.1_constraint_canonical.tsv", "gene\tpLI\n", (":1", "transcript", "missing")),
        (clingen.parse, "ClinGen_gene_curation_list_GRCh38.tsv",
         "#ClinGen\n#Gene Symbol\tHaploinsufficiency Score\tHaploinsufficiency Description\t"
         "Triplosensitivity Score\tTriplosensitivity Description\nMECP2\t7\tx\t0\ty\n",
         (":3", "Haploinsufficiency Score", "0, 1, 2, 3, 30, 40")),
        (clingen.parse, "ClinGen_gene_curation_list_GRCh38.tsv", "MECP2\t3\n", (":1", "header")),
        (g2p.parse, "DDG2P.csv", "gene symbol,disease name\nA,B\n", ("allelic requirement", "missing")),
        (g2p.parse, "DDG2P.csv", "gene symbol,disease name,allelic requirement,mutation consequence\n"
         "MECP2,RETT,hemizygous\n", (":2", "expected 4")),
        (drugcentral.parse, "drug.target.interaction.tsv",
         "DRUG_NAME\tSTRUCT_ID\tGENE\tMOA\tACTION_TYPE\tORGANISM\nx\t1\tCFTR\tyes\t\tHomo sapiens\n",
         (":2", "MOA")),
    ],
)
def test_malformed_files_name_file_line_and_field(tmp_path: Path, parser, name: str, text: str,
                                                  expected: tuple[str, ...]) -> None:
    path = _write(tmp_path / name, text)
    with pytest.raises(InputError) as err:
        parser(path)
    line = err.value.one_line()
    assert str(path) in line
    for fragment in expected:
        assert fragment in line


def test_corrupt_gzip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "drug.target.interaction.tsv.gz"
    path.write_bytes(gzip.compress(b"DRUG_NAME\tGENE\n")[:12])
    with pytest.raises(InputError, match="cannot read"):
        drugcentral.parse(path)


def test_missing_kb_is_an_empty_usable_object(tmp_path: Path) -> None:
    kb = KnowledgeBase.open(tmp_path / "absent" / "kb.sqlite")
    assert not kb.available
    assert kb.resolve_symbol("SMN1") is None
    assert kb.constraint("SMN1") is None and kb.dosage("SMN1") is None and kb.cds_length("SMN1") is None
    assert kb.g2p("SMN1") == [] and kb.drug_targets("SMN1") == [] and kb.status() == []


def test_default_location_follows_rarepath_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAREPATH_HOME", str(tmp_path / "home"))
    assert not KnowledgeBase.open().available
    import_directory(_release_dir(tmp_path, CLINGEN))
    assert (tmp_path / "home" / "kb.sqlite").is_file()
    assert KnowledgeBase.open().dosage("MECP2").hi_score == 3


def test_empty_file_is_migrated_and_a_foreign_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    kb = KnowledgeBase.open(empty)
    assert not kb.available and kb.status() == []
    with sqlite3.connect(empty) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == SCHEMA_REVISION
    junk = _write(tmp_path / "junk.sqlite", "this is not a database\n" * 100)
    with pytest.raises(KnowledgeError, match="cannot use the knowledge base"):
        KnowledgeBase.open(junk)


def test_cli_import_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kb.sqlite"
    assert main(["kb", "status", "--db", str(db)]) == 0
    assert "No knowledge base" in capsys.readouterr().out
    root = _release_dir(tmp_path, EXAC, CLINGEN)
    assert main(["kb", "import", "--from", str(root), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "imported clingen_dosage" in out and "18,225 rows" in out
    assert "skipped" in out and "gene_symbol_thesaurus.txt" in out  # absent sources are named, not fatal
    assert main(["kb", "status", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "exac_cds_length" in out and "r0.3" in out and "1,624" in out


def test_cli_malformed_file_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad"
    _write(bad / "nested" / "exac_r03_cds_length.tsv", "gene\tcds_length_bp\nSMN1\t-3\n")
    assert main(["kb", "import", "--from", str(bad), "--db", str(tmp_path / "kb.sqlite")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "exac_r03_cds_length.tsv:2" in err[0] and "cds_length_bp" in err[0]


def test_cli_bad_directories_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "import", "--from", str(tmp_path / "nope"), "--db", str(tmp_path / "kb.sqlite")]) == 2
    assert "not a directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["kb", "import", "--from", str(tmp_path / "empty"), "--db", str(tmp_path / "kb.sqlite")]) == 2
    assert "no known knowledge-base source files" in capsys.readouterr().err

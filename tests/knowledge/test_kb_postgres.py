"""The knowledge base on a real PostgreSQL server, started for this session (see tests/pg_server.py).

Without the server binaries the tests skip with the reason; under CI (CI=true) they fail instead, so
the PostgreSQL path cannot silently go untested. Tests taking `new_kb` run on SQLite as well: re-import,
rejection of a malformed file and rollback must behave the same on both back-ends.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.errors import InputError, KnowledgeError
from rarepath.knowledge.importers import DATA_TABLES, ParsedSource
from rarepath.knowledge.kb import (
    KB_URL_ENV,
    SCHEMA_REVISION,
    KnowledgeBase,
    create_or_upgrade,
    import_directory,
    kb_location,
    write_source,
)

EXAC = ("exac_cds_length", "exac_r03_cds_length.tsv")
CLINGEN = ("clingen_dosage", "ClinGen_gene_curation_list_GRCh38.tsv")


def _count_by_source(url: str | Path) -> dict[tuple[str, str], int]:
    """(table, source) -> rows, read straight from the database."""
    from sqlalchemy import text

    engine = create_or_upgrade(url)
    try:
        with engine.connect() as conn:
            counts = {}
            for table in DATA_TABLES:
                for source, n in conn.execute(text(f"SELECT source, count(*) FROM {table} GROUP BY source")):
                    counts[table, source] = n
            counts["sources", "*"] = conn.execute(text("SELECT count(*) FROM sources")).scalar_one()
    finally:
        engine.dispose()
    return counts


def _release_dir(tmp_path: Path, *parts: tuple[str, ...]) -> Path:
    """A directory of links to some real release files (read in place, never copied)."""
    root = tmp_path / "release"
    for rel in parts:
        dst = root / rel[0] / rel[-1]
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.symlink_to(shared_path(*rel))
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def new_kb(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """An empty knowledge-base location on each back-end (PostgreSQL: a fresh database per test)."""
    if request.param == "sqlite":
        return tmp_path / "kb.sqlite"
    return request.getfixturevalue("pg_server").create_database(f"kb_{request.node.originalname[5:]}")


@pytest.fixture(scope="module")
def full_imports(pg_server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The whole of ../shared/data imported into PostgreSQL and, for comparison, into SQLite."""
    root = shared_path()
    url = pg_server.create_database("kb_full")
    outcomes = import_directory(root, url)
    missing = [o.skipped for o in outcomes if o.imported is None and o.key != "clinvar"]  # no variant_summary shared
    assert not missing, missing
    sqlite_db = tmp_path_factory.mktemp("kb_sqlite") / "kb.sqlite"
    import_directory(root, sqlite_db)
    return url, sqlite_db


@pytest.fixture(scope="module")
def pg_kb(full_imports: tuple[str, Path]) -> KnowledgeBase:
    return KnowledgeBase.open(full_imports[0])


def test_row_counts_equal_the_sqlite_import_for_every_source(full_imports: tuple[str, Path]) -> None:
    url, sqlite_db = full_imports
    pg_counts, sqlite_counts = _count_by_source(url), _count_by_source(sqlite_db)
    assert pg_counts == sqlite_counts
    assert pg_counts["hgnc_symbol", "hgnc_thesaurus"] == 91_864
    assert pg_counts["gene_constraint", "gnomad_constraint"] == 19_659
    assert pg_counts["sources", "*"] == 26
    pg_status = {s.name: s for s in KnowledgeBase.open(url).status()}
    sqlite_status = {s.name: s for s in KnowledgeBase.open(sqlite_db).status()}
    assert {n: (s.version, s.sha256, s.row_count, s.citation) for n, s in pg_status.items()} == \
        {n: (s.version, s.sha256, s.row_count, s.citation) for n, s in sqlite_status.items()}


def test_every_fact_table_holds_the_same_values_as_sqlite(full_imports: tuple[str, Path]) -> None:
    """Not only counts: each table's rows (less the surrogate id) are identical on both back-ends."""
    from sqlalchemy import inspect, text

    url, sqlite_db = full_imports
    contents = []
    for target in (url, sqlite_db):
        engine = create_or_upgrade(target)
        with engine.connect() as conn:
            tables = {}
            for table in DATA_TABLES:
                cols = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] != "id"]
                rows = conn.execute(text(f"SELECT {', '.join(cols)} FROM {table}")).all()
                tables[table] = sorted((tuple(r) for r in rows), key=repr)
        engine.dispose()
        contents.append(tables)
    for table in DATA_TABLES:
        assert contents[0][table] == contents[1][table], table


def test_known_values(pg_kb: KnowledgeBase) -> None:
    assert pg_kb.available and pg_kb.path is None and pg_kb.location.startswith("postgresql+psycopg://")
    assert pg_kb.cds_length("SMN1") == 885
    assert pg_kb.cds_length("DMD") == 11058
    dmd = pg_kb.constraint("DMD")
    assert dmd.pli == pytest.approx(1.0) and dmd.loeuf == pytest.approx(0.157) and dmd.gene_issues == "mis_too_many"
    assert "gnomAD" in dmd.source and "Karczewski" in dmd.source
    assert pg_kb.constraint("SMN1").pli == pytest.approx(0.098726)
    assert pg_kb.dosage("MECP2").hi_score == 3 and pg_kb.dosage("CFTR").hi_score == 30
    cftr = pg_kb.drug_targets("CFTR")  # booleans sort true-first on PostgreSQL too
    assert cftr[0].moa and {t.drug: t for t in cftr}["ivacaftor"].action_type == "POSITIVE MODULATOR"
    smn1 = pg_kb.mane("SMN1")
    assert smn1.refseq_nuc == "NM_000344.4" and smn1.mane_status == "MANE Select" and smn1.start == 70925087
    assert pg_kb.inheritance("CFTR") == ("AR",)
    joubert = {(r.panel, r.disease): r for r in pg_kb.g2p("CEP290")}["DD", "JOUBERT SYNDROME TYPE 5"]
    assert joubert.allelic_requirement == "biallelic" and joubert.disease_mim == "610188"


def test_indications_are_verified_the_same_on_both_back_ends(full_imports: tuple[str, Path]) -> None:
    url, sqlite_db = full_imports
    asked = ["OMIM:310200", "ORPHA:15", "MONDO:0013564", "MONDO:0001516"]
    on_pg = KnowledgeBase.open(url).indications_for_disease(asked)
    assert on_pg == KnowledgeBase.open(sqlite_db).indications_for_disease(asked)
    assert {i.drug for i in on_pg if i.recommendable} >= {"eteplirsen", "vosoritide", "nusinersen"}
    assert KnowledgeBase.open(url).is_rare("MONDO:0007037")


def test_alias_resolution(pg_kb: KnowledgeBase) -> None:
    assert pg_kb.resolve_symbol("smn1") == "SMN1"
    assert pg_kb.resolve_symbol("c9orf72") == "C9orf72"
    assert pg_kb.resolve_symbol("CLN2") == "TPP1"
    assert pg_kb.resolve_symbol("ABCC7") == "CFTR"
    assert pg_kb.resolve_symbol("MLL2") is None and pg_kb.symbol_candidates("MLL2") == ["KMT2B", "KMT2D"]
    assert pg_kb.cds_length("ABCC7") == 4443 and pg_kb.constraint("ABCC7").gene == "CFTR"
    pxylp1 = pg_kb.constraint("PXYLP1")  # gnomAD v2.1 names it by its previous symbol ACPL2
    assert pxylp1.gene == "ACPL2" and pxylp1.loeuf == pytest.approx(0.765)


def test_schema_is_at_the_alembic_head(pg_server) -> None:
    from sqlalchemy import create_engine, inspect, text

    url = pg_server.create_database("kb_schema")
    create_or_upgrade(url).dispose()
    create_or_upgrade(url).dispose()  # a second upgrade is a no-op
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == SCHEMA_REVISION
        assert set(DATA_TABLES) | {"sources"} <= set(inspect(conn).get_table_names())
        moa = {c["name"]: c for c in inspect(conn).get_columns("drug_target")}["moa"]
        assert str(moa["type"]) == "BOOLEAN"
    engine.dispose()


def test_reimport_is_idempotent(new_kb: str | Path, tmp_path: Path) -> None:
    root = _release_dir(tmp_path, EXAC)
    first = import_directory(root, new_kb)
    second = import_directory(root, new_kb)
    assert [o.imported.row_count for o in first if o.imported] == [18225]
    assert [o.imported.row_count for o in second if o.imported] == [18225]
    counts = _count_by_source(new_kb)
    assert counts == {("cds_length", "exac_cds_length"): 18225, ("sources", "*"): 1}
    assert KnowledgeBase.open(new_kb).cds_length("SMN1") == 885


def test_reopen_sees_a_new_import_and_reuses_an_unchanged_one(pg_server, tmp_path: Path) -> None:
    url = pg_server.create_database("kb_reopen")
    import_directory(_release_dir(tmp_path, EXAC), url)
    kb = KnowledgeBase.open(url)
    assert kb.dosage("MECP2") is None
    assert KnowledgeBase.open(url) is kb  # unchanged: the cached object and its memo
    import_directory(_release_dir(tmp_path / "more", CLINGEN), url)
    again = KnowledgeBase.open(url)
    assert again is not kb and again.dosage("MECP2").hi_score == 3 and again.cds_length("SMN1") == 885


def test_malformed_file_keeps_the_previous_import(new_kb: str | Path, tmp_path: Path) -> None:
    import_directory(_release_dir(tmp_path, EXAC), new_kb)
    before = KnowledgeBase.open(new_kb).status()[0]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "exac_r03_cds_length.tsv").write_text("gene\tcds_length_bp\nSMN1\t885\nDMD\televen\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"exac_r03_cds_length.tsv:3.*cds_length_bp") as err:
        import_directory(bad, new_kb)
    line = err.value.one_line()
    assert "exac_r03_cds_length.tsv:3" in line and "cds_length_bp" in line and "'eleven'" in line
    kb = KnowledgeBase.open(new_kb)
    assert kb.status() == [before] and kb.cds_length("DMD") == 11058
    assert _count_by_source(new_kb)["cds_length", "exac_cds_length"] == 18225


def test_a_failing_write_is_rolled_back(new_kb: str | Path, tmp_path: Path) -> None:
    import_directory(_release_dir(tmp_path, EXAC), new_kb)
    engine = create_or_upgrade(new_kb)
    broken = ParsedSource("exac_cds_length", "ExAC", "r9", "x.tsv", "0" * 64, "l", "c",
                          {"cds_length": [{"gene": "SMN1", "cds_length_bp": 1, "protein_length_aa": 0},
                                          {"gene": None, "cds_length_bp": 2, "protein_length_aa": 0}]})
    with pytest.raises(KnowledgeError, match="rolled back"):
        write_source(engine, broken)
    engine.dispose()
    kb = KnowledgeBase.open(new_kb)
    assert kb.cds_length("SMN1") == 885 and kb.status()[0].version == "r0.3"
    assert _count_by_source(new_kb)["cds_length", "exac_cds_length"] == 18225


def test_url_forms_and_the_environment_default(pg_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = pg_server.url("kb_env", driver="postgresql")
    assert kb_location(plain).drivername == "postgresql+psycopg"  # a bare scheme gets psycopg 3
    assert kb_location(plain.replace("postgresql://", "postgres://")).drivername == "postgresql+psycopg"
    assert kb_location(f"sqlite:///{tmp_path}/kb.sqlite") == tmp_path / "kb.sqlite"
    assert kb_location(str(tmp_path / "kb.sqlite")) == tmp_path / "kb.sqlite"
    with pytest.raises(InputError, match="unsupported database 'mysql'"):
        kb_location("mysql://u:secret@localhost/kb")
    pg_server.create_database("kb_env")
    import_directory(_release_dir(tmp_path, CLINGEN), plain)
    monkeypatch.setenv(KB_URL_ENV, plain)
    assert KnowledgeBase.open().dosage("MECP2").hi_score == 3
    assert kb_location() == kb_location(plain)


def test_cli_import_and_status_with_a_url(pg_server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = pg_server.create_database("kb_cli")
    assert main(["kb", "status", "--db", url]) == 0
    assert "holds no sources yet" in capsys.readouterr().out
    root = _release_dir(tmp_path, EXAC, CLINGEN)
    assert main(["kb", "import", "--from", str(root), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "imported clingen_dosage" in out and "18,225 rows" in out and "2 source(s) imported" in out
    assert main(["kb", "status", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "exac_cds_length" in out and "r0.3" in out and "1,624" in out


def test_cli_status_follows_the_environment_url(pg_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    url = pg_server.create_database("kb_cli_env")
    import_directory(_release_dir(tmp_path, EXAC), url)
    monkeypatch.setenv(KB_URL_ENV, url)
    assert main(["kb", "status"]) == 0
    out = capsys.readouterr().out
    assert "exac_cds_length" in out and "18,225" in out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", ["status", "import"])
def test_cli_unreachable_server_is_one_line_and_exit_2(pg_server, command: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = f"postgresql://postgres:secret@127.0.0.1:{_closed_port()}/kb"
    args = ["kb", "status", "--db", url] if command == "status" else \
        ["kb", "import", "--from", str(_release_dir(tmp_path, EXAC)), "--db", url]
    assert main(args) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in captured.err + captured.out
    assert err[0].startswith("rarepath: error: postgresql+psycopg://postgres:***@127.0.0.1")
    assert "cannot use the knowledge-base database" in err[0] and "secret" not in err[0]


def test_cli_missing_database_and_bad_url_exit_2(pg_server, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "status", "--db", pg_server.url("no_such_db")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'database "no_such_db" does not exist' in err[0]
    assert main(["kb", "status", "--db", "mysql://root:pw@localhost/kb"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--db" in err[0] and "unsupported database" in err[0] and "pw" not in err[0]

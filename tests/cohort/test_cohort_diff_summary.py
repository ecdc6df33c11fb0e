"""`rarepath cohort diff` lists cases whose best option changed, newest approvals first; the summary counts
cases (not options); sample sheets and quick-case tables are checked before any case runs."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from conftest import REPO
from rarepath.cli import main
from rarepath.cohort import SCHEMA, diff_tables, find_sources, run_cohort
from rarepath.cohort.summary import summarise
from rarepath.errors import InputError

DATA = REPO / "tests/data/cohort"
HEADER = "id\tgene\tvariant\tzygosity\tpatient\n"
SMA = "SMN1\tdeletion of exons 7-8\thomozygous"


def _tsv(path: Path, rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_diff_after_a_change_lists_newest_approval_first(tmp_path, capsys):
    """The same cohort before and after: one infant's anti-AAV9 titre falls below the Zolgensma limit
    (approved 2019), one DMD boy's record gains ambulatory status, one case is new."""
    old = _tsv(tmp_path / "old.tsv", [
        f"sma_a\t{SMA}\tage=0.5; sex=female; anti_AAV9_titre=1:100",
        "dmd\tDMD\tdeletion of exons 48-50\themizygous\tage=6; sex=male",
        f"same\t{SMA}\tage=0.5; sex=male; anti_AAV9_titre=1:25",
    ])
    new = _tsv(tmp_path / "new.tsv", [
        f"sma_a\t{SMA}\tage=0.5; sex=female; anti_AAV9_titre=1:25",
        "dmd\tDMD\tdeletion of exons 48-50\themizygous\tage=6; sex=male",
        f"same\t{SMA}\tage=0.5; sex=male; anti_AAV9_titre=1:25",
        "added\tDMD\tdeletion of exon 52\themizygous\tage=7; sex=male",
    ])
    for name, tsv in (("old", old), ("new", new)):
        run_cohort(find_sources(tsv), tmp_path / name, workers=1, progress=False, summary=False)
    out_tsv = tmp_path / "changes.tsv"
    assert main(["cohort", "diff", str(tmp_path / "old"), str(tmp_path / "new"), "--tsv", str(out_tsv)]) == 0
    lines = out_tsv.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case_key\tcase_id\tchange\tapproval_year")
    keys = [line.split("\t")[0] for line in lines[1:]]
    assert "same" not in keys and "dmd" not in keys
    assert set(keys) == {"sma_a", "added"}
    sma = next(line.split("\t") for line in lines[1:] if line.startswith("sma_a"))
    assert sma[3] == "2019" and "onasemnogene abeparvovec" in sma[5]
    years = [int(line.split("\t")[3] or 0) for line in lines[1:]]
    assert years == sorted(years, reverse=True)
    assert "new case" in out_tsv.read_text(encoding="utf-8")
    assert "whose best option changed" in capsys.readouterr().out


def _table(rows: list[dict]) -> pa.Table:
    base = {"case_id": "", "source": "", "gene": "G", "disease_labels": [], "mechanism": "loss_of_function",
            "mechanism_confidence": 0.9, "score": 0.5, "approval_year": None,
            "rarepath_version": "0", "kb_version": "k", "target": "G", "disease_ids": [], "products": []}
    full = [{**base, "product_status": ["approved"] * len(r.get("products", [])), **r} for r in rows]
    return pa.Table.from_pylist(full, schema=SCHEMA)


def test_approval_year_counts_approvals_that_apply_to_the_patient():
    from rarepath.cohort.rows import is_approval

    assert is_approval("approved") and is_approval("conditional_approval (eligibility to confirm)")
    assert not is_approval("approved (patient not eligible)") and not is_approval("clinical_phase3")


def test_diff_orders_by_latest_approval_then_key():
    old = _table([{"case_key": k, "option_rank": 0, "modality": "drug", "verdict": "not_suitable"} for k in "abc"])
    new = _table([
        {"case_key": "a", "option_rank": 0, "modality": "drug", "verdict": "recommended", "approval_year": 2017,
         "products": ["x"]},
        {"case_key": "b", "option_rank": 0, "modality": "drug", "verdict": "possible"},
        {"case_key": "c", "option_rank": 0, "modality": "drug", "verdict": "recommended", "approval_year": 2023,
         "products": ["y"]},
    ])
    changes = diff_tables(old, new)
    assert [c.case_key for c in changes] == ["c", "a", "b"]
    assert [c.kind for c in changes] == ["became actionable"] * 3
    assert diff_tables(new, new) == []


def test_summary_counts_cases_once_under_their_best_verdict():
    t = _table([
        {"case_key": "a", "option_rank": 0, "modality": "drug", "verdict": "recommended", "products": ["p"],
         "disease_ids": ["OMIM:1"], "disease_labels": ["one"]},
        {"case_key": "a", "option_rank": 1, "modality": "drug", "verdict": "possible", "products": ["p", "q", "r"],
         "product_status": ["approved", "clinical_phase3", "approved (patient not eligible)"],
         "disease_ids": ["OMIM:1"], "disease_labels": ["one"]},
        {"case_key": "b", "option_rank": 0, "modality": "drug", "verdict": "possible", "products": ["p"],
         "disease_ids": ["OMIM:1"], "disease_labels": ["one"]},
        {"case_key": "b", "option_rank": 1, "modality": "gene_silencing", "verdict": "not_suitable"},
        {"case_key": "c", "option_rank": 0, "modality": "gene_silencing", "verdict": "not_suitable"},
    ])
    s = summarise(t, errors=2)
    assert (s.cases, s.errors, s.best["recommended"], s.best["possible"]) == (3, 2, 1, 1)
    assert dict(s.by_modality["drug"]) == {"recommended": 1, "possible": 1}
    assert "gene_silencing" not in s.by_modality
    assert dict(s.by_product["p"]) == {"recommended": 1, "possible": 1}
    assert dict(s.by_product["q"]) == {"possible": 1}
    assert "r" not in s.by_product  # the patient is not eligible for it
    assert dict(s.by_disease["one (OMIM:1)"]) == {"recommended": 1, "possible": 1}
    assert s.disease_cases["no diagnosis resolved"] == 1 and s.disease_cases["one (OMIM:1)"] == 2


@pytest.mark.parametrize(("text", "problem"), [
    ("id\tgene\tvariant\tzygosity\tpatiënt\nx\tSMN1\t\t\t\n", "unknown column(s) patiënt"),
    ("id\tvariant\nx\tc.1A>G\n", "the column 'gene' is required"),
    ("id\tgene\nx\tSMN1\nx\tDMD\n", "case id 'x' repeats line 2"),
    ("", "empty table"),
])
def test_bad_quick_tables_fail_before_any_case_runs(tmp_path, text, problem):
    path = tmp_path / "cases.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=None) as err:
        find_sources(path)
    assert problem in err.value.one_line() and str(path) in err.value.one_line()


def test_input_kinds_are_checked(tmp_path, capsys):
    with pytest.raises(InputError, match="sample sheet"):
        find_sources(DATA / "trio.vcf")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "table.tsv").write_text("a\tb\n", encoding="utf-8")
    with pytest.raises(InputError, match="no cases found"):
        find_sources(tmp_path)
    assert main(["cohort", "assess", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    keys = [s.key for s in find_sources(DATA / "trio.vcf", DATA / "samples.tsv")]
    assert keys == ["BOY", "INFANT", "MOTHER"]
    boy = find_sources(DATA / "trio.vcf", DATA / "samples.tsv")[0]
    assert boy.options == {"hpo": ("HP:0003236",), "gene": "DMD", "patient": "sex=male; age=6", "sample": "BOY",
                           "case_id": "BOY"}
    sheet = tmp_path / "panel.tsv"
    sheet.write_text("sample\tgene\nBOY\tDMD;SMN1\n", encoding="utf-8")
    panel = find_sources(DATA / "trio.vcf", sheet)
    assert [(s.key, s.options["gene"], s.options["sample"]) for s in panel] == [("BOY/DMD", "DMD", "BOY"),
                                                                               ("BOY/SMN1", "SMN1", "BOY")]

"""`rarepath cohort assess` gives, case by case, what `rarepath assess --json` gives; bad cases are reported and
skipped; interrupted runs resume to the same dataset; a Dask cluster gives the same dataset as local processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import REPO, shared_path
from rarepath.cli import main
from rarepath.cohort import find_sources, read_cohort, read_errors, run_cohort
from rarepath.errors import InputError

DATA = REPO / "tests/data/cohort"
#: a spread of shared phenopackets: a geneless deletion, LoF, GoF, X-linked, approved-product genes
SUBSET_DIRS = ("11q_terminal_deletion", "FOXG1", "KCNT1", "ABCA4", "ADA", "CBS")


def _subset(tmp_path: Path, corrupt: bool = True) -> Path:
    """A cohort folder: some shared phenopackets (nested folders) and, optionally, two broken files."""
    root = shared_path("phenopackets")
    folder = tmp_path / "cohort"
    for name in SUBSET_DIRS:
        for f in sorted((root / name).glob("*.json"))[:3]:
            dest = folder / name / f.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, dest)
    if corrupt:
        (folder / "broken").mkdir()
        (folder / "broken" / "truncated.json").write_text('{"id": "truncated", "subject": {', encoding="utf-8")
        (folder / "broken" / "no_gene.yaml").write_text("id: x\nvariants: [c.1A>G]\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a case file: ignored\n", encoding="utf-8")
    return folder


def _assess_json(tmp_path: Path, args: list[str]) -> dict:
    out = tmp_path / "one.json"
    assert main(["assess", *args, "--json", str(out), "--quiet"]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _expected(d: dict) -> list[tuple]:
    """What a cohort row must say, taken from the per-case JSON contract (not from the cohort code)."""
    ids = [i for dis in d["diseases"] for i in dis.get("ids") or ()]
    return [(d["case"]["id"], d["mechanism"]["call"], d["mechanism"]["confidence"], sorted(set(ids)), rank,
             o["modality"], o["target"], o["verdict"], o["score"], [p["name"] for p in o["products"]],
             [p["status"] for p in o["products"]]) for rank, o in enumerate(d["options"])]


def _rows(table, key: str) -> list[tuple]:
    rows = [r for r in table.to_pylist() if r["case_key"] == key]
    return [(r["case_id"], r["mechanism"], r["mechanism_confidence"], sorted(set(r["disease_ids"])),
             r["option_rank"], r["modality"], r["target"], r["verdict"], r["score"], r["products"],
             r["product_status"]) for r in sorted(rows, key=lambda r: r["option_rank"])]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "gone"


def _same_dataset(a: Path, b: Path) -> None:
    ta, tb = read_cohort(a), read_cohort(b)
    assert ta.num_rows > 0
    assert ta.equals(tb)
    assert read_errors(a) == read_errors(b)


def test_folder_rows_match_per_case_assess_and_bad_files_are_reported(tmp_path):
    folder = _subset(tmp_path)
    out = tmp_path / "out"
    assert main(["cohort", "assess", str(folder), "--out", str(out), "--workers", "2", "--partition-size", "4",
                 "--no-progress"]) == 0
    table = read_cohort(out)
    files = sorted(p for p in folder.rglob("*.json") if "broken" not in p.parts)
    assert len(files) >= 12
    for f in files:
        key = f.relative_to(folder).as_posix()
        assert _rows(table, key) == _expected(_assess_json(tmp_path, [str(f)])), key
    assert set(table.column("case_key").to_pylist()) == {f.relative_to(folder).as_posix() for f in files}
    errors = (out / "errors.tsv").read_text(encoding="utf-8").splitlines()
    assert errors[0] == "source\tstage\treason"
    assert len(errors) == 3
    assert any("truncated.json\tread\t" in e and "not a valid Phenopacket" in e for e in errors)
    assert any("no_gene.yaml\tread\t" in e for e in errors)
    kb = set(table.column("kb_version").to_pylist())
    assert len(kb) == 1 and kb.pop().startswith("curated ")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["cases"] == len(files) + 2
    assert len(manifest["partitions"]) == -(-(len(files) + 2) // 4)
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "not medical advice" in html and html.count("<svg") >= 1


def test_quick_tsv_and_multisample_vcf_match_assess(tmp_path):
    out = tmp_path / "quick"
    stats = run_cohort(find_sources(DATA / "quick.tsv"), out, workers=1, progress=False)
    assert (stats.cases, stats.assessed, stats.errors) == (3, 2, 1)
    table = read_cohort(out)
    expected = _expected(_assess_json(tmp_path, [
        "--gene", "SMN1", "--variant", "deletion of exons 7-8", "--zygosity", "homozygous",
        "--patient", "age=0.5; sex=female; anti_AAV9_titre=1:25", "--id", "sma_low_titre"]))
    assert _rows(table, "sma_low_titre") == expected
    assert "onasemnogene abeparvovec" in {p for r in table.to_pylist() for p in r["products"]}
    assert read_errors(out)[0]["source"].endswith("quick.tsv:5")

    out = tmp_path / "vcf"
    stats = run_cohort(find_sources(DATA / "trio.vcf", DATA / "samples.tsv"), out, workers=1, progress=False)
    assert (stats.assessed, stats.errors) == (2, 1)
    table = read_cohort(out)
    boy = _assess_json(tmp_path, [str(DATA / "trio.vcf"), "--gene", "DMD", "--patient", "sex=male; age=6",
                                  "--hpo", "HP:0003236", "--sample", "BOY", "--id", "BOY"])
    assert _rows(table, "BOY") == _expected(boy)
    # no gene in the sheet: genes come from the VCF annotation of what this (second) sample carries
    infant = _assess_json(tmp_path, [str(DATA / "trio.vcf"), "--sample", "INFANT", "--patient",
                                     "sex=female; age=0.5", "--id", "INFANT"])
    assert _rows(table, "INFANT") == _expected(infant)
    assert {r["gene"] for r in table.to_pylist() if r["case_key"] == "INFANT"} == {"SMN1"}
    assert "MOTHER" in read_errors(out)[0]["reason"]


def test_resume_after_interruption_keeps_finished_partitions(tmp_path):
    folder = _subset(tmp_path)
    sources = find_sources(folder)
    clean = tmp_path / "clean"
    run_cohort(sources, clean, workers=1, partition_size=3, progress=False)

    class Stop(Exception):
        pass

    seen: list[int] = []

    def stop_after_two(result):
        seen.append(result.index)
        if len(seen) == 2:
            raise Stop

    out = tmp_path / "resumed"
    with pytest.raises(Stop):
        run_cohort(sources, out, workers=1, partition_size=3, progress=False, on_result=stop_after_two)
    kept = sorted((out / "cases").glob("part-*.parquet"))
    assert len(kept) == 2 and not (out / "errors.tsv").exists()
    (out / "cases" / ".part-00004.parquet.999.tmp").write_bytes(b"half a file")  # a write cut short
    mtimes = {p.name: p.stat().st_mtime_ns for p in kept}
    stats = run_cohort(sources, out, workers=1, partition_size=3, progress=False)
    assert stats.skipped_partitions == 2
    assert {p.name: p.stat().st_mtime_ns for p in kept} == mtimes  # not redone
    assert not list((out / "cases").glob(".*.tmp"))
    _same_dataset(clean, out)


@pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc process states")
def test_resume_after_sigkill_gives_the_same_dataset(tmp_path):
    """A real kill (SIGKILL of the driver after its second partition), then the same command again."""
    folder = _subset(tmp_path)
    out = tmp_path / "killed"
    script = textwrap.dedent(f"""
        import os, pathlib, signal
        from rarepath.cohort import find_sources, run_cohort
        done = []
        def kill(result):
            done.append(result)
            if len(done) == 2:
                pathlib.Path({str(tmp_path / "workers.txt")!r}).write_text(result.worker.split(":")[1])
                os.kill(os.getpid(), signal.SIGKILL)
        run_cohort(find_sources({str(folder)!r}), {str(out)!r}, workers=1, partition_size=3, progress=False,
                   on_result=kill)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=300)
    assert proc.returncode == -9
    assert len(list((out / "cases").glob("part-*.parquet"))) == 2
    worker = int((tmp_path / "workers.txt").read_text())
    for _ in range(100):  # the orphaned worker notices its parent is gone and exits
        if not Path(f"/proc/{worker}").exists() or "zombie" in _state(worker):
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail(f"worker {worker} outlived the killed run")
    assert main(["cohort", "assess", str(folder), "--out", str(out), "--workers", "1", "--partition-size", "3",
                 "--no-progress"]) == 0
    clean = tmp_path / "clean"
    run_cohort(find_sources(folder), clean, workers=2, partition_size=3, progress=False)
    _same_dataset(clean, out)


def test_a_folder_of_another_run_is_not_resumed_into(tmp_path, capsys):
    folder = _subset(tmp_path, corrupt=False)
    out = tmp_path / "out"
    run_cohort(find_sources(folder), out, workers=1, partition_size=5, progress=False, summary=False)
    assert main(["cohort", "assess", str(folder), "--out", str(out), "--partition-size", "6",
                 "--no-progress"]) == 2
    assert "different partition size" in capsys.readouterr().err
    (folder / "FOXG1" / sorted(os.listdir(folder / "FOXG1"))[0]).unlink()
    assert main(["cohort", "assess", str(folder), "--out", str(out), "--partition-size", "5",
                 "--no-progress"]) == 2
    assert "different input cases" in capsys.readouterr().err


def test_dask_local_cluster_gives_the_same_dataset(tmp_path):
    import distributed  # dask[distributed] is a dependency: fail, never skip
    folder = _subset(tmp_path)
    sources = find_sources(folder)
    local = tmp_path / "local"
    run_cohort(sources, local, workers=2, partition_size=4, progress=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as lc:
        stats = run_cohort(sources, tmp_path / "dask", scheduler=lc.scheduler_address, partition_size=4,
                           progress=False)
    assert stats.executor.startswith("dask ")
    _same_dataset(local, tmp_path / "dask")


def test_unreachable_scheduler_is_one_line_error(tmp_path, capsys):
    folder = _subset(tmp_path, corrupt=False)
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        run_cohort(find_sources(folder), tmp_path / "o", scheduler="tcp://127.0.0.1:9", connect_timeout=1,
                   progress=False)
    code = main(["cohort", "assess", str(folder), "--out", str(tmp_path / "o"), "--dask-scheduler",
                 "nonsense://host:1", "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("rarepath: error: --dask-scheduler") and err.count("\n") == 1


@pytest.mark.slow
def test_all_shared_phenopackets_match_per_case_assess(tmp_path):
    """The 150 shared phenopackets: every row identical to per-case `rarepath assess`."""
    root = shared_path("phenopackets")
    out = tmp_path / "all"
    stats = run_cohort(find_sources(root), out, workers=2, progress=False)
    assert (stats.cases, stats.assessed, stats.errors) == (150, 150, 0)
    table = read_cohort(out)
    for f in sorted(root.rglob("*.json")):
        key = f.relative_to(root).as_posix()
        assert _rows(table, key) == _expected(_assess_json(tmp_path, [str(f)])), key
    assert pq.read_schema(next((out / "cases").glob("part-*.parquet"))).metadata


def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path, monkeypatch, capsys):
    import rarepath.cohort.run as run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "run_cohort", interrupted)
    assert main(["cohort", "assess", str(DATA / "quick.tsv"), "--out", str(tmp_path / "o")]) == 130
    err = capsys.readouterr().err
    assert "run the same command again to resume" in err and "rarepath: interrupted" in err

"""Issue 12: the compact index as a command-line mode (`rarepath index --compact`, `design offtargets
--compact-index`): same files as the default layout, with and without a bulge, under 4 bytes per base."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.cli import main
from rarepath.design.offtarget import GenomeIndex
from rarepath.design.offtarget.tables import revcomp
from rarepath.errors import InputError


def _tiny_fasta(tmp_path: Path) -> tuple[Path, list[str]]:
    """Written for this test: three random records (one soft-masked, one with N runs) with near copies of
    three guides planted on both strands, so that mismatched, bulged and edge sites all occur."""
    rng = random.Random(12)
    guides = ["".join(rng.choice("ACGT") for _ in range(20)) for _ in range(3)]

    def mutate(s: str, n: int) -> str:
        s = list(s)
        for p in rng.sample(range(len(s)), n):
            s[p] = rng.choice([b for b in "ACGT" if b != s[p]])
        return "".join(s)

    recs = {f"r{i}": [rng.choice("ACGT") for _ in range(n)] for i, n in enumerate((9000, 6000, 4000))}
    for g in guides:
        for _ in range(8):
            rec = recs[rng.choice(list(recs))]
            site = mutate(g, rng.randint(0, 4)) + rng.choice(("TGG", "AGG", "CAG", "GGA"))
            kind = rng.random()
            if kind < 0.25:  # DNA bulge: one extra genome base inside the protospacer
                j = rng.randint(1, 19)
                site = site[:j] + rng.choice("ACGT") + site[j:]
            elif kind < 0.5:  # RNA bulge: one spacer base missing
                j = rng.randint(1, 18)
                site = site[:j] + site[j + 1:]
            if rng.random() < 0.5:
                site = revcomp(site)
            at = rng.randint(0, len(rec) - len(site))
            rec[at : at + len(site)] = site
    recs["r1"][2000:2010] = "N" * 10
    recs["r1"][3000:3003] = "RYN"
    text = "".join(f">{k}\n{''.join(v).lower() if k == 'r2' else ''.join(v)}\n" for k, v in recs.items())
    fa = tmp_path / "tiny.fa"
    fa.write_text(text)
    return fa, guides


def _run(tmp_path: Path, tag: str, reference: Path, guides: list[str], *extra: str) -> tuple[str, str]:
    sites, summary = tmp_path / f"{tag}.sites.tsv", tmp_path / f"{tag}.summary.tsv"
    rc = main(["design", "offtargets", "-r", str(reference), "--guides", *guides, "--max-mismatches", "4",
               "--tsv", str(sites), "--summary", str(summary), *extra])
    assert rc == 0
    return sites.read_text(), summary.read_text()


@pytest.mark.parametrize("bulges", ["0", "1"])
def test_compact_cli_outputs_identical_to_default(tmp_path, bulges: str) -> None:
    fa, guides = _tiny_fasta(tmp_path)
    default = _run(tmp_path, "default", fa, guides, "--bulges", bulges)
    assert len(default[0].splitlines()) > 10
    if bulges == "1":
        assert "\tDNA\t" in default[0] and "\tRNA\t" in default[0]
    assert _run(tmp_path, "fasta", fa, guides, "--bulges", bulges, "--compact-index") == default
    assert main(["index", str(fa), "--out", str(tmp_path / "cidx"), "--compact"]) == 0
    assert json.loads((tmp_path / "cidx" / "index.json").read_text())["compact"] is True
    loaded = GenomeIndex.load(tmp_path / "cidx")
    assert loaded.compact and all(t.compact for t in loaded.tables.values())
    assert _run(tmp_path, "index", tmp_path / "cidx", guides, "--bulges", bulges, "--compact-index") == default
    # a compact folder is searched as such without the option too, and by worker processes
    assert _run(tmp_path, "index2", tmp_path / "cidx", guides, "--bulges", bulges) == default
    assert _run(tmp_path, "workers", fa, guides, "--bulges", bulges, "--compact-index", "--workers", "2") == default


def test_compact_index_is_smaller(tmp_path) -> None:
    fa, _ = _tiny_fasta(tmp_path)
    assert main(["index", str(fa), "--out", str(tmp_path / "d")]) == 0
    assert main(["index", str(fa), "--out", str(tmp_path / "c"), "--compact-index"]) == 0
    default, compact = GenomeIndex.load(tmp_path / "d"), GenomeIndex.load(tmp_path / "c")
    assert not default.compact and compact.compact
    assert compact.nbytes() < default.nbytes()


def test_bad_combinations_one_line_exit_2(tmp_path, capsys) -> None:
    fa, guides = _tiny_fasta(tmp_path)
    assert main(["index", str(fa), "--out", str(tmp_path / "x"), "--compact", "--bulges", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "compact index takes no 19/21-nt bulge tables" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x").exists()
    assert main(["index", str(fa), "--out", str(tmp_path / "d")]) == 0
    capsys.readouterr()
    assert main(["design", "offtargets", "-r", str(tmp_path / "d"), "--guides", guides[0],
                 "--compact-index"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not compact" in err and "rarepath index --compact" in err and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_compact_cli_on_yeast_identical_to_default(tmp_path) -> None:
    """The shared yeast genome (sacCer3 folder), CRISPOR's guides, with one bulge: identical files."""
    genome = shared_path("genomes", "sacCer3")
    oracle = shared_path("crispr", "oracles", "crispor_sample.sacCer3.expected.tsv")
    guides = [line.split("\t")[2][:20] for line in oracle.read_text().splitlines()[1:4] if line.strip()]
    default = _run(tmp_path, "default", genome, guides, "--bulges", "1")
    assert _run(tmp_path, "compact", genome, guides, "--bulges", "1", "--compact-index") == default


@pytest.mark.parametrize("w", [1, 2, 7, 18, 20, 26, 32, 33, 46, 62, 63])
def test_bit_packed_fields_roundtrip(w: int) -> None:
    """Every width the compact layout may use, values crossing word boundaries, the largest value included."""
    import numpy as np

    from rarepath.design.offtarget import _kernels as K

    rng = np.random.default_rng(w)
    values = rng.integers(0, 2**w, size=1000, dtype=np.uint64)
    values[::97] = np.uint64(2**w - 1)
    words = K.pack_bits(values, w)
    assert words.nbytes <= 1000 * w / 8 + 16
    rows = rng.permutation(1000)
    assert K.unpack_rows(words, rows, w).tolist() == values[rows].astype(np.int64).tolist()


@pytest.mark.parametrize("layout", [[], ["--compact"]])
def test_per_chromosome_index_identical_to_fasta(tmp_path, layout: list[str]) -> None:
    """`rarepath index --per-chromosome`: one index folder per record, numbered in genome order (records named
    out of alphabetical order here), searched as one reference with identical files, with a bulge."""
    fa, guides = _tiny_fasta(tmp_path)
    renamed = tmp_path / "renamed.fa"
    renamed.write_text(fa.read_text().replace(">r0", ">zeta").replace(">r1", ">alpha").replace(">r2", ">chr|2"))
    default = _run(tmp_path, "fasta", renamed, guides, "--bulges", "1")
    out = tmp_path / "shards"
    assert main(["index", str(renamed), "--out", str(out), "--per-chromosome", *layout]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["00001_zeta", "00002_alpha", "00003_chr_2"]
    shard = GenomeIndex.load(out / "00002_alpha")
    assert shard.names == ["alpha"] and shard.compact == bool(layout)
    assert _run(tmp_path, "shards", out, guides, "--bulges", "1") == default
    assert _run(tmp_path, "shards2", out, guides, "--bulges", "1", "--workers", "2") == default
    with pytest.raises(InputError, match="folder of index shards"):
        GenomeIndex.load(out)


def test_per_chromosome_needs_a_new_folder(tmp_path, capsys) -> None:
    fa, _ = _tiny_fasta(tmp_path)
    out = tmp_path / "shards"
    out.mkdir()
    (out / "old.txt").write_text("x")
    assert main(["index", str(fa), "--out", str(out), "--per-chromosome"]) == 2
    err = capsys.readouterr().err.strip()
    assert "not empty" in err and len(err.splitlines()) == 1


def test_compact_key_length_fits_the_budget() -> None:
    """The compact key: the default 10 nt where its offsets are cheap (hg38, 50 Mb), shorter on small genomes,
    always within the budget where any key fits, else the smallest tables."""
    from rarepath.design.offtarget.tables import _compact_key

    hg38 = int(3.1e9)
    assert _compact_key(20, [hg38 * 3 // 16] * 2, 32, hg38, 10) == 10
    assert _compact_key(20, [50_000_000 * 3 // 16] * 2, 26, 50_000_000, 10) == 10
    assert _compact_key(20, [1_934_000] * 2, 24, 12_157_105, 10) == 9  # yeast
    small = _compact_key(20, [43_000] * 2, 18, 230_218, 8)  # yeast chrI: no key fits, fewest bytes
    assert small < 8
    assert _compact_key(20, [10_000_000 * 3 // 16] * 2, 24, 10_000_000, 10) < 10

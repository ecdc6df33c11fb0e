"""Scale-out (`rarepath.design.offtarget.scaleout`): shard x guide-batch pieces on local processes and on a Dask
cluster give exactly the hits of a single-process `search_guides`."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from conftest import shared_path
from rarepath.design.offtarget import GenomeIndex, search_guides
from rarepath.design.offtarget.scaleout import (
    _balanced_groups,
    plan_pieces,
    plan_shards,
    search_guides_scaled,
)
from rarepath.design.offtarget.tables import revcomp

PAMS = ("NGG", "NAG", "NGA")


def _mutate(rng: random.Random, seq: str, n: int) -> str:
    s = list(seq)
    for p in rng.sample(range(len(s)), n):
        s[p] = rng.choice([b for b in "ACGT" if b != s[p]])
    return "".join(s)


def _random_genome(seed: int, guides: list[str], n_chrom: int = 5) -> dict[str, str]:
    """Chromosomes of different lengths with N runs and planted near-copies (0-3 mm) of the guides, both strands."""
    rng = random.Random(seed)
    chroms = {}
    for c in range(n_chrom):
        seq = [rng.choice("ACGT") for _ in range(rng.randint(2_000, 20_000))]
        for _ in range(15):
            site = _mutate(rng, rng.choice(guides), rng.randint(0, 3)) + rng.choice(["TGG", "CAG", "AGA"])
            if rng.random() < 0.5:
                site = revcomp(site)
            p = rng.randrange(0, len(seq) - 23)
            seq[p : p + 23] = site
        n0 = rng.randrange(0, len(seq) - 50)
        seq[n0 : n0 + 30] = "N" * 30
        chroms[f"chr{c + 1}"] = "".join(seq)
    return chroms


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, list[str], list]:
    """A random multi-FASTA (.fa.gz), its guides and the single-process reference hits (with one bulge)."""
    rng = random.Random(11)
    guides = ["".join(rng.choice("ACGT") for _ in range(20)) for _ in range(9)]
    chroms = _random_genome(5, guides)
    d = tmp_path_factory.mktemp("scaleout")
    fa = d / "genome.fa.gz"
    with gzip.open(fa, "wt") as fh:
        for name, seq in chroms.items():
            fh.write(f">{name} random\n" + "\n".join(seq[i : i + 60] for i in range(0, len(seq), 60)) + "\n")
    ref = search_guides(GenomeIndex.from_fasta(fa), guides, pams=PAMS, max_mismatches=3, bulge=1)
    assert sum(1 for h in ref if not h.bulge) >= 60 and any(h.bulge for h in ref)
    return fa, guides, ref


def test_balanced_groups_and_pieces() -> None:
    assert _balanced_groups([10, 50, 30, 20, 40], 2) == [[0, 1, 3], [2, 4]]  # 80 and 70 bases
    groups = _balanced_groups([10, 50, 30, 20, 40], 2)
    assert sorted(i for g in groups for i in g) == [0, 1, 2, 3, 4]
    assert sorted(sum([10, 50, 30, 20, 40][i] for i in g) for g in groups) == [70, 80]
    assert _balanced_groups([5, 5], 8) == [[0], [1]]


def test_plan_shards_fasta(planted) -> None:
    fa, guides, _ = planted
    shards, order = plan_shards(fa, 3)
    assert order == ["chr1", "chr2", "chr3", "chr4", "chr5"]
    assert len(shards) == 3
    assert sorted(r for s in shards for r in s.records) == order
    totals = sorted(s.bases for s in shards)
    assert sum(totals) == GenomeIndex.from_fasta(fa).total_length
    pieces = plan_pieces(shards, guides, 3, None, pams=PAMS, max_mismatches=3, pam_side="3prime", bulge=0,
                         threads=1)
    assert len(pieces) == 3 and all(p.spacers == tuple(guides) and p.first_query == 0 for p in pieces)
    pieces = plan_pieces(shards, guides, 3, 4, pams=PAMS, max_mismatches=3, pam_side="3prime", bulge=0, threads=1)
    assert len(pieces) == 9 and [p.first_query for p in pieces[:3]] == [0, 4, 8]


def test_serial_and_batched_equal_search_guides(planted) -> None:
    fa, guides, ref = planted
    assert search_guides_scaled(fa, guides, PAMS, 3, bulge=1) == ref
    assert search_guides_scaled(fa, guides, PAMS, 3, bulge=1, guide_batch=2) == ref


def test_local_processes_equal_search_guides(planted) -> None:
    fa, guides, ref = planted
    got = search_guides_scaled(fa, guides, PAMS, 3, bulge=1, workers=2, guide_batch=4)
    assert got == ref


def test_index_shards_folder_equals_whole_genome(planted, tmp_path) -> None:
    """A folder of `rarepath index` folders (one per chromosome group) is searched shard by shard."""
    fa, guides, ref = planted
    idx = GenomeIndex.from_fasta(fa)
    groups = {"a": ["chr1", "chr4"], "b": ["chr2", "chr3", "chr5"]}
    for name, recs in groups.items():
        part = tmp_path / f"{name}.fa"
        part.write_text("".join(f">{r}\n{idx.sequence(r)}\n" for r in recs))
        GenomeIndex.build(part, tmp_path / "shards" / name)
    shards, order = plan_shards(tmp_path / "shards", 2)
    assert [s.kind for s in shards] == ["index", "index"] and order == ["chr1", "chr4", "chr2", "chr3", "chr5"]
    got = search_guides_scaled(tmp_path / "shards", guides, PAMS, 3, workers=2)
    rank = {n: i for i, n in enumerate(order)}
    want = sorted((h for h in ref if not h.bulge), key=lambda h: (h.query_index, rank[h.chrom], h.start, h.strand))
    assert got == want


def test_yeast_two_processes_equal_search_guides() -> None:
    genome = shared_path("genomes", "sacCer3")
    rng = random.Random(3)
    guides = ["".join(rng.choice("ACGT") for _ in range(20)) for _ in range(30)]
    guides += ["TACATAAACATATTGGCTTG", "AGAATATTTCGTACTTACAC"]
    ref = search_guides(GenomeIndex.from_fasta(genome), guides, pams=PAMS, max_mismatches=4)
    assert len(ref) > 50
    assert search_guides_scaled(genome, guides, PAMS, 4, workers=2) == ref


def test_dask_local_cluster_equals_search_guides(planted, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    fa, guides, ref = planted
    GenomeIndex.build(fa, tmp_path / "idx")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        # FASTA shards through the scheduler address (as --dask-scheduler does)
        assert search_guides_scaled(fa, guides, PAMS, 3, bulge=1, dask_scheduler=cl.scheduler_address) == ref
        # the memory-mapped index, guide batches split over the workers, through a Client
        with distributed.Client(cl) as client:
            got = search_guides_scaled(tmp_path / "idx", guides, PAMS, 3, dask_scheduler=client)
    assert got == [h for h in ref if not h.bulge]


def test_unreachable_scheduler_is_input_error(planted, monkeypatch) -> None:
    pytest.importorskip("distributed")
    from rarepath.design.offtarget import scaleout
    from rarepath.errors import InputError

    monkeypatch.setattr(scaleout, "DASK_CONNECT_TIMEOUT", "1s")
    fa, guides, _ = planted
    with pytest.raises(InputError, match="Dask scheduler"):
        search_guides_scaled(fa, guides[:1], PAMS, 2, dask_scheduler="tcp://127.0.0.1:1")

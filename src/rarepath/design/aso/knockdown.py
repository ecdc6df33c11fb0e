"""Gapmer knockdown score: a ridge model on sequence and thermodynamic features, fitted to openASO screens.

The target is the within-gene rank of measured efficacy (screens differ in scale), so only within-gene order
is learned. Weights ship as data/knockdown_model.tsv (written by scripts/aso_fit_knockdown.py) with the
leave-gene-out Spearman it achieved; `evaluate_openaso` recomputes both numbers from the data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rarepath.design.aso.features import KNOCKDOWN_FEATURES, knockdown_vector, oligo_features
from rarepath.design.aso.tables import DATA

RIDGE_LAMBDA = 100.0


@dataclass(frozen=True)
class KnockdownModel:
    mean: np.ndarray
    sd: np.ndarray
    weight: np.ndarray
    source: str

    def score(self, x: np.ndarray) -> np.ndarray:
        """Higher = more knockdown expected (within a gene; an ordering, not a percentage)."""
        return ((x - self.mean) / self.sd) @ self.weight


@cache
def load_model() -> KnockdownModel:
    rows = []
    source = ""
    with (DATA / "knockdown_model.tsv").open() as fh:
        for ln in fh:
            if ln.startswith("#") or not ln.strip():
                continue
            rows.append(ln.rstrip("\n").split("\t"))
    header, body = rows[0], rows[1:]
    idx = {h: i for i, h in enumerate(header)}
    names = tuple(r[idx["feature"]] for r in body)
    if names != KNOCKDOWN_FEATURES:
        raise ValueError("knockdown_model.tsv features do not match features.KNOCKDOWN_FEATURES")
    source = body[0][idx["source"]]
    col = lambda k: np.array([float(r[idx[k]]) for r in body])  # noqa: E731
    return KnockdownModel(col("mean"), col("sd"), col("weight"), source)


def read_openaso(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(oligos, efficacy, transcript ids) from openASO's clean-data CSV."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return ([r["ASOseq"].strip().upper() for r in rows], np.array([float(r["ASOeffective"]) for r in rows]),
            np.array([r["transcript_id"] for r in rows]))


def feature_matrix(oligos: list[str]) -> np.ndarray:
    return np.vstack([knockdown_vector(o, oligo_features(o)) for o in oligos])


def _within_gene_rank(y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    out = np.zeros_like(y, dtype=float)
    for g in np.unique(groups):
        m = groups == g
        out[m] = (rankdata(y[m]) - 0.5) / m.sum() - 0.5
    return out


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, lam: float = RIDGE_LAMBDA
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / sd
    yr = _within_gene_rank(y, groups)
    w = np.linalg.solve(z.T @ z + lam * np.eye(z.shape[1]), z.T @ yr)
    return mean, sd, w


def per_gene_spearman(score: np.ndarray, y: np.ndarray, groups: np.ndarray, min_n: int = 10) -> dict[str, float]:
    from scipy.stats import spearmanr

    out = {}
    for g in np.unique(groups):
        m = groups == g
        if m.sum() >= min_n and len(set(score[m])) > 1:
            out[str(g)] = float(spearmanr(score[m], y[m]).correlation)
    return out


def evaluate_openaso(path: Path, x: np.ndarray | None = None) -> dict:
    """Within-gene Spearman of the shipped model and of leave-gene-out refits (the honest number)."""
    oligos, y, groups = read_openaso(path)
    x = feature_matrix(oligos) if x is None else x
    shipped = per_gene_spearman(load_model().score(x), y, groups)
    logo_score = np.zeros(len(y))
    for g in np.unique(groups):
        m = groups == g
        mean, sd, w = fit(x[~m], y[~m], groups[~m])
        logo_score[m] = ((x[m] - mean) / sd) @ w
    logo = per_gene_spearman(logo_score, y, groups)
    gc_only = per_gene_spearman(-x[:, [1, 2]].sum(1), y, groups)
    return {
        "n_oligos": len(y), "n_transcripts": len(logo),
        "median_spearman_shipped": float(np.median(list(shipped.values()))),
        "median_spearman_leave_gene_out": float(np.median(list(logo.values()))),
        "mean_spearman_leave_gene_out": float(np.mean(list(logo.values()))),
        "median_spearman_low_gc_baseline": float(np.median(list(gc_only.values()))),
        "per_transcript_leave_gene_out": logo,
    }

"""Matplotlib figures: plate heat maps with a QC badge, dose-response curves of both genotypes, ranking chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

_BADGE = {"pass": "#2e7d32", "marginal": "#f9a825", "fail": "#c62828"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plate_heatmap(values: np.ndarray, qc: Any, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    im = ax.imshow(values, cmap="viridis", aspect="auto")
    fig.colorbar(im, ax=ax, label="raw signal")
    ax.set_title(f"{qc.plate}")
    ax.text(1.0, 1.02, f"{qc.verdict.upper()}  Z'r={qc.z_prime_robust:.2f}", transform=ax.transAxes, ha="right",
            color="white", bbox={"facecolor": _BADGE.get(qc.verdict, "grey"), "pad": 3})
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def curve_plot(result: Any, treatment: str, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.6))
    fits = result.fits
    for geno, colour in (("patient", "#1565c0"), ("isogenic", "#6d4c41")):
        cid = f"{geno}|{treatment}"
        cur = result.curves.get(cid)
        if not cur:
            continue
        d = np.asarray(cur["dose"], float)
        ax.scatter(d, cur["response"], s=12, color=colour, alpha=0.7,
                   label=f"{geno} ({'rescue %' if geno == 'patient' else 'viability %'})")
        i = fits.index(cid)
        if fits.status[i] != "failed" and (d > 0).any():
            g = np.logspace(np.log10(d[d > 0].min()), np.log10(d.max()), 100)
            ax.plot(g, fits.predict(i, g), color=colour, lw=1.5,
                    ls="-" if fits.status[i] == "sigmoid" else ":")
            if fits.status[i] == "sigmoid" and np.isfinite(fits.ec50_lo[i]):
                ax.axvspan(max(fits.ec50_lo[i], g[0]), min(fits.ec50_hi[i], g[-1]), color=colour, alpha=0.08)
    ax.set_xscale("log")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axhline(100, color="grey", lw=0.5, ls="--")
    ax.set_xlabel("dose")
    ax.set_ylabel("% (0 = untreated patient, 100 = isogenic)")
    ax.set_title(treatment)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def ranking_chart(ranking: list[dict[str, Any]], path: Path, top: int = 25) -> Path:
    plt = _plt()
    rows = ranking[:top]
    fig, ax = plt.subplots(figsize=(6, 0.3 * len(rows) + 1.2))
    names = [f"{r['name']} ({r['modality']})" for r in rows][::-1]
    resc = [np.nan_to_num(r.get("max_rescue_pct", 0.0)) for r in rows][::-1]
    tox = [-np.nan_to_num(r.get("toxicity_pct", 0.0)) for r in rows][::-1]
    colours = ["#2e7d32" if r["hit"] else "#90a4ae" for r in rows][::-1]
    ax.barh(names, resc, color=colours, label="max rescue %")
    ax.barh(names, tox, color="#c62828", alpha=0.6, label="isogenic toxicity % (left)")
    ax.axvline(0, color="black", lw=0.5)
    ax.set_xlabel("%")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path

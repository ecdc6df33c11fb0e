"""Matplotlib figures: plate heat maps (rows A-P / columns 1-24, or the plate's own format) with a QC badge,
dose-response curves of both genotypes with the dose unit on the axis, replicate agreement, ranking chart."""

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
    """Raw signal per well, labelled as on the plate (rows A.., columns 1..; every label up to 24 per axis)."""
    from rarepath.screens.plates import row_label

    plt = _plt()
    nr, nc = values.shape
    fig, ax = plt.subplots(figsize=(7, 4.2))
    im = ax.imshow(values, cmap="viridis", aspect="auto")
    fig.colorbar(im, ax=ax, label="raw signal")
    ax.set_title(f"{qc.plate} ({nr * nc}-well)")
    badge = f"Z'r={qc.z_prime_robust:.2f}" if np.isfinite(qc.z_prime_robust) else "Z' n/a"
    ax.text(1.0, 1.02, f"{qc.verdict.upper()}  {badge}", transform=ax.transAxes, ha="right",
            color="white", bbox={"facecolor": _BADGE.get(qc.verdict, "grey"), "pad": 3})
    step_c, step_r = max(1, -(-nc // 24)), max(1, -(-nr // 16))
    ax.set_xticks(range(0, nc, step_c), [str(c + 1) for c in range(0, nc, step_c)], fontsize=6)
    ax.set_yticks(range(0, nr, step_r), [row_label(r) for r in range(0, nr, step_r)], fontsize=6)
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
    unit = next((c.get("unit", "") for c in result.curves.values() if c["treatment"] == treatment), "")
    ax.set_xlabel(f"dose ({unit})" if unit else "dose (unit not given)")
    ax.set_ylabel("% (0 = untreated patient, 100 = isogenic)")
    lib = getattr(result, "library", {}).get(treatment)
    ax.set_title(f"{lib.name} ({treatment})" if lib else treatment)
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


def replicate_plot(wells: list[dict[str, Any]], path: Path) -> Path | None:
    """Response of every sample (genotype, treatment, dose) in one replicate against another (first two
    replicates), with the identity line and Pearson r; None when there is only one replicate."""
    by: dict[tuple, dict[str, list[float]]] = {}
    for w in wells:
        if w["role"] == "sample" and np.isfinite(w["response"]):
            key = (w["genotype"], w["treatment"], w["dose"])
            by.setdefault(key, {}).setdefault(str(w["replicate"]), []).append(w["response"])
    reps = sorted({r for v in by.values() for r in v})
    if len(reps) < 2:
        return None
    a, b = reps[0], reps[1]
    pairs = [(np.mean(v[a]), np.mean(v[b]), k[0]) for k, v in by.items() if a in v and b in v]
    if len(pairs) < 3:
        return None
    plt = _plt()
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    geno = np.array([p[2] for p in pairs])
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    for g, colour in (("patient", "#1565c0"), ("isogenic", "#6d4c41")):
        m = geno == g
        if m.any():
            ax.scatter(x[m], y[m], s=10, color=colour, alpha=0.7,
                       label=f"{g} ({'rescue %' if g == 'patient' else 'viability %'})")
    lo, hi = float(min(x.min(), y.min())), float(max(x.max(), y.max()))
    ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8, ls="--")
    r = np.corrcoef(x, y)[0, 1] if x.std() > 0 and y.std() > 0 else float("nan")
    ax.set_title(f"replicate agreement: Pearson r = {r:.3f} (n = {len(pairs)})", fontsize=9)
    ax.set_xlabel(f"response, replicate {a} (%)")
    ax.set_ylabel(f"response, replicate {b} (%)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path

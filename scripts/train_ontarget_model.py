#!/usr/bin/env python
"""Train rarepath's own SpCas9 on-target model and report leave-one-table-out Spearman against Rule Set 1.

Data: only the Haeussler 2016 benchmark tables in ../shared/data/crispr/efficiency (registry in
src/rarepath/design/crispr/data/efficiency_tables.tsv). Target: activity rank within each table (percentile),
so screens on different scales can be pooled; each table weighs 1/sqrt(n) per guide. Chari K562 is left out
of training (no signal: published rho of every score is ~0). Evaluation: for each table, a model trained on
all OTHER tables, with every guide whose 20-mer also occurs in the held-out table removed, is scored by
Spearman rho against the measured activity; Rule Set 1 is scored the way CRISPOR reports it (int(100*score)).
The final model (all tables) is written as readable coefficients to
src/rarepath/design/crispr/data/ontarget_model.json.

    .venv/bin/python scripts/train_ontarget_model.py [--data ../shared/data/crispr/efficiency] [--no-write]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.stats import rankdata, spearmanr
from sklearn.linear_model import Ridge

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from rarepath.design.crispr.ontarget import (  # noqa: E402
    MODEL_FILE,
    LinearOnTargetModel,
    features,
    load_all_efficiency_tables,
    rule_set_1_percent,
)

ALPHA = 10.0
EXCLUDED_FROM_TRAINING = {"chari2015TrainK562"}


def _fit(tables, X, Y, held_out=None) -> Ridge:
    held = set(s[4:24] for s in held_out.seqs30) if held_out is not None else set()
    xs, ys, ws = [], [], []
    for t in tables:
        if t.name in EXCLUDED_FROM_TRAINING or (held_out is not None and t.name == held_out.name):
            continue
        keep = np.array([s[4:24] not in held for s in t.seqs30])
        xs.append(X[t.name][keep])
        ys.append(Y[t.name][keep])
        ws.append(np.full(int(keep.sum()), 1.0 / np.sqrt(len(t.seqs30))))
    return Ridge(alpha=ALPHA).fit(np.vstack(xs), np.concatenate(ys), sample_weight=np.concatenate(ws))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "crispr" / "efficiency")
    ap.add_argument("--no-write", action="store_true", help="Evaluate only; do not rewrite the model file.")
    args = ap.parse_args(argv)
    tables = load_all_efficiency_tables(args.data)
    if not tables:
        print(f"no efficiency tables found in {args.data}", file=sys.stderr)
        return 2
    X = {t.name: features(t.seqs30) for t in tables}
    Y = {t.name: (rankdata(t.activity) - 0.5) / len(t.activity) for t in tables}
    rows = []
    for t in tables:
        m = _fit(tables, X, Y, held_out=t)
        own = float(spearmanr(m.predict(X[t.name]), t.activity)[0])
        rs1 = float(spearmanr(rule_set_1_percent(t.seqs30), t.activity)[0])
        rows.append((t.name, len(t.seqs30), own, rs1))
    print("| table | n | own model (LOTO) rho | Rule Set 1 rho |")
    print("|---|---|---|---|")
    for name, n, own, rs1 in rows:
        print(f"| {name} | {n} | {own:.3f} | {rs1:.3f} |")
    own_mean = float(np.mean([r[2] for r in rows]))
    rs1_mean = float(np.mean([r[3] for r in rows]))
    wins = sum(r[2] > r[3] for r in rows)
    big = [r for r in rows if r[1] >= 500]
    print(f"mean rho: own {own_mean:.3f}, Rule Set 1 {rs1_mean:.3f}; own better on {wins}/{len(rows)} tables; "
          f"tables with n>=500: own {np.mean([r[2] for r in big]):.3f}, RS1 {np.mean([r[3] for r in big]):.3f}")
    if not args.no_write:
        final = _fit(tables, X, Y)
        import sklearn

        meta = {"trained_on": [t.name for t in tables if t.name not in EXCLUDED_FROM_TRAINING],
                "method": f"sklearn Ridge(alpha={ALPHA}) on per-table activity percentiles, weight 1/sqrt(n)",
                "sklearn": sklearn.__version__, "script": "scripts/train_ontarget_model.py",
                "loto_spearman": {name: {"own": round(own, 4), "rs1": round(rs1, 4)} for name, _, own, rs1 in rows}}
        model = LinearOnTargetModel(float(final.intercept_), np.asarray(final.coef_, dtype=float), meta)
        out = REPO / "src" / "rarepath" / "design" / "crispr" / "data" / MODEL_FILE
        out.write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {out.relative_to(REPO)}")
    print(f"crispr-ontarget: tables={len(rows)} mean_rho_own={own_mean:.3f} mean_rho_rs1={rs1_mean:.3f} "
          f"wins={wins}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

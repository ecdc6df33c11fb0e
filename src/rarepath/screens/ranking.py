"""Rank treatments of all modalities by rescue of the patient model, against toxicity on the isogenic control.

Per treatment (drug, ASO or construct):

* rescue efficacy: max percent rescue (replicate mean at the best dose; fitted maximum over the tested range)
  and EC50 of the patient-genotype curve;
* toxicity: 100 - viability (% of untreated isogenic cells) of the isogenic control at the best rescuing dose;
  TC50 = absolute IC50 of the isogenic curve at 50 % viability;
* therapeutic window: log10(TC50 / EC50) (a lower bound, flagged, when TC50 lies beyond the top dose);
* replicate agreement: Pearson r between replicate dose profiles of the patient curve;
* significance: one-sided Welch t-test of the patient wells at the best dose against the untreated
  (vehicle) patient wells, Benjamini-Hochberg across treatments (q-value).

Hit rule (defaults in `HitThresholds`, documented in the README): q <= 0.05, max rescue >= 30 % and
toxicity <= 20 %. Ranking: hits first, then the score rescue x (1 - toxicity), both as fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rarepath.model import Evidence, Option


@dataclass(frozen=True)
class HitThresholds:
    max_q: float = 0.05
    min_rescue_pct: float = 30.0
    max_toxicity_pct: float = 20.0
    score_step: float = 0.10  # how far a screen result may move a triage option's score


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (NaN kept as NaN)."""
    p = np.asarray(p, float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    n = int(ok.sum())
    if n == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.clip(ranked, 0, 1)
    q[ok] = out
    return q


def _dose_means(curve: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(curve["dose"], float)
    r = np.asarray(curve["response"], float)
    doses = np.unique(d)
    return doses, np.array([r[d == x].mean() for x in doses])


def _replicate_r(curve: dict[str, Any]) -> float:
    reps = sorted(set(curve["replicate"]) - {""})
    if len(reps) < 2:
        return float("nan")
    d = np.asarray(curve["dose"], float)
    r = np.asarray(curve["response"], float)
    rep = np.asarray(curve["replicate"])
    profiles = []
    doses = np.unique(d)
    for k in reps:
        profiles.append([r[(rep == k) & (d == x)].mean() if ((rep == k) & (d == x)).any() else np.nan for x in doses])
    a = np.asarray(profiles)
    rs = []
    for i in range(len(reps)):
        for j in range(i + 1, len(reps)):
            ok = np.isfinite(a[i]) & np.isfinite(a[j])
            if ok.sum() >= 3 and a[i][ok].std() > 0 and a[j][ok].std() > 0:
                rs.append(np.corrcoef(a[i][ok], a[j][ok])[0, 1])
    return float(np.mean(rs)) if rs else float("nan")


def rank_treatments(curves: dict[str, dict[str, Any]], fits: Any, wells: list[dict[str, Any]],
                    library: dict[str, Any], thr: HitThresholds) -> list[dict[str, Any]]:
    from scipy import stats

    vehicle = np.array([w["percent_rescue"] for w in wells
                        if w["role"] == "negative" and w["genotype"] == "patient" and w["qc_verdict"] != "fail"])
    vehicle = vehicle[np.isfinite(vehicle)]
    index = {cid: i for i, cid in enumerate(fits.curve_id)}
    treatments = sorted({c["treatment"] for c in curves.values()})
    rows = []
    for t in treatments:
        pc, ic = curves.get(f"patient|{t}"), curves.get(f"isogenic|{t}")
        lib = library.get(t)
        row: dict[str, Any] = {"treatment": t, "name": lib.name if lib else t,
                               "modality": (lib.modality if lib else "") or (pc or ic or {}).get("modality", ""),
                               "target_gene": lib.target_gene if lib else "", "indication": lib.indication if lib else "",
                               "unit": (pc or ic or {}).get("unit", "")}
        nan = float("nan")
        row.update(max_rescue_pct=nan, best_dose=nan, max_rescue_fit_pct=nan, rescue_status="not_tested",
                   rescue_reason="", ec50=nan, ec50_lo=nan, ec50_hi=nan, replicate_r=nan, p_value=nan,
                   toxicity_pct=nan, tox_status="not_tested", tc50=nan, tc50_flag="", window_log10=nan,
                   window_flag="")
        best_dose = np.nan
        if pc:
            i = index[f"patient|{t}"]
            doses, means = _dose_means(pc)
            k = int(np.nanargmax(means))
            best_dose = doses[k]
            row.update(max_rescue_pct=float(means[k]), best_dose=float(best_dose),
                       max_rescue_fit_pct=float(max(fits.predict(i, doses[doses > 0]).max(initial=-np.inf),
                                                    fits.predict(i, doses).max())) if fits.status[i] != "failed"
                       else float("nan"),
                       rescue_status=fits.status[i], rescue_reason=fits.reason[i],
                       ec50=float(fits.ec50[i]) if fits.status[i] == "sigmoid" else float("nan"),
                       ec50_lo=float(fits.ec50_lo[i]) if fits.status[i] == "sigmoid" else float("nan"),
                       ec50_hi=float(fits.ec50_hi[i]) if fits.status[i] == "sigmoid" else float("nan"),
                       replicate_r=_replicate_r(pc))
            d = np.asarray(pc["dose"], float)
            at_best = np.asarray(pc["response"], float)[d == best_dose]
            if at_best.size >= 2 and vehicle.size >= 2:
                res = stats.ttest_ind(at_best, vehicle, equal_var=False, alternative="greater")
                row["p_value"] = float(res.pvalue)
            else:
                row["p_value"] = float("nan")
        if ic:
            j = index[f"isogenic|{t}"]
            doses, means = _dose_means(ic)
            ref = best_dose if np.isfinite(best_dose) and (doses == best_dose).any() else doses.max()
            row["toxicity_pct"] = float(100.0 - means[doses == ref][0])
            row["tox_status"] = fits.status[j]
            tc50 = fits.ic50_abs[j] if fits.status[j] == "sigmoid" else np.nan
            row["tc50"] = float(tc50)
            row["tc50_flag"] = fits.ic50_abs_flag[j] if fits.status[j] == "sigmoid" else "not_reached"
            ec50 = row.get("ec50", np.nan)
            if np.isfinite(ec50):
                if np.isfinite(tc50) and row["tc50_flag"] == "in_range":
                    row["window_log10"], row["window_flag"] = float(np.log10(tc50 / ec50)), "measured"
                else:
                    row["window_log10"], row["window_flag"] = float(np.log10(doses.max() / ec50)), "lower_bound"
        rows.append(row)
    q = bh_qvalues(np.array([r.get("p_value", np.nan) for r in rows]))
    for r, qq in zip(rows, q, strict=True):
        r["q_value"] = float(qq)
        rescue = r.get("max_rescue_pct", np.nan)
        tox = r.get("toxicity_pct", np.nan)
        tox_ok = not (np.isfinite(tox) and tox > thr.max_toxicity_pct)
        r["hit"] = bool(np.isfinite(qq) and qq <= thr.max_q and np.isfinite(rescue) and rescue >= thr.min_rescue_pct
                        and tox_ok)
        r["score"] = float(np.clip(np.nan_to_num(rescue) / 100.0, 0, 1.5)
                           * (1.0 - np.clip(np.nan_to_num(tox) / 100.0, 0, 1)))
        r["call"] = ("hit" if r["hit"] else "toxic" if not tox_ok
                     else "no_rescue" if not (np.isfinite(rescue) and rescue >= thr.min_rescue_pct)
                     else "not_significant")
    rows.sort(key=lambda r: (not r["hit"], -r["score"], r["treatment"]))
    for k, r in enumerate(rows, 1):
        r["rank"] = k
    return rows


def _fmt(x: Any, spec: str = ".3g") -> str:
    try:
        return format(float(x), spec) if np.isfinite(float(x)) else "n/a"
    except (TypeError, ValueError):
        return "n/a"


#: which therapy options a screened treatment of each library modality can speak for when matched by target gene
#: (an exon-skipping ASO hit on DMD says nothing about silencing DMD)
SCREEN_MODALITY_OPTIONS: dict[str, tuple[str, ...]] = {
    "drug": ("drug",),
    "aso": ("splice_modulation", "gene_silencing"),
    "construct": ("gene_replacement", "gene_addition", "genome_editing"),
}


def apply_screen_evidence(options: list[Option], ranking: Any, *, screen_id: str | None = None,
                          thresholds: HitThresholds | None = None) -> None:
    """Attach patient-model screen evidence to matching therapy options and move their score.

    `ranking` is a ScreenResult or its ranking rows. An option matches a screened treatment when one of its
    products' names (lower-case INN) equals the library name, or its target gene equals the library target.
    A hit raises the score by up to `score_step` x rescue fraction; a toxic or non-rescuing result lowers
    it; the score is clamped to [0, 1] and the reason is added to `option.reasons`.
    """
    thr = thresholds or HitThresholds()
    rows = getattr(ranking, "ranking", ranking)
    sid = screen_id or getattr(ranking, "screen_id", None) or "screen"
    for opt in options:
        if opt.verdict.value == "contraindicated":
            continue  # a mechanistic contraindication is not lifted or scored by a cell screen
        names = {p.name.strip().lower() for p in opt.products if p.name}
        target = (opt.target or "").upper()
        compatible = SCREEN_MODALITY_OPTIONS
        matched = [r for r in rows if (r.get("name", "").lower() in names)
                   or (target and r.get("target_gene", "").upper() == target
                       and opt.modality.value in compatible.get(str(r.get("modality", "")).lower(), ()))]
        if not matched:
            continue
        best = max(matched, key=lambda r: (r.get("hit", False), r.get("score", 0.0)))
        rescue = float(best.get("max_rescue_pct", np.nan))
        tox = float(best.get("toxicity_pct", np.nan))
        how = "product" if best.get("name", "").lower() in names else "target"
        detail = (f"{best['name']} ({best.get('modality', '')}, matched by {how}): max rescue {_fmt(rescue)}% "
                  f"at {_fmt(best.get('best_dose'))} {best.get('unit', '')}, EC50 {_fmt(best.get('ec50'))}, "
                  f"isogenic toxicity {_fmt(tox)}%, q={_fmt(best.get('q_value'))}; call {best['call']}")
        if best["call"] == "hit":
            delta = thr.score_step * float(np.clip(rescue / 100.0, 0.0, 1.0))
            rule = "screen_rescue_hit"
        elif best["call"] == "toxic":
            delta, rule = -thr.score_step, "screen_toxicity"
        elif best["call"] == "no_rescue":
            delta, rule = -thr.score_step / 2, "screen_no_rescue"
        else:
            delta, rule = 0.0, "screen_not_significant"
        old = opt.score
        opt.score = float(np.clip(old + delta, 0.0, 1.0))
        opt.reasons.append(Evidence(rule=rule, source=f"patient-model screen {sid}",
                                    detail=f"{detail}; score {old:.3f} -> {opt.score:.3f}"))
        summary = {k: best.get(k) for k in ("treatment", "name", "modality", "target_gene", "max_rescue_pct",
                                            "best_dose", "unit", "ec50", "toxicity_pct", "window_log10", "q_value",
                                            "call", "rank")}
        summary.update(screen_id=sid, matched_by=how, score_delta=opt.score - old,
                       n_matches=len(matched))
        opt.extra.setdefault("screen_evidence", []).append(summary)


def load_ranking(path: str | Path) -> list[dict[str, Any]]:
    """Read `ranking.tsv` written by `rarepath screen analyze` (or the directory holding it) back into rows,
    so a finished screen can be attached to a case assessment later (`rarepath assess --screen`)."""
    import csv

    from rarepath.errors import InputError

    p = Path(path)
    if p.is_dir():
        p = p / "ranking.tsv"
    if not p.exists():
        raise InputError("no ranking.tsv found (run `rarepath screen analyze` first)", source=str(path))
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        need = {"name", "call"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise InputError(f"missing columns {sorted(need - set(reader.fieldnames or []))}", source=str(p))
        rows: list[dict[str, Any]] = []
        for row in reader:
            out: dict[str, Any] = {}
            for k, v in row.items():
                if v in ("True", "False"):
                    out[k] = v == "True"
                else:
                    try:
                        out[k] = float(v) if v not in ("", None) and k not in ("name", "treatment", "call",
                                                                               "modality", "target_gene", "unit") else v
                    except ValueError:
                        out[k] = v
            rows.append(out)
    return rows

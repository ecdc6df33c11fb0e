"""Rank treatments of all modalities by rescue of the patient model, against toxicity on the isogenic control.

Per treatment (drug, ASO or construct), everything is read from the fitted curves, never from a dose picked
after the fact:

* rescue: the patient-genotype curve (percent rescue) fitted by LL.4. Significance is the extra-sum-of-squares
  F test of that fit against the flat (constant) model (`fit.p_vs_flat`), Benjamini-Hochberg adjusted across
  all treatments with a fitted patient curve (q-value; scipy's `false_discovery_control`).
  ``max_rescue_pct`` is the fitted rescue at its maximum over the tested doses (the constant for a flat fit);
  ``max_rescue_obs_pct`` the largest replicate mean, shown for reference only. The effective dose
  (``best_dose``) is the lowest tested dose where the fitted rescue reaches 90 % of that maximum.
  ``rescue_dss1..3``: Yadav DSS of the rescue curve on the activity scale; DSS3 orders the ranking.
* toxicity: 100 - viability (% of untreated isogenic cells) of the isogenic control at the effective dose
  (``toxicity_call`` toxic / not_toxic, and ``unknown`` when the library has no isogenic wells for the
  treatment -- absent data never count as "not toxic"); TC50 = absolute IC50 of the isogenic curve at 50 %
  viability; therapeutic window log10(TC50 / EC50) (a lower bound, flagged, when TC50 lies beyond the top dose);
* replicate agreement: Pearson r between replicate dose profiles of the patient curve.

Calls (column ``call``), in order: ``fit_failed`` / ``not_converged`` / ``implausible_fit`` (the patient fit
is not an estimate: never a hit, never ranked), ``hit`` (status sigmoid, rising, q <= 0.05, fitted rescue >=
30 %, isogenic toxicity known and <= 20 %), ``toxic``, ``toxicity_unknown`` (would be a hit but the isogenic
control was not tested), ``no_rescue`` (flat fit, falling curve or fitted rescue < 30 %), ``not_significant``.
A curve the fit called flat is never a hit. Ranking: hits first, then DSS3 of the rescue curve, then the
score rescue x (1 - toxicity); treatments whose patient fit is unusable get no rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rarepath.model import Evidence, Option

#: patient-curve fit statuses whose numbers are estimates (the others never rank)
RANKABLE_STATUSES = ("sigmoid", "flat")
_UNUSABLE_CALL = {"failed": "fit_failed", "not_converged": "not_converged", "implausible": "implausible_fit"}


@dataclass(frozen=True)
class HitThresholds:
    max_q: float = 0.05
    min_rescue_pct: float = 30.0
    max_toxicity_pct: float = 20.0
    score_step: float = 0.10  # how far a screen result may move a triage option's score
    effective_fraction: float = 0.9  # effective dose: lowest dose reaching this fraction of the fitted maximum


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (scipy's `false_discovery_control`); NaN kept as NaN, outside
    the family."""
    from scipy.stats import false_discovery_control

    p = np.asarray(p, float)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        q[ok] = false_discovery_control(np.clip(p[ok], 0.0, 1.0), method="bh")
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
    """One row per treatment: fitted rescue, whole-curve significance, toxicity, call and rank."""
    del wells  # significance comes from the fitted curve, not from vehicle wells at one dose
    index = {cid: i for i, cid in enumerate(fits.curve_id)}
    treatments = sorted({c["treatment"] for c in curves.values()})
    nan = float("nan")
    rows = []
    for t in treatments:
        pc, ic = curves.get(f"patient|{t}"), curves.get(f"isogenic|{t}")
        lib = library.get(t)
        row: dict[str, Any] = {"treatment": t, "name": lib.name if lib else t,
                               "modality": (lib.modality if lib else "") or (pc or ic or {}).get("modality", ""),
                               "target_gene": lib.target_gene if lib else "", "indication": lib.indication if lib else "",
                               "unit": (pc or ic or {}).get("unit", "")}
        row.update(max_rescue_pct=nan, max_rescue_obs_pct=nan, best_dose=nan, rescue_status="not_tested",
                   rescue_reason="no patient wells", rescue_direction="", ec50=nan, ec50_lo=nan, ec50_hi=nan,
                   rescue_dss1=nan, rescue_dss2=nan, rescue_dss3=nan, replicate_r=nan, p_value=nan,
                   toxicity_pct=nan, toxicity_call="unknown", tox_status="not_tested", tc50=nan, tc50_flag="",
                   window_log10=nan, window_flag="")
        eff_dose = np.nan
        if pc:
            i = index[f"patient|{t}"]
            st = fits.status[i]
            doses, means = _dose_means(pc)
            pos = doses[doses > 0]
            row.update(max_rescue_obs_pct=float(means.max()), rescue_status=st, rescue_reason=fits.reason[i],
                       replicate_r=_replicate_r(pc))
            if st != "failed" and pos.size:
                pred = fits.predict(i, pos)
                rising = bool(pred[-1] > pred[0])
                row["rescue_direction"] = "rising" if rising else "falling"
                if st == "flat":
                    row["max_rescue_pct"] = float(np.mean(pc["response"]))
                    eff_dose = float(pos.max())
                else:
                    k = int(np.argmax(pred))
                    row["max_rescue_pct"] = float(pred[k])
                    reach = pred >= thr.effective_fraction * pred[k] if rising and pred[k] > 0 else pos == pos.max()
                    eff_dose = float(pos[np.argmax(reach)])
                row["p_value"] = float(fits.p_vs_flat[i])
                row.update(rescue_dss1=float(fits.dss1[i]), rescue_dss2=float(fits.dss2[i]),
                           rescue_dss3=float(fits.dss3[i]))
            if st == "sigmoid":
                row.update(ec50=float(fits.ec50[i]), ec50_lo=float(fits.ec50_lo[i]), ec50_hi=float(fits.ec50_hi[i]))
            row["best_dose"] = eff_dose
        if ic:
            j = index[f"isogenic|{t}"]
            doses, means = _dose_means(ic)
            ref = eff_dose if np.isfinite(eff_dose) and (doses == eff_dose).any() else doses.max()
            row["toxicity_pct"] = float(100.0 - means[doses == ref][0])
            row["toxicity_call"] = "toxic" if row["toxicity_pct"] > thr.max_toxicity_pct else "not_toxic"
            row["tox_status"] = fits.status[j]
            tc50 = fits.ic50_abs[j] if fits.status[j] == "sigmoid" else np.nan
            row["tc50"] = float(tc50)
            row["tc50_flag"] = fits.ic50_abs_flag[j] if fits.status[j] == "sigmoid" else "not_reached"
            ec50 = row.get("ec50", np.nan)
            if np.isfinite(ec50) and row["rescue_direction"] == "rising":  # a window only for a rescuing curve
                if np.isfinite(tc50) and row["tc50_flag"] == "in_range":
                    row["window_log10"], row["window_flag"] = float(np.log10(tc50 / ec50)), "measured"
                else:
                    row["window_log10"], row["window_flag"] = float(np.log10(doses.max() / ec50)), "lower_bound"
        rows.append(row)
    q = bh_qvalues(np.array([r["p_value"] for r in rows]))
    for r, qq in zip(rows, q, strict=True):
        r["q_value"] = float(qq)
        r["call"] = _call(r, thr)
        r["hit"] = r["call"] == "hit"
        rescue, tox = r["max_rescue_pct"], r["toxicity_pct"]
        r["score"] = (float(np.clip(rescue / 100.0, 0, 1.5) * (1.0 - np.clip(tox / 100.0, 0, 1)))
                      if np.isfinite(rescue) and np.isfinite(tox) else nan)
    rankable = [r for r in rows if r["rescue_status"] in RANKABLE_STATUSES]
    rankable.sort(key=lambda r: (not r["hit"], -np.nan_to_num(r["rescue_dss3"]), -np.nan_to_num(r["score"]),
                                 r["treatment"]))
    for k, r in enumerate(rankable, 1):
        r["rank"] = k
    rest = sorted((r for r in rows if r["rescue_status"] not in RANKABLE_STATUSES), key=lambda r: r["treatment"])
    for r in rest:
        r["rank"] = nan  # an unusable or missing patient fit never ranks
    return rankable + rest


def _call(r: dict[str, Any], thr: HitThresholds) -> str:
    """The call of one treatment row (see the module docstring for the order)."""
    st = r["rescue_status"]
    if st in _UNUSABLE_CALL:
        return _UNUSABLE_CALL[st]
    if st == "not_tested":
        return "toxic" if r["toxicity_call"] == "toxic" else "not_tested"
    rescues = (st == "sigmoid" and r["rescue_direction"] == "rising" and np.isfinite(r["max_rescue_pct"])
               and r["max_rescue_pct"] >= thr.min_rescue_pct)
    significant = np.isfinite(r["q_value"]) and r["q_value"] <= thr.max_q
    if r["toxicity_call"] == "toxic":
        return "toxic"
    if not rescues:
        return "no_rescue"
    if not significant:
        return "not_significant"
    if r["toxicity_call"] == "unknown":
        return "toxicity_unknown"
    return "hit"


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
    it; other calls (not significant, toxicity unknown, unusable fit) are reported without moving it; the
    score is clamped to [0, 1] and the reason is added to `option.reasons`.
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
        best = max(matched, key=lambda r: (bool(r.get("hit", False)), float(np.nan_to_num(r.get("score", 0.0)))))
        rescue = float(best.get("max_rescue_pct", np.nan))
        tox = float(best.get("toxicity_pct", np.nan))
        how = "product" if best.get("name", "").lower() in names else "target"
        detail = (f"{best['name']} ({best.get('modality', '')}, matched by {how}): max rescue {_fmt(rescue)}% "
                  f"at {_fmt(best.get('best_dose'))} {best.get('unit', '')}, EC50 {_fmt(best.get('ec50'))}, "
                  f"isogenic toxicity {_fmt(tox)}% ({best.get('toxicity_call', 'unknown')}), "
                  f"q={_fmt(best.get('q_value'))} (F test vs flat, BH); call {best['call']}")
        if best["call"] == "hit":
            delta = thr.score_step * float(np.clip(rescue / 100.0, 0.0, 1.0))
            rule = "screen_rescue_hit"
        elif best["call"] == "toxic":
            delta, rule = -thr.score_step, "screen_toxicity"
        elif best["call"] == "no_rescue":
            delta, rule = -thr.score_step / 2, "screen_no_rescue"
        else:  # not significant, toxicity unknown, or a fit that is not an estimate: reported, score kept
            delta, rule = 0.0, f"screen_{best['call']}"
        old = opt.score
        opt.score = float(np.clip(old + delta, 0.0, 1.0))
        opt.reasons.append(Evidence(rule=rule, source=f"patient-model screen {sid}",
                                    detail=f"{detail}; score {old:.3f} -> {opt.score:.3f}"))
        summary = {k: best.get(k) for k in ("treatment", "name", "modality", "target_gene", "max_rescue_pct",
                                            "best_dose", "unit", "ec50", "toxicity_pct", "toxicity_call", "window_log10", "q_value",
                                            "call", "rank")}
        summary.update(screen_id=sid, matched_by=how, score_delta=opt.score - old,
                       n_matches=len(matched))
        opt.extra.setdefault("screen_evidence", []).append(summary)


_TEXT_COLUMNS = ("name", "treatment", "call", "modality", "target_gene", "unit", "indication", "rescue_status",
                 "rescue_reason", "rescue_direction", "toxicity_call", "tox_status", "tc50_flag", "window_flag")


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
                if v in ("True", "False", "true", "false"):
                    out[k] = v.lower() == "true"
                elif v == "NA" and k not in _TEXT_COLUMNS:
                    out[k] = float("nan")
                else:
                    try:
                        out[k] = float(v) if v not in ("", None) and k not in _TEXT_COLUMNS else v
                    except ValueError:
                        out[k] = v
            rows.append(out)
    return rows

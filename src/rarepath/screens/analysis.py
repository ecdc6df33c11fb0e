"""Screen pipeline: plates + plate map + library -> QC, normalised wells, curve fits, ranking.

Patient wells are expressed as percent rescue (0 % = untreated patient cells, 100 % = isogenic corrected
cells on the same plate); isogenic wells as percent of the untreated isogenic control (viability), so that
toxicity on the healthy genotype is read on its own scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rarepath.errors import InputError
from rarepath.screens.layout import PlateMap, Treatment
from rarepath.screens.plates import Plate, well_name
from rarepath.screens.qc import PlateQC, plate_qc


@dataclass
class ScreenResult:
    screen_id: str
    qc: list[PlateQC]
    wells: list[dict[str, Any]]
    fits: Any  # CurveFits over curve ids "genotype|treatment"
    curves: dict[str, dict[str, Any]]  # curve id -> {genotype, treatment, dose[], response[]}
    ranking: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    library: dict[str, Treatment] = field(default_factory=dict)
    bootstrap: Any = None  # BootstrapIntervals when requested
    gr: list[dict[str, Any]] = field(default_factory=list)  # GR metrics per curve when time-zero wells exist


def normalise_plates(plates: list[Plate], plate_map: PlateMap, *, edge_correction: bool = False
                     ) -> tuple[list[PlateQC], list[dict[str, Any]], list[str]]:
    """QC and per-well normalised values for every plate (failing plates flagged, kept)."""
    from rarepath.screens import normalize as nz

    qcs, wells, warns = [], [], []
    for plate in plates:
        warns.extend(f"{plate.id}: {w}" for w in plate.warnings)
        ann = plate_map.for_plate(plate.id, plate.meta)
        if plate.values.size != plate_map.plate_wells:
            raise InputError(f"plate has {plate.values.size} wells but the plate map describes "
                             f"{plate_map.plate_wells}-well plates", source=plate.source or plate.id)
        t0 = {rc: w for rc, w in ann.items() if w.role == "time_zero" and w.plate != "*"}
        if t0:  # a time-zero plate: read before treatment, only its time_zero wells mean anything
            for (r, c), w in sorted(t0.items()):
                wells.append({"plate": plate.id, "well": well_name(r, c), "role": "time_zero", "genotype": w.genotype,
                              "treatment": "", "modality": "", "dose": float("nan"), "unit": "",
                              "replicate": w.replicate or plate.id, "raw": float(plate.values[r, c]),
                              "value": float(plate.values[r, c]), "qc_verdict": "time_zero"})
            continue
        shape = plate.values.shape
        role = np.full(shape, "empty", dtype=object)
        geno = np.full(shape, "patient", dtype=object)
        for (r, c), w in ann.items():
            role[r, c] = w.role
            geno[r, c] = w.genotype
        v = plate.values.astype(float)
        neg = (role == "negative") & (geno == "patient")
        pos = role == "positive"
        if not (role == "negative").any() and not pos.any():
            raise InputError("plate has no control wells (no negative or positive role in the plate map)",
                             source=plate.source or plate.id)
        sample = role == "sample"
        if edge_correction:
            v = nz.edge_correct(v, sample)
        qc = plate_qc(plate.id, v, pos, neg, sample)
        qcs.append(qc)
        rescue = nz.percent_rescue(v, neg, pos)
        iso_untreated = (geno == "isogenic") & ((role == "negative") | pos)
        viab_iso = nz.percent_of_control(v, iso_untreated) if iso_untreated.any() else np.full(shape, np.nan)
        poc = nz.percent_of_control(v, neg)
        z = nz.robust_z(v, v[sample]) if sample.any() else np.full(shape, np.nan)
        bs = nz.b_score(v, sample) if sample.sum() >= 4 else np.full(shape, np.nan)
        for (r, c), w in sorted(ann.items()):
            if w.role == "empty":
                continue
            response = viab_iso[r, c] if w.genotype == "isogenic" else rescue[r, c]
            wells.append({
                "plate": plate.id, "well": well_name(r, c), "role": w.role, "genotype": w.genotype,
                "treatment": w.treatment, "modality": w.modality, "dose": w.dose, "unit": w.unit,
                "replicate": w.replicate or plate.id, "raw": float(plate.values[r, c]), "value": float(v[r, c]),
                "percent_of_control": float(poc[r, c]), "percent_rescue": float(rescue[r, c]),
                "viability_isogenic": float(viab_iso[r, c]), "robust_z": float(z[r, c]), "b_score": float(bs[r, c]),
                "response": float(response), "qc_verdict": qc.verdict,
            })
        if qc.verdict == "fail":
            warns.append(f"{plate.id}: plate QC failed ({qc.reason}); its wells are kept but flagged")
        for w in wells:  # untreated reference of the same genotype on the same plate, for GR values
            if w["plate"] == plate.id and "ctrl_median" not in w and w["role"] != "time_zero":
                ctrl = neg if w["genotype"] == "patient" else iso_untreated
                w["ctrl_median"] = float(np.nanmedian(v[ctrl])) if ctrl.any() else float("nan")
    _add_gr_values(wells)
    return qcs, wells, warns


def _add_gr_values(wells: list[dict[str, Any]]) -> None:
    """GR value of every treated well where the plate map names time-zero wells of its genotype."""
    from rarepath.screens.gr import gr_values

    t0: dict[str, list[float]] = {}
    for w in wells:
        if w["role"] == "time_zero" and np.isfinite(w["value"]):
            t0.setdefault(w["genotype"], []).append(w["value"])
    x0 = {g: float(np.median(v)) for g, v in t0.items()}
    for w in wells:
        if w["role"] == "time_zero":
            continue
        base = x0.get(w["genotype"], float("nan"))
        w["gr"] = float(gr_values(w["value"], w.get("ctrl_median", np.nan), base)) if np.isfinite(base) else \
            float("nan")


def build_curves(wells: list[dict[str, Any]], *, include_failed_plates: bool = False) -> dict[str, dict[str, Any]]:
    """Sample wells grouped into curves 'genotype|treatment' (replicate points kept separate)."""
    curves: dict[str, dict[str, Any]] = {}
    for w in wells:
        if w["role"] != "sample" or (w["qc_verdict"] == "fail" and not include_failed_plates):
            continue
        if not np.isfinite(w["response"]):
            continue
        cid = f"{w['genotype']}|{w['treatment']}"
        cur = curves.setdefault(cid, {"genotype": w["genotype"], "treatment": w["treatment"],
                                      "modality": w["modality"], "unit": w["unit"], "dose": [], "response": [],
                                      "replicate": []})
        cur["dose"].append(w["dose"])
        cur["response"].append(w["response"])
        cur["replicate"].append(w["replicate"])
    return curves


def analyze_screen(plates: list[Plate], plate_map: PlateMap, library: dict[str, Treatment], *,
                   screen_id: str = "screen", edge_correction: bool = False, model: str = "ll4",
                   thresholds: Any = None, bootstrap: int = 0, seed: int = 0, alpha: float = 0.05) -> ScreenResult:
    """The whole pipeline (library API; `rarepath screen analyze` is a shell over it).

    `alpha`: level of each curve's F test against the flat model and of the (1 - alpha) EC50 intervals."""
    from rarepath.screens.fit import fit_curves
    from rarepath.screens.ranking import HitThresholds, rank_treatments

    if not plates:
        raise InputError("no plates to analyse", field="--plates")
    qcs, wells, warns = normalise_plates(plates, plate_map, edge_correction=edge_correction)
    unknown = sorted({w["treatment"] for w in wells if w["role"] == "sample" and w["treatment"] not in library})
    if unknown:
        warns.append(f"treatments not in the library (ranked without name/target): {', '.join(unknown[:10])}")
    curves = build_curves(wells)
    ids = list(curves)
    width = max((len(c["dose"]) for c in curves.values()), default=1)
    x = np.full((len(ids), width), np.nan)
    y = np.full((len(ids), width), np.nan)
    for i, cid in enumerate(ids):
        n = len(curves[cid]["dose"])
        x[i, :n] = curves[cid]["dose"]
        y[i, :n] = curves[cid]["response"]
    # rescue rises with the desired effect (DSS on the activity scale); isogenic viability falls (inhibition)
    readout = ["activity" if curves[c]["genotype"] == "patient" else "inhibition" for c in ids]
    fits = fit_curves(x, y, model=model, curve_ids=ids, response_scale=100.0, alpha=alpha, dss_readout=readout)
    ranking = rank_treatments(curves, fits, wells, library, thresholds or HitThresholds())
    boot = None
    if bootstrap:
        from rarepath.screens.bootstrap import bootstrap_fits

        boot = bootstrap_fits(x, y, fits, n_boot=bootstrap, seed=seed, level=1.0 - alpha)
    gr = gr_by_curve(wells, alpha=alpha)
    return ScreenResult(screen_id, qcs, wells, fits, curves, ranking, warns, library, boot, gr)


def gr_by_curve(wells: list[dict[str, Any]], *, alpha: float = 0.05) -> list[dict[str, Any]]:
    """GR metrics of each 'genotype|treatment' curve from the wells' GR values (empty without time-zero wells)."""
    from rarepath.screens.gr import gr_metrics

    pts: dict[str, list[tuple[float, float]]] = {}
    for w in wells:
        if w["role"] == "sample" and w["qc_verdict"] != "fail" and np.isfinite(w.get("gr", np.nan)):
            pts.setdefault(f"{w['genotype']}|{w['treatment']}", []).append((w["dose"], w["gr"]))
    out = []
    for cid, p in pts.items():
        a = np.array(p)
        geno, treatment = cid.split("|", 1)
        out.append({"curve_id": cid, "genotype": geno, "treatment": treatment,
                    **gr_metrics(a[:, 0], a[:, 1], alpha=alpha).to_dict()})
    return out

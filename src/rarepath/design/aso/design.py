"""Tile candidate antisense oligos over a target and rank them by computed features, with reasons.

Goals: skip_exon (steric block of exon definition), block (steric block of a site such as a splicing silencer
or cryptic site), knockdown (5-10-5 gapmer, 16-20 nt, on the mature transcript) and allele (gapmer with the
variant base inside the DNA gap, designed on the variant allele). Steric-block goals take a chemistry with
the lengths used in practice: PMO 20-30-mers (eteplirsen 30, golodirsen 25, casimersen 22, viltolarsen 21)
or 2'-MOE phosphorothioate 18-20-mers (nusinersen 18).

Exon-skipping candidates are ranked blind (an approved drug's sequence is never looked up for the rank) by
four features the skipping literature names (Aartsma-Rus et al. 2009 Mol Ther 17:548 guidelines; Popplewell
et al. 2009 Mol Ther 17:554; Wilton et al. 2007 Mol Ther 15:1288, where the most efficient oligos target the
first half of the exon; eSkip-Finder, Chiba et al. 2021 Nucleic Acids Res 49:W193), each standardised
within the exon's candidates and weighted equally: accessibility of the site in the fold of the exon with its
flanks (ViennaRNA partition function), distance of the site from the exon's acceptor, ASO:target duplex
stability (ViennaRNA), and the net splicing enhancer content under the site (PESE, PESS, FAS-ESS, ESEfinder;
see `rarepath.design.aso.sre`). The known-oligo lookup is a separate column.
All coordinates are 0-based half-open on the region's sense strand unless stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from rarepath.design.aso.features import (
    knockdown_vector,
    oligo_features,
    site_accessibility,
    unpaired_probabilities,
)
from rarepath.design.aso.regions import GeneRegion, reverse_complement
from rarepath.design.aso.tables import read_tsv
from rarepath.errors import InputError

#: chemistry -> (min length, max length) used in practice: PMO 20-30-mers (approved DMD PMOs are 21-30 nt),
#: 2'-MOE PS 18-20-mers (nusinersen 18), 5-10-5 gapmers 16-20-mers.
CHEMISTRIES = {"PMO": (20, 30), "2'-MOE PS": (18, 20), "5-10-5 2'-MOE gapmer": (16, 20)}
CHEMISTRY_ALIASES = {"pmo": "PMO", "moe": "2'-MOE PS", "2'-moe": "2'-MOE PS", "2'-moe ps": "2'-MOE PS",
                     "gapmer": "5-10-5 2'-MOE gapmer"}
#: goal -> (default chemistry, chemistries allowed)
GOAL_CHEMISTRY = {
    "skip_exon": ("PMO", ("PMO", "2'-MOE PS")),
    "block": ("2'-MOE PS", ("PMO", "2'-MOE PS")),
    "knockdown": ("5-10-5 2'-MOE gapmer", ("5-10-5 2'-MOE gapmer",)),
    "allele": ("5-10-5 2'-MOE gapmer", ("5-10-5 2'-MOE gapmer",)),
}
CONTEXT_NT = 100  # folding context either side of the tiled span (RNAplfold window 80, span 40)
EXON_FLANK_NT = 10  # skip_exon oligos may reach this far into the flanking introns (acceptor-spanning ASOs)
EXON_FOLD_FLANK_NT = 50  # intron kept either side of the exon when folding it for site accessibility


def resolve_chemistry(goal_kind: str, chemistry: str | None) -> str:
    """The chemistry for a goal: the goal's default, or the user's choice if the goal allows it."""
    default, allowed = GOAL_CHEMISTRY[goal_kind]
    if not chemistry:
        return default
    name = CHEMISTRY_ALIASES.get(chemistry.strip().lower(), chemistry.strip())
    if name not in allowed:
        raise InputError(f"chemistry {chemistry!r} is not usable for {goal_kind} (allowed: {', '.join(allowed)})",
                         field="--chemistry")
    return name


@dataclass(frozen=True)
class Goal:
    kind: str
    exon: int | None = None
    start: int | None = None  # block span / variant position, 0-based on the region
    end: int | None = None
    ref: str | None = None
    alt: str | None = None
    text: str = ""


_GOAL = re.compile(r"^(?P<kind>skip[-_]exon|block|knockdown|allele)(?::(?P<arg>.+))?$", re.I)
_ALLELE = re.compile(r"^(?P<pos>\d+)\s*:?\s*(?P<ref>[ACGT])\s*>\s*(?P<alt>[ACGT])$", re.I)


def parse_goal(text: str, region: GeneRegion) -> Goal:
    """`skip-exon:51`, `block:POS` or `block:START-END` (1-based on the region), `knockdown`, `allele:POS:REF>ALT`."""
    m = _GOAL.match(text.strip())
    if not m:
        raise InputError(f"unknown goal {text!r} (skip-exon:N, block:POS[-END], knockdown, allele:POS:REF>ALT)",
                         field="--goal")
    kind = m.group("kind").lower().replace("-", "_")
    arg = (m.group("arg") or "").strip()
    n = len(region.sequence)
    if kind == "skip_exon":
        if not arg.isdigit():
            raise InputError(f"goal {text!r} needs an exon number", field="--goal")
        if not region.exons:
            raise InputError("region has no exons to skip", source=region.source, field="exon")
        ex = region.exon(int(arg))
        if ex.number in (1, len(region.exons)):
            raise InputError(f"exon {ex.number} is a terminal exon and cannot be skipped", source=region.source,
                             field="--goal")
        return Goal(kind, exon=ex.number, text=text)
    if kind == "block":
        mm = re.match(r"^(\d+)(?:-(\d+))?$", arg)
        if not mm:
            raise InputError(f"goal {text!r} needs a position or range (1-based on the region)", field="--goal")
        s, e = int(mm.group(1)), int(mm.group(2) or mm.group(1))
        if not (1 <= s <= e <= n):
            raise InputError(f"block range {s}-{e} is outside the region (1-{n})", field="--goal")
        return Goal(kind, start=s - 1, end=e, text=text)
    if kind == "knockdown":
        if arg:
            raise InputError(f"goal {text!r}: knockdown takes no argument", field="--goal")
        return Goal(kind, text=text)
    mm = _ALLELE.match(arg)
    if not mm:
        raise InputError(f"goal {text!r} needs POS:REF>ALT (1-based on the region)", field="--goal")
    pos = int(mm.group("pos"))
    if not 1 <= pos <= n:
        raise InputError(f"allele position {pos} is outside the region (1-{n})", field="--goal")
    ref, alt = mm.group("ref").upper(), mm.group("alt").upper()
    if region.sequence[pos - 1] != ref:
        raise InputError(f"allele {pos}:{ref}>{alt}: the region has {region.sequence[pos - 1]} at {pos}",
                         source=region.source, field="--goal")
    if ref == alt:
        raise InputError("allele REF and ALT are the same", field="--goal")
    return Goal(kind, start=pos - 1, end=pos, ref=ref, alt=alt, text=text)


@cache
def approved_sequences() -> dict[str, dict[str, str]]:
    return {r["sequence"].upper(): r for r in read_tsv("approved_aso_sequences.tsv")}


@dataclass
class Candidate:
    oligo: str
    chemistry: str
    site_start: int  # on the region (0-based) or on the mature transcript for knockdown
    site_end: int
    coordinate: str  # "region" | "transcript"
    exon: int | None
    features: dict[str, Any]
    motifs: list[str]
    dist_acceptor: int | None
    dist_donor: int | None
    skipping: dict[str, float] | None = None  # exon-skipping features (skip_exon goal only)
    offtargets: dict[str, int] | None = None
    knockdown_score: float | None = None
    score: float = 0.0
    rank: int = 0
    reasons: list[str] = field(default_factory=list)
    approved_drug: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"rank": self.rank, "oligo": self.oligo, "length": len(self.oligo), "chemistry": self.chemistry,
             "target_site": reverse_complement(self.oligo), "site_start_1based": self.site_start + 1,
             "site_end": self.site_end, "coordinate": self.coordinate, "exon": self.exon,
             "score": round(self.score, 4), **self.features, "motifs": self.motifs,
             "dist_acceptor": self.dist_acceptor, "dist_donor": self.dist_donor, **(self.skipping or {}),
             "knockdown_score": None if self.knockdown_score is None else round(self.knockdown_score, 4),
             "offtargets": self.offtargets, "approved_drug": self.approved_drug, "reasons": self.reasons}
        return d


@dataclass
class DesignResult:
    goal: Goal
    region: str
    candidates: list[Candidate]
    notes: list[str]

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        cands = self.candidates[:top] if top else self.candidates
        return {"goal": self.goal.text, "region": self.region, "n_candidates": len(self.candidates),
                "notes": self.notes, "approved_drug_matches": [c.to_dict() for c in self.candidates
                                                               if c.approved_drug],
                "candidates": [c.to_dict() for c in cands]}


def _windows(span_start: int, span_end: int, lengths: range, ok) -> list[tuple[int, int]]:
    out = []
    for L in lengths:
        for s in range(span_start, span_end - L + 1):
            if ok(s, s + L):
                out.append((s, s + L))
    return out


def _motifs(oligo: str, gapmer: bool) -> list[str]:
    f = []
    if "GGGG" in oligo:
        f.append("GGGG (G-quadruplex)")
    run = max((len(m.group(0)) for m in re.finditer(r"A+|C+|G+|T+", oligo)), default=0)
    if run >= 4:
        f.append(f"homopolymer run of {run}")
    if gapmer and "CG" in oligo:
        f.append(f"CpG x{oligo.count('CG')} (immune stimulation in a gapmer)")
    return f


def _splice_distances(region: GeneRegion, s: int, e: int) -> tuple[int | None, int | None]:
    """Distance (nt) from the site centre to the nearest acceptor (exon start) and donor (exon end)."""
    if not region.exons:
        return None, None
    c = (s + e) // 2
    acc = min(abs(c - x.start) for x in region.exons[1:]) if len(region.exons) > 1 else None
    don = min(abs(c - x.end) for x in region.exons[:-1]) if len(region.exons) > 1 else None
    return acc, don


def _mature(region: GeneRegion) -> tuple[str, list[int]]:
    """Spliced transcript sequence and the region coordinate of each of its bases."""
    if not region.exons:
        return region.sequence, list(range(len(region.sequence)))
    seq, coord = [], []
    for x in region.exons:
        seq.append(region.sequence[x.start:x.end])
        coord.extend(range(x.start, x.end))
    return "".join(seq), coord


def tile(region: GeneRegion, goal: Goal, lengths: tuple[int, int] | None = None, chemistry: str | None = None
         ) -> tuple[str, int, list[tuple[int, int]], str]:
    """(sense sequence tiled, its offset on the region, windows on it, coordinate system)."""
    lo, hi = lengths or CHEMISTRIES[resolve_chemistry(goal.kind, chemistry)]
    if lo < 8 or hi > 32 or lo > hi:
        raise InputError(f"oligo lengths {lo}-{hi} are not usable (8-32 nt)", field="--lengths")
    Ls = range(lo, hi + 1)
    seq = region.sequence
    if goal.kind == "skip_exon":
        ex = region.exon(goal.exon)
        s0, e0 = max(0, ex.start - EXON_FLANK_NT), min(len(seq), ex.end + EXON_FLANK_NT)
        wins = _windows(s0, e0, Ls, lambda s, e: min(e, ex.end) - max(s, ex.start) >= (e - s) / 2)
        return seq, 0, wins, "region"
    if goal.kind == "block":
        bs, be = goal.start, goal.end
        need = lambda s, e: min(e, be) - max(s, bs) >= min(e - s, be - bs) / 2  # noqa: E731
        wins = _windows(max(0, bs - hi), min(len(seq), be + hi), Ls, need)
        return seq, 0, wins, "region"
    if goal.kind == "knockdown":
        mseq, _ = _mature(region)
        return mseq, 0, _windows(0, len(mseq), Ls, lambda s, e: True), "transcript" if region.exons else "region"
    # allele: the variant base must sit inside the DNA gap (5-nt wings)
    p = goal.start
    mut = seq[:p] + goal.alt + seq[p + 1:]
    wins = _windows(max(0, p - hi), min(len(seq), p + hi + 1), Ls, lambda s, e: s + 5 <= p < e - 5)
    return mut, 0, wins, "region"


def exon_accessibility(region: GeneRegion, exon_number: int) -> tuple[int, np.ndarray]:
    """Per-base unpaired probability of the exon folded with EXON_FOLD_FLANK_NT of intron on each side.

    Returns (region offset of the folded span, probabilities). Accessibility in the exon's own fold is what
    the skipping guidelines use (mfold of the exon, Aartsma-Rus et al. 2009), not a genome-wide local fold.
    """
    import RNA

    ex = region.exon(exon_number)
    a = max(0, ex.start - EXON_FOLD_FLANK_NT)
    b = min(len(region.sequence), ex.end + EXON_FOLD_FLANK_NT)
    rna = region.sequence[a:b].upper().replace("T", "U")
    fc = RNA.fold_compound(rna)
    fc.pf()
    bpp = np.array(fc.bpp())[1:, 1:]
    return a, 1.0 - (bpp + bpp.T).sum(axis=1)


#: Exon-skipping terms: (feature, sign: +1 = higher is better, reason text). Equal weights, standardised
#: within the exon's candidates, so no term dominates by its unit.
SKIP_TERMS = (
    ("exon_fold_unpaired", +1, "site unpaired in the exon's fold (mean p {v:.2f})"),
    ("acceptor_offset", -1, "site centre {v:.0f} nt from the exon's acceptor"),
    ("hybrid_dg", -1, "ASO:target duplex dG {v:.1f} kcal/mol"),
    ("sre_net", +1, "splicing enhancers minus silencers under the site (z {v:+.2f})"),
)


def _zscores(values: list[float]) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


def _skipping_features(region: GeneRegion, exon_number: int, cands: list[Candidate]) -> None:
    """Fill `Candidate.skipping` with raw features and their within-exon z-scores."""
    from rarepath.design.aso.sre import sre_track

    ex = region.exon(exon_number)
    a, unp = exon_accessibility(region, exon_number)
    track = sre_track(region.sequence[a:a + len(unp)])
    for c in cands:
        s, e = c.site_start - a, c.site_end - a
        sre = track.features(s, e)
        c.skipping = {"exon_fold_unpaired": round(float(unp[max(0, s):e].mean()), 4),
                      "acceptor_offset": (c.site_start + c.site_end) / 2 - ex.start, **sre}
    ese = _zscores([c.skipping["pese_frac"] for c in cands])
    ess = _zscores([c.skipping["pess_frac"] + c.skipping["fas_ess_frac"] for c in cands])
    esef = _zscores([c.skipping["esefinder_total"] for c in cands])
    for i, c in enumerate(cands):
        c.skipping["sre_net"] = round(float((ese[i] - ess[i] + esef[i]) / 3), 4)
    for name, sign, _ in SKIP_TERMS:
        vals = [c.skipping[name] if name in c.skipping else c.features[name] for c in cands]
        z = _zscores(vals) * sign
        for c, zi in zip(cands, z, strict=True):
            c.skipping[f"z_{name}"] = round(float(zi), 4)


def _score(c: Candidate, goal: Goal) -> None:
    """Transparent additive score; every non-zero term leaves a reason."""
    f = c.features
    terms: list[tuple[float, str]] = []
    p = f["site_unpaired_p"]
    if p == p and goal.kind != "skip_exon":  # skip_exon uses the exon's own fold instead
        acc = float(np.clip(np.log10(max(p, 1e-6)) + 2.0, -2.0, 2.0)) * 0.5
        terms.append((acc, f"target-site unpaired probability {p:.3g} (RNAplfold-style)"))
    if goal.kind in ("knockdown", "allele") and c.knockdown_score is not None:
        terms.append((c.knockdown_score * 10.0, f"knockdown model {c.knockdown_score:+.3f} (openASO-fitted)"))
    elif goal.kind == "skip_exon" and c.skipping is not None:
        for name, _, why in SKIP_TERMS:
            v = c.skipping[name] if name in c.skipping else f[name]
            terms.append((c.skipping[f"z_{name}"], why.format(v=v)))
    else:
        tm = f["tm_hybrid"]
        if tm == tm:
            terms.append((-abs(tm - 65.0) / 20.0 if not 50 <= tm <= 80 else 0.25,
                          f"ASO:RNA Tm {tm:.1f} C (target 50-80 C)"))
    gc = f["gc"]
    if not 0.3 <= gc <= 0.65:
        terms.append((-0.3, f"GC {gc:.0%} outside 30-65%"))
    if f["hairpin_dg"] < -3.0:
        terms.append((-0.4, f"hairpin dG {f['hairpin_dg']:.1f} kcal/mol"))
    if f["self_dimer_dg"] < -9.0:
        terms.append((-0.4, f"self-dimer dG {f['self_dimer_dg']:.1f} kcal/mol"))
    for m in c.motifs:
        terms.append((-0.6 if "GGGG" in m or "CpG" in m else -0.3, f"motif: {m}"))
    if c.offtargets is not None:
        ot = c.offtargets
        pen = -(2.0 * ot["mm0"] + 0.5 * ot["mm1"] + 0.1 * ot["mm2"])
        terms.append((max(pen, -4.0), f"off-targets 0/1/2 mm: {ot['mm0']}/{ot['mm1']}/{ot['mm2']}"))
    c.score = float(sum(t for t, _ in terms))
    c.reasons = [f"{t:+.2f} {why}" for t, why in terms]


def design(region: GeneRegion, goal: Goal, lengths: tuple[int, int] | None = None, genome: Any = None,
           max_mismatches: int = 2, search=None, chemistry: str | None = None) -> DesignResult:
    """All candidates for one goal, ranked best first (ties broken by position).

    The known-oligo lookup (`approved_drug`) is filled after scoring and never changes a rank.
    """
    from rarepath.design.aso.knockdown import load_model

    sense, _, wins, coord = tile(region, goal, lengths, chemistry)
    if not wins:
        raise InputError(f"no oligo fits the goal {goal.text!r} in this region", source=region.source,
                         field="--goal")
    chem = resolve_chemistry(goal.kind, chemistry)
    gapmer = goal.kind in ("knockdown", "allele")
    lo = min(s for s, _ in wins)
    hi = max(e for _, e in wins)
    maxlen = max(e - s for s, e in wins)
    ctx0 = max(0, lo - CONTEXT_NT)
    ctx = sense[ctx0:min(len(sense), hi + CONTEXT_NT)]
    up = unpaired_probabilities(ctx, maxlen)
    model = load_model() if gapmer else None
    approved = approved_sequences()
    exon_of = {}
    if region.exons and coord == "region":
        for x in region.exons:
            exon_of[(x.start, x.end)] = x.number
    cands: list[Candidate] = []
    for s, e in wins:
        site = sense[s:e]
        if set(site) - set("ACGT"):
            continue
        oligo = reverse_complement(site)
        feats = oligo_features(oligo, site_accessibility(up, s - ctx0, e - s))
        exon = next((n for (a, b), n in exon_of.items() if a <= (s + e) // 2 < b), None)
        da, dd = _splice_distances(region, s, e) if coord == "region" else (None, None)
        kd = float(model.score(knockdown_vector(oligo, feats))) if model is not None else None
        app = approved.get(oligo)
        cands.append(Candidate(oligo, chem, s, e, coord, exon, feats.to_dict(), _motifs(oligo, gapmer), da, dd,
                               knockdown_score=kd, approved_drug=(f"{app['name']} ({app['status']})" if app
                                                                  else None)))
    notes = []
    if genome is not None:
        from rarepath.design.aso.offtarget import count_offtargets

        spans = [(c.site_start, c.site_end) for c in cands] if coord == "region" else None
        counts, own_note = count_offtargets(genome, [reverse_complement(c.oligo) for c in cands], max_mismatches,
                                            search=search, site_spans=spans)
        for c, n in zip(cands, counts, strict=True):
            c.offtargets = n.to_dict()
        notes.append(f"off-targets: <= {max_mismatches} mismatches, both strands; {own_note}")
    else:
        notes.append("off-targets not checked (no --genome given)")
    if goal.kind == "skip_exon":
        _skipping_features(region, goal.exon, cands)
        notes.append("skip_exon rank: equal-weight z-scores of exon-fold accessibility, acceptor distance, duplex "
                     "stability and enhancer/silencer content; approved sequences are not looked up for the rank")
    for c in cands:
        _score(c, goal)
    cands.sort(key=lambda c: (-c.score, c.site_start, len(c.oligo)))
    for i, c in enumerate(cands, start=1):
        c.rank = i
    return DesignResult(goal, f"{region.gene} {region.transcript}".strip(), cands, notes)


TSV_COLUMNS = ("rank", "oligo", "length", "chemistry", "target_site", "site_start_1based", "site_end",
               "coordinate", "exon", "score", "gc", "tm_dna", "tm_hybrid", "hairpin_dg", "self_dimer_dg",
               "hybrid_dg", "site_unpaired_p", "site_open_dg", "max_run", "gggg", "cpg", "dist_acceptor",
               "dist_donor", "exon_fold_unpaired", "acceptor_offset", "pese_frac", "pess_frac", "fas_ess_frac",
               "esefinder_total", "sre_net", "knockdown_score", "offtargets", "motifs", "approved_drug", "reasons")


def to_tsv(result: DesignResult) -> str:
    lines = ["\t".join(TSV_COLUMNS)]
    for c in result.candidates:
        d = c.to_dict()
        row = []
        for k in TSV_COLUMNS:
            v = d.get(k)
            if k == "offtargets" and v is not None:
                v = f"{v['mm0']}/{v['mm1']}/{v['mm2']}"
            elif isinstance(v, list):
                v = "; ".join(v)
            row.append("" if v is None else str(v))
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"

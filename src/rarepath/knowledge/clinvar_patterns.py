"""Where a gene's pathogenic ClinVar variants sit: per-gene counts and position statistics (pure functions).

Gerasimavicius et al. (Nat Commun 13:3895, 2022) showed that dominant-negative and gain-of-function missense
variants cluster in a few regions of the protein, while loss-of-function missense variants spread along it with
truncating variants beside them. `gene_pattern_rows` condenses pathogenic/likely pathogenic (P/LP) variants,
given as HGVS c./p. pairs, into the per-gene facts the mechanism rules read. Used by
`scripts/build_clinvar_patterns.py` (shipped table, ClinVar 2016-05-05) and by the `kb import` of a current
ClinVar `variant_summary.txt.gz`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

MISSENSE = re.compile(r"p\.\(?([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})\)?$")
TRUNCATING_P = re.compile(r"p\.\(?[A-Z][a-z]{2}\d+(?:Ter|\*)\)?$|fs")
#: The first residue a truncating protein change alters (p.Gln2334Ter, p.Gln2517Lysfs -> 2334, 2517).
TRUNCATING_RESIDUE = re.compile(r"p\.\(?[A-Z][a-z]{2}(\d+)")
CANONICAL_SPLICE = re.compile(r"c\.[-*]?\d+[+-][12](?!\d)")
#: Window for the local-density statistic, as a fraction of the protein length.
WINDOW_FRACTION = 0.1
#: Fewest P/LP variants (truncating + missense) for which a gene's pattern is kept.
MIN_VARIANTS = 3
COLUMNS = ("gene", "protein_length", "truncating_plp", "missense_plp", "truncating_fraction", "missense_dispersion",
           "missense_window_fraction", "recurrent_fraction", "glycine_fraction", "glycine_phase",
           "glycine_phase_fraction", "recurrent_residues", "missense_residues", "truncating_residues")


def classify_residue(hgvs_c: str, hgvs_p: str) -> tuple[str, int | None, str | None]:
    """('truncating' | 'missense' | 'other', residue, reference amino acid of a missense change); the residue of
    a truncating change is the first one it alters (None for a splice-site change without a protein change)."""
    p = hgvs_p.split(":", 1)[-1]
    m = MISSENSE.search(p)
    if m and m.group(3) not in ("Ter", "Xaa") and m.group(1) != m.group(3) and m.group(1) != "Ter":
        return "missense", int(m.group(2)), m.group(1)
    if p and TRUNCATING_P.search(p):
        first = TRUNCATING_RESIDUE.search(p)
        return "truncating", int(first.group(1)) if first else None, None
    if not p and CANONICAL_SPLICE.search(hgvs_c.split(":", 1)[-1]):
        return "truncating", None, None
    return "other", None, None


def dispersion(positions: list[int], length: int) -> float:
    """1 - mean pairwise distance / its expectation under a uniform spread (L/3): 0 spread, 1 one residue."""
    n = len(positions)
    if n < 2 or length <= 1:
        return 0.0
    xs = sorted(positions)
    total = sum(x * (2 * i - n + 1) for i, x in enumerate(xs))  # sum of pairwise distances, O(n)
    mean = total / (n * (n - 1) / 2)
    return round(max(0.0, 1 - mean / (length / 3)), 3)


def window_fraction(positions: list[int], length: int) -> float:
    """Largest fraction of the missense variants inside one window of WINDOW_FRACTION x the protein length."""
    if not positions:
        return 0.0
    xs = sorted(positions)
    width = max(1.0, WINDOW_FRACTION * length)
    best, j = 0, 0
    for i, x in enumerate(xs):
        while xs[j] < x - width:
            j += 1
        best = max(best, i - j + 1)
    return round(best / len(xs), 3)


def glycine_pattern(glycines: list[int], n_missense: int) -> tuple[float, int | str, float]:
    """Share of missense P/LP that replace a glycine, the commonest Gly position mod 3 and the share in it: a
    collagen Gly-X-Y triple helix shows as many glycine substitutions all in one phase."""
    if not glycines or not n_missense:
        return 0.0, "", 0.0
    phases: dict[int, int] = defaultdict(int)
    for pos in glycines:
        phases[pos % 3] += 1
    phase, count = max(phases.items(), key=lambda kv: kv[1])
    return round(len(glycines) / n_missense, 3), phase, round(count / len(glycines), 3)


def gene_pattern_rows(variants: Iterable[tuple[str, str, str]], lengths: dict[str, int] | None = None,
                      ) -> list[dict[str, object]]:
    """Per-gene pattern rows from (gene, hgvs_c, hgvs_p) of P/LP variants; `lengths` = protein length per gene
    (else the furthest residue seen)."""
    lengths = lengths or {}
    trunc: dict[str, int] = defaultdict(int)
    trunc_at: dict[str, list[int]] = defaultdict(list)
    residues: dict[str, list[int]] = defaultdict(list)
    glycines: dict[str, list[int]] = defaultdict(list)
    for gene, hgvs_c, hgvs_p in variants:
        kind, pos, ref = classify_residue(hgvs_c or "", hgvs_p or "")
        gene = gene.upper()
        if kind == "truncating":
            trunc[gene] += 1
            if pos is not None:
                trunc_at[gene].append(pos)
        elif kind == "missense" and pos is not None:
            residues[gene].append(pos)
            if ref == "Gly":
                glycines[gene].append(pos)
    rows: list[dict[str, object]] = []
    for gene in sorted(set(trunc) | set(residues)):
        pos = residues.get(gene, [])
        n_t, n_m = trunc.get(gene, 0), len(pos)
        if n_t + n_m < MIN_VARIANTS:
            continue
        length = max(lengths.get(gene, 0), max(pos, default=0), max(trunc_at.get(gene, []), default=0))
        counts: dict[int, int] = defaultdict(int)
        for p in pos:
            counts[p] += 1
        recurrent = sorted(p for p, c in counts.items() if c >= 2)
        gly_fraction, gly_phase, gly_phase_fraction = glycine_pattern(glycines.get(gene, []), n_m)
        rows.append({
            "gene": gene,
            "protein_length": length or "",
            "truncating_plp": n_t,
            "missense_plp": n_m,
            "truncating_fraction": round(n_t / (n_t + n_m), 3),
            "missense_dispersion": dispersion(pos, length) if length else "",
            "missense_window_fraction": window_fraction(pos, length) if length else "",
            "recurrent_fraction": round(sum(counts[p] for p in recurrent) / n_m, 3) if n_m else 0,
            "glycine_fraction": gly_fraction,
            "glycine_phase": gly_phase,
            "glycine_phase_fraction": gly_phase_fraction,
            "recurrent_residues": ";".join(map(str, recurrent)),
            "missense_residues": ";".join(map(str, sorted(counts))),
            "truncating_residues": ";".join(map(str, sorted(trunc_at.get(gene, [])))),
        })
    return rows

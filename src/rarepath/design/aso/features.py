"""Per-oligo features from real thermodynamic libraries (primer3-py, ViennaRNA) and sequence motifs.

Conventions: `oligo` is the ASO read 5'->3' (DNA letters); its target site is the reverse complement on the
sense RNA. Energies in kcal/mol (more negative = more stable).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import asdict, dataclass

import numpy as np

from rarepath.design.aso.regions import reverse_complement

DINUCLEOTIDES = tuple("".join(p) for p in itertools.product("ACGT", repeat=2))
RT_37 = 0.61632  # kcal/mol at 37 C, for turning an unpaired probability into an opening energy
_RUN = re.compile(r"(A{4,}|C{4,}|G{4,}|T{4,})")


@dataclass
class OligoFeatures:
    gc: float
    tm_dna: float  # primer3 nearest-neighbour (SantaLucia 1998), 50 mM Na+, 250 nM oligo
    tm_hybrid: float  # Biopython Tm_NN with the RNA/DNA table (Sugimoto 1995), the ASO:RNA duplex
    hairpin_dg: float  # primer3 (DNA parameters)
    self_dimer_dg: float  # primer3 homodimer (DNA parameters)
    hybrid_dg: float  # ViennaRNA energy of the full ASO:target duplex (RNA parameters; co-folded strands)
    site_unpaired_p: float  # RNAplfold-style probability that the whole target site is unpaired
    site_open_dg: float  # -RT ln(p): cost of opening the target site
    max_run: int
    gggg: bool
    cpg: int

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def gc_fraction(seq: str) -> float:
    return (seq.count("G") + seq.count("C")) / len(seq) if seq else 0.0


def max_homopolymer(seq: str) -> int:
    return max((len(list(g)) for _, g in itertools.groupby(seq)), default=0)


def tm_hybrid(oligo: str) -> float:
    """RNA/DNA duplex Tm: the ASO (DNA) against its RNA target (Biopython nearest-neighbour R_DNA_NN1)."""
    from Bio.SeqUtils import MeltingTemp as mt

    target_rna_as_dna = reverse_complement(oligo)  # Tm_NN takes the DNA-written RNA strand as `seq`
    try:
        return float(mt.Tm_NN(target_rna_as_dna, nn_table=mt.R_DNA_NN1, Na=50, dnac1=250, dnac2=250))
    except (ValueError, KeyError):
        return float("nan")


def hybrid_energy(oligo: str) -> float:
    """ViennaRNA free energy of the perfectly paired ASO:target duplex (target RNA & ASO as RNA)."""
    import RNA

    target = reverse_complement(oligo).replace("T", "U")
    n = len(oligo)
    fc = RNA.fold_compound(target + "&" + oligo.replace("T", "U"))
    return float(fc.eval_structure("(" * n + ")" * n))


def unpaired_probabilities(sense: str, max_len: int, window: int = 80, span: int = 40) -> np.ndarray:
    """RNAplfold-style local accessibility: P[i, u] = probability that sense[i-u+1..i] (1-based) is unpaired.

    Returned as an array of shape (len(sense)+1, max_len+1); row 0 and column 0 are unused.
    """
    import RNA

    rna = sense.upper().replace("T", "U")
    n = len(rna)
    out = np.zeros((n + 1, max_len + 1))
    if n == 0:
        return out
    w = min(window, n)
    span = min(span, w)
    up = RNA.pfl_fold_up(rna, max_len, w, span)
    for i in range(1, n + 1):
        row = up[i]
        m = min(max_len + 1, len(row))
        out[i, 1:m] = [x if x is not None else 0.0 for x in row[1:m]]
    return out


def site_accessibility(up: np.ndarray, site_start: int, length: int) -> float:
    """Unpaired probability of the target site [site_start, site_start+length) (0-based, on the sense seq)."""
    end1 = site_start + length  # 1-based index of the site's last base
    if end1 >= up.shape[0] or length >= up.shape[1]:
        return float("nan")
    return float(up[end1, length])


def oligo_features(oligo: str, site_unpaired_p: float = float("nan")) -> OligoFeatures:
    import primer3

    p = site_unpaired_p
    open_dg = -RT_37 * math.log(max(p, 1e-12)) if p == p else float("nan")
    return OligoFeatures(
        gc=gc_fraction(oligo),
        tm_dna=float(primer3.calc_tm(oligo, mv_conc=50, dv_conc=0, dntp_conc=0, dna_conc=250)),
        tm_hybrid=tm_hybrid(oligo),
        hairpin_dg=float(primer3.calc_hairpin(oligo).dg) / 1000.0,
        self_dimer_dg=float(primer3.calc_homodimer(oligo).dg) / 1000.0,
        hybrid_dg=hybrid_energy(oligo),
        site_unpaired_p=p,
        site_open_dg=open_dg,
        max_run=max_homopolymer(oligo),
        gggg="GGGG" in oligo,
        cpg=oligo.count("CG"),
    )


def knockdown_vector(oligo: str, f: OligoFeatures) -> np.ndarray:
    """The feature vector of the fitted knockdown model: composition, dinucleotides, thermodynamics."""
    n = len(oligo)
    v = [oligo.count(b) / n for b in "ACGT"]
    v += [sum(1 for i in range(n - 1) if oligo[i:i + 2] == d) / (n - 1) for d in DINUCLEOTIDES]
    v += [f.tm_dna / 100.0, f.hairpin_dg / 10.0, f.self_dimer_dg / 10.0, f.hybrid_dg / 10.0]
    return np.asarray(v, dtype=float)


KNOCKDOWN_FEATURES = (tuple(f"frac_{b}" for b in "ACGT") + tuple(f"di_{d}" for d in DINUCLEOTIDES)
                      + ("tm_dna/100", "hairpin_dg/10", "self_dimer_dg/10", "hybrid_dg/10"))

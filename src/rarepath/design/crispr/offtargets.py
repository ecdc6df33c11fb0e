"""Guide-level off-target summary over the hits of the exhaustive engine (``rarepath.design.offtarget``).

Counts sites by mismatch number, MIT guide specificity (Hsu 2013, CRISPOR's 0-100 convention, NAG/NGA sites of
NGG guides weighted 0.2 and kept only with an MIT hit score >= 1, as CRISPOR does) and an aggregate CFD
specificity (100 / (1 + sum CFD), SpCas9 only).
The guide's own site is recognised by position (same record, strand and start within a few nt) and left out,
whatever its mismatches: a 'correct' guide matches the patient allele, so its reference site has 1 mismatch.
With a site annotation (`rarepath.design.offtarget.annotate`), the genes and exons the counted off-target
sites fall in are listed (bulged sites included).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .nucleases import Nuclease
from .scores import cfd_score, cfd_specificity, mit_hit_score_from_positions, mit_specificity

if TYPE_CHECKING:  # the engine is imported lazily at search time (keeps `rarepath --help` free of NumPy/Numba)
    from rarepath.design.offtarget import OffTargetHit

ALT_PAM_MIN_MIT = 1.0  # CRISPOR keeps NAG/NGA sites of NGG guides only with an MIT hit score >= 1 (ALTPAMMINSCORE)


@dataclass(frozen=True)
class OnTargetLocation:
    chrom: str
    start: int  # 0-based leftmost base of protospacer+PAM on the + strand of the indexed record
    strand: str


@dataclass(frozen=True)
class OffTargetSummary:
    """Off-target sites of one guide (its own site excluded) and the aggregate specificities."""

    counts_by_mismatch: tuple[int, ...]
    mit_specificity: float | None
    cfd_specificity: float | None
    scope: str
    own_site_found: bool
    bulged: int = 0  # sites with one DNA/RNA bulge (searched only on request; not in MIT/CFD, defined unbulged)
    genes: tuple[str, ...] = ()  # genes holding counted off-target sites (with a site annotation)
    exons: tuple[str, ...] = ()  # exons holding counted off-target sites (where the annotation has exons)
    annotation: str = ""  # the annotation the genes come from ('' = not annotated)

    @property
    def total(self) -> int:
        return sum(self.counts_by_mismatch)

    def counts_text(self) -> str:
        return "/".join(str(c) for c in self.counts_by_mismatch)


def _spacer_part(site: str, nuclease: Nuclease) -> tuple[str, str]:
    """(protospacer, pam) of a hit site written 5'->3' on the hit strand."""
    P = nuclease.pam_length
    if nuclease.pam_side == "3prime":
        return site[:-P], site[-P:]
    return site[P:], site[:P]


def summarize_hits(spacer: str, hits: Iterable[OffTargetHit], nuclease: Nuclease, *, max_mismatches: int = 4,
                   own: OnTargetLocation | None = None, scope: str = "", annotation=None) -> OffTargetSummary:
    """Summarise the engine's hits of one spacer (see module docstring for conventions)."""
    counted: list = []
    counts = [0] * (max_mismatches + 1)
    mit_hits: list[float] = []
    cfd_hits: list[float] = []
    own_found = False
    bulged = 0
    ngg = nuclease.name in ("SpCas9",) and nuclease.pam_side == "3prime"
    mit_ok = nuclease.pam_side == "3prime" and nuclease.spacer_length >= 20
    for h in hits:
        at_own = (own is not None and h.chrom == own.chrom and h.strand == own.strand
                  and abs(h.start - own.start) <= 3)
        if getattr(h, "bulge", ""):
            if not at_own and h.mismatches <= max_mismatches:  # a bulged alignment of the guide's own site is not
                bulged += 1                                    # an off-target
                counted.append(h)
            continue
        if at_own and not own_found:
            own_found = True
            continue
        if h.mismatches > max_mismatches:
            continue
        proto, pam = _spacer_part(h.site.upper(), nuclease)
        if mit_ok:
            s20, p20 = spacer.upper()[-20:], proto[-20:]
            pos = [i + 1 for i, (a, b) in enumerate(zip(s20, p20, strict=True)) if a != b]
            score = mit_hit_score_from_positions(pos)
            if ngg and pam[1:] != "GG":
                if score < ALT_PAM_MIN_MIT:
                    continue
                score *= 0.2
            mit_hits.append(score)
        counts[h.mismatches] += 1
        counted.append(h)
        if ngg and len(proto) == 20:
            cfd_hits.append(cfd_score(spacer, proto + pam))
    genes, exons = annotate_hits(counted, annotation)
    return OffTargetSummary(tuple(counts), mit_specificity(mit_hits) if mit_ok else None,
                            cfd_specificity(cfd_hits) if ngg else None, scope, own_found, bulged, genes, exons,
                            annotation.source if annotation is not None else "")


def annotate_hits(hits: Iterable[OffTargetHit], annotation) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(genes, exons) holding any of ``hits`` (record coordinates mapped to the genome first)."""
    if annotation is None:
        return (), ()
    from rarepath.design.offtarget.annotate import genomic_position

    genes: set[str] = set()
    exons: set[str] = set()
    for h in hits:
        chrom, start = genomic_position(h.chrom, h.start)
        g, x = annotation.annotate(chrom, start, start + (h.end - h.start))
        genes.update(filter(None, g.split(";")))
        exons.update(filter(None, x.split(";")))
    return tuple(sorted(genes)), tuple(sorted(exons))


def engine_available() -> bool:
    """Whether the exhaustive off-target engine is installed in this build."""
    try:
        from rarepath.design.offtarget import search_guides  # noqa: F401
    except ImportError:
        return False
    return True


def search_offtargets(index, spacers: Sequence[str], nuclease: Nuclease, *, max_mismatches: int = 4,
                      own: Sequence[OnTargetLocation | None] | None = None, scope: str = "",
                      search=None, bulge: int = 0, annotation=None) -> list[OffTargetSummary]:
    """Search ``spacers`` of one nuclease in ``index`` and summarise per guide.

    ``search`` defaults to ``rarepath.design.offtarget.search_guides``; tests may pass a brute-force stand-in
    with the same signature.
    """
    if search is None:
        from rarepath.design.offtarget import search_guides as search
    if not spacers:
        return []
    hits = search(index, list(spacers), pams=tuple(nuclease.offtarget_pams), max_mismatches=max_mismatches,
                  pam_side=nuclease.pam_side, bulge=bulge)
    per: list[list] = [[] for _ in spacers]
    for h in hits:
        per[h.query_index].append(h)
    own = list(own) if own is not None else [None] * len(spacers)
    return [summarize_hits(s, per[i], nuclease, max_mismatches=max_mismatches, own=own[i], scope=scope,
                           annotation=annotation) for i, s in enumerate(spacers)]

"""Reading-frame arithmetic for whole-exon deletions and duplications, and the exon skips that restore it.

Everything is computed from exon lengths (coding nt) mod 3; no answer is tabulated. The function is pure: the
caller hands in what is known beyond the lengths (coding extent per exon, essential domains, a lookup of the
products for a skip). `rarepath.interpret.amenability.frame_analysis` supplies the shipped facts
(`rarepath.knowledge.exons`, the curated `therapies` table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from rarepath.errors import InputError

if TYPE_CHECKING:
    from rarepath.knowledge.exons import ExonDomain

#: products whose label names a skip of one of the given exons (see KnowledgeContext.skip_products)
ProductLookup = Callable[[list[int]], list[dict[str, Any]]]


@dataclass
class SkipOption:
    """One exon skip: which exons, the net change in coding nt against wild type, and why it may be a problem."""

    exons: list[int]
    net_nt: int
    restores_frame: bool
    flags: list[str] = field(default_factory=list)


@dataclass
class FrameAnalysis:
    gene: str
    kind: str
    first: int
    last: int
    frame: str  # in_frame | out_of_frame
    net_nt: int
    single_skips: list[int]
    double_skips: list[list[int]]
    flags: list[str]
    products: list[dict[str, Any]]
    skip_details: list[SkipOption] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["exons"] = [self.first, self.last]
        return d


def _essential_domain(domains: Sequence[ExonDomain], exon: int) -> ExonDomain | None:
    """The domain `exon` encodes when it is essential (the first matching domain decides, as in the table)."""
    d = next((d for d in domains if d.covers(exon)), None)
    return d if d is not None and d.essential else None


def exon_skip_analysis(gene: str, exon_lengths: Sequence[int], first: int, last: int, kind: str = "deletion", *,
                       coding_nt: Sequence[int] | None = None, domains: Sequence[ExonDomain] = (),
                       products: ProductLookup | None = None) -> FrameAnalysis:
    """Frame of a whole-exon deletion/duplication of exons first..last, and the single/double skips restoring it.

    A skip restores the frame when the total coding nt removed or added against wild type is a multiple of 3.
    Skip candidates are the exons flanking the deletion (the exon next to the deletion is what gets skipped);
    for a duplication, the flanking exons and the duplicated exons themselves (the ASO hits both copies).
    `coding_nt`: coding nt per exon (None: whole exon lengths are used and the result says so); `domains`: the
    gene's curated domains (an essential one flags a skip); `products`: names the products for restoring skips.
    """
    n = len(exon_lengths)
    if n == 0:
        raise InputError("no exons given", field="exon_lengths")
    if kind not in ("deletion", "duplication"):
        raise InputError(f"unknown kind {kind!r} (deletion or duplication)", field="kind")
    for x in (first, last):
        if not 1 <= x <= n:
            raise InputError(f"exon {x} does not exist ({gene} has exons 1-{n})", field="exons")
    if first > last:
        raise InputError(f"exon range {first}-{last} is reversed", field="exons")
    clipped = coding_nt is not None
    coding = list(coding_nt) if coding_nt is not None else list(exon_lengths)
    if len(coding) != n:
        raise InputError(f"{len(coding)} coding lengths for {n} exons", field="coding_nt")
    span = list(range(first, last + 1))
    sign = -1 if kind == "deletion" else 1
    net = sign * sum(coding[e - 1] for e in span)
    frame = "in_frame" if net % 3 == 0 else "out_of_frame"
    flags: list[str] = []
    if not clipped:
        flags.append("coding_extent_unknown: whole exon lengths used (UTR parts of first/last exon counted)")
    if first == 1:
        flags.append("includes_first_exon: promoter/start codon lost; frame restoration does not apply")
    if last == n:
        flags.append("includes_last_exon: stop codon and 3' end lost")
    if clipped and any(coding[e - 1] == 0 for e in span):
        flags.append("includes_non_coding_exon")
    for e in span:
        d = _essential_domain(domains, e)
        if d:
            flags.append(f"{kind}_removes_essential_domain: exon {e} ({d.domain}; {d.source})")
            break

    def option(exons: list[int], per_exon_factor: dict[int, int] | None = None) -> SkipOption:
        removed = sum((per_exon_factor or {}).get(e, 1) * coding[e - 1] for e in exons)
        total = net - removed
        opt = SkipOption(exons, total, total % 3 == 0)
        for e in exons:
            if e in (1, n):
                opt.flags.append(f"exon {e} is the {'first' if e == 1 else 'last'} exon: cannot be skipped")
            d = _essential_domain(domains, e)
            if d:
                opt.flags.append(f"exon {e} encodes an essential domain: {d.domain} ({d.source})")
            if clipped and coding[e - 1] == 0:
                opt.flags.append(f"exon {e} is non-coding")
        return opt

    details: list[SkipOption] = []
    single: list[int] = []
    double: list[list[int]] = []
    if frame == "out_of_frame" and not (first == 1 or last == n and kind == "deletion"):
        if kind == "deletion":
            single_cands = [e for e in (first - 1, last + 1) if 1 <= e <= n]
            factor: dict[int, int] = {}
        else:
            single_cands = [e for e in (first - 1, *span, last + 1) if 1 <= e <= n]
            # an ASO hits both copies of a multi-exon duplication; for a single duplicated exon, skipping
            # one copy (the usual outcome) restores the wild-type transcript, so it counts once
            factor = {e: 2 for e in span} if first != last else {}
            if first == last:
                flags.append("single_exon_duplication: skipping one copy restores the wild-type transcript")
        for e in single_cands:
            opt = option([e], factor)
            details.append(opt)
            if opt.restores_frame and not any("cannot be skipped" in f for f in opt.flags):
                single.append(e)
        pair_cands = [(first - 2, first - 1), (first - 1, last + 1), (last + 1, last + 2)]
        for a, b in pair_cands:
            if not (1 <= a <= n and 1 <= b <= n):
                continue
            if a in single or b in single:
                continue  # a superset of a working single skip removes protein for nothing
            opt = option([a, b], factor)
            details.append(opt)
            if opt.restores_frame and not any("cannot be skipped" in f for f in opt.flags):
                double.append([a, b])
        if not single and not double:
            flags.append("no_single_or_double_skip_restores_frame")
    elif frame == "in_frame" and first != 1:
        flags.append("already_in_frame: no skip needed (Becker-like if the removed region is dispensable)")
    for opt in details:
        if (opt.exons in double or opt.exons[0] in single and len(opt.exons) == 1) and opt.flags:
            flags.extend(f"skip {'+'.join(map(str, opt.exons))}: {f}" for f in opt.flags)
    found = products(sorted(single)) if single and products is not None else []
    return FrameAnalysis(gene, kind, first, last, frame, net, sorted(single), double, flags, found, details)

"""HDR single-stranded oligo donors with a silent PAM- or seed-blocking change.

The donor carries the desired sequence with homology arms on each side of the edit. Unless the edit itself
destroys the guide's PAM, one extra change is added so the repaired allele is not cut again: a PAM base first,
then seed bases from the PAM inwards. With a CDS frame the change must be synonymous (or outside the CDS and
>6 nt from an exon boundary); without a frame, silence cannot be checked and the design says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .edit import EditContext
from .nucleases import GuideSite, Nuclease, pam_indices, pam_matches, protospacer_positions
from .scores import revcomp

_COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


@dataclass(frozen=True)
class BlockingChange:
    position_0based: int  # genomic, BED convention
    ref_base: str  # + strand base in the desired sequence
    new_base: str
    kind: str  # "PAM" or "seed"
    consequence: str  # e.g. "p.Leu12=", "silence not checked: no CDS frame given"
    after_index: int  # index in the desired-sequence window


@dataclass(frozen=True)
class HdrDonor:
    """ssODN: ``sequence`` as ordered (5'->3'), on ``strand`` (+/-) of the reference."""

    sequence: str
    strand: str
    left_arm: int
    right_arm: int
    blocking: BlockingChange | None
    note: str


def _pam_still_present(after: str, site: GuideSite, nuclease: Nuclease, changes: dict[int, str]) -> bool:
    idx = pam_indices(site, nuclease)
    bases = "".join(changes.get(i, after[i]) if 0 <= i < len(after) else "N" for i in idx)
    if site.strand == "-":
        bases = "".join(_COMP.get(b, "N") for b in bases)
    return any(pam_matches(r.pattern, bases) for r in nuclease.pams)


def _shift(i: int, ctx: EditContext) -> int:
    """Index in `after` of index i of `before` (same base for positions outside the edit)."""
    return i if i < ctx.edit_start else i - len(ctx.old) + len(ctx.new)


def design_hdr_donor(ctx: EditContext, site: GuideSite, nuclease: Nuclease, arm: int = 50) -> HdrDonor:
    """ssODN for one nuclease guide (site found on ``ctx.before``)."""
    after = ctx.after
    e0, e1 = ctx.edit_start, ctx.edit_start + len(ctx.new)
    # positions of the guide's PAM/seed in `after` coordinates
    shifted = GuideSite(site.nuclease, site.spacer, site.pam, site.strand, _shift(site.start, ctx),
                        _shift(site.cut_index, ctx), site.pam_weight)
    edit_kills_pam = not _pam_still_present(after, shifted, nuclease, {})
    blocking = None
    note = "edit destroys the PAM: no blocking change needed" if edit_kills_pam else ""
    if not edit_kills_pam:
        blocking = _choose_blocking(ctx, shifted, nuclease, range(e0, max(e1, e0 + 1)))
        note = ("no silent blocking change found near the PAM/seed: re-cutting risk" if blocking is None
                else f"{blocking.kind}-blocking change {blocking.ref_base}>{blocking.new_base} at "
                     f"{ctx.locus.chrom}:{blocking.position_0based} (0-based) ({blocking.consequence})")
    seq = list(after)
    if blocking is not None:
        seq[blocking.after_index] = blocking.new_base
    lo, hi = max(0, e0 - arm), min(len(after), e1 + arm)
    donor_plus = "".join(seq[lo:hi])
    # order the strand complementary to the PAM-containing (non-target) strand (Richardson 2016 practice)
    strand = "-" if site.strand == "+" else "+"
    sequence = revcomp(donor_plus) if strand == "-" else donor_plus
    return HdrDonor(sequence, strand, e0 - lo, hi - e1, blocking, note)


def _choose_blocking(ctx: EditContext, site: GuideSite, nuclease: Nuclease, edit_range) -> BlockingChange | None:
    after = ctx.after
    pam_idx = pam_indices(site, nuclease)
    fixed = [i for i, p in zip(pam_idx, nuclease.pams[0].pattern, strict=True) if p != "N"]
    proto = protospacer_positions(site, nuclease)
    L = nuclease.spacer_length
    order = range(L, L - 10, -1) if nuclease.pam_side == "3prime" else range(1, 9)
    seed = [i for p in order for i, q in proto.items() if q == p]
    for kind, candidates in (("PAM", fixed), ("seed", seed)):
        for i in candidates:
            if i in edit_range or not 0 <= i < len(after) or after[i] not in "ACGT":
                continue
            for b in "ACGT":
                if b == after[i]:
                    continue
                if kind == "PAM" and _pam_still_present(after, site, nuclease, {i: b}):
                    continue
                cons = _silence(ctx, i, b)
                if cons is None:
                    continue
                return BlockingChange(ctx.start0(i, after=True), after[i], b, kind, cons, i)
    return None


def _silence(ctx: EditContext, i: int, b: str) -> str | None:
    """Consequence text when the change is acceptable (silent or unchecked), None when it changes protein."""
    if ctx.frame is None:
        return "silence not checked: no CDS frame given"
    cons = ctx.consequence_after({i: b})
    if cons is None:
        return "silence not checked: indel edit shifts the frame coordinates"
    if cons.startswith("p.") and cons.endswith("="):
        return f"synonymous {cons}"
    if cons.startswith("non-coding"):
        d = ctx.frame.splice_distance(ctx.ref_index(i, after=True))
        if d is not None and d > 6:
            return cons
    return None

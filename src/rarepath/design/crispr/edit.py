"""The edit to make: the cells' current sequence around the variant and the sequence wanted after editing.

``goal="correct"``: the cells carry the patient's ALT allele and the design restores REF (isogenic control or
therapy). ``goal="introduce"``: the cells are reference and the design installs ALT (disease model).
Indices of :class:`EditContext` refer to ``before`` (the cells' sequence window); ``ref_index`` maps them back
to the reference record, which is what positions in the output are based on.
"""

from __future__ import annotations

from dataclasses import dataclass

from rarepath.errors import InputError

from .sequence import CodingFrame, Locus, Variant, amino_acid_change

GOALS = ("correct", "introduce")


@dataclass(frozen=True)
class EditContext:
    locus: Locus
    variant: Variant
    goal: str
    window_start: int  # reference index of before[0]
    before: str
    after: str
    edit_start: int  # index in `before` of the first changed base
    old: str  # bases replaced in `before` (may be empty for an insertion)
    new: str  # bases written instead (may be empty for a deletion)

    @property
    def frame(self) -> CodingFrame | None:
        return self.locus.frame

    @property
    def is_snv(self) -> bool:
        return len(self.old) == 1 and len(self.new) == 1

    @property
    def edit_size(self) -> int:
        return max(len(self.old), len(self.new))

    @property
    def change_label(self) -> str:
        """The change as the editor must make it, on the + strand, e.g. ``T>C``."""
        return f"{self.old or '-'}>{self.new or '-'}"

    def ref_index(self, i: int, *, after: bool = False) -> int:
        """Reference index of base ``i`` of ``before`` (or of ``after`` with ``after=True``)."""
        cur = self.new if after else self.old
        refallele = self.variant.ref
        if i < self.edit_start:
            return self.window_start + i
        if i < self.edit_start + len(cur):
            return self.window_start + self.edit_start + min(i - self.edit_start, max(len(refallele) - 1, 0))
        return self.window_start + i - len(cur) + len(refallele)

    def position(self, i: int, *, after: bool = False) -> int:
        """1-based genomic position of base ``i`` of ``before`` (or ``after``)."""
        return self.locus.position_of(self.ref_index(i, after=after))

    def start0(self, i: int, *, after: bool = False) -> int:
        """0-based genomic coordinate (BED convention) of base ``i`` of ``before`` (or ``after``)."""
        return self.position(i, after=after) - 1

    def consequence_after(self, changes: dict[int, str]) -> str | None:
        """Amino-acid consequence of extra base changes (indices of ``after``) on the desired sequence.

        None when no CDS frame is known or the edit is not an SNV (coordinates would shift).
        """
        if self.frame is None or len(self.old) != len(self.new):
            return None
        lo = self.window_start
        view = _Overlay(self.locus.sequence, {lo + i: b for i, b in enumerate(self.after)})
        return amino_acid_change(self.frame, view, {lo + i: b for i, b in changes.items()})  # type: ignore[arg-type]

    def intended_consequence(self) -> str | None:
        """Consequence of the intended edit itself (REF->ALT or ALT->REF) when a frame is known."""
        if self.frame is None or not self.is_snv:
            return None
        lo = self.window_start
        view = _Overlay(self.locus.sequence, {lo + i: b for i, b in enumerate(self.before)})
        return amino_acid_change(self.frame, view, {lo + self.edit_start: self.new})  # type: ignore[arg-type]


class _Overlay:
    """Read-only sequence view: a big reference string with a few bases replaced (no copy)."""

    def __init__(self, base: str, patch: dict[int, str]) -> None:
        self.base, self.patch = base, patch

    def __getitem__(self, i: int) -> str:
        return self.patch.get(i, self.base[i])


def build_edit_context(locus: Locus, variant: Variant, goal: str, flank: int = 160) -> EditContext:
    """Cut the working window around the variant and apply the allele the cells carry."""
    if goal not in GOALS:
        raise InputError(f"unknown goal {goal!r} (use correct or introduce)", field="goal")
    v = variant.index
    lo = max(0, v - flank)
    hi = min(len(locus.sequence), v + len(variant.ref) + flank)
    left, right = locus.sequence[lo:v], locus.sequence[v + len(variant.ref):hi]
    old, new = (variant.alt, variant.ref) if goal == "correct" else (variant.ref, variant.alt)
    return EditContext(locus, variant, goal, lo, left + old + right, left + new + right, v - lo, old, new)

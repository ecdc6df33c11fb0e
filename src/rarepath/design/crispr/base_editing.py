"""Base-editor guides: the target base weighted by a per-position editing profile, with every bystander.

The profile is BE4max's (Arbab 2020, BE-Hive Fig. 1; package data), indexed by distance from the PAM so it
carries over to 3'-PAM Cas9 variants. No per-position ABE table is available here, so ABE designs reuse the
BE4max positional profile shape (ABE windows are similar, about protospacer 4-8) and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from rarepath.interpret.editability import base_editor_for

from .edit import EditContext
from .expression import expression_flags
from .nucleases import Nuclease, find_guides, protospacer_positions
from .offtargets import OffTargetSummary
from .primers import GenotypingPrimers
from .scores import _data_rows

_COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}
BYSTANDER_MIN_WEIGHT = 0.05


@cache
def be4max_profile() -> dict[int, float]:
    """C->T editing weight (0..1 of the peak) by position from the PAM (-1 = next to the PAM)."""
    return {int(r["position_from_pam"]): float(r["C2T"]) / 100.0 for r in _data_rows("be4max_editing_weights.tsv")}


def position_weight(protospacer_pos: int, spacer_length: int) -> float:
    """Editing weight of protospacer position (1 = PAM-distal) via its distance from the PAM."""
    return be4max_profile().get(protospacer_pos - spacer_length - 1, 0.0)


@dataclass(frozen=True)
class Bystander:
    position_0based: int  # genomic, BED convention
    protospacer_position: int
    weight: float
    consequence: str  # amino-acid consequence or "frame unknown"


@dataclass(frozen=True)
class BaseEditorGuide:
    editor: str  # "ABE" or "CBE"
    nuclease: str
    spacer: str
    pam: str
    strand: str
    start_0based: int  # genomic (BED convention), leftmost base of protospacer+PAM on +
    target_protospacer_position: int
    target_weight: float
    bystanders: tuple[Bystander, ...] = field(default_factory=tuple)
    profile_note: str = ""
    offtargets: OffTargetSummary | None = None  # genome-wide, same engine and summary as nuclease guides
    primers: GenotypingPrimers | None = None
    expression_flags: tuple[str, ...] = ()  # U6 rules (see .expression)

    @property
    def end_0based_excl(self) -> int:
        return self.start_0based + len(self.spacer) + len(self.pam)

    @property
    def precise_fraction(self) -> float:
        """Expected share of edited alleles without a coding bystander change (independent-site model)."""
        f = self.target_weight
        for b in self.bystanders:
            if not b.consequence.endswith("=") and not b.consequence.startswith("non-coding"):
                f *= 1.0 - b.weight
        return f


def design_base_editing(ctx: EditContext, nucleases: list[Nuclease]) -> tuple[list[BaseEditorGuide], str]:
    """Base-editor guides for the edit, and a sentence on eligibility."""
    if not ctx.is_snv:
        return [], "not a single-base change: base editors cannot make it"
    choice = base_editor_for(ctx.old, ctx.new)
    if choice is None:
        return [], f"{ctx.change_label} is a transversion: neither ABE nor CBE can make it"
    editor, strand = choice
    editable = "C" if editor == "CBE" else "A"
    out: list[BaseEditorGuide] = []
    e = ctx.edit_start
    for nuc in nucleases:
        if nuc.pam_side != "3prime":
            continue
        for site in find_guides(ctx.before, nuc, e - 30, e + 30):
            if site.strand != strand:
                continue
            proto = protospacer_positions(site, nuc)
            if e not in proto:
                continue
            p = proto[e]
            w = position_weight(p, nuc.spacer_length)
            if w < 0.1:
                continue
            bys = []
            for idx, q in sorted(proto.items(), key=lambda kv: kv[1]):
                if idx == e:
                    continue
                base = ctx.after[idx] if site.strand == "+" else _COMP.get(ctx.after[idx], "N")
                wq = position_weight(q, nuc.spacer_length)
                if base != editable or wq < BYSTANDER_MIN_WEIGHT:
                    continue
                edited = ("T" if editable == "C" else "G")
                new_plus = edited if site.strand == "+" else _COMP[edited]
                cons = ctx.consequence_after({idx: new_plus})
                bys.append(Bystander(ctx.start0(idx, after=True), q, round(wq, 3),
                                     cons if cons is not None else "frame unknown"))
            note = "BE4max profile" if editor == "CBE" else "BE4max positional profile used as ABE proxy"
            if nuc.name != "SpCas9":
                note += f"; {nuc.name} base editor, profile transferred by distance from PAM"
            out.append(BaseEditorGuide(editor, nuc.name, site.spacer, site.pam, site.strand,
                                       ctx.start0(site.start), p, round(w, 3), tuple(bys), note,
                                       expression_flags=expression_flags(site.spacer)))
    out.sort(key=lambda g: (-g.precise_fraction, -g.target_weight))
    msg = (f"{ctx.change_label} on + is a transition: {editor} with the guide on the {strand} strand "
           f"({len(out)} guide(s) place the base in the window)")
    return out, msg

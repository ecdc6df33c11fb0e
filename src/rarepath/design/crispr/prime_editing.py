"""Prime-editing pegRNAs and PE3/PE3b nicking guides (rules as published in PrimeDesign, Hsu 2021).

* PBS 10-15 nt; the recommended length has the PBS melting temperature (nearest-neighbour, RNA/DNA table
  R_DNA_NN1) closest to 37 C.
* RTT = nick-to-edit distance + edit + homology by edit size (9 nt for <=1 bp, 14 <=5, 19 <=10, 24 <=15, else 34),
  lengthened until the 3' extension does not start with C.
* pegRNAs that destroy the PAM rank first, then by nick-to-edit distance.
* Filters: TTTT in the spacer (Pol III terminator) removes a guide; a 3' extension still starting with C is flagged.
* Nicking guides 0-100 nt from the peg nick on the other strand: PE3b-seed, PE3b-nonseed, PE3, then by
  distance from 50 nt.
All sequences are written 5'->3'; the extension is RTT followed by PBS, as appended 3' of the scaffold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .edit import EditContext
from .expression import expression_flags
from .nucleases import Nuclease, find_guides, pam_matches
from .offtargets import OffTargetSummary
from .primers import GenotypingPrimers
from .scores import revcomp

PBS_RANGE = range(10, 16)
PBS_TARGET_TM = 37.0
MAX_NICK_TO_EDIT = 30
MAX_RTT = 60
NICK_RANGE = 100
NICK_TARGET = 50


def homology_for(edit_size: int) -> int:
    for limit, h in ((1, 9), (5, 14), (10, 19), (15, 24)):
        if edit_size <= limit:
            return h
    return 34


def pbs_tm(seq: str) -> float:
    from Bio.SeqUtils import MeltingTemp as mt

    return float(mt.Tm_NN(seq, nn_table=mt.R_DNA_NN1))


@dataclass(frozen=True)
class NickingGuide:
    kind: str  # "PE3b-seed", "PE3b-nonseed", "PE3"
    spacer: str
    pam: str
    strand: str
    nick_distance: int  # + strand nt from the peg nick (signed)


@dataclass(frozen=True)
class PegRNA:
    nuclease: str
    spacer: str
    pam: str
    strand: str
    nick_0based: int  # genomic (BED convention) boundary of the nick: 0-based index of the base 3' of it on +
    nick_to_edit: int
    pbs: str
    pbs_length: int
    pbs_tm: float
    rtt: str
    rtt_length: int
    extension: str  # RTT + PBS, 5'->3' as on the pegRNA
    pam_disrupted: bool
    flags: tuple[str, ...] = ()
    nicking_guides: tuple[NickingGuide, ...] = field(default_factory=tuple)
    start_0based: int = -1  # genomic (BED convention), leftmost base of protospacer+PAM on +
    offtargets: OffTargetSummary | None = None  # genome-wide, same engine and summary as nuclease guides
    primers: GenotypingPrimers | None = None
    expression_flags: tuple[str, ...] = ()  # U6 rules for spacer and extension (see .expression)

    @property
    def full_extension_ok(self) -> bool:
        return not self.flags


def _oriented(ctx: EditContext, strand: str) -> tuple[str, str, int, int, int]:
    """(before, after, edit start, old length, new length) on the guide strand."""
    if strand == "+":
        return ctx.before, ctx.after, ctx.edit_start, len(ctx.old), len(ctx.new)
    n = len(ctx.before)
    e = n - (ctx.edit_start + len(ctx.old))
    return revcomp(ctx.before), revcomp(ctx.after), e, len(ctx.old), len(ctx.new)


def design_prime_editing(ctx: EditContext, nucleases: list[Nuclease]) -> tuple[list[PegRNA], list[str]]:
    """pegRNAs for the edit (ranked), and notes on filtered designs."""
    out: list[PegRNA] = []
    notes: list[str] = []
    e = ctx.edit_start
    size = ctx.edit_size
    for nuc in nucleases:
        if nuc.pam_side != "3prime":
            continue
        for site in find_guides(ctx.before, nuc, e - MAX_NICK_TO_EDIT - 1, e + len(ctx.old) + MAX_NICK_TO_EDIT):
            fwd, edited, eo, lold, lnew = _oriented(ctx, site.strand)
            n = len(fwd)
            k = site.cut_index if site.strand == "+" else n - site.cut_index
            d = eo - k
            if d < 0 or d > MAX_NICK_TO_EDIT or k - max(PBS_RANGE) < 0:
                continue
            if "TTTT" in site.spacer:
                notes.append(f"{nuc.name} {site.spacer}: TTTT in spacer (Pol III terminator), removed")
                continue
            pbs_opts = [(abs(pbs_tm(fwd[k - L:k]) - PBS_TARGET_TM), L) for L in PBS_RANGE]
            _, pbs_len = min(pbs_opts)
            pbs_template = fwd[k - pbs_len:k]
            rtt_len = d + lnew + homology_for(size)
            flags: list[str] = []
            while k + rtt_len < len(edited) and edited[k + rtt_len - 1] == "G" and rtt_len < MAX_RTT:
                rtt_len += 1  # the extension's first base is the complement of the last templated base
            if k + rtt_len > len(edited):
                continue
            rtt_template = edited[k:k + rtt_len]
            rtt, pbs = revcomp(rtt_template), revcomp(pbs_template)
            if rtt.startswith("C"):
                flags.append("3' extension starts with C")
            P = nuc.pam_length
            pam_after = edited[k + nuc.cut_offset + (lnew - lold if eo < k + nuc.cut_offset else 0):][:P]
            pam_disrupted = not any(pam_matches(r.pattern, pam_after) for r in nuc.pams)
            peg_nick_plus = site.cut_index
            nicks = _nicking_guides(ctx, nuc, site.strand, peg_nick_plus)
            out.append(PegRNA(nuc.name, site.spacer, site.pam, site.strand, ctx.start0(peg_nick_plus), d,
                              pbs, pbs_len, round(pbs_tm(pbs_template), 1), rtt, rtt_len, rtt + pbs,
                              pam_disrupted, tuple(flags), tuple(nicks), ctx.start0(site.start),
                              expression_flags=expression_flags(site.spacer, rtt + pbs)))
    out.sort(key=lambda p: (bool(p.flags), not p.pam_disrupted, p.nick_to_edit, p.nuclease != "SpCas9"))
    return out, notes


def _nicking_guides(ctx: EditContext, nuc: Nuclease, peg_strand: str, peg_nick: int) -> list[NickingGuide]:
    """Nicking sgRNAs on the other strand of the edited sequence, ranked PE3b-seed > PE3b-nonseed > PE3."""
    other = "-" if peg_strand == "+" else "+"
    out = []
    e0, e1 = ctx.edit_start, ctx.edit_start + max(len(ctx.new), 1)
    shift = len(ctx.new) - len(ctx.old)
    for g in find_guides(ctx.after, nuc, peg_nick - NICK_RANGE, peg_nick + NICK_RANGE):
        if g.strand != other or "TTTT" in g.spacer:
            continue
        dist = g.cut_index - peg_nick
        overlaps = g.start < e1 and g.end > e0
        kind = "PE3"
        if overlaps:
            before_site = ctx.before[g.start:g.end - shift] if shift else ctx.before[g.start:g.end]
            after_site = ctx.after[g.start:g.end]
            if before_site != after_site:
                # seed = the PAM-proximal 10 nt plus the PAM
                P = nuc.pam_length
                seed_lo, seed_hi = (g.start, g.start + P + 10) if g.strand == "-" else (g.end - P - 10, g.end)
                kind = "PE3b-seed" if (seed_lo < e1 and seed_hi > e0) else "PE3b-nonseed"
        out.append(NickingGuide(kind, g.spacer, g.pam, g.strand, dist))
    rank = {"PE3b-seed": 0, "PE3b-nonseed": 1, "PE3": 2}
    out.sort(key=lambda x: (rank[x.kind], abs(abs(x.nick_distance) - NICK_TARGET)))
    return out[:3]

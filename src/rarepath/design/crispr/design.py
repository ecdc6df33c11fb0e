"""`design_edit`: nuclease+HDR, base-editor and prime-editor designs for one variant, ranked with reasons.

The ranking puts editors that need no double-strand break first when they can make the change cleanly
(base editor with the target near the profile peak and few coding bystanders; then a PAM-disrupting pegRNA),
and nuclease+HDR last (needs dividing cells and a donor; indels at the cut). Within a class, the numbers
behind the order are in each reason.

Every proposed guide (nuclease, base editor, pegRNA) carries the same genome-wide off-target summary
(`rarepath.design.offtarget` engine, summarised by `.offtargets`), the genes and exons its off-target sites
fall in when a site annotation is given, genotyping primers around its cut or edit site (primer3), and the
U6 expression flags. Coordinates are genomic, 0-based half-open (BED), like `design offtargets`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from rarepath.errors import InputError

from .base_editing import BaseEditorGuide, design_base_editing
from .edit import EditContext, build_edit_context
from .expression import expression_flags
from .hdr import HdrDonor, design_hdr_donor
from .nucleases import GuideSite, Nuclease, find_guides, get_nucleases
from .offtargets import OffTargetSummary, OnTargetLocation, engine_available, search_offtargets
from .ontarget import OWN_MODEL, own_model, score_ontarget
from .prime_editing import PegRNA, design_prime_editing
from .primers import GenotypingPrimers, design_genotyping_primers
from .sequence import Locus, Variant, load_locus, parse_genomic_variant, parse_hgvs_c

DEFAULT_NUCLEASES = "SpCas9,SaCas9,SpRY,AsCas12a"
HDR_WINDOW = 30


@dataclass(frozen=True)
class NucleaseGuide:
    nuclease: str
    spacer: str
    pam: str
    strand: str
    start_0based: int  # genomic (BED convention), leftmost base of protospacer+PAM on +
    end_0based_excl: int
    cut_0based: int  # genomic boundary of the cut: 0-based index of the base 3' (on +) of the cut
    cut_to_variant: int  # signed nt from the cut to the edit (+ = edit 3' of the cut on +)
    ontarget_rs1: float | None  # Doench 2014 Rule Set 1
    ontarget_rarepath_ridge: float | None  # rarepath's ridge model (see .ontarget)
    offtargets: OffTargetSummary | None
    donor: HdrDonor
    primers: GenotypingPrimers | None = None
    expression_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RankedOption:
    rank: int
    method: str  # "base_editor", "prime_editor", "nuclease_hdr"
    editor: str
    guide: str
    score: float
    reason: str


@dataclass
class EditDesign:
    """All designs for one variant (typed; ``to_json`` for files, ``shortlist`` for the decision)."""

    variant: str
    chrom: str
    variant_start_0based: int  # genomic (BED convention) first REF base
    ref: str
    alt: str
    goal: str
    change: str  # the change the editor makes on +, e.g. "T>C"
    intended_consequence: str | None
    frame_note: str
    nuclease_guides: list[NucleaseGuide] = field(default_factory=list)
    base_editing_note: str = ""
    base_editor_guides: list[BaseEditorGuide] = field(default_factory=list)
    pegrnas: list[PegRNA] = field(default_factory=list)
    prime_editing_notes: list[str] = field(default_factory=list)
    offtarget_scope: str = ""
    shortlist: list[RankedOption] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, default=str) + "\n"


def _guide_location(ctx: EditContext, site: GuideSite) -> tuple[int, int]:
    return ctx.start0(site.start), ctx.start0(site.cut_index)


def _primers(ctx: EditContext, start0: int, end0: int) -> GenotypingPrimers | None:
    """Genotyping primers around genomic [start0, end0) on the reference record."""
    off0 = ctx.locus.offset - 1  # genomic 0-based coordinate of the record's first base
    return design_genotyping_primers(ctx.locus.sequence, start0 - off0, end0 - off0, genome_offset0=off0)


def _record_start(ctx: EditContext, start0: int) -> int:
    """Index on the reference record of a genomic 0-based coordinate."""
    return start0 - (ctx.locus.offset - 1)


def _cut_to_variant(ctx: EditContext, site: GuideSite) -> int:
    e0, e1 = ctx.edit_start, ctx.edit_start + max(len(ctx.old), 1)
    if site.cut_index <= e0:
        return e0 - site.cut_index
    if site.cut_index >= e1:
        return -(site.cut_index - e1 + 1)
    return 0


def _scope(ctx: EditContext, max_mismatches: int, bulges: int) -> str:
    return (f"exhaustive, <= {max_mismatches} mismatches{' + 1 DNA/RNA bulge' if bulges else ''}, "
            f"PAMs per nuclease, in {ctx.locus.source}")


def design_nuclease_guides(ctx: EditContext, nucleases: list[Nuclease], *, index=None, search=None,
                           max_mismatches: int = 4, bulges: int = 0, annotation=None, primers: bool = True
                           ) -> tuple[list[NucleaseGuide], str]:
    """Guides whose cut lies within HDR_WINDOW nt of the edit, with scores, off-targets, primers and a donor."""
    e = ctx.edit_start
    out: list[NucleaseGuide] = []
    scope = "not searched (no off-target engine or index)"
    for nuc in nucleases:
        sites = find_guides(ctx.before, nuc, e - HDR_WINDOW, e + len(ctx.old) + HDR_WINDOW)
        ctxs = [s.context30 for s in sites if s.context30]
        rs1 = dict(zip(ctxs, score_ontarget(ctxs, "rs1"), strict=True)) if ctxs else {}
        ridge = (dict(zip(ctxs, score_ontarget(ctxs, OWN_MODEL), strict=True))
                 if ctxs and own_model() is not None else {})
        summaries: list[OffTargetSummary | None] = [None] * len(sites)
        if index is not None and sites:
            own = [OnTargetLocation(ctx.locus.record_name, ctx.ref_index(s.start), s.strand) for s in sites]
            scope = _scope(ctx, max_mismatches, bulges)
            summaries = search_offtargets(index, [s.spacer for s in sites], nuc, max_mismatches=max_mismatches,
                                          own=own, scope=scope, search=search, bulge=bulges,
                                          annotation=annotation)  # type: ignore[assignment]
        for s, summ in zip(sites, summaries, strict=True):
            start, cut = _guide_location(ctx, s)
            end = start + len(s.spacer) + len(s.pam)
            out.append(NucleaseGuide(nuc.name, s.spacer, s.pam, s.strand, start, end, cut, _cut_to_variant(ctx, s),
                                     round(float(rs1[s.context30]), 4) if s.context30 in rs1 else None,
                                     round(float(ridge[s.context30]), 4) if s.context30 in ridge else None,
                                     summ, design_hdr_donor(ctx, s, nuc),
                                     _primers(ctx, min(start, cut), max(end, cut)) if primers else None,
                                     expression_flags(s.spacer)))
    out.sort(key=lambda g: (abs(g.cut_to_variant), -(g.ontarget_rs1 or 0.0)))
    return out, scope


def attach_offtargets_and_primers(ctx: EditContext, guides: list, nucleases: list[Nuclease], *, index=None,
                                  search=None, max_mismatches: int = 4, bulges: int = 0, annotation=None,
                                  primers: bool = True) -> list:
    """Base-editor guides or pegRNAs with their genome-wide off-target summary and genotyping primers.

    The same engine and summary as the nuclease guides; the guide's own site is recognised by position.
    """
    by_name = {n.name: n for n in nucleases}
    summaries: dict[int, OffTargetSummary] = {}
    if index is not None:
        for name, nuc in by_name.items():
            pos = [i for i, g in enumerate(guides) if g.nuclease == name]
            if not pos:
                continue
            own = [OnTargetLocation(ctx.locus.record_name, _record_start(ctx, guides[i].start_0based),
                                    guides[i].strand) for i in pos]
            res = search_offtargets(index, [guides[i].spacer for i in pos], nuc, max_mismatches=max_mismatches,
                                    own=own, scope=_scope(ctx, max_mismatches, bulges), search=search,
                                    bulge=bulges, annotation=annotation)
            summaries.update(zip(pos, res, strict=True))
    out = []
    for i, g in enumerate(guides):
        start = g.start_0based
        end = start + len(g.spacer) + len(g.pam)
        edit0 = ctx.start0(ctx.edit_start)
        pr = _primers(ctx, min(start, edit0), max(end, edit0 + 1)) if primers else None
        out.append(replace(g, offtargets=summaries.get(i), primers=pr))
    return out


def _spec_penalty(summary: OffTargetSummary | None) -> tuple[float, str]:
    if summary is None or summary.mit_specificity is None:
        return 0.0, ""
    s = summary.mit_specificity
    if summary.counts_by_mismatch and summary.counts_by_mismatch[0] > 0:
        return 1.0, f"; {summary.counts_by_mismatch[0]} other perfect site(s) in the genome"
    if s < 50:
        return 0.3, f"; low MIT specificity {s:.0f}"
    return 0.0, f"; MIT specificity {s:.0f}"


def _expression_text(guide) -> str:
    """U6 expression flags as a reason suffix (they inform the cloning, not the rank)."""
    flags = guide.expression_flags
    return f"; U6 expression: {', '.join(flags)}" if flags else ""


def rank_options(design: EditDesign, limit: int = 10) -> list[RankedOption]:
    """Cross-method short list: base editor > prime editor > nuclease+HDR by default, each with its reason."""
    opts: list[tuple[float, str, str, str, str]] = []
    for g in design.base_editor_guides:
        bys = [b for b in g.bystanders if b.weight >= 0.2]
        coding = [b for b in bys if not b.consequence.endswith("=") and not b.consequence.startswith("non-coding")]
        score = 3.0 + g.precise_fraction
        by_text = (", ".join(f"pos {b.protospacer_position} ({b.weight:.2f}, {b.consequence})" for b in bys)
                   or "none")
        reason = (f"{g.editor} ({g.nuclease}) edits {design.change} without a double-strand break; target at "
                  f"protospacer position {g.target_protospacer_position} (weight {g.target_weight:.2f}); "
                  f"bystanders with weight >= 0.2: {by_text}")
        if coding:
            reason += "; bystanders that may change the protein (or of unknown consequence) lower the precise-edit fraction"
        pen, spec = _spec_penalty(g.offtargets)
        opts.append((score - pen, "base_editor", g.editor, g.spacer + " " + g.pam,
                     reason + spec + _expression_text(g)))
    for p in design.pegrnas:
        score = 2.0 + 0.4 * p.pam_disrupted + 0.4 * (1 - p.nick_to_edit / 30) - 0.5 * bool(p.flags)
        ng = p.nicking_guides[0].kind if p.nicking_guides else "none"
        reason = (f"prime editor ({p.nuclease}) without a double-strand break; "
                  f"{'PAM-disrupting, ' if p.pam_disrupted else 'PAM intact, '}edit {p.nick_to_edit} nt from the "
                  f"nick; PBS {p.pbs_length} nt (Tm {p.pbs_tm} C), RTT {p.rtt_length} nt; best nicking guide: {ng}")
        if p.flags:
            reason += "; " + ", ".join(p.flags)
        pen, spec = _spec_penalty(p.offtargets)
        opts.append((score - pen, "prime_editor", "PE2/PE3", p.spacer + " " + p.pam,
                     reason + spec + _expression_text(p)))
    for g in design.nuclease_guides:
        pen, spec = _spec_penalty(g.offtargets)
        eff = g.ontarget_rs1 if g.ontarget_rs1 is not None else 0.5
        dist = abs(g.cut_to_variant)
        score = 1.0 + 0.5 * eff + 0.5 * max(0.0, 1 - dist / 10) - pen
        block = g.donor.note or "no blocking change"
        eff_text = f"Rule Set 1 {g.ontarget_rs1:.2f}" if g.ontarget_rs1 is not None else "no on-target model"
        reason = (f"{g.nuclease} cut {dist} nt from the edit (HDR efficiency falls beyond ~10 nt); {eff_text}"
                  f"{spec}; needs HDR (dividing cells) and the ssODN: {block}")
        opts.append((score, "nuclease_hdr", g.nuclease, g.spacer + " " + g.pam, reason + _expression_text(g)))
    opts.sort(key=lambda o: -o[0])
    return [RankedOption(i + 1, m, ed, gd, round(s, 3), r) for i, (s, m, ed, gd, r) in enumerate(opts[:limit])]


def resolve_variant(reference: Path, variant: str, *, annotation: Path | None = None,
                    transcript: str | None = None) -> tuple[Locus, Variant]:
    """Locus and variant from a genomic (``chr:posREF>ALT``) or HGVS ``c.`` expression."""
    text = variant.strip()
    if ":c." in text or text.startswith("c."):
        tx = text.split(":", 1)[0] if ":c." in text else transcript
        locus = load_locus(reference, None, annotation=annotation, transcript=tx or transcript)
        return locus, parse_hgvs_c(text, locus)
    return parse_genomic_variant(text, lambda chrom: load_locus(reference, chrom, annotation=annotation,
                                                                transcript=transcript))


def design_edit(reference: Path, variant: str, *, goal: str = "correct", nucleases: str = DEFAULT_NUCLEASES,
                annotation: Path | None = None, transcript: str | None = None, offtarget_index=None,
                offtarget_search=None, max_mismatches: int = 4, bulges: int = 0, site_annotation=None,
                primers: bool = True) -> EditDesign:
    """All three kinds of designs for ``variant`` on ``reference`` (see module docstring).

    ``site_annotation``: a `SiteAnnotation` (or a path to a MANE summary / GTF / GFF3) naming the genes and
    exons of off-target sites; ``bulges``: 0 or 1 DNA/RNA bulge in the off-target search.
    """
    if site_annotation is not None and not hasattr(site_annotation, "annotate"):
        from rarepath.design.offtarget.annotate import load_site_annotation

        site_annotation = load_site_annotation(Path(site_annotation))
    nucs = get_nucleases(nucleases)
    if not nucs:
        raise InputError("no nuclease given", field="nucleases")
    locus, var = resolve_variant(Path(reference), variant, annotation=annotation, transcript=transcript)
    ctx = build_edit_context(locus, var, goal)
    if offtarget_index is None and offtarget_search is None and engine_available():
        offtarget_index = _index_for(Path(reference))
    search_kw = dict(index=offtarget_index, search=offtarget_search, max_mismatches=max_mismatches,
                     bulges=bulges, annotation=site_annotation, primers=primers)
    nguides, scope = design_nuclease_guides(ctx, nucs, **search_kw)
    be, be_note = design_base_editing(ctx, nucs)
    be = attach_offtargets_and_primers(ctx, be, nucs, **search_kw)
    pegs, pe_notes = design_prime_editing(ctx, nucs)
    pegs = attach_offtargets_and_primers(ctx, pegs, nucs, **search_kw)
    frame_note = (f"CDS frame from {locus.frame.transcript} ({locus.frame.strand} strand)" if locus.frame
                  else "no CDS frame given: amino-acid consequences and donor silence not checked")
    d = EditDesign(var.label or variant, var.chrom, var.position - 1, var.ref or "-", var.alt or "-", goal,
                   ctx.change_label, ctx.intended_consequence(), frame_note, nguides, be_note, be, pegs, pe_notes,
                   scope)
    d.shortlist = rank_options(d)
    return d


def _index_for(reference: Path):
    """Off-target index of the reference (a folder is a prebuilt index), or None if it cannot be built."""
    from rarepath.design.offtarget import GenomeIndex

    try:
        return GenomeIndex.load(reference) if reference.is_dir() else GenomeIndex.from_fasta(reference)
    except (OSError, ValueError, InputError):
        return None

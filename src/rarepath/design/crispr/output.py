"""Flat rows of an :class:`EditDesign` for TSV and the terminal (one row per guide / pegRNA)."""

from __future__ import annotations

import csv
from pathlib import Path

from .design import EditDesign

#: Genomic coordinates are 0-based half-open (BED), named so in the header, as in `design offtargets`.
COLUMNS = ["method", "rank", "editor", "nuclease", "spacer", "pam", "chrom", "strand", "start_0based",
           "end_0based_excl", "cut_or_nick_0based", "cut_to_variant", "ontarget_rs1", "ontarget_rarepath_ridge",
           "offtargets_0_1_2_3_4mm", "offtargets_bulged", "mit_specificity", "cfd_specificity", "offtarget_genes",
           "offtarget_exons", "target_position", "target_weight", "bystanders_0based", "precise_fraction", "pbs",
           "rtt", "extension", "pbs_tm", "pam_disrupted", "nicking_guide", "donor", "donor_strand", "blocking",
           "primer_left", "primer_right", "amplicon_start_0based", "amplicon_end_0based_excl", "amplicon_size",
           "expression_flags", "flags"]


def _fmt(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def _shared(g) -> dict:
    """Columns every guide kind has: location, off-target summary, primers, expression flags."""
    o, pr = g.offtargets, g.primers
    return dict(spacer=g.spacer, pam=g.pam, strand=g.strand, start_0based=g.start_0based,
                end_0based_excl=g.start_0based + len(g.spacer) + len(g.pam),
                offtargets_0_1_2_3_4mm=o.counts_text() if o else "", offtargets_bulged=o.bulged if o else "",
                mit_specificity=round(o.mit_specificity, 1) if o and o.mit_specificity is not None else None,
                cfd_specificity=round(o.cfd_specificity, 1) if o and o.cfd_specificity is not None else None,
                offtarget_genes=";".join(o.genes) if o else "", offtarget_exons=";".join(o.exons) if o else "",
                primer_left=pr.left if pr else "", primer_right=pr.right if pr else "",
                amplicon_start_0based=pr.left_start_0based if pr else None,
                amplicon_end_0based_excl=pr.right_end_0based_excl if pr else None,
                amplicon_size=pr.product_size if pr else None, expression_flags="; ".join(g.expression_flags))


def design_rows(d: EditDesign) -> list[dict[str, str]]:
    """All designs as rows with :data:`COLUMNS` keys (empty strings where a field does not apply)."""
    rank = {(o.method, o.guide): o.rank for o in d.shortlist}
    rows: list[dict] = []
    for g in d.base_editor_guides:
        bys = "; ".join(f"{b.position_0based}:pos{b.protospacer_position}:{b.weight:.2f}:{b.consequence}"
                        for b in g.bystanders)
        rows.append(dict(method="base_editor", rank=rank.get(("base_editor", f"{g.spacer} {g.pam}")),
                         editor=g.editor, nuclease=g.nuclease, chrom=d.chrom, **_shared(g),
                         target_position=g.target_protospacer_position, target_weight=g.target_weight,
                         bystanders_0based=bys, precise_fraction=round(g.precise_fraction, 4), flags=g.profile_note))
    for p in d.pegrnas:
        ng = p.nicking_guides[0] if p.nicking_guides else None
        rows.append(dict(method="prime_editor", rank=rank.get(("prime_editor", f"{p.spacer} {p.pam}")),
                         editor="PE2/PE3", nuclease=p.nuclease, chrom=d.chrom, **_shared(p),
                         cut_or_nick_0based=p.nick_0based, cut_to_variant=p.nick_to_edit, pbs=p.pbs, rtt=p.rtt,
                         extension=p.extension, pbs_tm=p.pbs_tm, pam_disrupted=p.pam_disrupted,
                         nicking_guide=(f"{ng.kind}:{ng.spacer}{ng.pam}:{ng.strand}:{ng.nick_distance:+d}"
                                        if ng else ""), flags=",".join(p.flags)))
    for g in d.nuclease_guides:
        rows.append(dict(method="nuclease_hdr", rank=rank.get(("nuclease_hdr", f"{g.spacer} {g.pam}")),
                         editor=g.nuclease, nuclease=g.nuclease, chrom=d.chrom, **_shared(g),
                         cut_or_nick_0based=g.cut_0based, cut_to_variant=g.cut_to_variant,
                         ontarget_rs1=g.ontarget_rs1, ontarget_rarepath_ridge=g.ontarget_rarepath_ridge,
                         donor=g.donor.sequence, donor_strand=g.donor.strand, blocking=g.donor.note))
    rows.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    return [{c: _fmt(r.get(c)) for c in COLUMNS} for r in rows]


def write_tsv(d: EditDesign, path: Path) -> None:
    """Write all rows; a `#` header line records the variant, goal and frame note."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(f"# rarepath design edit: {d.variant} goal={d.goal} change={d.change} ({d.frame_note}); "
                 f"off-targets: {d.offtarget_scope}; coordinates: genomic, 0-based half-open (BED)\n")
        w = csv.DictWriter(fh, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(design_rows(d))

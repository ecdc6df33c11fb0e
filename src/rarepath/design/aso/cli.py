"""`rarepath design aso`: thin shell over rarepath.design.aso (frame analysis and oligo design)."""

from __future__ import annotations

from pathlib import Path

import typer


def _lengths(text: str | None) -> tuple[int, int] | None:
    from rarepath.errors import InputError

    if not text:
        return None
    try:
        a, _, b = text.partition("-")
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise InputError(f"lengths {text!r} must be N or MIN-MAX", field="--lengths") from None
    return lo, hi


def _write(path: Path, text: str) -> None:
    """Write via a temporary file so a failure never leaves a half-written or lost earlier output."""
    from rarepath.errors import InputError

    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text)
        tmp.replace(path)
    except OSError as err:
        raise InputError(f"cannot write output ({err.strerror})", source=str(path)) from None


def aso_command(
    gene: str = typer.Option(None, "--gene", help="Gene symbol (exon structure shipped with rarepath, e.g. DMD)."),
    variant: str = typer.Option(None, "--variant", help="Whole-exon variant, e.g. 'deletion of exons 48-50'."),
    region: Path = typer.Option(None, "--region", help="Exon-annotated region: LRG XML, GFF3 (+FASTA), GenBank, "
                                "or plain FASTA for block/knockdown goals."),
    transcript: str = typer.Option(None, "--transcript", help="Transcript in the region file (default: first)."),
    goal: str = typer.Option(None, "--goal", help="skip-exon:N | block:POS[-END] | knockdown | allele:POS:REF>ALT "
                             "(positions 1-based on the region)."),
    lengths: str = typer.Option(None, "--lengths", help="Oligo length range MIN-MAX (default per chemistry)."),
    chemistry: str = typer.Option(None, "--chemistry", help="Steric-block chemistry: PMO (20-30-mers, default for "
                                  "skip-exon) or MOE (2'-MOE PS 18-20-mers, default for block)."),
    genome: Path = typer.Option(None, "--genome", help="FASTA file or folder for off-target search."),
    max_mismatches: int = typer.Option(2, "--max-mismatches", min=0, max=3),
    top: int = typer.Option(50, "--top", help="Candidates kept in JSON (TSV has all)."),
    json_out: Path = typer.Option(None, "--json", help="Write the result as JSON."),
    tsv_out: Path = typer.Option(None, "--tsv", help="Write all candidates with every feature as TSV."),
) -> None:
    """Antisense oligonucleotides: exon-skipping reading frame and candidate oligo design."""
    import json

    from rarepath.errors import InputError
    from rarepath.intake.describe import parse_exon_variant
    from rarepath.interpret.amenability import frame_analysis
    from rarepath.knowledge.exons import shipped_exon_lengths

    if not (variant or goal):
        raise InputError("give --variant (frame analysis) and/or --goal (oligo design)", field="--goal")
    reg = None
    if region is not None:
        from rarepath.design.aso.regions import GeneRegion, _read_fasta, load_region

        try:
            reg = load_region(region, transcript)
        except InputError:
            if not (goal and region.suffix.lower() in (".fa", ".fasta", ".fna") and region.exists()
                    and not goal.lower().startswith("skip")):
                raise
            seqs = _read_fasta(region)
            name, seq = next(iter(seqs.items()))
            reg = GeneRegion(gene or name, "", seq, [], str(region))
    out: dict = {}
    if variant:
        kind, first, last = parse_exon_variant(variant)
        if reg is not None and reg.exons:
            lens, g = reg.exon_lengths, gene or reg.gene
        else:
            if not gene:
                raise InputError("frame analysis needs --gene or an exon-annotated --region", field="--gene")
            lens, g = shipped_exon_lengths(gene), gene
            if lens is None:
                raise InputError(f"no exon structure ships for {gene}; give --region", field="--gene")
        fa = frame_analysis(g, lens, first, last, kind)
        out.update(fa.to_dict())
        if goal and goal.lower().replace("_", "-").startswith("skip-exon:"):
            try:
                n = int(goal.split(":", 1)[1])
            except ValueError:
                n = -1
            if first <= n <= last and kind == "deletion":
                raise InputError(f"goal {goal!r} makes no sense: exon {n} is deleted", field="--goal")
            if fa.frame == "in_frame":
                raise InputError(f"goal {goal!r} makes no sense: the {kind} is already in frame", field="--goal")
            if n not in fa.single_skips and not any(n in d for d in fa.double_skips):
                ok = ", ".join(map(str, fa.single_skips)) or "none"
                raise InputError(f"goal {goal!r} makes no sense: skipping exon {n} does not restore the frame "
                                 f"(restoring single skips: {ok})", field="--goal")
    if goal:
        from rarepath.design.aso.design import design, parse_goal, to_tsv

        if reg is None:
            raise InputError("oligo design needs --region", field="--region")
        g = parse_goal(goal, reg)
        idx = None
        if genome is not None:
            from rarepath.design.aso.offtarget import load_genome

            idx = load_genome(genome)
        res = design(reg, g, _lengths(lengths), idx, max_mismatches, chemistry=chemistry)
        out["design"] = res.to_dict(top)
        if tsv_out:
            _write(tsv_out, to_tsv(res))
        best = res.candidates[0]
        typer.echo(f"{len(res.candidates)} candidates for {goal}; best {best.oligo} (score {best.score:.2f})")
        for c in res.candidates:
            if c.approved_drug:
                typer.echo(f"candidate rank {c.rank} {c.oligo} is the sequence of {c.approved_drug}")
    if variant:
        typer.echo(f"{out['gene']} {out['kind']} of exons {out['first']}-{out['last']}: {out['frame']}; "
                   f"single skips {out['single_skips']}, double skips {out['double_skips']}")
    if json_out:
        _write(json_out, json.dumps(out, indent=2, default=str) + "\n")

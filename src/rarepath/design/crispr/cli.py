"""`rarepath design edit` (and `design score`): thin shells over rarepath.design.crispr."""

from __future__ import annotations

from pathlib import Path

import typer


def edit_command(
    reference: Path = typer.Option(..., "--reference", "-r", help="Genome or region FASTA (or a RefSeqGene FASTA "
                                   "with --annotation for HGVS c.)."),
    variant: str = typer.Option(..., "--variant", "-v", help="chr5:70951946C>T, or NM_x:c.473C>T with --annotation."),
    goal: str = typer.Option("correct", "--goal", help="correct (cells carry ALT, restore REF) or introduce "
                             "(install ALT in reference cells)."),
    nucleases: str = typer.Option("SpCas9,SaCas9,SpRY,AsCas12a", "--nucleases", help="Comma-separated nucleases."),
    annotation: Path | None = typer.Option(None, "--annotation", help="GFF3 or GenBank with the CDS (frame for "
                                           "amino-acid consequences and HGVS c.)."),
    transcript: str | None = typer.Option(None, "--transcript", help="Transcript in --annotation to use."),
    offtarget_index: Path | None = typer.Option(None, "--offtarget-index", help="Prebuilt `rarepath index` folder "
                                                "for the genome-wide off-target search (default: index --reference)."),
    no_offtargets: bool = typer.Option(False, "--no-offtargets", help="Skip the off-target search."),
    max_mismatches: int = typer.Option(4, "--max-mismatches", min=0, max=5),
    bulge: bool = typer.Option(False, "--bulge", help="Also search sites with one DNA or RNA bulge (counted "
                               "separately; MIT/CFD are defined for unbulged sites only)."),
    tsv: Path | None = typer.Option(None, "--tsv", help="Write all designs as TSV."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the typed design as JSON."),
    top: int = typer.Option(10, "--top", help="Rows of the ranked short list shown in the terminal."),
) -> None:
    """CRISPR nuclease+HDR, base-editor and prime-editor designs for a variant, ranked with reasons."""
    from rich.console import Console
    from rich.table import Table

    from rarepath.design.crispr.design import design_edit
    from rarepath.design.crispr.output import write_tsv
    from rarepath.errors import InputError

    index = None
    search = None
    if no_offtargets:
        search = _no_search
    elif offtarget_index is not None:
        from rarepath.design.offtarget import GenomeIndex

        index = GenomeIndex.load(offtarget_index)
    for p, name in ((reference, "--reference"), (annotation, "--annotation")):
        if p is not None and not p.exists():
            raise InputError("file not found", source=str(p), field=name)
    d = design_edit(reference, variant, goal=goal, nucleases=nucleases, annotation=annotation,
                    transcript=transcript, offtarget_index=index, offtarget_search=search,
                    max_mismatches=max_mismatches, bulge=int(bulge))
    if no_offtargets:
        d.offtarget_scope = "not searched (--no-offtargets)"
    if tsv is not None:
        write_tsv(d, tsv)
    if json_out is not None:
        json_out.write_text(d.to_json(), encoding="utf-8")
    con = Console()
    con.print(f"[bold]{d.variant}[/bold]  goal={d.goal}  change on +: {d.change}"
              + (f"  ({d.intended_consequence})" if d.intended_consequence else ""))
    con.print(f"{d.frame_note}. Base editing: {d.base_editing_note}. Off-targets: {d.offtarget_scope}.")
    t = Table(title="Ranked editing options", show_lines=False)
    for c in ("#", "method", "editor", "guide + PAM", "score", "reason"):
        t.add_column(c, overflow="fold")
    for o in d.shortlist[:top]:
        t.add_row(str(o.rank), o.method, o.editor, o.guide, f"{o.score:.2f}", o.reason)
    con.print(t)
    con.print(f"{len(d.nuclease_guides)} nuclease guides, {len(d.base_editor_guides)} base-editor guides, "
              f"{len(d.pegrnas)} pegRNAs" + (f"; written to {tsv}" if tsv else "")
              + (f"; JSON {json_out}" if json_out else ""))


def _no_search(index, spacers, **kwargs):  # pragma: no cover - never called (index is None)
    return []


def score_command(
    guides: Path = typer.Option(..., "--guides", help="30-mers (4 nt + 20 nt spacer + PAM + 3 nt), one per line."),
    model: str = typer.Option("rs1", "--model", help="rs1 (Doench 2014 Rule Set 1) or best (rarepath's own)."),
    tsv: Path | None = typer.Option(None, "--tsv", help="Output TSV (default: stdout)."),
) -> None:
    """Score SpCas9 guides for on-target efficiency."""
    import sys

    from rarepath.design.crispr.ontarget import score_ontarget
    from rarepath.design.crispr.scores import encode_bases
    from rarepath.errors import InputError

    if not guides.is_file():
        raise InputError("file not found", source=str(guides), field="--guides")
    seqs = []
    for n, line in enumerate(guides.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip().split("\t")[0].upper()
        if not s or s.startswith("#"):
            continue
        if len(s) != 30:
            raise InputError(f"line {n}: {s!r} is not a 30-mer (4 + 20 + PAM + 3)", source=str(guides))
        try:
            encode_bases([s], 30)
        except ValueError:
            raise InputError(f"line {n}: {s!r} has a base other than A, C, G, T", source=str(guides)) from None
        seqs.append(s)
    if model not in ("rs1", "best"):
        raise InputError(f"unknown model {model!r} (use rs1 or best)", field="--model")
    scores = score_ontarget(seqs, model) if seqs else []
    lines = ["seq30\tspacer\tscore"] + [f"{s}\t{s[4:24]}\t{float(v):.4f}" for s, v in zip(seqs, scores, strict=True)]
    text = "\n".join(lines) + "\n"
    if tsv is None:
        sys.stdout.write(text)
    else:
        tsv.write_text(text, encoding="utf-8")

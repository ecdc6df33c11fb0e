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
    bulges: int = typer.Option(0, "--bulges", min=0, max=1, help="1: also search sites with one DNA or RNA bulge "
                               "(counted separately; MIT/CFD are defined for unbulged sites only)."),
    site_annotation: Path | None = typer.Option(None, "--site-annotation", help="Name the genes (and exons) of "
                                                "off-target sites: a MANE summary table or a GTF/GFF3 file."),
    no_primers: bool = typer.Option(False, "--no-primers", help="Skip the genotyping primers (primer3)."),
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
    for p, name in ((reference, "--reference"), (annotation, "--annotation"), (site_annotation,
                                                                                  "--site-annotation")):
        if p is not None and not p.exists():
            raise InputError("file not found", source=str(p), field=name)
    d = design_edit(reference, variant, goal=goal, nucleases=nucleases, annotation=annotation,
                    transcript=transcript, offtarget_index=index, offtarget_search=search,
                    max_mismatches=max_mismatches, bulges=bulges, site_annotation=site_annotation,
                    primers=not no_primers)
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
    guides: Path = typer.Option(..., "--guides", help="SpCas9 guides, one per line: 30-mers (4 nt + 20-nt spacer "
                                "+ PAM + 3 nt), or 20-mers (spacer) / 23-mers (spacer + NGG) with --reference."),
    model: str = typer.Option("rs1", "--model", help="rs1 (Doench 2014 Rule Set 1) or rarepath-ridge "
                              "(rarepath's ridge model on the Haeussler 2016 tables)."),
    reference: Path | None = typer.Option(None, "--reference", "-r", help="Genome/region FASTA or `rarepath index` "
                                          "folder: the 30-mer context of 20-/23-mers is read at their first "
                                          "perfect NGG match."),
    tsv: Path | None = typer.Option(None, "--tsv", help="Output TSV (default: stdout)."),
) -> None:
    """Score SpCas9 guides for on-target efficiency (the score column is named by its model)."""
    import sys

    from rarepath.design.crispr.ontarget import MODELS, context30_from_reference, score_ontarget
    from rarepath.errors import InputError

    if not guides.is_file():
        raise InputError("file not found", source=str(guides), field="--guides")
    if model not in MODELS:
        raise InputError(f"unknown model {model!r} (use {' or '.join(MODELS)})", field="--model")
    given: list[tuple[int, str]] = []
    for n, line in enumerate(guides.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip().split("\t")[0].upper().replace("U", "T")
        if not s or s.startswith("#") or (n == 1 and s.lower() in ("guide", "seq", "seq30", "spacer")):
            continue
        if set(s) - set("ACGT"):
            raise InputError(f"line {n}: {s!r} has a base other than A, C, G, T", source=str(guides))
        if len(s) not in (20, 23, 30):
            raise InputError(f"line {n}: {s!r} is {len(s)} nt; give a 20-mer (spacer), 23-mer (spacer + PAM) or "
                             "30-mer (4 + 20 + PAM + 3)", source=str(guides))
        if len(s) == 23 and s[21:23] != "GG":
            raise InputError(f"line {n}: {s!r} does not end in an NGG PAM", source=str(guides))
        given.append((n, s))
    short = [s for _, s in given if len(s) != 30]
    ctx: dict[str, str | None] = {}
    if short:
        if reference is None:
            raise InputError("20-/23-mers need --reference to read their 30-mer context", field="--reference")
        ctx = dict(zip(short, context30_from_reference(short, _index(reference)), strict=True))
        missing = [f"line {n}" for n, s in given if len(s) != 30 and ctx.get(s) is None]
        if missing:
            raise InputError(f"{', '.join(missing[:5])}: no perfect NGG match with 4+3 nt of context in the "
                             "reference", source=str(reference), field="--guides")
    seqs = [s if len(s) == 30 else ctx[s] for _, s in given]
    try:
        scores = score_ontarget(seqs, model) if seqs else []
    except ValueError as err:
        raise InputError(str(err), field="--model") from None
    col = "ontarget_" + model.replace("-", "_")
    lines = [f"guide\tseq30\tspacer\t{col}"] + [
        f"{g}\t{s}\t{s[4:24]}\t{float(v):.4f}" for (_, g), s, v in zip(given, seqs, scores, strict=True)]
    text = "\n".join(lines) + "\n"
    if tsv is None:
        sys.stdout.write(text)
    else:
        tsv.write_text(text, encoding="utf-8")


def _index(reference: Path):
    from rarepath.design.offtarget import GenomeIndex
    from rarepath.errors import InputError

    if not reference.exists():
        raise InputError("reference not found", source=str(reference), field="--reference")
    return GenomeIndex.load(reference) if reference.is_dir() else GenomeIndex.from_fasta(reference)

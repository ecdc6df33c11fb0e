"""`rarepath design offtargets`: genome-wide off-target sites and per-guide summaries of CRISPR guides.

Output conventions:

- Coordinates: 0-based half-open on the genome, like BED, and named so in the headers (`start_0based`,
  `end_0based_excl`); the same convention as `design edit` (see `rarepath.design.offtarget.annotate`).
  A region record (``chr5_70890000_71100000``) is mapped back to its chromosome.
- SITES (`--tsv`): one row per site found, the guide's own site included: guide (its spacer), chrom,
  start_0based / end_0based_excl (the whole protospacer+PAM on the + strand), strand, site
  (protospacer+PAM read 5'->3' on the site's strand), mismatches, bulge ('' / DNA / RNA), cfd (SpCas9 only)
  and mit (20-nt spacers with a 3' PAM) hit scores of unbulged sites, empty otherwise, and the gene and exon
  the site falls in (with `--annotation`). Every site within the limits is listed (NAG/NGA sites of low MIT
  score too); the CRISPOR filters apply to the summary only.
- SUMMARY (`--summary`): guide, sites_0mm .. sites_<max>mm, sites_bulged (with --bulges 1), mit_specificity,
  cfd_specificity, genes_hit (with --annotation), computed by `rarepath.design.crispr.offtargets.summarize_hits` (the numbers `design edit`
  reports). The guide's own site is left out as CRISPOR does: the first (in genome order) perfect match
  followed by one of the nuclease's main PAMs (NGG for SpCas9) is taken as the on-target; any further perfect
  match counts as a 0-mismatch off-target. A guide without such a match has nothing left out.
"""

from __future__ import annotations

from pathlib import Path

import typer

from rarepath.design.offtarget.annotate import genomic_position


def offtargets_command(
    reference: Path = typer.Option(..., "--reference", "-r", help="Genome FASTA (.fa/.fa.gz), a folder of FASTA "
                                   "files, or a `rarepath index` folder."),
    guides: list[str] = typer.Option(..., "--guides", "-g", help="A file of guides (one per line: 20-nt spacer, "
                                     "or a 23-mer with its PAM) or guide sequences; repeat the option, separate "
                                     "with commas, or list more sequences after it."),
    more_guides: list[str] | None = typer.Argument(None, metavar="SEQ", help="More guide sequences.",
                                                   show_default=False),
    max_mismatches: int = typer.Option(4, "--max-mismatches", min=0, max=6),
    bulges: int = typer.Option(0, "--bulges", min=0, max=1, help="1: also sites with one DNA or RNA bulge "
                               "(counted in sites_bulged; MIT/CFD are defined for unbulged sites only)."),
    bulge_ends: str = typer.Option("interior", "--bulge-ends", help="With --bulges 1: 'interior' (default) never "
                                   "puts a bulge at a spacer end: such an alignment is a shifted or truncated "
                                   "site, not an unpaired base inside the guide-DNA duplex; 'casoffinder' also "
                                   "allows them as Cas-OFFinder 3 does (DNA bulge between spacer and PAM, RNA "
                                   "bulge at the spacer's 5' base), to reproduce its site set exactly."),
    nuclease_name: str = typer.Option("SpCas9", "--nuclease", help="Nuclease (spacer length, PAM side and the "
                                      "off-target PAM set)."),
    pams: str | None = typer.Option(None, "--pams", help="Comma-separated PAMs to search instead of the "
                                    "nuclease's off-target PAMs (SpCas9: NGG,NAG,NGA)."),
    tsv: Path | None = typer.Option(None, "--tsv", help="Write every site found (TSV)."),
    summary: Path | None = typer.Option(None, "--summary", help="Write the per-guide summary (TSV)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Local processes (work split by chromosome x guide "
                                "batch); 1 = this process, all cores as threads."),
    dask_scheduler: str | None = typer.Option(None, "--dask-scheduler", help="Run the pieces on a Dask cluster "
                                              "(address, e.g. tcp://host:8786; the reference path must be "
                                              "readable by its workers)."),
    annotation: Path | None = typer.Option(None, "--annotation", help="Name the gene (and exon) of each site: a "
                                           "MANE summary table (GRCh38 gene spans) or a GTF/GFF3 file."),
    compact_index: bool = typer.Option(False, "--compact-index", help="Search a compact index: with a FASTA "
                                       "reference, build it in that layout (bit-packed seed tables, ~3.6 instead of "
                                       "~4.8 bytes per base on a human genome, bulge searches included); with an "
                                       "index folder, require one written by `rarepath index --compact` (a compact "
                                       "folder is used as such without this option). Same sites, ~1.1-1.7x slower "
                                       "search: the default layout is kept for speed wherever the genome fits."),
    top: int = typer.Option(20, "--top", help="Summary rows shown in the terminal."),
) -> None:
    """Exhaustive genome-wide off-target search of CRISPR guides (up to N mismatches, optional bulge)."""
    from rarepath.design.crispr.nucleases import get_nucleases
    from rarepath.design.offtarget.scaleout import search_guides_scaled
    from rarepath.errors import InputError

    nuclease = get_nucleases(nuclease_name)
    if len(nuclease) != 1:
        raise InputError("give exactly one nuclease", field="--nuclease")
    nuc = nuclease[0]
    if not reference.exists():
        raise InputError("reference not found", source=str(reference), field="--reference")
    spacers = read_guides(list(guides) + list(more_guides or []), nuc)
    ann = None
    if annotation is not None:
        from rarepath.design.offtarget.annotate import load_site_annotation

        ann = load_site_annotation(annotation)
    pam_set = tuple(p.strip().upper() for p in pams.split(",") if p.strip()) if pams else tuple(nuc.offtarget_pams)
    if not pam_set:
        raise InputError("no PAM given", field="--pams")
    if any(len(p) != nuc.pam_length for p in pam_set):
        raise InputError(f"PAMs must be {nuc.pam_length} nt for {nuc.name}", field="--pams")
    hits = search_guides_scaled(reference, spacers, pams=pam_set, max_mismatches=max_mismatches,
                                pam_side=nuc.pam_side, bulge=bulges, workers=workers,
                                dask_scheduler=dask_scheduler, bulge_ends=bulge_ends, compact=compact_index)
    per: list[list] = [[] for _ in spacers]
    for h in hits:
        per[h.query_index].append(h)
    rows = [summary_row(s, per[i], nuc, max_mismatches, bulges, ann) for i, s in enumerate(spacers)]
    header = summary_header(max_mismatches, bulges, annotated=ann is not None)
    if tsv is not None:
        _write_atomic(tsv, sites_lines(spacers, hits, nuc, ann))
    if summary is not None:
        _write_atomic(summary, ["\t".join(header)] + ["\t".join(r[c] for c in header) for r in rows])
    _print(rows, header, top, len(hits), tsv, summary)


# ---------------------------------------------------------------------------- guides


def read_guides(items: list[str], nuc) -> list[str]:
    """Spacers from files and/or sequences (see --guides); InputError on an invalid base or length."""
    out: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")
            for n, line in enumerate(text.splitlines(), 1):
                s = line.strip().split("\t")[0].split()[0] if line.strip() else ""
                if not s or s.startswith("#") or (n == 1 and s.lower() in ("guide", "spacer", "sequence", "seq")):
                    continue
                out.append(_spacer(s, nuc, f"line {n}", str(p)))
            continue
        looks_like_path = "/" in item or "\\" in item or item.lower().endswith((".txt", ".tsv", ".csv", ".fa"))
        if looks_like_path:
            from rarepath.errors import InputError

            raise InputError("guide file not found", source=item, field="--guides")
        out.extend(_spacer(s.strip(), nuc, "guide", None) for s in item.split(",") if s.strip())
    if not out:
        from rarepath.errors import InputError

        raise InputError("no guide given", field="--guides")
    return out


def _spacer(seq: str, nuc, where: str, source: str | None) -> str:
    """The spacer of a guide: L nt as given, or L + PAM nt with a PAM of the nuclease stripped."""
    from rarepath.design.crispr.nucleases import pam_matches
    from rarepath.errors import InputError

    s = seq.upper().replace("U", "T")
    bad = sorted(set(s) - set("ACGT"))
    if bad:
        raise InputError(f"{where}: {seq!r} has invalid bases {''.join(bad)}; only A, C, G, T allowed",
                         source=source, field="--guides")
    L, P = nuc.spacer_length, nuc.pam_length
    if len(s) == L:
        return s
    if len(s) == L + P:
        spacer, pam = (s[:L], s[L:]) if nuc.pam_side == "3prime" else (s[P:], s[:P])
        if not any(pam_matches(r.pattern, pam) for r in nuc.pams):
            want = "/".join(r.pattern for r in nuc.pams)
            raise InputError(f"{where}: {seq!r} is {L + P} nt but its PAM {pam} is not {want}", source=source,
                             field="--guides")
        return spacer
    raise InputError(f"{where}: {seq!r} is {len(s)} nt; {nuc.name} guides are {L}-nt spacers "
                     f"(or {L + P} nt with the PAM)", source=source, field="--guides")


# ---------------------------------------------------------------------------- tables


def own_site(hits: list, nuc):
    """The guide's own site: the first perfect unbulged match followed by a main PAM, or None."""
    from rarepath.design.crispr.nucleases import pam_matches

    for h in hits:
        if not h.bulge and h.mismatches == 0 and any(pam_matches(r.pattern, h.pam) for r in nuc.pams):
            return h
    return None


def summary_header(max_mismatches: int, bulges: int, annotated: bool = False) -> list[str]:
    cols = ["guide"] + [f"sites_{m}mm" for m in range(max_mismatches + 1)]
    if bulges:
        cols.append("sites_bulged")
    return cols + ["mit_specificity", "cfd_specificity"] + (["genes_hit"] if annotated else [])


def summary_row(spacer: str, hits: list, nuc, max_mismatches: int, bulges: int, annotation=None
                ) -> dict[str, str]:
    """One SUMMARY row via `summarize_hits` (own site moved first so that exactly it is left out)."""
    from rarepath.design.crispr.offtargets import OnTargetLocation, summarize_hits

    own_hit = own_site(hits, nuc)
    own = None
    if own_hit is not None:
        own = OnTargetLocation(own_hit.chrom, own_hit.start, own_hit.strand)
        hits = [own_hit] + [h for h in hits if h is not own_hit]
    s = summarize_hits(spacer, hits, nuc, max_mismatches=max_mismatches, own=own, annotation=annotation)
    row = {"guide": spacer}
    for m, c in enumerate(s.counts_by_mismatch):
        row[f"sites_{m}mm"] = str(c)
    row["sites_bulged"] = str(s.bulged)
    row["mit_specificity"] = "" if s.mit_specificity is None else f"{s.mit_specificity:.2f}"
    row["cfd_specificity"] = "" if s.cfd_specificity is None else f"{s.cfd_specificity:.2f}"
    row["genes_hit"] = ";".join(s.genes)
    if own_hit is not None:
        chrom, start = genomic_position(own_hit.chrom, own_hit.start)
        row["_own"] = f"{chrom}:{start}{own_hit.strand}"
    else:
        row["_own"] = ""
    return row


SITES_HEADER = ["guide", "chrom", "start_0based", "end_0based_excl", "strand", "site", "mismatches", "bulge",
                "cfd", "mit", "gene", "exon"]


def site_scores(spacer: str, hit, nuc) -> tuple[str, str]:
    """(cfd, mit) per-site hit scores as text: unbulged sites only; CFD for SpCas9, MIT for 20-nt 3' PAM."""
    from rarepath.design.crispr.scores import cfd_score, mit_hit_score_from_positions

    if hit.bulge or nuc.pam_side != "3prime":
        return "", ""
    proto = hit.site[: len(hit.site) - nuc.pam_length]
    cfd = ""
    if nuc.name == "SpCas9" and len(proto) == 20 and len(spacer) == 20:
        cfd = f"{cfd_score(spacer, hit.site):.4f}"
    mit = ""
    if len(spacer) >= 20:
        s20, p20 = spacer[-20:], proto[-20:]
        mit = f"{mit_hit_score_from_positions([i + 1 for i in range(20) if s20[i] != p20[i]]):.3f}"
    return cfd, mit


def sites_lines(spacers: list[str], hits: list, nuc, annotation=None) -> list[str]:
    """SITES rows in genome coordinates (0-based half-open), with gene and exon when annotated."""
    lines = ["\t".join(SITES_HEADER)]
    for h in hits:
        spacer = spacers[h.query_index]
        cfd, mit = site_scores(spacer, h, nuc)
        chrom, start = genomic_position(h.chrom, h.start)
        end = start + (h.end - h.start)
        gene, exon = annotation.annotate(chrom, start, end) if annotation is not None else ("", "")
        lines.append("\t".join((spacer, chrom, str(start), str(end), h.strand, h.site, str(h.mismatches),
                                h.bulge, cfd, mit, gene, exon)))
    return lines


def _write_atomic(path: Path, lines: list[str]) -> None:
    """Write next to the target and rename, so that an interrupted run never leaves a half-written file."""
    tmp = path.with_name(path.name + ".part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _print(rows: list[dict[str, str]], header: list[str], top: int, n_hits: int, tsv: Path | None,
           summary: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"Off-target summary ({len(rows)} guides; own site excluded)")
    short = {"mit_specificity": "MIT", "cfd_specificity": "CFD", "sites_bulged": "bulged"}
    own_col = ["own site"] if con.width >= 100 else []  # left out of a narrow terminal (it is in the note)
    for c in header + own_col:
        t.add_column(short.get(c, c.removeprefix("sites_")), no_wrap=True,
                     justify="left" if c in ("guide", "own site") else "right")
    for r in rows[:top]:
        t.add_row(*(r[c] for c in header), *([r["_own"] or "not found"] if own_col else []))
    con.print(t)
    if len(rows) > top:
        con.print(f"... {len(rows) - top} more guides" + (f" in {summary}" if summary else ""))
    no_own = sum(1 for r in rows if not r["_own"])
    con.print(f"{n_hits:,} sites" + (f" written to {tsv}" if tsv else "")
              + (f"; summary in {summary}" if summary else "")
              + (f"; {no_own} guide(s) without a perfect on-target match (nothing excluded)" if no_own else ""))

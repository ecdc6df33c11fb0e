"""VCF/BCF -> variants of one sample (cyvcf2), with gene and consequence from ANN (SnpEff), CSQ (VEP) or
GENEINFO (ClinVar) INFO fields, and zygosity from GT.

Only records the sample carries are kept (0/0 and ./. are skipped). GT 0/1 -> heterozygous, 1/1 ->
homozygous, a haploid call (or any call on chrX/chrY outside the pseudo-autosomal regions in a male) ->
hemizygous. A VCF with several samples (a trio) needs `sample`: without it, an error lists the samples.
With `gene` given, annotated records of other genes are dropped; an unannotated VCF is taken
as already restricted to that gene (at most MAX_UNANNOTATED records, else an error asks to annotate or
subset it).

Repeat genotypes in the ExpansionHunter layout (INFO `RU` repeat unit and `REPID` locus, FORMAT `REPCN` repeat
count per allele, e.g. `20/300`) become repeat_expansion variants with repeat_unit and the larger allele's
repeat_count; the locus id names the gene when nothing else does.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rarepath.errors import InputError
from rarepath.intake.describe import make_variant, parse_hgvs
from rarepath.model.types import Variant, VariantKind, Zygosity

MAX_UNANNOTATED = 200

#: SO consequence terms (ANN/CSQ) -> kind, most severe first.
CONSEQUENCE_KINDS: tuple[tuple[str, VariantKind], ...] = (
    ("transcript_ablation", VariantKind.GENE_DELETION),
    ("exon_loss_variant", VariantKind.EXON_DELETION),
    ("splice_acceptor_variant", VariantKind.SPLICE),
    ("splice_donor_variant", VariantKind.SPLICE),
    ("stop_gained", VariantKind.NONSENSE),
    ("frameshift_variant", VariantKind.FRAMESHIFT),
    ("stop_lost", VariantKind.STOP_LOSS),
    ("start_lost", VariantKind.START_LOSS),
    ("transcript_amplification", VariantKind.GENE_DUPLICATION),
    ("inframe_insertion", VariantKind.INFRAME_INDEL),
    ("inframe_deletion", VariantKind.INFRAME_INDEL),
    ("disruptive_inframe_insertion", VariantKind.INFRAME_INDEL),
    ("disruptive_inframe_deletion", VariantKind.INFRAME_INDEL),
    ("conservative_inframe_insertion", VariantKind.INFRAME_INDEL),
    ("conservative_inframe_deletion", VariantKind.INFRAME_INDEL),
    ("missense_variant", VariantKind.MISSENSE),
    ("protein_altering_variant", VariantKind.MISSENSE),
    ("splice_region_variant", VariantKind.SPLICE),
    ("splice_donor_5th_base_variant", VariantKind.SPLICE),
    ("synonymous_variant", VariantKind.SYNONYMOUS),
    ("stop_retained_variant", VariantKind.SYNONYMOUS),
)

_PAR = {"X": ((10_001, 2_781_479), (155_701_383, 156_030_895)),  # GRCh38 pseudo-autosomal regions
        "Y": ((10_001, 2_781_479), (56_887_903, 57_217_415))}


@dataclass(frozen=True)
class Annotation:
    gene: str
    consequence: str = ""
    hgvs_c: str = ""
    hgvs_p: str = ""


@contextlib.contextmanager
def _captured_stderr() -> Iterator[list[str]]:
    """htslib writes warnings straight to fd 2; capture them so the user sees one line, not a dump."""
    out: list[str] = []
    try:
        fd = os.dup(2)
    except OSError:
        yield out
        return
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield out
        finally:
            os.dup2(fd, 2)
            os.close(fd)
            tmp.seek(0)
            out.extend(tmp.read().decode("utf-8", "replace").splitlines())


def _check_header(path: Path) -> None:
    """A text VCF must start with ##fileformat=VCF and have a #CHROM line before the records."""
    if path.suffix == ".bcf":
        return
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            first = fh.readline()
            if not first.startswith("##fileformat=VCF"):
                raise InputError("bad VCF header: the first line must be ##fileformat=VCFv4.x",
                                 source=str(path), field="header")
            for line in fh:
                if line.startswith("#CHROM"):
                    cols = line.rstrip("\n").split("\t")
                    if cols[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
                        raise InputError("bad VCF header: the #CHROM line must be tab-separated with the 8 "
                                         "fixed columns", source=str(path), field="header")
                    return
                if not line.startswith("##"):
                    break
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(f"cannot read VCF: {err}", source=str(path)) from None
    raise InputError("bad VCF header: no #CHROM header line before the records", source=str(path), field="header")


def _info_format(vcf: Any, tag: str) -> list[str] | None:
    try:
        desc = vcf.get_header_type(tag).get("Description", "")
    except (KeyError, Exception):
        return None
    m = re.search(r"(?:Format|Functional annotations)\s*:\s*'?([^'\"]+)", desc)
    if not m:
        return None
    return [c.strip() for c in m.group(1).split("|")]


def _described(value: Any, fmt: list[str], columns: tuple[str, str, str, str]) -> list[Annotation]:
    """Annotations from an INFO field (ANN, CSQ) whose `|`-separated layout the header describes;
    `columns` names the gene, consequence, HGVS c. and HGVS p. columns (lower case) in that layout."""
    idx = {name.lower(): i for i, name in enumerate(fmt)}
    out: list[Annotation] = []
    for entry in str(value).split(","):
        f = entry.split("|")

        def col(name: str, f: list[str] = f) -> str:
            i = idx.get(name)
            return f[i] if i is not None and i < len(f) else ""

        out.append(Annotation(*(col(name) for name in columns)))
    return out


def _annotations(rec: Any, ann_fmt: list[str] | None, csq_fmt: list[str] | None) -> list[Annotation]:
    out: list[Annotation] = []
    ann = rec.INFO.get("ANN")
    if ann and ann_fmt:
        out.extend(_described(ann, ann_fmt, ("gene_name", "annotation", "hgvs.c", "hgvs.p")))
    elif ann:  # SnpEff standard order without a described header
        for entry in str(ann).split(","):
            f = entry.split("|")
            if len(f) > 3:
                out.append(Annotation(f[3], f[1], f[9] if len(f) > 9 else "", f[10] if len(f) > 10 else ""))
    csq = rec.INFO.get("CSQ")
    if csq and csq_fmt:
        out.extend(_described(csq, csq_fmt, ("symbol", "consequence", "hgvsc", "hgvsp")))
    geneinfo = rec.INFO.get("GENEINFO")
    if geneinfo and not out:
        for part in str(geneinfo).split("|"):
            sym = part.split(":")[0]
            if sym:
                out.append(Annotation(sym))
    gene = rec.INFO.get("GENE") or rec.INFO.get("GENE_SYMBOL")
    if gene and not out:
        out.append(Annotation(str(gene)))
    return [a for a in out if a.gene]


def _kind(annots: list[Annotation], source: str) -> tuple[VariantKind, str | None, str | None]:
    terms = {t for a in annots for t in re.split(r"[&,]", a.consequence) if t}
    kind = VariantKind.UNKNOWN
    for term, k in CONSEQUENCE_KINDS:
        if term in terms:
            kind = k
            break
    hgvs_c = next((a.hgvs_c for a in annots if a.hgvs_c), None)
    hgvs_p = next((a.hgvs_p for a in annots if a.hgvs_p), None)
    if kind == VariantKind.UNKNOWN and (hgvs_c or hgvs_p):
        try:
            parsed = parse_hgvs(" ".join(x for x in (hgvs_c, hgvs_p) if x), source=source, field="INFO")
            if parsed:
                kind = parsed["kind"]
        except InputError:
            pass
    if kind == VariantKind.UNKNOWN and "intron_variant" in terms:
        kind = VariantKind.UNKNOWN
    return kind, hgvs_c, hgvs_p


def _repeat(rec: Any, si: int) -> tuple[str, int, str] | None:
    """(unit, largest allele repeat count, locus id) of an ExpansionHunter-style repeat record, else None."""
    unit = rec.INFO.get("RU")
    if not unit:
        return None
    try:
        cells = rec.format("REPCN")
    except KeyError:
        return None
    if cells is None:
        return None
    raw = cells[si]
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    counts = [int(x) for x in re.split(r"[/|,]", text) if x.strip().isdigit()]
    if not counts:
        return None
    return str(unit).upper(), max(counts), str(rec.INFO.get("REPID") or rec.INFO.get("VARID") or "")


def _zygosity(gt: list[Any], chrom: str, pos: int, male: bool) -> Zygosity | None:
    alleles = [a for a in gt[:-1] if isinstance(a, int)]
    called = [a for a in alleles if a >= 0]
    if not called or all(a == 0 for a in called):
        return None
    c = chrom.upper().removeprefix("CHR")
    in_par = any(lo <= pos <= hi for lo, hi in _PAR.get(c, ()))
    if len(alleles) == 1 or (male and c in ("X", "Y") and not in_par):
        return Zygosity.HEMIZYGOUS
    alt = [a for a in called if a > 0]
    if len(alt) == len(alleles) and len(set(alt)) == 1:
        return Zygosity.HOMOZYGOUS
    if len(alt) == len(alleles):
        return Zygosity.COMPOUND_HETEROZYGOUS  # two different alternate alleles
    return Zygosity.HETEROZYGOUS


def read_vcf(path: Path, gene: str | None = None, sex: str | None = None,
             sample: str | None = None) -> tuple[list[Variant], list[str], str]:
    """(variants, genes seen, sample name) for one sample of a VCF/BCF."""
    import cyvcf2

    src = str(path)
    _check_header(path)
    with _captured_stderr() as messages:
        try:
            vcf = cyvcf2.VCF(src)
        except Exception as err:  # cyvcf2 raises bare Exception/OSError on a broken header
            vcf = None
            error = str(err)
    if vcf is None:
        detail = next((m for m in messages if "[E::" in m), error)
        raise InputError(f"bad VCF header: {detail}", source=src, field="header")
    samples = list(vcf.samples)
    if not samples:
        raise InputError("the VCF has no sample column (GT is needed for zygosity)", source=src, field="samples")
    if sample is not None and sample not in samples:
        raise InputError(f"sample {sample!r} not in the VCF (has: {', '.join(samples)})", source=src,
                         field="samples")
    if sample is None and len(samples) > 1:
        # A trio VCF lists parents too: assessing the first column could silently assess a parent.
        raise InputError(f"{len(samples)} samples in the VCF: choose one with --sample (has: "
                         f"{', '.join(samples[:20])}{', ...' if len(samples) > 20 else ''})",
                         source=src, field="samples")
    si = samples.index(sample) if sample else 0
    ann_fmt, csq_fmt = _info_format(vcf, "ANN"), _info_format(vcf, "CSQ")
    male = (sex or "").lower() == "male"

    variants: list[Variant] = []
    genes: list[str] = []
    unannotated = 0
    with _captured_stderr() as messages:
        try:
            for rec in vcf:
                zyg = _zygosity(rec.genotypes[si], rec.CHROM, rec.POS, male)
                if zyg is None:
                    continue
                annots = _annotations(rec, ann_fmt, csq_fmt)
                if gene and annots:
                    annots = [a for a in annots if a.gene.upper() == gene.upper()]
                    if not annots:
                        continue
                if not annots:
                    unannotated += 1
                rec_gene = annots[0].gene if annots else (gene or "")
                if rec_gene and rec_gene not in genes:
                    genes.append(rec_gene)
                repeat = _repeat(rec, si)
                if repeat is not None:
                    unit, count, locus = repeat
                    rec_gene = rec_gene or (gene or locus)
                    if not annots:
                        unannotated -= 1
                        if gene and locus.upper() != gene.upper():
                            continue
                        if rec_gene and rec_gene not in genes:
                            genes.append(rec_gene)
                    variants.append(make_variant(
                        description=f"{unit} repeat expansion ({count} repeats)", gene=rec_gene,
                        kind=VariantKind.REPEAT_EXPANSION, repeat_unit=unit, repeat_count=count,
                        chrom=rec.CHROM, pos=rec.POS, ref=rec.REF, zygosity=zyg, flags=("repeat_genotype",)))
                    continue
                kind, hgvs_c, hgvs_p = _kind(annots, src)
                alt = ",".join(rec.ALT) if rec.ALT else None
                desc = " ".join(x for x in (hgvs_c, hgvs_p) if x) or f"{rec.CHROM}:{rec.POS} {rec.REF}>{alt}"
                variants.append(make_variant(
                    description=desc, gene=rec_gene, kind=kind, hgvs_c=hgvs_c, hgvs_p=hgvs_p,
                    chrom=rec.CHROM, pos=rec.POS, ref=rec.REF, alt=alt, zygosity=zyg,
                ))
        except Exception as err:
            bad = str(err)
        else:
            bad = ""
    if bad:
        detail = next((m for m in messages if "[E::" in m), bad)
        raise InputError(f"malformed VCF record: {detail}", source=src, field="records")
    if unannotated > MAX_UNANNOTATED:
        raise InputError(
            f"{unannotated} carried records without gene annotation: annotate the VCF (VEP CSQ or SnpEff ANN) "
            "or restrict it to the disease gene region", source=src, field="INFO")
    return variants, genes, samples[si]

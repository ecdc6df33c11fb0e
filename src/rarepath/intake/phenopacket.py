"""GA4GH Phenopacket v2 JSON -> Case (parsed with the `phenopackets` package, so schema errors are caught).

What is read: subject (id, sex, age at last encounter as an ISO 8601 duration), phenotypicFeatures
(observed and excluded HPO ids), the diagnosis disease of each interpretation (else `diseases[]`), and
each genomicInterpretation: a gene-level call (`gene`) or a `variantInterpretation.variationDescriptor`
with its geneContext, HGVS expressions (hgvs.c / hgvs.p / hgvs.g), vcfRecord, allelicState (GENO) and,
for structural variants, the SO structuralType and the free-text label.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from rarepath.errors import InputError
from rarepath.intake.describe import make_variant, parse_variant
from rarepath.intake.quick import make_case, validate_diseases, validate_hpo
from rarepath.model.types import Case, PatientFactors, Variant, VariantKind, Zygosity

#: GENO allelic states -> zygosity.
GENO_ZYGOSITY = {
    "GENO:0000135": Zygosity.HETEROZYGOUS,
    "GENO:0000458": Zygosity.HETEROZYGOUS,  # simple heterozygous
    "GENO:0000136": Zygosity.HOMOZYGOUS,
    "GENO:0000602": Zygosity.HOMOZYGOUS,  # homoplasmic
    "GENO:0000134": Zygosity.HEMIZYGOUS,
    "GENO:0000604": Zygosity.HEMIZYGOUS,  # hemizygous X-linked
    "GENO:0000605": Zygosity.HEMIZYGOUS,  # hemizygous Y-linked
    "GENO:0000402": Zygosity.COMPOUND_HETEROZYGOUS,
    "GENO:0000603": Zygosity.MOSAIC,  # heteroplasmic
    "GENO:0000137": Zygosity.UNKNOWN,  # unspecified zygosity
}

#: SO structural types -> kind, used when the free-text label of a structural variant says nothing more.
SO_KINDS = {
    "SO:1000029": VariantKind.GENE_DELETION,  # chromosomal_deletion
    "SO:0001893": VariantKind.GENE_DELETION,  # transcript_ablation
    "SO:1000035": VariantKind.GENE_DUPLICATION,  # duplication (chromosomal)
    "SO:1000037": VariantKind.GENE_DUPLICATION,  # chromosomal_duplication
    "SO:0001889": VariantKind.GENE_DUPLICATION,  # transcript_amplification
    "SO:1000030": VariantKind.INVERSION,  # chromosomal_inversion
    "SO:1000036": VariantKind.INVERSION,  # inversion
    "SO:0000667": VariantKind.INSERTION,  # insertion
    "SO:1000183": VariantKind.STRUCTURAL,  # chromosome_structure_variation
    "SO:0001636": VariantKind.UNKNOWN,  # 2KB_upstream_variant
}

_DURATION = re.compile(r"^P(?:(?P<y>\d+(?:\.\d+)?)Y)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<w>\d+(?:\.\d+)?)W)?"
                       r"(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T.*)?$")


def iso8601_years(duration: str) -> float | None:
    """`P3Y6M` -> 3.5 years; None when the text is not a duration."""
    m = _DURATION.match(duration.strip())
    if not m or not any(m.group(k) for k in "ymwd"):
        return None
    y, mo, w, d = (float(m.group(k) or 0) for k in "ymwd")
    return round(y + mo / 12 + w * 7 / 365.25 + d / 365.25, 4)


def _parse_message(path: Path) -> Any:
    from google.protobuf import json_format
    from phenopackets import Phenopacket

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read phenopacket: {err}", source=str(path)) from None
    try:
        return json_format.Parse(text, Phenopacket())
    except json_format.ParseError as err:
        msg = " ".join(str(err).split())
        field = "JSON" if "Failed to load JSON" in msg else "phenopacket schema"
        raise InputError(f"not a valid Phenopacket v2: {msg}", source=str(path), field=field) from None


def _variant_from_descriptor(vd: Any, gene: str, source: str, field: str) -> Variant:
    zyg = GENO_ZYGOSITY.get(vd.allelic_state.id, Zygosity.UNKNOWN)
    exprs = {e.syntax: e.value for e in vd.expressions}
    vcf = vd.vcf_record if vd.HasField("vcf_record") else None
    loc = {}
    if vcf is not None and vcf.chrom:
        loc = dict(chrom=vcf.chrom, pos=int(vcf.pos) or None, ref=vcf.ref or None, alt=vcf.alt or None,
                   assembly=vcf.genome_assembly or None)
    hgvs_text = " ".join(exprs[k] for k in ("hgvs.c", "hgvs.p", "hgvs.g", "hgvs") if exprs.get(k))
    free_text = vd.label or vd.description
    so = vd.structural_type.id if vd.HasField("structural_type") else ""
    base: Variant | None = None
    for text in (hgvs_text, free_text):
        if not text:
            continue
        try:
            base = parse_variant(text, gene, zyg, source=source, field=field)
            break
        except InputError:
            continue
    if base is None:
        desc = free_text or hgvs_text or vd.id or "variant"
        base = make_variant(description=desc, gene=gene, zygosity=zyg)
        if not so and not hgvs_text:
            base = make_variant(description=desc, gene=gene, zygosity=zyg, notes=("variant not described",))
    kind = base.kind
    if so and kind in (VariantKind.UNKNOWN, VariantKind.STRUCTURAL) and SO_KINDS.get(so, kind) != kind:
        if not (base.exons and SO_KINDS[so] in (VariantKind.GENE_DELETION, VariantKind.GENE_DUPLICATION)):
            kind = SO_KINDS[so]
        elif SO_KINDS[so] == VariantKind.GENE_DELETION:
            kind = VariantKind.EXON_DELETION
        else:
            kind = VariantKind.EXON_DUPLICATION
    fields = {k: getattr(base, k) for k in base.__dataclass_fields__}
    fields.update(kind=kind, **loc)
    if so:
        fields["flags"] = tuple(sorted(set(getattr(base, "flags", ()) or ()) | {f"so:{vd.structural_type.label}"}))
    return make_variant(**fields)


def load_phenopacket(path: Path) -> Case:
    """Case from a Phenopacket v2 JSON file; InputError (one line, naming the file) on bad JSON or schema."""
    from rarepath.knowledge.genes import require_gene

    msg = _parse_message(path)
    src = str(path)
    notes: list[str] = []
    genes: list[str] = []
    variants: list[Variant] = []
    dis_ids: list[str] = []
    dis_labels: dict[str, str] = {}

    for i, interp in enumerate(msg.interpretations):
        diag = interp.diagnosis
        if diag.HasField("disease") and diag.disease.id:
            did = diag.disease.id
            if did not in dis_ids:
                dis_ids.append(did)
                dis_labels[did] = diag.disease.label
        for j, gi in enumerate(diag.genomic_interpretations):
            field = f"interpretations[{i}].diagnosis.genomicInterpretations[{j}]"
            which = gi.WhichOneof("call")
            if which == "gene":
                sym = require_gene(gi.gene.symbol, source=src, field=f"{field}.gene.symbol")
                if sym not in genes:
                    genes.append(sym)
                continue
            if which != "variant_interpretation":
                continue
            vd = gi.variant_interpretation.variation_descriptor
            symbol = vd.gene_context.symbol if vd.HasField("gene_context") else ""
            if symbol:
                symbol = require_gene(symbol, source=src, field=f"{field}.variationDescriptor.geneContext.symbol")
                if symbol not in genes:
                    genes.append(symbol)
            else:
                notes.append(
                    f"variant {vd.label or vd.id!r} names no gene (geneContext missing): "
                    "a chromosomal or multi-gene change, gene-level rules do not apply"
                )
            variants.append(_variant_from_descriptor(vd, symbol, src, f"{field}.variationDescriptor"))

    if not dis_ids:
        for d in msg.diseases:
            if d.term.id and not d.excluded and d.term.id not in dis_ids:
                dis_ids.append(d.term.id)
                dis_labels[d.term.id] = d.term.label
    ids, known_labels = validate_diseases(dis_ids, source=src, field="interpretations.diagnosis.disease",
                                          strict=False)
    labels = tuple(dis_labels.get(d) or lab for d, lab in zip(ids, known_labels, strict=True))
    if not variants:
        notes.append("the phenopacket lists no variant (no genomicInterpretations with a variantInterpretation): "
                     "the assessment rests on the gene and diagnosis alone")
    if not genes:
        notes.append("no disease gene in this phenopacket: gene-level therapy options cannot be assessed")

    observed = [f.type.id for f in msg.phenotypic_features if not f.excluded and f.type.id]
    excluded = [f.type.id for f in msg.phenotypic_features if f.excluded and f.type.id]

    subject = msg.subject
    age = None
    if subject.HasField("time_at_last_encounter"):
        tae = subject.time_at_last_encounter
        if tae.HasField("age") and tae.age.iso8601duration:
            age = iso8601_years(tae.age.iso8601duration)
            if age is None or age > 130:
                raise InputError(f"impossible age {tae.age.iso8601duration!r}", source=src,
                                 field="subject.timeAtLastEncounter.age")
    from phenopackets import Sex

    sex_name = Sex.Name(subject.sex) if subject.sex else "UNKNOWN_SEX"
    sex = {"MALE": "male", "FEMALE": "female", "OTHER_SEX": "other"}.get(sex_name, "unknown")
    if subject.HasField("vital_status") and subject.vital_status.status == 2:  # DECEASED
        notes.append("the subject is recorded as deceased")

    hp_release = next((r.version for r in msg.meta_data.resources if r.id.lower() in ("hp", "hpo")), None)
    kept: list[str] = []
    phenotypes = validate_hpo(observed, source=src, field="phenotypicFeatures", declared_release=hp_release,
                              kept_unknown=kept)
    excluded_ids = validate_hpo(excluded, source=src, field="phenotypicFeatures (excluded)",
                                declared_release=hp_release, kept_unknown=kept)
    if kept:
        notes.append(f"HPO terms newer than the shipped ontology (file uses HPO {hp_release}), kept unchecked: "
                     + ", ".join(kept))

    return make_case(
        id=msg.id or path.stem,
        genes=tuple(genes),
        variants=tuple(variants),
        phenotypes=phenotypes,
        excluded_phenotypes=excluded_ids,
        diseases=ids,
        disease_labels=labels,
        patient=PatientFactors(age_years=age, sex=sex),
        source=src,
        notes=tuple(notes),
    )

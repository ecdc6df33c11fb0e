"""Intake: a case file or command-line options -> `Case`.

`load_case(path, **overrides)` dispatches on the file name: `.json` Phenopacket v2, `.vcf`/`.vcf.gz`/
`.bcf` (genes from --gene or INFO annotations; HPO and patient from the overrides), `.yaml`/`.yml` case
file. Overrides (None means "not given") replace what the file says:

- gene: str, variant: str (`;`-separated), zygosity: str, patient: str | PatientFactors (merged key by
  key over the file's patient), hpo: list of ids (added), diseases: list of ids (replace), case_id: str,
  mechanism: str, sample: str (VCF sample name).

`case_from_inputs(path, **options)` is the one way a command turns "a case file and/or the quick options"
into a Case: `rarepath assess` calls it once, `rarepath cohort assess` once per case, so both run the
same intake.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rarepath.errors import InputError
from rarepath.model.types import Case, PatientFactors, Zygosity

__all__ = ["load_case", "case_from_inputs", "OVERRIDES"]

#: Largest phenopacket or YAML case file read: a case is kilobytes (the largest public phenopacket is 13 kB); a runaway file is refused before parsing
#: (a 50 MB YAML line took the parser most of a minute to reject).
MAX_CASE_FILE_BYTES = 1_000_000

OVERRIDES = ("gene", "variant", "zygosity", "patient", "hpo", "diseases", "case_id", "mechanism", "sample")


def _kind_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".json"):
        return "phenopacket"
    if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz", ".bcf")):
        return "vcf"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    raise InputError("unknown case file type: expected .json (Phenopacket v2), .vcf/.vcf.gz/.bcf or .yaml",
                     source=str(path))


def _notes(case: Case) -> tuple[str, ...]:
    return tuple(getattr(case, "notes", ()) or ())


def _replace(case: Case, **kw: Any) -> Case:
    names = {f.name for f in dataclasses.fields(Case)}
    return dataclasses.replace(case, **{k: v for k, v in kw.items() if k in names})


def _from_vcf(path: Path, ov: dict[str, Any]) -> Case:
    from rarepath.intake.patient import parse_patient
    from rarepath.intake.quick import make_case, validate_diseases, validate_hpo, validate_mechanism
    from rarepath.intake.vcf import read_vcf
    from rarepath.knowledge.genes import require_gene

    src = str(path)
    patient = ov.get("patient")
    factors = patient if isinstance(patient, PatientFactors) else parse_patient(patient, source="--patient")
    gene = require_gene(ov["gene"], source="--gene", field="gene") if ov.get("gene") else None
    variants, genes, sample = read_vcf(path, gene=gene, sex=factors.sex, sample=ov.get("sample"))
    resolved: list[str] = []
    for g in ([gene] if gene else genes):
        sym = require_gene(g, source=src, field="INFO gene annotation")
        if sym not in resolved:
            resolved.append(sym)
    if not resolved:
        raise InputError("no gene: the VCF has no ANN/CSQ/GENEINFO annotation; give --gene", source=src,
                         field="gene")
    if not variants:
        raise InputError(f"sample {sample!r} carries no variant{' in ' + gene if gene else ''}", source=src,
                         field="records")
    ids, labels = validate_diseases(ov.get("diseases") or (), source="--disease")
    return make_case(
        id=ov.get("case_id") or f"{path.name.split('.')[0]}-{sample}",
        genes=tuple(resolved),
        variants=tuple(dataclasses.replace(v, gene=v.gene or resolved[0]) for v in variants),
        phenotypes=validate_hpo(ov.get("hpo") or (), source="--hpo"),
        diseases=ids,
        disease_labels=labels,
        patient=factors,
        source=src,
        mechanism_override=validate_mechanism(ov.get("mechanism"), source="--mechanism"),
    )


def load_case(path: Path, **overrides: Any) -> Case:
    """A Case from a Phenopacket v2 JSON, VCF/BCF or YAML case file, with command-line overrides applied."""
    unknown = set(overrides) - set(OVERRIDES)
    if unknown:
        raise TypeError(f"unknown override(s): {', '.join(sorted(unknown))}")
    ov = {k: v for k, v in overrides.items() if v is not None and v != () and v != []}
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", source=str(path))
    if path.is_dir():
        raise InputError("is a directory, expected a case file", source=str(path))
    kind = _kind_of(path)
    if kind == "vcf":
        return _from_vcf(path, ov)
    size = path.stat().st_size
    if size > MAX_CASE_FILE_BYTES:
        raise InputError(f"case file is {size:,} bytes; a {kind} case file may have at most "
                         f"{MAX_CASE_FILE_BYTES:,}", source=str(path))
    if kind == "phenopacket":
        from rarepath.intake.phenopacket import load_phenopacket

        case = load_phenopacket(path)
    else:
        from rarepath.intake.yamlcase import load_yaml_case

        case = load_yaml_case(path)
    return apply_overrides(case, ov)


def case_from_inputs(path: Path | str | None = None, **options: Any) -> Case:
    """The case of one `rarepath assess` call: a case file with the options as overrides, or, without a
    file, the quick case the options describe (`gene` is then required).

    `options` takes the names in OVERRIDES; None, () and [] mean "not given".
    """
    if path is not None:
        return load_case(Path(path), **options)
    unknown = set(options) - set(OVERRIDES)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    if not options.get("gene"):
        raise InputError("give a case file or --gene (with --variant, --zygosity, --patient)", source="assess")
    if options.get("sample"):
        raise InputError("--sample selects a VCF column: give a VCF case file", source="assess", field="--sample")
    from rarepath.intake.quick import case_from_options

    return case_from_options(
        options["gene"], options.get("variant"), options.get("zygosity"), options.get("patient"),
        hpo=_seq(options.get("hpo") or ()), case_id=options.get("case_id"),
        diseases=_seq(options.get("diseases") or ()), mechanism=options.get("mechanism"))


def apply_overrides(case: Case, ov: dict[str, Any]) -> Case:
    """Command-line options over a case read from a file."""
    if not ov:
        return case
    from rarepath.intake.describe import parse_variants
    from rarepath.intake.patient import merge_patient, parse_patient
    from rarepath.intake.quick import parse_zygosity, validate_diseases, validate_hpo, validate_mechanism
    from rarepath.knowledge.genes import require_gene

    genes = case.genes
    variants = case.variants
    if ov.get("gene"):
        sym = require_gene(ov["gene"], source="--gene", field="gene")
        genes = (sym,) + tuple(g for g in case.genes if g != sym)
    zyg = parse_zygosity(ov["zygosity"], source="--zygosity") if ov.get("zygosity") else None
    if ov.get("variant"):
        if not genes:
            raise InputError("--variant needs a gene (--gene) for a case without one", source="--variant")
        variants = parse_variants(ov["variant"], genes[0], zyg or Zygosity.UNKNOWN, source="--variant")
    elif zyg is not None:
        variants = tuple(dataclasses.replace(v, zygosity=zyg) for v in variants)
    patient = case.patient
    if ov.get("patient") is not None:
        extra = ov["patient"] if isinstance(ov["patient"], PatientFactors) else parse_patient(ov["patient"])
        patient = merge_patient(case.patient, extra)
    phenotypes = case.phenotypes
    if ov.get("hpo"):
        added = validate_hpo(_seq(ov["hpo"]), source="--hpo")
        phenotypes = phenotypes + tuple(t for t in added if t not in phenotypes)
    diseases, labels = case.diseases, case.disease_labels
    if ov.get("diseases"):
        diseases, labels = validate_diseases(_seq(ov["diseases"]), source="--disease")
    mechanism = case.mechanism_override
    if ov.get("mechanism"):
        mechanism = validate_mechanism(ov["mechanism"], source="--mechanism")
    if ov.get("case_id"):
        from rarepath.intake.quick import check_case_id

        check_case_id(ov["case_id"], source="--id")
    from rarepath.intake.quick import with_consistency_notes

    return with_consistency_notes(_replace(
        case,
        id=ov.get("case_id") or case.id,
        genes=genes,
        variants=variants,
        patient=patient,
        phenotypes=phenotypes,
        diseases=diseases,
        disease_labels=labels,
        mechanism_override=mechanism,
        notes=_notes(case),
    ))


def _seq(value: str | Sequence[str]) -> Sequence[str]:
    return [value] if isinstance(value, str) else value

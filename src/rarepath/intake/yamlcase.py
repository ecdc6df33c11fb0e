"""Short YAML case files.

Format (all keys optional except a gene; unknown keys are an error)::

    id: dmd-boy-6y                  # case id (default: the file name)
    gene: DMD                       # or  genes: [DMD]
    variants:                       # strings: HGVS or plain descriptions (rarepath.intake.describe);
      - deletion of exons 48-50     #   or a mapping {description: ..., gene: ..., zygosity: ...}
    zygosity: hemizygous            # applies to every variant without its own zygosity
    patient: "age=6; sex=male"      # the --patient syntax, or a mapping {age: 6, sex: male, ...}
    hpo: [HP:0003560, HP:0001270]   # observed HPO terms (validated against the ontology)
    excluded_hpo: [HP:0001250]      # terms explicitly absent
    diseases: [OMIM:310200]         # the diagnosis, if known
    mechanism: loss_of_function     # override of the inferred mechanism

`variant: "..."` (one string, `;`-separated for several alleles) is accepted in place of `variants`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rarepath.errors import InputError
from rarepath.intake.describe import parse_variants
from rarepath.intake.patient import parse_patient
from rarepath.intake.quick import (
    make_case,
    parse_zygosity,
    validate_diseases,
    validate_hpo,
    validate_mechanism,
)
from rarepath.model.types import Case, Variant

KEYS = ("id", "gene", "genes", "variants", "variant", "zygosity", "patient", "hpo", "excluded_hpo", "diseases",
        "mechanism", "note", "notes")


def _as_list(value: Any, src: str, field: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | int | float):
        return [value]
    if isinstance(value, list):
        return value
    raise InputError(f"expected a list, got {type(value).__name__}", source=src, field=field)


def load_yaml_case(path: Path) -> Case:
    import yaml

    from rarepath.knowledge.genes import require_gene

    src = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read case file: {err}", source=src) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"not valid YAML{where}: {problem}", source=src) from None
    if not isinstance(data, dict):
        raise InputError("a case file must be a mapping of keys (id, gene, variants, ...)", source=src)
    unknown = [k for k in data if k not in KEYS]
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r} (known: {', '.join(KEYS)})", source=src, field=str(unknown[0]))

    raw_genes = _as_list(data.get("genes"), src, "genes") + _as_list(data.get("gene"), src, "gene")
    genes: list[str] = []
    for i, g in enumerate(raw_genes):
        sym = require_gene(str(g), source=src, field="gene" if data.get("gene") else f"genes[{i}]")
        if sym not in genes:
            genes.append(sym)
    if not genes:
        raise InputError("no gene: give `gene: SYMBOL` or `genes: [...]`", source=src, field="gene")
    zyg = parse_zygosity(data.get("zygosity"), source=src)

    variants: list[Variant] = []
    raw_vars = _as_list(data.get("variants"), src, "variants")
    if data.get("variant") is not None:
        raw_vars = [data["variant"], *raw_vars]
    for i, item in enumerate(raw_vars):
        field = f"variants[{i}]"
        if isinstance(item, dict):
            extra = set(item) - {"description", "gene", "zygosity"}
            if extra or "description" not in item:
                raise InputError("a variant mapping needs `description` (and optionally gene, zygosity)",
                                 source=src, field=field)
            vgene = require_gene(str(item.get("gene", genes[0])), source=src, field=f"{field}.gene")
            vz = parse_zygosity(item.get("zygosity"), source=src, field=f"{field}.zygosity") \
                if item.get("zygosity") else zyg
            variants.extend(parse_variants(str(item["description"]), vgene, vz, source=src, field=field))
        else:
            variants.extend(parse_variants(str(item), genes[0], zyg, source=src, field=field))

    ids, labels = validate_diseases(_as_list(data.get("diseases"), src, "diseases"), source=src)
    notes = tuple(str(n) for n in _as_list(data.get("notes") or data.get("note"), src, "notes"))
    return make_case(
        id=str(data.get("id") or path.stem),
        genes=tuple(genes),
        variants=tuple(variants),
        phenotypes=validate_hpo(_as_list(data.get("hpo"), src, "hpo"), source=src),
        excluded_phenotypes=validate_hpo(_as_list(data.get("excluded_hpo"), src, "excluded_hpo"), source=src,
                                         field="excluded_hpo"),
        diseases=ids,
        disease_labels=labels,
        patient=parse_patient(data.get("patient"), source=src),
        source=src,
        mechanism_override=validate_mechanism(data.get("mechanism"), source=src),
        notes=notes,
    )

"""A case from command-line options (`rarepath assess --gene DMD --variant ... --patient ...`), and the
validators every intake path shares (HPO terms, disease ids, zygosity, mechanism override)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rarepath.errors import InputError
from rarepath.intake.describe import parse_variants
from rarepath.intake.patient import parse_patient
from rarepath.model.types import Case, Mechanism, PatientFactors, Zygosity

_CASE_FIELDS = {f.name for f in dataclasses.fields(Case)}
_DISEASE_ID = re.compile(r"^(OMIM|ORPHA|MONDO|DECIPHER):\d+$")
_ZYGOSITY_ALIASES = {
    "het": Zygosity.HETEROZYGOUS,
    "hom": Zygosity.HOMOZYGOUS,
    "hemi": Zygosity.HEMIZYGOUS,
    "comphet": Zygosity.COMPOUND_HETEROZYGOUS,
    "compound_het": Zygosity.COMPOUND_HETEROZYGOUS,
    "biallelic": Zygosity.COMPOUND_HETEROZYGOUS,
    "": Zygosity.UNKNOWN,
}


#: Longest case id accepted: ids name report files and head every table, so a runaway value is an error.
MAX_CASE_ID_CHARS = 200


def check_case_id(value: Any, *, source: str, field: str = "id") -> str:
    """The case id as text; empty or longer than MAX_CASE_ID_CHARS is an error (checked before any work)."""
    text = str(value)
    if len(text) > MAX_CASE_ID_CHARS:
        raise InputError(f"case id is {len(text)} characters long; at most {MAX_CASE_ID_CHARS} are allowed",
                         source=source, field=field)
    if not text.strip():
        raise InputError("case id is empty", source=source, field=field)
    return text


def consistency_notes(case: Case) -> tuple[str, ...]:
    """Warnings about facts that contradict each other; reports print them first.

    A female has two copies of every autosomal and X-linked gene, so "hemizygous" in a female is a recording
    error unless the other copy is deleted: the result can still be read, but someone must check.
    """
    notes: list[str] = []
    if case.patient.sex == "female":
        hemi = [v.description for v in case.variants if v.zygosity is Zygosity.HEMIZYGOUS]
        if hemi:
            notes.append(f"the patient is female but {'; '.join(hemi[:3])} {'is' if len(hemi) == 1 else 'are'} "
                         "marked hemizygous: a female has two copies of an autosomal or X-linked gene; check the "
                         "zygosity (or whether the other copy is deleted)")
    return tuple(notes)


def make_case(**kw: Any) -> Case:
    """Case(...) keeping `notes` only when the model has the field (so intake works either way)."""
    if "id" in kw:
        check_case_id(kw["id"], source=str(kw.get("source") or "case"))
    case = Case(**{k: v for k, v in kw.items() if k in _CASE_FIELDS})
    return with_consistency_notes(case)


def with_consistency_notes(case: Case) -> Case:
    """The case with `consistency_notes` added to its notes (once)."""
    extra = consistency_notes(case)
    if not extra:
        return case
    return dataclasses.replace(case, notes=tuple(dict.fromkeys((*case.notes, *extra))))


#: Every accepted zygosity spelling, for `--help` and the README.
ZYGOSITY_HELP = (", ".join(z.value for z in Zygosity) + " (also: het, hom, hemi, comphet, compound het, biallelic; "
                 "spaces and hyphens read as underscores)")


def parse_zygosity(value: str | Zygosity | None, *, source: str, field: str = "zygosity") -> Zygosity:
    if value is None:
        return Zygosity.UNKNOWN
    if isinstance(value, Zygosity):
        return value
    key = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    if key in _ZYGOSITY_ALIASES:
        return _ZYGOSITY_ALIASES[key]
    try:
        return Zygosity(key)
    except ValueError:
        allowed = ", ".join(z.value for z in Zygosity)
        raise InputError(f"unknown zygosity {value!r} (one of: {allowed})", source=source, field=field) from None


def validate_hpo(
    terms: Iterable[str],
    *,
    source: str,
    field: str = "hpo",
    declared_release: str | None = None,
    kept_unknown: list[str] | None = None,
) -> tuple[str, ...]:
    """Primary HPO ids for the given ids (alt ids resolved); an unknown id is an error naming it.

    A file that declares an HPO release newer than the shipped ontology (`declared_release`, e.g. a
    phenopacket's metaData) may use terms the index does not know yet: those are kept as given and
    listed in `kept_unknown` instead of failing."""
    from rarepath.knowledge.hpo import HpoIndex

    out: list[str] = []
    items: list[str] = []
    for t in terms:
        items.extend(x for x in re.split(r"[,;\s]+", str(t)) if x)
    if not items:
        return ()
    hpo = HpoIndex.load()
    for raw in items:
        tid = raw.strip().upper().replace("_", ":")
        if re.fullmatch(r"\d{7}", tid):
            tid = "HP:" + tid
        term = hpo.term(tid)
        if term is None and declared_release and declared_release > hpo.release and re.fullmatch(
            r"HP:\d{7}", tid
        ):
            if tid not in out:
                out.append(tid)
                if kept_unknown is not None:
                    kept_unknown.append(tid)
            continue
        if term is None:
            raise InputError(f"unknown HPO term {raw!r} (not in {hpo.version})", source=source, field=field)
        if term.id not in out:
            out.append(term.id)
    return tuple(out)


def validate_diseases(
    ids: Iterable[str], *, source: str, field: str = "diseases", strict: bool = True
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ids, labels): OMIM/ORPHA ids are checked against the HPO annotations (when `strict`), MONDO and
    DECIPHER ids by syntax only."""
    from rarepath.knowledge.hpo import HpoIndex

    out_ids: list[str] = []
    labels: list[str] = []
    for raw in ids:
        did = str(raw).strip().upper().replace("ORPHANET:", "ORPHA:")
        if not did:
            continue
        if not _DISEASE_ID.match(did):
            raise InputError(f"disease id {raw!r} must look like OMIM:310200, ORPHA:98896 or MONDO:0010679",
                             source=source, field=field)
        d = HpoIndex.load().disease(did)
        if strict and d is None and did.split(":")[0] in ("OMIM", "ORPHA"):
            raise InputError(f"unknown disease {did!r} (not in the HPO annotations)", source=source, field=field)
        if did not in out_ids:
            out_ids.append(did)
            labels.append(d.name if d else "")
    return tuple(out_ids), tuple(labels)


def validate_mechanism(value: str | None, *, source: str, field: str = "mechanism") -> str | None:
    if value is None or not str(value).strip():
        return None
    v = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    try:
        return Mechanism(v).value
    except ValueError:
        allowed = ", ".join(m.value for m in Mechanism)
        raise InputError(f"unknown mechanism {value!r} (one of: {allowed})", source=source, field=field) from None


def case_from_options(
    gene: str,
    variant: str | None,
    zygosity: str | Zygosity | None,
    patient: str | PatientFactors | None,
    hpo: Sequence[str] = (),
    case_id: str | None = None,
    diseases: Sequence[str] = (),
    mechanism: str | None = None,
) -> Case:
    """The quick case of `rarepath assess --gene ... --variant ... --zygosity ... --patient ...`."""
    from rarepath.knowledge.genes import require_gene

    if not gene or not str(gene).strip():
        raise InputError("a gene symbol is needed (--gene)", source="--gene", field="gene")
    symbol = require_gene(str(gene), source="--gene", field="gene")
    zyg = parse_zygosity(zygosity, source="--zygosity")
    variants = parse_variants(variant, symbol, zyg, source="--variant") if variant and variant.strip() else ()
    factors = patient if isinstance(patient, PatientFactors) else parse_patient(patient, source="--patient")
    disease_ids, labels = validate_diseases(diseases, source="--disease")
    notes = () if variants else (f"no variant given for {symbol}: consequence unknown",)
    return make_case(
        id=case_id or f"{symbol}-case",
        genes=(symbol,),
        variants=variants,
        phenotypes=validate_hpo(hpo, source="--hpo"),
        diseases=disease_ids,
        disease_labels=labels,
        patient=factors,
        source="command line",
        mechanism_override=validate_mechanism(mechanism, source="--mechanism"),
        notes=notes,
    )

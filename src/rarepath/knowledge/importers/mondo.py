"""MONDO disease crosswalk: SSSOM exact matches to OMIM, Orphanet, UMLS, SNOMED CT and DOID, and the
MONDO list of rare diseases with synonyms.

Why: HPO annotations and the curated tables name diseases by OMIM/ORPHA id, the Every Cure list by MONDO
id, DrugCentral by UMLS/SNOMED/DOID, FDA orphan approvals by free text. The crosswalk joins the ids; the
labels and synonyms let a label's indication text be checked against a disease by name.
Each SSSOM file is its own source (`mondo_omim`, `mondo_orphanet`, ...); Orphanet ids are stored as
`ORPHA:n`, the prefix HPO uses.
"""

from __future__ import annotations

import re
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    header_of,
    require_columns,
    require_rows,
    sha256_file,
    text_lines,
    tsv_rows,
    where,
)
from rarepath.knowledge.indications import normalize_disease_id, normalize_name

LABEL = "MONDO disease ontology exact-match mappings"
RARE_LABEL = "MONDO rare disease list"
LICENCE = "CC BY 4.0 (monarch-initiative/mondo); mapping files declare CC0 1.0"
CITATION = "Vasilevsky et al., medRxiv 2022.04.13.22273750 (Mondo); SSSOM: Matentzoglu et al., Database 2022"
SSSOM_COLUMNS = ("subject_id", "subject_label", "predicate_id", "object_id")
RARE_COLUMNS = ("ID", "LABEL", "SYNONYMS")
EXACT = "skos:exactMatch"
_RELEASE = re.compile(r"releases/(\d{4}-\d{2}-\d{2})")
_MONDO = re.compile(r"^MONDO:\d{7}$")


def source_name(path: Path) -> str:
    """`mondo_exactmatch_omim.sssom.tsv` -> `mondo_omim`."""
    stem = path.name.split(".", 1)[0]
    return "mondo_" + stem.removeprefix("mondo_exactmatch_").lower()


def _term(mondo: str, name: str, kind: str, rare: bool) -> dict[str, object]:
    return {"mondo_id": mondo, "name": name, "name_norm": normalize_name(name), "kind": kind, "rare": rare}


def parse_sssom(path: Path) -> ParsedSource:
    """One SSSOM mapping file: `disease_xref` rows (MONDO -> other id) and the labels on both sides."""
    lines = list(text_lines(path))
    meta = {}
    body_start = 0
    for i, (_, line) in enumerate(lines):
        if not line.startswith("#"):
            body_start = i
            break
        key, _, value = line[1:].strip().partition(":")
        meta[key.strip()] = value.strip()
    else:
        raise InputError("no mapping table after the SSSOM header", source=str(path))
    header_no, header_line = lines[body_start]
    header = header_line.split("\t")
    col = require_columns(path, header_no, header, SSSOM_COLUMNS)
    label_col = col.get("object_label")
    xrefs: list[dict[str, object]] = []
    terms: list[dict[str, object]] = []
    seen_terms: set[tuple[str, str]] = set()
    obsolete = 0
    for lineno, fields in tsv_rows(path, iter(lines[body_start + 1:]), header):
        mondo, subject_label = fields[col["subject_id"]].strip(), fields[col["subject_label"]].strip()
        if fields[col["predicate_id"]].strip() != EXACT:
            continue
        if not _MONDO.match(mondo):
            raise InputError(f"expected a MONDO id, found {mondo!r}", source=where(path, lineno), field="subject_id")
        if subject_label.lower().startswith("obsolete"):
            obsolete += 1
            continue
        other = normalize_disease_id(fields[col["object_id"]])
        if ":" not in other:
            raise InputError(f"expected a prefixed id, found {other!r}", source=where(path, lineno),
                             field="object_id")
        object_label = fields[label_col].strip() if label_col is not None else ""
        xrefs.append({"mondo_id": mondo, "xref_id": other, "xref_label": object_label or None})
        for name, kind in ((subject_label, "label"), (object_label, "xref_label")):
            if name and (mondo, name) not in seen_terms:
                seen_terms.add((mondo, name))
                terms.append(_term(mondo, name, kind, False))
    require_rows(path, xrefs)
    match = _RELEASE.search(meta.get("mapping_set_version", ""))
    version = f"release {match.group(1)}" if match else f"sha256 {sha256_file(path)[:8]}"
    parsed = ParsedSource(source_name(path), LABEL, version, str(path), sha256_file(path), LICENCE, CITATION,
                          {"disease_xref": xrefs, "disease_term": terms})
    parsed.notes.append(f"skipped {obsolete} obsolete MONDO terms")
    return parsed


def parse_rare(path: Path) -> ParsedSource:
    """`new-rare-diseases.tsv`: MONDO rare diseases with label and '|'-separated synonyms."""
    lines = text_lines(path)
    header_no, header_line = header_of(path, lines)
    header = header_line.split("\t")
    col = require_columns(path, header_no, header, RARE_COLUMNS)
    terms: list[dict[str, object]] = []
    diseases = 0
    for lineno, fields in tsv_rows(path, lines, header):
        mondo = fields[col["ID"]].strip()
        if not _MONDO.match(mondo):
            raise InputError(f"expected a MONDO id, found {mondo!r}", source=where(path, lineno), field="ID")
        label = fields[col["LABEL"]].strip()
        if not label:
            raise InputError("empty disease label", source=where(path, lineno), field="LABEL")
        diseases += 1
        names = {label: "label"}
        for synonym in fields[col["SYNONYMS"]].split("|"):
            if synonym.strip() and synonym.strip() not in names:
                names[synonym.strip()] = "synonym"
        terms.extend(_term(mondo, name, kind, True) for name, kind in names.items())
    require_rows(path, terms)
    sha = sha256_file(path)
    parsed = ParsedSource("mondo_rare_diseases", RARE_LABEL, f"new-rare-diseases report (sha256 {sha[:8]})",
                          str(path), sha, LICENCE, CITATION, {"disease_term": terms})
    parsed.notes.append(f"{diseases} rare diseases")
    return parsed

"""Drug -> disease indication sources: the Every Cure matrix indication list and its per-regulator label
extracts (FDA/EMA/PMDA, with the label's indication text), its contraindication list (with the label's
contraindications text), DrugCentral 2016 indications, and the FDA orphan drug approvals (approved labeled
indication text and marketing approval date).

Why: these are the raw claims and label texts that `rarepath.knowledge.indications.verify` checks against
each other; no row is trusted on its own. Importers only parse: every row keeps its source, and the
verification runs at query time over whatever sources are present.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    cell_getter,
    csv_rows,
    header_of,
    read_text,
    require_columns,
    require_rows,
    sha256_file,
    where,
)
from rarepath.knowledge.indications import ingredient_key, normalize_disease_id

EC_LABEL = "Every Cure matrix indication list"
EC_LICENCE = ("none stated (everycure-org/matrix-indication-list); label text: FDA/NLM public domain, EMA "
              "attribution, PMDA Public Data License 1.0. Import only; not redistributed with rarepath")
EC_CITATION = "everycure-org/matrix-indication-list (label-derived, language-model extraction mapped to MONDO)"
EC_LIST_COLUMNS = ("final normalized drug id", "final normalized drug label", "final normalized disease id",
                   "final normalized disease label")
EC_CONTRA_COLUMNS = ("active ingredient", "contraindications", "final normalized disease id",
                     "final normalized disease label", "final normalized drug id", "is_allergen")
EC_REGULATOR_COLUMNS = ("drug name", "indications text", "final normalized disease id",
                        "final normalized disease label", "final normalized drug id", "final normalized drug label")
#: Every Cure per-regulator file prefix -> regulator whose labels it holds
REGULATORS = {"fda": "FDA", "ema": "EMA", "pmda": "PMDA"}

DC_LABEL = "DrugCentral drug indications"
DC_LICENCE = "CC BY 4.0 (DrugCentral, olegursu/drugtarget)"
DC_CITATION = "Ursu et al., Nucleic Acids Res 45:D932 (2017); indications from OMOP v4 (First Databank)"
DC_COLUMNS = ("DRUG_ID", "DRUG_NAME", "INDICATION_FDB", "UMLS_CUI", "SNOMEDCT_CUI", "DOID")

ORPHAN_LABEL = "FDA orphan drug designations and approvals"
ORPHAN_LICENCE = "US government work (public domain)"
ORPHAN_CITATION = "US FDA Orphan Drug Designations and Approvals database (accessdata.fda.gov/scripts/opdlisting/oopd)"
ORPHAN_COLUMNS = ("Generic Name", "Trade Name", "Orphan Designation", "Orphan Designation Status",
                  "Approved Labeled Indication", "Marketing Approval Date")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_SET_NAME = re.compile(r"^\{?'?(.*?)'?\}?$")


# --------------------------------------------------------------------------------------------------- xlsx


def xlsx_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    """(1-based row number, cells as text or None) of the first sheet; an unreadable workbook is an InputError."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as err:
        raise InputError(f"not a readable .xlsx workbook ({err})", source=str(path)) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [None if v is None else str(v).strip() or None for v in row]
    finally:
        workbook.close()


def _xlsx_table(path: Path, needed: tuple[str, ...]) -> tuple[dict[str, int], Iterator[tuple[int, list[str | None]]]]:
    rows = xlsx_rows(path)
    number, header = header_of(path, rows, "xlsx")
    col = require_columns(path, number, [h or "" for h in header], needed)
    return col, rows


def _cell(fields: list[str | None], col: dict[str, int], name: str) -> str | None:
    i = col.get(name)
    return fields[i] if i is not None and i < len(fields) else None


def _ec_version(path: Path) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    modified = workbook.properties.modified
    workbook.close()
    stamp = modified.date().isoformat() if modified else "undated"
    return f"workbook of {stamp} (sha256 {sha256_file(path)[:8]})"


def _drug_of(fields: list[str | None], col: dict[str, int], path: Path, number: int, column: str) -> str:
    """The drug named in `column`, set braces removed (`{'NUSINERSEN'}` -> `NUSINERSEN`)."""
    drug = " ".join(_SET_NAME.sub(r"\1", _cell(fields, col, column) or "").split())
    if not ingredient_key(drug):
        raise InputError("empty drug name", source=where(path, number), field=column)
    return drug


def parse_everycure_list(path: Path) -> ParsedSource:
    """`matrix_indication_list.xlsx`: one claim per drug-disease pair (MONDO for most, else UMLS/HP/NCIT/EFO)."""
    col, rows = _xlsx_table(path, EC_LIST_COLUMNS)
    claims: list[dict[str, object]] = []
    for number, fields in rows:
        if not any(fields):
            continue
        drug = _drug_of(fields, col, path, number, "final normalized drug label")
        disease = _cell(fields, col, "final normalized disease id")
        if not disease or ":" not in disease:
            raise InputError(f"expected a prefixed disease id, found {disease!r}", source=where(path, number),
                             field="final normalized disease id")
        claims.append({"record": number, "drug": drug, "drug_key": ingredient_key(drug),
                       "drug_id": _cell(fields, col, "final normalized drug id"),
                       "disease_id": normalize_disease_id(disease),
                       "disease_label": _cell(fields, col, "final normalized disease label")})
    require_rows(path, claims)
    return ParsedSource("everycure_indications", EC_LABEL, _ec_version(path), str(path), sha256_file(path),
                        EC_LICENCE, EC_CITATION, {"indication_claim": claims})


def regulator_of(path: Path) -> str:
    """`fda_indications_deduplicated.xlsx` -> FDA."""
    prefix = path.name.split("_", 1)[0].lower()
    if prefix not in REGULATORS:
        raise InputError(f"cannot tell the regulator from the file name (expected one of "
                         f"{', '.join(f'{p}_...' for p in REGULATORS)})", source=str(path))
    return REGULATORS[prefix]


def parse_everycure_regulator(path: Path) -> ParsedSource:
    """`{fda,ema,pmda}_indications_deduplicated.xlsx`: label indication text with the disease extracted from it."""
    regulator = regulator_of(path)
    col, rows = _xlsx_table(path, EC_REGULATOR_COLUMNS)
    labels: list[dict[str, object]] = []
    no_drug = 0
    for number, fields in rows:
        if not any(fields):
            continue
        text = _cell(fields, col, "indications text")
        if not text:
            raise InputError("empty indication text", source=where(path, number), field="indications text")
        # the label's own active ingredients, not the list's normalised drug: that normalisation maps some
        # products to an excipient (Zolgensma -> isopropanol), and the label must confirm the drug it names
        drug = " ".join(_SET_NAME.sub(r"\1", _cell(fields, col, "drug name") or "").split())
        if not ingredient_key(drug):
            no_drug += 1
            continue
        disease = _cell(fields, col, "final normalized disease id")
        labels.append({"record": number, "drug": drug, "drug_key": ingredient_key(drug),
                       "drug_id": _cell(fields, col, "final normalized drug id"), "regulator": regulator,
                       "product": None, "label_text": text,
                       "disease_id": normalize_disease_id(disease) if disease else None,
                       "disease_label": _cell(fields, col, "final normalized disease label"),
                       "approval_date": None, "approval_year": None})
    require_rows(path, labels)
    name = f"everycure_{regulator.lower()}"
    parsed = ParsedSource(name, f"{EC_LABEL}: {regulator} label indications", _ec_version(path), str(path),
                          sha256_file(path), EC_LICENCE, EC_CITATION, {"indication_label": labels})
    parsed.notes.append(f"skipped {no_drug} rows without the label's drug name")
    return parsed


def parse_everycure_contraindications(path: Path) -> ParsedSource:
    """`matrix_contraindication_list.xlsx`: the disease a label's contraindications section was read as naming,
    with that section's text, so the name can be checked against it."""
    col, rows = _xlsx_table(path, EC_CONTRA_COLUMNS)
    found: list[dict[str, object]] = []
    no_drug = 0
    for number, fields in rows:
        if not any(fields):
            continue
        text = _cell(fields, col, "contraindications")
        drug = " ".join((_cell(fields, col, "active ingredient") or "").split())
        if not ingredient_key(drug):
            no_drug += 1
            continue
        if not text:
            raise InputError("empty contraindication text", source=where(path, number), field="contraindications")
        disease = _cell(fields, col, "final normalized disease id")
        found.append({"record": number, "drug": drug, "drug_key": ingredient_key(drug),
                      "drug_id": _cell(fields, col, "final normalized drug id"),
                      "disease_id": normalize_disease_id(disease) if disease else None,
                      "disease_label": _cell(fields, col, "final normalized disease label"), "label_text": text,
                      "is_allergen": (_cell(fields, col, "is_allergen") or "").strip().upper() == "TRUE"})
    require_rows(path, found)
    parsed = ParsedSource("everycure_contraindications", "Every Cure matrix contraindication list", _ec_version(path),
                          str(path), sha256_file(path), EC_LICENCE, EC_CITATION, {"drug_contraindication": found})
    parsed.notes.append(f"skipped {no_drug} rows without the label's drug name")
    return parsed


# --------------------------------------------------------------------------------------------------- DrugCentral


def parse_drugcentral(path: Path) -> ParsedSource:
    """DrugCentral `drug_indication.tsv` (2016): one record per drug-indication, keyed by UMLS, SNOMED CT and
    DOID ids (one `indication_claim` row per id, sharing the record number)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), delimiter="\t")
    header = header_of(path, reader, "TSV")
    col = require_columns(path, 1, header, DC_COLUMNS)
    claims: list[dict[str, object]] = []
    records = no_id = 0
    for lineno, fields in csv_rows(path, reader, header, "tab", "bad TSV quoting"):
        get = cell_getter(fields, col)
        drug = get("DRUG_NAME")
        if not drug:
            raise InputError("empty drug name", source=where(path, lineno), field="DRUG_NAME")
        ids = [f"{prefix}:{value}" for prefix, value in
               (("UMLS", get("UMLS_CUI")), ("SCTID", get("SNOMEDCT_CUI"))) if value]
        doid = get("DOID")
        if doid:
            ids.append(normalize_disease_id(doid))
        if not ids:
            no_id += 1
            continue
        records += 1
        for disease in ids:
            claims.append({"record": lineno, "drug": drug, "drug_key": ingredient_key(drug),
                           "drug_id": f"DrugCentral:{get('DRUG_ID')}" if get("DRUG_ID") else None,
                           "disease_id": disease, "disease_label": get("INDICATION_FDB")})
    require_rows(path, claims)
    sha = sha256_file(path)
    parsed = ParsedSource("drugcentral_indications", DC_LABEL, f"2016 (olegursu/drugtarget, sha256 {sha[:8]})",
                          str(path), sha, DC_LICENCE, DC_CITATION, {"indication_claim": claims})
    parsed.notes.append(f"{records} drug-indication records; skipped {no_id} without a disease id")
    return parsed


# --------------------------------------------------------------------------------------------------- FDA orphan


def us_date(text: str | None, path: Path, lineno: int, column: str) -> date | None:
    """`12/23/2016` or `9/05/17` (month/day/year; two-digit years >= 50 are 19xx) as a date."""
    text = (text or "").strip()
    if not text:
        return None
    match = _US_DATE.match(text)
    if not match:
        raise InputError(f"expected a month/day/year date, found {text!r}", source=where(path, lineno), field=column)
    month, day, year = (int(g) for g in match.groups())
    if year < 100:
        year += 1900 if year >= 50 else 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(f"not a calendar date: {text!r}", source=where(path, lineno), field=column) from None


def parse_fda_orphan(path: Path) -> ParsedSource:
    """`Rare_diseases_drugs_FDA.csv`: orphan designations with the approved labeled indication (FDA text)."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = header_of(path, reader, "CSV")
    col = require_columns(path, 1, header, ORPHAN_COLUMNS)
    labels: list[dict[str, object]] = []
    latest: date | None = None
    not_approved = 0
    for lineno, fields in csv_rows(path, reader, header, "comma", "bad CSV quoting"):
        get = cell_getter(fields, col)
        text = get("Approved Labeled Indication")
        if not text:
            not_approved += 1
            continue
        drug = get("Generic Name")
        if not drug:
            raise InputError("empty generic name", source=where(path, lineno), field="Generic Name")
        approved = us_date(get("Marketing Approval Date"), path, lineno, "Marketing Approval Date")
        if approved and (latest is None or approved > latest):
            latest = approved
        labels.append({"record": lineno, "drug": drug, "drug_key": ingredient_key(drug), "drug_id": None,
                       "regulator": "FDA", "product": get("Trade Name"), "label_text": text,
                       "disease_id": None, "disease_label": get("Orphan Designation"),
                       "approval_date": approved.isoformat() if approved else None,
                       "approval_year": approved.year if approved else None})
    require_rows(path, labels)
    version = f"approvals to {latest.isoformat()}" if latest else f"sha256 {sha256_file(path)[:8]}"
    parsed = ParsedSource("fda_orphan_approvals", ORPHAN_LABEL, version, str(path), sha256_file(path),
                          ORPHAN_LICENCE, ORPHAN_CITATION, {"indication_label": labels})
    parsed.notes.append(f"skipped {not_approved} designations without an approved labeled indication")
    return parsed

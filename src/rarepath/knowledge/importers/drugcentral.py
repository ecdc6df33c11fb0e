"""DrugCentral drug-target interactions, human targets only, with the mechanism-of-action flag.

Why: an approved drug acting on the disease gene (or its pathway) is a repurposing option; `moa` marks
the targets through which the drug is known to act, as opposed to screening activities.
A row naming several genes (`GRIN1|GRIN2A`) gives one row per gene.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rarepath.errors import InputError
from rarepath.knowledge.importers.base import (
    ParsedSource,
    cell_getter,
    csv_rows,
    header_of,
    opt_float,
    opt_int,
    read_text,
    require_columns,
    require_rows,
    sha256_file,
    where,
)

NAME = "drugcentral"
LABEL = "DrugCentral drug-target interactions"
LICENCE = "CC BY-SA 4.0 (DrugCentral)"
CITATION = "Ursu et al., Nucleic Acids Res 45:D932 (2017)"
COLUMNS = ("DRUG_NAME", "STRUCT_ID", "GENE", "MOA", "ACTION_TYPE", "ORGANISM")
HUMAN = "Homo sapiens"


def parse(path: Path) -> ParsedSource:
    reader = csv.reader(io.StringIO(read_text(path), newline=""), delimiter="\t")
    header = header_of(path, reader, "TSV")
    col = require_columns(path, 1, header, COLUMNS)
    rows: list[dict[str, object]] = []
    other_species = no_gene = 0
    for lineno, fields in csv_rows(path, reader, header, "tab", "bad TSV quoting"):
        get = cell_getter(fields, col)
        if get("ORGANISM") != HUMAN:
            other_species += 1
            continue
        drug = get("DRUG_NAME")
        if not drug:
            raise InputError("empty drug name", source=where(path, lineno), field="DRUG_NAME")
        moa_text = (get("MOA") or "").strip()
        if moa_text not in ("", "0", "1"):
            raise InputError(f"MOA must be 1 or empty, found {moa_text!r}", source=where(path, lineno),
                             field="MOA")
        genes = [g.strip() for g in (get("GENE") or "").split("|") if g.strip()]
        if not genes:
            no_gene += 1
            continue
        base = {
            "drug": drug,
            "struct_id": opt_int(fields[col["STRUCT_ID"]], path, lineno, "STRUCT_ID"),
            "target_name": get("TARGET_NAME"),
            "target_class": get("TARGET_CLASS"),
            "accession": get("ACCESSION"),
            "action_type": get("ACTION_TYPE"),
            "moa": moa_text == "1",
            "act_type": get("ACT_TYPE"),
            "act_value": opt_float(fields[col["ACT_VALUE"]], path, lineno, "ACT_VALUE")
            if "ACT_VALUE" in col else None,
            "act_unit": get("ACT_UNIT"),
            "act_source": get("ACT_SOURCE"),
            "tdl": get("TDL"),
        }
        for gene in genes:
            rows.append({"gene": gene, **base})
    require_rows(path, rows)
    parsed = ParsedSource(NAME, LABEL, "release of ~2018 (pre-2019 file)", str(path), sha256_file(path), LICENCE,
                          CITATION, {"drug_target": rows})
    parsed.notes.append(f"skipped {other_species} non-human and {no_gene} gene-less rows")
    return parsed

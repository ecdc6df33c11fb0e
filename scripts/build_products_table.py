"""Build the shipped offline indication table `knowledge/data/approved_indications.tsv`.

Only redistributable sources go in: FDA orphan drug approvals (US government work, public domain),
DrugCentral 2016 indications (CC BY 4.0) and the MONDO crosswalk and rare-disease list (CC BY 4.0), each
attributed in the header and the `source` column. The Every Cure list states no licence and is NOT used
here (import it with `rarepath kb import`). Rows are verified by the same pure step as the imported KB
(`rarepath.knowledge.indications.verify`): approved when the FDA label text names the disease or both
sources agree, else reported_unverified. Kept: rare diseases (on the MONDO rare list, or mapped to OMIM
or Orphanet).

    PYTHONPATH=src python scripts/build_products_table.py [--data ../shared/data/indications] [--out PATH]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from rarepath.knowledge.importers import indications as ind_importers
from rarepath.knowledge.importers import mondo as mondo_importers
from rarepath.knowledge.indications import (
    Claim,
    LabelText,
    NameIndex,
    claims_from_labels,
    drug_class_table,
    verify,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "indications"
DEFAULT_OUT = REPO / "src" / "rarepath" / "knowledge" / "data" / "approved_indications.tsv"
VERSION = "2026.12"
COLUMNS = ("drug", "disease_id", "disease_label", "omim_ids", "orpha_ids", "status", "sources", "regulators",
           "approval_year", "label_excerpt", "drug_class", "source")
SSSOM = ("omim", "orphanet", "umls", "sctid", "doid")


def build(data: Path) -> tuple[list[dict[str, str]], list[str]]:
    """The table rows and the header comment lines (versions of every source read)."""
    crosswalk = [mondo_importers.parse_sssom(data / "mondo-crosswalk" / f"mondo_exactmatch_{s}.sssom.tsv")
                 for s in SSSOM]
    rare = mondo_importers.parse_rare(data / "mondo-crosswalk" / "new-rare-diseases.tsv")
    drugcentral = ind_importers.parse_drugcentral(data / "drugcentral-drugtarget-2016" / "drug_indication.tsv")
    orphan = ind_importers.parse_fda_orphan(data / "fda-orphan-designations" / "Rare_diseases_drugs_FDA.csv")

    mondo_of: dict[str, set[str]] = defaultdict(set)
    xrefs: dict[str, set[str]] = defaultdict(set)
    names: list[tuple[str, str, bool]] = []
    labels: dict[str, str] = {}
    for parsed in (*crosswalk, rare):
        for row in parsed.tables.get("disease_xref", ()):
            mondo_of[str(row["xref_id"])].add(str(row["mondo_id"]))
            xrefs[str(row["mondo_id"])].add(str(row["xref_id"]))
        for row in parsed.tables["disease_term"]:
            names.append((str(row["mondo_id"]), str(row["name"]), row["kind"] == "label"))
            if row["kind"] == "label" and (row["rare"] or str(row["mondo_id"]) not in labels):
                labels[str(row["mondo_id"])] = str(row["name"])
    rare_ids = {str(r["mondo_id"]) for r in rare.tables["disease_term"]}
    rare_ids |= {m for m, ids in xrefs.items() if any(i.startswith(("OMIM:", "ORPHA:")) for i in ids)}
    index = NameIndex.build(names)

    claims: set[Claim] = set()
    for row in drugcentral.tables["indication_claim"]:
        for mondo in mondo_of.get(str(row["disease_id"]), ()):
            claims.add(Claim(str(row["drug"]), mondo, drugcentral.name, str(row["disease_label"] or "")))
    label_texts = [LabelText(str(r["drug"]), str(r["regulator"]), str(r["label_text"]), orphan.name,
                             r["approval_year"], r["product"]) for r in orphan.tables["indication_label"]]
    claims.update(claims_from_labels(label_texts, index, rare_ids))
    # short attribution per row; the header carries the full one
    citations = {orphan.name: f"FDA orphan drug approvals ({orphan.version}; public domain)",
                 drugcentral.name: "DrugCentral 2016 drug_indication.tsv (CC BY 4.0; Ursu et al., NAR 2017)"}
    crosswalk_text = f"MONDO crosswalk {crosswalk[0].version.removeprefix('release ')} (CC BY 4.0)"
    found = verify(sorted(claims, key=lambda c: (c.drug_key, c.disease_id, c.source)), label_texts, index,
                   disease_labels=labels, citations=citations, drug_classes=drug_class_table())
    rows = []
    for item in found:
        if item.disease_id not in rare_ids:
            continue
        ids = sorted(xrefs.get(item.disease_id, ()))
        rows.append({
            "drug": item.drug, "disease_id": item.disease_id, "disease_label": item.disease_label,
            "omim_ids": ";".join(i for i in ids if i.startswith("OMIM:")),
            "orpha_ids": ";".join(i for i in ids if i.startswith("ORPHA:")),
            "status": item.status.value, "sources": ";".join(item.sources), "regulators": ";".join(item.regulators),
            "approval_year": str(item.year or ""),
            "label_excerpt": item.labels[0].excerpt if item.labels else "",
            "drug_class": item.drug_class or "",
            "source": f"{item.source}; disease ids: {crosswalk_text}",
        })
    rows.sort(key=lambda r: (r["disease_id"], r["status"] != "approved", r["drug"]))
    header = [
        f"# version: {VERSION}",
        "# Drug indications for rare diseases, generated by scripts/build_products_table.py (do not edit by hand).",
        "# status: approved = an FDA label names the disease (orphan approval) or DrugCentral and an FDA orphan",
        "#   approval agree; reported_unverified = one source only: context, never enough for `recommended`.",
        "# Sources (attribution):",
        f"#   {orphan.label}, {orphan.version}: {orphan.licence}. {orphan.citation}",
        f"#   {drugcentral.label}, {drugcentral.version}: {drugcentral.licence}. {drugcentral.citation}",
        f"#   {crosswalk[0].label} {crosswalk[0].version} and {rare.label} ({rare.version}): "
        f"{crosswalk[0].licence}. {mondo_importers.CITATION}",
        "# The hand-curated label requirements (therapies.tsv) are an overlay on this table, not replaced by it.",
    ]
    return rows, header


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared indications/ directory")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows, header = build(args.data)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(header) + "\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(" ".join(row[c].split()) for c in COLUMNS) + "\n")
    approved = sum(r["status"] == "approved" for r in rows)
    print(f"{args.out}: {len(rows)} rows ({approved} approved, {len(rows) - approved} reported_unverified)")


if __name__ == "__main__":
    main()

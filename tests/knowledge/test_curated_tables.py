"""Curated knowledge tables: vocabularies, provenance, coverage of the canonical cases and known traps.

These tables feed verdicts about children's treatment, so the tests pin both the schema contract the
triage engine reads and a handful of facts whose inversion would be harmful (wrong indication, wrong target).
"""

from __future__ import annotations

import csv
import re

import pytest

from conftest import shared_path
from rarepath.knowledge.curated import load_table, table_path, table_version

TABLES = ("therapies", "vectors", "serotypes", "gene_mechanisms", "alternative_targets", "tissues", "follow_up")

MECHANISMS = {"loss_of_function", "haploinsufficiency", "dominant_negative", "gain_of_function", "unknown"}
MODALITIES = {"gene_replacement", "gene_addition", "gene_silencing", "genome_editing", "splice_modulation", "drug"}
ROUTES = {"intravenous", "intrathecal", "subretinal", "intraparenchymal", "topical", "oral", "subcutaneous",
          "hsc_transplant", "intracerebroventricular", "intramuscular", "intravitreal", "inhaled"}
STATUSES = {"approved", "conditional_approval", "clinical_phase3", "clinical_phase2", "clinical_phase1", "n_of_1",
            "withdrawn"}
TISSUES = {"cns", "retina", "liver", "muscle", "heart", "hsc", "skin", "lung", "kidney", "bone", "systemic",
           "inner_ear", "blood_vessels", "immune"}
INHERITANCE = {"autosomal_dominant", "autosomal_recessive", "x_linked_recessive", "x_linked_dominant", "x_linked",
               "mitochondrial", "somatic_mosaic"}
SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")
DISEASE_ID = re.compile(r"^(OMIM:\d{6}|ORPHA:\d+)$")


def multi(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def by_name() -> dict[str, dict[str, str]]:
    return {r["name"]: r for r in load_table("therapies")}


def product_named(name: str) -> dict[str, str] | None:
    """The lead's matching rule: a canonical name matches a row name or one of its '/'-separated components."""
    for row in load_table("therapies"):
        if name == row["name"] or name in row["name"].split("/"):
            return row
    return None


def canonical_rows() -> list[dict[str, str]]:
    path = shared_path("..", "cases", "canonical.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# --- every table -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TABLES)
def test_table_is_versioned_and_every_row_names_a_source(name):
    rows = load_table(name)
    assert re.fullmatch(r"\d{4}\.\d{2}", table_version(name)), table_version(name)
    assert rows, name
    assert all(r["source"] for r in rows)
    text = table_path(name).read_text(encoding="utf-8")
    assert re.match(r"# version: \d{4}\.\d{2}\n", text)
    header = next(ln for ln in text.splitlines() if not ln.startswith("#"))
    assert len(set(header.split("\t"))) == len(header.split("\t")), "duplicate column"
    assert all(len(r) == len(header.split("\t")) for r in rows)


# --- therapies -------------------------------------------------------------------------------------

THERAPY_COLUMNS = ["name", "brand", "gene", "target", "disease", "disease_ids", "treats_mechanism", "modality",
                   "mechanism_of_action", "vector_or_chemistry", "serotype", "route", "delivery", "status", "year",
                   "agency", "requirement", "notes", "source"]


def test_therapy_columns_keep_the_contract_order():
    header = next(ln for ln in table_path("therapies").read_text(encoding="utf-8").splitlines()
                  if not ln.startswith("#")).split("\t")
    assert header[:len(THERAPY_COLUMNS)] == THERAPY_COLUMNS


def test_therapies_count_and_unique_lower_case_names():
    rows = load_table("therapies")
    names = [r["name"] for r in rows]
    assert len(rows) >= 60
    assert len(names) == len(set(names))
    assert all(n == n.lower() and n == n.strip() for n in names)
    assert not [n for n in names if re.search(r"-[a-z]{4}$", n)], "generic names carry no FDA suffix"


def test_therapy_vocabularies():
    serotypes = {r["serotype"] for r in load_table("serotypes")}
    vectors = {r["vector"] for r in load_table("vectors")}
    categories = {r["category"] for r in load_table("follow_up")}
    for r in load_table("therapies"):
        where = r["name"]
        assert r["modality"] in MODALITIES, where
        assert r["route"] in ROUTES, where
        assert r["delivery"] in {"in_vivo", "ex_vivo"}, where
        assert r["status"] in STATUSES, where
        assert r["treats_mechanism"] in MECHANISMS - {"unknown"} | {"any"}, where
        assert r["serotype"] == "" or r["serotype"] in serotypes, where
        assert r["vector"] == "" or r["vector"] in vectors, where
        assert r["follow_up_category"] in categories, where
        assert r["year"] == "" or 1980 <= int(r["year"]) <= 2026, where
        for approval in multi(r["approvals"]):
            agency, year = approval.split(":")
            assert agency in multi(r["agency"]) and 1980 <= int(year) <= 2026, where
        assert r["disease_ids"] and all(DISEASE_ID.match(d) for d in multi(r["disease_ids"])), where


def test_genes_and_targets_are_upper_case_symbols():
    for r in load_table("therapies"):
        assert r["gene"], r["name"]
        assert all(SYMBOL.match(g) for g in multi(r["gene"])), r["name"]
        assert all(SYMBOL.match(t) for t in multi(r["target"])), r["name"]
        if r["modality"] != "drug":
            assert r["target"], f"{r['name']}: genetic products always name the gene they act on"
        if not r["target"]:
            assert "target left empty" in r["notes"], f"{r['name']}: an empty target must be explained"


def test_requirement_tokens_parse_and_name_known_serotypes():
    """The label interpreter's own registry parses every token (no second grammar here); antibody items name
    the product's own, known serotype."""
    from rarepath.triage.label import parse_requirements

    serotypes = {r["serotype"] for r in load_table("serotypes")}
    for r in load_table("therapies"):
        for _token, m, _checker in parse_requirements(r):
            sero = m.groupdict().get("serotype")
            if sero:
                assert sero in serotypes and sero == r["serotype"], f"{r['name']}: {sero}"


def test_delivery_categories_are_consistent():
    vectors = {r["vector"]: r for r in load_table("vectors")}
    for r in load_table("therapies"):
        if r["serotype"]:
            assert r["vector"] in {"ssAAV", "scAAV", "dual_AAV"} and r["follow_up_category"] == "aav", r["name"]
        if r["vector"] and vectors[r["vector"]]["integrating"] == "yes":
            assert r["follow_up_category"] == "integrating_vector", r["name"]
        if r["modality"] == "genome_editing":
            assert r["follow_up_category"] == "genome_editing", r["name"]
        if r["delivery"] == "ex_vivo":
            assert r["route"] in {"hsc_transplant", "topical"}, r["name"]
        if r["route"] == "hsc_transplant":
            assert any(t.startswith("conditioning:") for t in multi(r["requirement"])), r["name"]


def test_silencing_the_disease_gene_only_for_gain_of_function():
    for r in load_table("therapies"):
        if r["modality"] == "gene_silencing" and set(multi(r["target"])) & set(multi(r["gene"])):
            assert r["treats_mechanism"] == "gain_of_function", r["name"]


def test_every_canonical_product_is_present_for_its_gene():
    for case in canonical_rows():
        for product in [p.strip() for p in case["products"].split(",") if p.strip()]:
            row = product_named(product)
            assert row is not None, f"{case['id']}: {product} missing"
            assert case["gene"] in multi(row["gene"]), f"{case['id']}: {product} is for {row['gene']}"


def test_every_researched_product_is_accounted_for():
    path = shared_path("approved_therapies.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        researched = list(csv.DictReader(fh, delimiter="\t"))
    assert len(researched) == 58
    brands = {b.strip().lower() for r in load_table("therapies") for b in multi(r["brand"])}
    missing = []
    for row in researched:
        generic = re.sub(r"-[a-z]{4}$", "", re.sub(r"\s*\(n-of-1\)$", "", row["generic_name"].strip().lower()))
        brand_parts = {b.strip().lower() for b in re.split(r"[/;]", row["product"])}
        if product_named(generic) is None and not brand_parts & brands:
            missing.append(row["generic_name"])
    assert not missing


def test_products_are_kept_to_their_exact_indication():
    t = by_name()
    roctavian = multi(t["valoctocogene roxaparvovec"]["disease_ids"])
    assert "OMIM:306700" in roctavian and "OMIM:301071" not in roctavian  # haemophilia A, never thrombophilia 13
    for name in ("emicizumab", "octocog alfa", "fitusiran"):
        assert "OMIM:301071" not in multi(t[name]["disease_ids"])
    lonafarnib = multi(t["lonafarnib"]["disease_ids"])
    assert "OMIM:176670" in lonafarnib and "OMIM:115200" not in lonafarnib  # progeria, not LMNA cardiomyopathy
    for name in ("givosiran", "hemin"):  # acute porphyria, not biallelic HMBS encephalopathy
        assert not {"OMIM:620704", "OMIM:620711"} & set(multi(t[name]["disease_ids"]))
    assert "OMIM:257200" not in multi(t["olipudase alfa"]["disease_ids"])  # non-CNS ASMD only


def test_label_facts_the_engine_relies_on():
    t = by_name()
    assert "max_anti_AAV9_titre:50" in multi(t["onasemnogene abeparvovec"]["requirement"])
    assert "no_anti_AAV5_antibodies" in multi(t["valoctocogene roxaparvovec"]["requirement"])
    assert not [x for x in multi(t["etranacogene dezaparvovec"]["requirement"]) if "anti_" in x]  # Hemgenix: none
    assert "no_anti_AAVrh74var_antibodies" in multi(t["fidanacogene elaparvovec"]["requirement"])
    exa = t["exagamglogene autotemcel"]
    assert (exa["gene"], exa["target"], exa["modality"], exa["delivery"]) == (
        "HBB", "BCL11A", "genome_editing", "ex_vivo")
    assert "conditioning:myeloablative" in multi(exa["requirement"])
    expected_targets = {"nusinersen": "SMN2", "risdiplam": "SMN2", "givosiran": "ALAS1", "lumasiran": "HAO1",
                        "nedosiran": "LDHA", "patisiran": "TTR", "fitusiran": "SERPINC1", "vosoritide": "NPR2"}
    assert {n: t[n]["target"] for n in expected_targets} == expected_targets
    assert {t[n]["modality"] for n in ("eteplirsen", "golodirsen", "viltolarsen", "casimersen", "nusinersen",
                                       "risdiplam", "milasen")} == {"splice_modulation"}
    assert {n: multi(t[n]["requirement"])[0] for n in ("eteplirsen", "golodirsen", "viltolarsen", "casimersen")} == {
        "eteplirsen": "skip_exon:51", "golodirsen": "skip_exon:53", "viltolarsen": "skip_exon:53",
        "casimersen": "skip_exon:45"}
    assert {t[n]["modality"] for n in ("betibeglogene autotemcel", "lovotibeglogene autotemcel",
                                       "elivaldogene autotemcel", "atidarsagene autotemcel")} == {"gene_addition"}
    assert t["milasen"]["status"] == "n_of_1" and t["atipeksen"]["status"] == "n_of_1"
    assert "variant_any:F508del" in multi(t["elexacaftor/tezacaftor/ivacaftor"]["requirement"])
    assert "G551D" in t["ivacaftor"]["requirement"]
    assert "variant_amenable:migalastat" in multi(t["migalastat"]["requirement"])
    assert (t["voretigene neparvovec"]["serotype"], t["voretigene neparvovec"]["route"]) == ("AAV2", "subretinal")
    assert t["onasemnogene abeparvovec"]["vector"] == "scAAV"


# --- gene mechanisms -------------------------------------------------------------------------------


def test_gene_mechanism_vocabularies():
    rows = load_table("gene_mechanisms")
    keys = [(r["gene"], r["disease_ids"]) for r in rows]
    assert len(keys) == len(set(keys))
    for r in rows:
        where = f"{r['gene']} {r['disease']}"
        assert SYMBOL.match(r["gene"]), where
        assert r["mechanism"] in MECHANISMS, where
        assert r["inheritance"] in INHERITANCE, where
        assert r["tissue"] in TISSUES, where
        assert r["ex_vivo_cells"] in {"hsc", "t_cells", "keratinocytes", "none"}, where
        assert r["dosage_sensitive"] in {"yes", "no"}, where
        assert all(DISEASE_ID.match(d) for d in multi(r["disease_ids"])), where
        assert bool(r["transgene"]) == bool(r["transgene_bp"]), where
        if r["transgene_bp"]:
            assert int(r["transgene_bp"]) <= 5000, where
        assert r["cds_bp"] == "" or int(r["cds_bp"]) % 3 == 0, where


def test_every_canonical_gene_has_a_mechanism_consistent_with_the_case():
    rows = load_table("gene_mechanisms")
    for case in canonical_rows():
        calls = {r["mechanism"] for r in rows if r["gene"] == case["gene"]}
        assert calls, case["id"]
        want = case["expected_mechanism"]
        if want:
            ok = {want, "haploinsufficiency"} if want == "loss_of_function" else {want}
            assert calls & ok, f"{case['id']}: {calls} vs {want}"


def test_phenopacket_genes_are_covered():
    path = shared_path("phenopackets", "MANIFEST.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        genes = {r["gene"] for r in csv.DictReader(fh, delimiter="\t") if SYMBOL.match(r["gene"])}
    covered = {r["gene"] for r in load_table("gene_mechanisms")}
    assert genes - covered == set()


def test_same_gene_different_disease_traps():
    rows = load_table("gene_mechanisms")

    def call(gene: str, disease_id: str) -> str:
        return next(r["mechanism"] for r in rows if r["gene"] == gene and disease_id in multi(r["disease_ids"]))

    assert call("F8", "OMIM:306700") == "loss_of_function"
    assert call("F8", "OMIM:301071") == "gain_of_function"
    assert call("LMNA", "OMIM:176670") == "gain_of_function"
    assert call("LMNA", "OMIM:115200") == "unknown"
    assert call("FGFR3", "OMIM:100800") == "gain_of_function"
    assert call("HMBS", "OMIM:176000") == "loss_of_function"
    assert call("PMP22", "OMIM:118220") == "gain_of_function"
    assert call("PMP22", "OMIM:162500") == "haploinsufficiency"
    mecp2 = [r for r in rows if r["gene"] == "MECP2"]
    assert mecp2 and all(r["dosage_sensitive"] == "yes" for r in mecp2)
    dmd = next(r for r in rows if r["gene"] == "DMD")
    assert dmd["transgene"] == "micro-dystrophin" and int(dmd["cds_bp"]) > 11000


# --- alternative targets, vectors, serotypes, tissues, follow-up -----------------------------------


def test_alternative_targets():
    rows = load_table("alternative_targets")
    products = {n for r in load_table("therapies") for n in [r["name"], *r["name"].split("/")]}
    pairs = {(r["disease_gene"], r["target"], r["modality"]) for r in rows}
    for pair in [("SMN1", "SMN2", "splice_modulation"), ("HBB", "BCL11A", "genome_editing"),
                 ("HMBS", "ALAS1", "gene_silencing"), ("AGXT", "HAO1", "gene_silencing"),
                 ("AGXT", "LDHA", "gene_silencing"), ("F8", "SERPINC1", "gene_silencing"),
                 ("F9", "SERPINC1", "gene_silencing"), ("HBB", "HBG1;HBG2", "drug"),
                 ("NF1", "MAP2K1;MAP2K2", "drug"), ("FGFR3", "NPR2", "drug"), ("PAH", "PAH", "drug")]:
        assert pair in pairs, pair
    for r in rows:
        assert SYMBOL.match(r["disease_gene"]) and all(SYMBOL.match(t) for t in multi(r["target"])), r
        assert r["modality"] in MODALITIES, r
        assert r["requires_mechanism"] in MECHANISMS - {"unknown"} | {"any"}, r
        assert all(DISEASE_ID.match(d) for d in multi(r["disease_ids"])), r
        assert set(multi(r["products"])) <= products, r


def test_vectors():
    v = {r["vector"]: r for r in load_table("vectors")}
    assert {"ssAAV", "scAAV", "dual_AAV", "lentiviral", "gammaretroviral", "adenoviral", "HSV1", "LNP_mRNA",
            "GalNAc_conjugate", "ASO_free"} <= set(v)
    assert int(v["ssAAV"]["capacity_bp"]) == 4700 and int(v["scAAV"]["capacity_bp"]) == 2400
    assert int(v["dual_AAV"]["capacity_bp"]) > int(v["ssAAV"]["capacity_bp"])
    for r in v.values():
        assert r["integrating"] in {"yes", "no"} and r["redosable"] in {"yes", "no"}
        assert set(multi(r["routes"])) <= ROUTES | {"intracochlear"}, r["vector"]
        assert set(multi(r["tropism"])) <= TISSUES, r["vector"]
        if r["integrating"] == "yes":
            assert int(r["ltfu_years"]) == 15
    assert int(v["ssAAV"]["ltfu_years"]) == 5 and v["ssAAV"]["redosable"] == "no"


def test_serotypes():
    products = set(by_name())
    rows = {r["serotype"]: r for r in load_table("serotypes")}
    assert {"AAV2", "AAV5", "AAV9", "AAVrh74", "AAVrh74var"} <= set(rows)
    for r in rows.values():
        assert set(multi(r["tropism"])) <= TISSUES, r["serotype"]
        assert set(multi(r["routes"])) <= ROUTES, r["serotype"]
        assert r["seroprevalence_pct"] == "" or re.fullmatch(r"\d+(-\d+)?", r["seroprevalence_pct"])
        assert set(multi(r["products"])) <= products, r["serotype"]
    assert "1:50" in rows["AAV9"]["label_threshold"]
    assert "1:400" in rows["AAVrh74"]["label_threshold"]


def test_tissues():
    rows = {r["tissue"]: r for r in load_table("tissues")}
    vectors = {r["vector"] for r in load_table("vectors")}
    assert set(rows) == TISSUES
    assert {t for t, r in rows.items() if r["ex_vivo_possible"] == "yes"} == {"hsc", "immune", "skin"}
    for r in rows.values():
        assert set(multi(r["in_vivo_routes"])) <= ROUTES | {"intracochlear"}, r["tissue"]
        assert set(multi(r["preferred_vectors"])) <= vectors, r["tissue"]


def test_follow_up():
    rows = {r["category"]: r for r in load_table("follow_up")}
    assert {"integrating_vector", "genome_editing", "aav", "hsv", "lnp", "oligonucleotide", "small_molecule",
            "enzyme_replacement"} <= set(rows)
    assert int(rows["integrating_vector"]["duration_years"]) == 15
    assert int(rows["genome_editing"]["duration_years"]) == 15
    assert int(rows["aav"]["duration_years"]) == 5
    for cat in ("integrating_vector", "genome_editing", "aav"):
        assert "Long Term Follow-up After Administration of Human Gene Therapy Products" in rows[cat]["guidance"]
    assert "EMEA/CHMP/GTWP/60436/2007" in rows["integrating_vector"]["guidance"]
    assert "insertional oncogenesis" in rows["integrating_vector"]["risks"]
    assert "off-target editing" in multi(rows["genome_editing"]["risks"])
    assert "immune response to capsid" in multi(rows["aav"]["risks"])


def test_also_modality_marks_risdiplam_as_a_drug_too():
    t = by_name()
    assert (t["risdiplam"]["modality"], t["risdiplam"]["also_modality"]) == ("splice_modulation", "drug")
    assert all(r["also_modality"] in MODALITIES | {""} for r in t.values())
    assert all(r["also_modality"] != r["modality"] for r in t.values())

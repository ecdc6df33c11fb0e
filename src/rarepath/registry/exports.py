"""Exports: a case as a Phenopacket v2, follow-up as FHIR resources, a pseudonymised cohort table.

Every export is pseudonymised: the case is named by its registry pseudonym, never by the patient's
name or the id written in the file received; dates of birth are dropped. The cohort export holds only
cases consented for research (`consent = research`) and no free text, so it carries no direct identifier.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rarepath.registry import audit
from rarepath.registry.access import Actor, Forbidden
from rarepath.registry.models import (
    AdverseEvent,
    Case,
    Consent,
    Decision,
    Observation,
    Role,
    Treatment,
)
from rarepath.registry.service import latest_assessment, stored_case

COHORT_COLUMNS = ("pseudonym", "genes", "variants", "zygosity", "hpo_ids", "mechanism", "top_option",
                  "top_verdict", "decision_modality", "decision_product", "treatment_products",
                  "treatment_categories", "adverse_events", "max_ae_grade", "serious_aes")

_ZYGOSITY_GENO = {"heterozygous": ("GENO:0000135", "heterozygous"), "homozygous": ("GENO:0000136", "homozygous"),
                  "hemizygous": ("GENO:0000134", "hemizygous"),
                  "compound_heterozygous": ("GENO:0000402", "compound heterozygous")}


def case_phenopacket(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """The case as a Phenopacket v2 (JSON dict), ids replaced by the pseudonym, date of birth removed.

    A case received as a phenopacket is exported from that document; any other is built from the parsed case.
    """
    from google.protobuf import json_format
    from phenopackets import Phenopacket

    if case.received_format == "phenopacket":
        msg = json_format.Parse(case.received.decode("utf-8"), Phenopacket(), ignore_unknown_fields=True)
    else:
        msg = _build_phenopacket(case)
    msg.id = case.pseudonym
    msg.subject.id = case.pseudonym
    msg.subject.ClearField("date_of_birth")
    msg.subject.ClearField("alternate_ids")
    for interp in msg.interpretations:
        interp.id = f"{case.pseudonym}-{interp.id}" if interp.id else case.pseudonym
        for gi in interp.diagnosis.genomic_interpretations:
            gi.subject_or_biosample_id = case.pseudonym
    audit.append(session, actor=actor.name, action="export", entity="phenopacket", entity_id=case.id,
                 case_pseudonym=case.pseudonym)
    return json_format.MessageToDict(msg)


def _build_phenopacket(case: Case) -> Any:
    from phenopackets import (
        Diagnosis,
        GeneDescriptor,
        GenomicInterpretation,
        Individual,
        Interpretation,
        MetaData,
        OntologyClass,
        Phenopacket,
        PhenotypicFeature,
        Resource,
        Sex,
        VariantInterpretation,
        VariationDescriptor,
    )
    from phenopackets import Expression as Expr

    parsed = stored_case(case)
    sex = {"male": Sex.MALE, "female": Sex.FEMALE}.get((parsed.patient.sex or "").lower(), Sex.UNKNOWN_SEX)
    features = [PhenotypicFeature(type=OntologyClass(id=h, label=h)) for h in parsed.phenotypes]
    features += [PhenotypicFeature(type=OntologyClass(id=h, label=h), excluded=True)
                 for h in parsed.excluded_phenotypes]
    gis = []
    for i, v in enumerate(parsed.variants):
        exprs = [Expr(syntax=k, value=x) for k, x in (("hgvs.c", v.hgvs_c), ("hgvs.p", v.hgvs_p), ("hgvs.g", v.hgvs_g))
                 if x]
        geno = _ZYGOSITY_GENO.get(str(v.zygosity))
        vd = VariationDescriptor(id=f"v{i + 1}", label=v.description, gene_context=GeneDescriptor(
            value_id=v.gene, symbol=v.gene), expressions=exprs,
            allelic_state=OntologyClass(id=geno[0], label=geno[1]) if geno else None)
        gis.append(GenomicInterpretation(subject_or_biosample_id=case.pseudonym, interpretation_status=0,
                                         variant_interpretation=VariantInterpretation(variation_descriptor=vd)))
    disease = OntologyClass(id=parsed.diseases[0], label=(parsed.disease_labels or parsed.diseases)[0]) \
        if parsed.diseases else None
    interp = Interpretation(id="1", progress_status=0, diagnosis=Diagnosis(disease=disease,
                                                                          genomic_interpretations=gis))
    meta = MetaData(created_by="rarepath registry", phenopacket_schema_version="2.0",
                    resources=[Resource(id="hp", name="human phenotype ontology", namespace_prefix="HP",
                                        url="http://purl.obolibrary.org/obo/hp.owl", version="unknown",
                                        iri_prefix="http://purl.obolibrary.org/obo/HP_")])
    meta.created.GetCurrentTime()
    return Phenopacket(id=case.pseudonym, subject=Individual(id=case.pseudonym, sex=sex),
                       phenotypic_features=features, interpretations=[interp], meta_data=meta)


def follow_up_fhir(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """A FHIR (R5, `fhir.resources`) collection Bundle: the Patient (pseudonym only), lab Observations and
    AdverseEvents of the case, each validated by the package's models."""
    from fhir.resources.adverseevent import AdverseEvent as FhirAE
    from fhir.resources.bundle import Bundle
    from fhir.resources.observation import Observation as FhirObs
    from fhir.resources.patient import Patient

    sex = str((case.intake.get("patient") or {}).get("sex") or "unknown").lower()
    patient_ref = {"reference": f"Patient/{case.pseudonym}"}
    entries: list[Any] = [Patient(id=case.pseudonym, gender=sex if sex in ("male", "female") else "unknown",
                                  identifier=[{"system": "urn:rarepath:pseudonym", "value": case.pseudonym}])]
    for o in session.scalars(select(Observation).where(Observation.case_id == case.id).order_by(Observation.id)):
        res: dict[str, Any] = {"id": f"obs-{o.id}", "status": "final", "code": {"text": o.analyte},
                               "subject": patient_ref, "effectiveDateTime": o.observed_on.isoformat()}
        if o.value is not None:
            res["valueQuantity"] = {"value": o.value, "unit": o.unit or None}
        else:
            res["valueString"] = o.text_value or "not recorded"
        if o.lower_limit is not None or o.upper_limit is not None:
            rr = {}
            if o.lower_limit is not None:
                rr["low"] = {"value": o.lower_limit, "unit": o.unit or None}
            if o.upper_limit is not None:
                rr["high"] = {"value": o.upper_limit, "unit": o.unit or None}
            res["referenceRange"] = [rr]
        if o.ctcae_grade:
            res["interpretation"] = [{"text": f"CTCAE v5 grade {o.ctcae_grade}"}]
        entries.append(FhirObs(**res))
    for ae in session.scalars(select(AdverseEvent).where(AdverseEvent.case_id == case.id).order_by(AdverseEvent.id)):
        t = session.get(Treatment, ae.treatment_id) if ae.treatment_id else None
        res = {"id": f"ae-{ae.id}", "status": "completed" if ae.resolved_on else "in-progress",
               "actuality": "actual", "subject": patient_ref, "occurrenceDateTime": ae.onset_on.isoformat(),
               "code": {"text": ae.term},
               "seriousness": {"coding": [{
                   "system": "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                   "code": "serious" if ae.serious else "non-serious"}]},
               "extension": [{"url": "urn:rarepath:ctcae-v5-grade", "valueInteger": ae.grade}]}
        if t is not None:
            res["suspectEntity"] = [{"instanceCodeableConcept": {"text": t.product},
                                     "causality": {"entityRelatedness": {"text": ae.relatedness}}}]
        entries.append(FhirAE(**res))
    bundle = Bundle(type="collection", entry=[{"fullUrl": f"urn:rarepath:{type(r).__name__}/{r.id}", "resource": r}
                                              for r in entries])
    audit.append(session, actor=actor.name, action="export", entity="fhir_bundle", entity_id=case.id,
                 case_pseudonym=case.pseudonym, detail=f"{len(entries)} resources")
    return bundle.model_dump(mode="json", exclude_none=True)


def cohort_rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """One row per research-consented case, with no direct identifier (see COHORT_COLUMNS)."""
    if actor.role not in (Role.RESEARCHER, Role.ADMIN):
        raise Forbidden(f"the {actor.role.value} role cannot export the cohort")
    rows = []
    for case in session.scalars(select(Case).where(Case.consent == Consent.RESEARCH.value).order_by(Case.id)):
        a = latest_assessment(session, case)
        top = ((a.contract.get("options") or [{}])[0]) if a else {}
        dec = session.scalar(select(Decision).where(Decision.case_id == case.id).order_by(Decision.id.desc()).limit(1))
        treats = list(session.scalars(select(Treatment).where(Treatment.case_id == case.id)))
        aes = list(session.scalars(select(AdverseEvent).where(AdverseEvent.case_id == case.id)))
        rows.append({
            "pseudonym": case.pseudonym,
            "genes": ";".join(case.intake.get("genes") or []),
            "variants": ";".join(v.hgvs_c or v.hgvs_g or v.kind for v in case.variants),
            "zygosity": ";".join(sorted({v.zygosity for v in case.variants})),
            "hpo_ids": ";".join(p.hpo_id for p in case.phenotypes if not p.excluded),
            "mechanism": a.mechanism if a else "",
            "top_option": f"{top.get('modality', '')}:{top.get('target', '')}" if top else "",
            "top_verdict": top.get("verdict", "") if top else "",
            "decision_modality": dec.modality if dec else "",
            "decision_product": dec.product if dec else "",
            "treatment_products": ";".join(t.product for t in treats),
            "treatment_categories": ";".join(t.category for t in treats),
            "adverse_events": len(aes),
            "max_ae_grade": max((e.grade for e in aes), default=0),
            "serious_aes": sum(1 for e in aes if e.serious),
        })
    audit.append(session, actor=actor.name, action="export", entity="cohort", detail=f"{len(rows)} cases")
    return rows


def cohort_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COHORT_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def cohort_parquet(rows: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=pa.schema(
        [(c, pa.int64() if c in ("adverse_events", "max_ae_grade", "serious_aes") else pa.string())
         for c in COHORT_COLUMNS]))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()

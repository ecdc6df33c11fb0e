"""In vivo or ex vivo, and by which route and vector: the five questions of the brief, each answered.

1. Is the target tissue accessible in vivo?  2. Immune status and prior vector exposure?
3. Durable or staged correction needed?       4. Can the patient tolerate conditioning?
5. Does the centre have the expertise?        (asked, never assumed)
"""

from __future__ import annotations

from rarepath.knowledge.context import KnowledgeContext, split_multi
from rarepath.model import Case, Delivery, Evidence, Modality

TISSUE_SOURCE = "rarepath curated tissues table"

def tissue_row(kc: KnowledgeContext, tissue: str | None) -> dict[str, str]:
    return kc.tissues.get(tissue or "", {})


def editing_reach(kc: KnowledgeContext, tissue: str | None) -> tuple[str, str, str] | None:
    """(mode, route, vehicle) by which genome editors reach the tissue, or None when not established."""
    row = tissue_row(kc, tissue)
    if not row.get("editing_mode"):
        return None
    return row["editing_mode"], row.get("editing_route", ""), row.get("editing_vehicle", "")


def preferred_serotype(kc: KnowledgeContext, tissue: str | None) -> str | None:
    """First curated AAV serotype for the tissue (tissues.preferred_serotypes), e.g. AAV9 for CNS."""
    sero = split_multi(tissue_row(kc, tissue).get("preferred_serotypes"))
    return sero[0] if sero else None


def plan_delivery(modality: Modality, case: Case, tissue: str | None, kc: KnowledgeContext,
                  product_row: dict[str, str] | None = None, ex_vivo_cells: str | None = None) -> Delivery:
    """Choose mode, route and vehicle; record the answer to each of the five questions."""
    p = case.patient
    trow = tissue_row(kc, tissue)
    routes = split_multi(trow.get("in_vivo_routes"))
    ex_vivo_possible = (trow.get("ex_vivo_possible") == "yes") or (ex_vivo_cells not in (None, "", "none"))
    steps: list[Evidence] = []
    tissue_name = tissue or "unknown tissue"

    # Step 1: tissue accessibility
    if routes:
        steps.append(Evidence("step1_tissue_accessible", trow.get("source", TISSUE_SOURCE),
                              f"{tissue_name} is reachable in vivo by {', '.join(routes)}"))
    else:
        steps.append(Evidence("step1_tissue_accessible", TISSUE_SOURCE,
                              f"no curated in vivo route for {tissue_name}"))
    # Step 2: immune status / prior exposure
    abs_ = [f"anti-{k} 1:{v}" for k, v in p.aav_titres.items()] + [
        f"anti-{k} {'positive' if v else 'negative'}" for k, v in p.aav_antibodies.items()]
    prior = ", ".join(p.prior_treatments) or "none recorded"
    steps.append(Evidence("step2_immune_status", "patient factors",
                          f"pre-existing antibodies: {', '.join(abs_) or 'not tested'}; prior treatments: {prior}"))
    # Step 3: durable vs staged
    dividing = tissue in ("hsc", "t_cells", "skin", "liver") and (p.age_years is not None and p.age_years < 12)
    if tissue in ("hsc", "t_cells", "immune"):
        durable = "dividing stem cells need an integrated copy or a permanent edit for durable correction"
    elif dividing:
        durable = "growing paediatric tissue dilutes episomal (AAV) genomes: durability may be limited"
    else:
        durable = "post-mitotic target cells keep episomal vector genomes: one-time in vivo dosing can be durable"
    steps.append(Evidence("step3_durability", "Nathwani et al., NEJM 2014; Wang, Tai & Gao, Nat Rev Drug Discov 2019",
                          durable))
    # Step 4: conditioning
    c = p.conditioning_tolerated
    steps.append(Evidence("step4_conditioning", "patient factors",
                          "conditioning " + ("tolerated" if c else "not tolerated" if c is False else "not assessed")
                          + (" (required for ex vivo HSC products)" if ex_vivo_possible else "")))
    # Step 5: expertise
    steps.append(Evidence("step5_centre_expertise", "care team",
                          "ask whether the treating centre is qualified for this product and route"))

    if product_row:
        mode = product_row.get("delivery") or "in_vivo"
        route = product_row.get("route") or (routes[0] if routes else "unknown")
        vector = product_row.get("vector_or_chemistry") or None
        if product_row.get("serotype") and vector and product_row["serotype"] not in vector:
            vector = f"{product_row['serotype']} ({vector})"
        return Delivery(mode, route, vector, tuple(steps))
    if modality == Modality.GENE_REPLACEMENT:
        sero = preferred_serotype(kc, tissue)
        return Delivery("in_vivo", routes[0] if routes else "unknown", sero or "AAV (serotype per tissue)",
                        tuple(steps))
    if modality == Modality.GENE_ADDITION:
        if ex_vivo_possible and tissue in ("hsc", "t_cells", "immune"):
            return Delivery("ex_vivo", "hsc_transplant", "lentiviral (autologous CD34+ cells)", tuple(steps))
        if tissue == "skin":
            return Delivery("in_vivo", "topical", "HSV-1 (replication-defective)", tuple(steps))
        return Delivery("in_vivo", routes[0] if routes else "unknown", "non-AAV or integrating vector", tuple(steps))
    if modality == Modality.GENOME_EDITING:
        reach = editing_reach(kc, tissue)
        mode, route, vec = reach or ("in_vivo", routes[0] if routes else "unknown", "no established editor delivery")
        return Delivery(mode, route, vec, tuple(steps))
    if modality in (Modality.GENE_SILENCING, Modality.SPLICE_MODULATION):
        oligo = kc.oligo_reach(tissue)
        route, vec = oligo or ("unknown", "antisense oligonucleotide (delivery to this tissue not established)")
        return Delivery("in_vivo", route, vec, tuple(steps))
    if modality == Modality.STANDARD_CARE:
        return Delivery("ex_vivo" if (product_row or {}).get("delivery") == "ex_vivo" else "in_vivo",
                        (product_row or {}).get("route") or "per guideline", None, tuple(steps))
    return Delivery("in_vivo", "oral", None, tuple(steps))

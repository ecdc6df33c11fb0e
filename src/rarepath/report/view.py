"""Display values for the reports: every value of the assessment JSON turned into words, numbers and tables.

The templates print only what these functions return, so no Python object (`{'...'}`, `[]`, `None`) can reach
a reader. The functions read the JSON form (`Assessment.to_dict()`), not the dataclasses: a field added to the
contract later still renders, through `human()`, without a template change.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from rarepath.model import NO_SINGLE_GENE

#: What a missing value reads as.
NONE = "none"

#: Field names as a reader says them (anything else: underscores become spaces).
FIELD_WORDS = {
    "age_years": "age (years)", "aav_titres": "anti-AAV antibody titres", "aav_antibodies": "anti-AAV antibodies",
    "conditioning_tolerated": "tolerates conditioning", "prior_treatments": "prior treatments",
    "max_rescue_pct": "max. rescue (%)", "toxicity_pct": "toxicity (%)", "q_value": "q-value", "ec50": "EC50",
    "target_gene": "target gene", "seroprevalence_pct": "seroprevalence (%)", "score_delta": "score change",
    "hgvs_c": "HGVS c.", "hgvs_p": "HGVS p.", "hgvs_g": "HGVS g.",
}

#: Agencies as written in the therapies table's `approvals` column, in reading order.
AGENCY_ORDER = ("FDA", "EMA", "MHRA", "PMDA", "HC", "NMPA", "TGA", "Swissmedic")


def words(token: Any) -> str:
    """A vocabulary token (`gene_replacement`, `not_suitable`) as words."""
    if token is None or token == "":
        return NONE
    return FIELD_WORDS.get(str(token), str(token).replace("_", " "))


def cap(text: str) -> str:
    """First letter upper case, the rest as written (`anti-AAV titres`, not `Anti-aav titres`)."""
    return text[:1].upper() + text[1:]


def number(x: float, digits: int = 3) -> str:
    """Rounded for reading: 0.050000000000000044 -> 0.05, 1234.5 -> 1235, 2.0 -> 2."""
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "not measured"
    if math.isinf(x):
        return "unbounded" if x > 0 else "-unbounded"
    if x == int(x) and abs(x) < 1e9:
        return str(int(x))
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"


def human(value: Any) -> str:
    """Any JSON value as one line of text for a reader: no brackets, quotes or `None`."""
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return "; ".join(f"{words(k)}: {human(v)}" for k, v in value.items() if v not in (None, "", [], {})) or NONE
    if isinstance(value, Sequence):
        return ", ".join(human(v) for v in value) or NONE
    return str(value)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> dict[str, Any]:
    """A list of records as a table: header words and cells of text (columns: the union, in first-seen order)."""
    cols: list[str] = list(columns or [])
    if not cols:
        for r in rows:
            cols.extend(k for k in r if k not in cols)
    return {"header": [words(c) for c in cols], "rows": [[human(r.get(c)) for c in cols] for r in rows]}


# --- HPO labels --------------------------------------------------------------------------------------------

@cache
def _hpo_index() -> Any:
    from rarepath.knowledge.hpo import HpoIndex

    return HpoIndex.load()


def hpo_label(term_id: str) -> str:
    """The term's name from the shipped HPO release ('label not found' for an id the release lacks)."""
    term = _hpo_index().term(term_id)
    return term.name if term is not None else "label not found in this HPO release"


def hpo_terms(ids: Sequence[str]) -> list[dict[str, str]]:
    """Each HPO id with its label, for "Hypotonia (HP:0001252)"."""
    return [{"id": t, "label": hpo_label(t)} for t in ids]


# --- Product approvals -------------------------------------------------------------------------------------

@cache
def _therapy_rows() -> dict[str, dict[str, str]]:
    from rarepath.knowledge.curated import load_table

    return {r["name"].lower(): r for r in load_table("therapies")}


@cache
def label_facts_checked() -> str:
    """When the label facts (approvals, requirements) were last checked: the therapies table's version."""
    from rarepath.knowledge.curated import table_version

    return table_version("therapies")


def _parse_approvals(text: str) -> list[tuple[str, str]]:
    out = []
    for part in (text or "").split(";"):
        agency, _, year = part.strip().partition(":")
        if agency.strip():
            out.append((agency.strip(), year.strip()))
    return out


def approvals(product: Mapping[str, Any]) -> dict[str, Any]:
    """A product's approval by region: FDA / EMA / other agencies with year, and whether it was withdrawn.

    Fields the assessment carries (`approvals`, `agency`, `year`) win; otherwise the shipped therapies table
    is read by product name. `regions` lists (agency, year) pairs; `summary` is one line for a reader.
    """
    row = _therapy_rows().get(str(product.get("name", "")).lower(), {})
    raw = product.get("approvals") or row.get("approvals") or ""
    region_states: list[str] = []
    if isinstance(raw, Mapping):
        pairs = [(str(k), human(v) if isinstance(v, Mapping) else str(v or "")) for k, v in raw.items()]
    elif isinstance(raw, Sequence) and not isinstance(raw, str):
        pairs = []
        for x in raw:
            if isinstance(x, Mapping):
                extra = x.get("status") or x.get("state")
                year = str(x.get("year") or "")
                if extra and str(extra) != "approved":
                    year = f"{year} ({words(extra)})".strip()
                    region_states.append(str(extra))
                pairs.append((str(x.get("agency") or x.get("region") or ""), year))
            elif x:
                pairs += _parse_approvals(str(x))
    else:
        pairs = _parse_approvals(str(raw))
    if not pairs:
        agencies = str(product.get("agency") or row.get("agency") or "").replace(",", ";").split(";")
        year = str(product.get("year") or row.get("year") or "")
        pairs = [(a.strip(), year) for a in agencies if a.strip()]
    pairs.sort(key=lambda p: (AGENCY_ORDER.index(p[0]) if p[0] in AGENCY_ORDER else len(AGENCY_ORDER), p[0]))
    status = str(product.get("status") or row.get("status") or "")
    notes = str(row.get("notes", "")).lower()
    said = " ".join([status, *region_states])
    state = ("withdrawn" if "withdrawn" in said else "refused" if "refused" in said or "refusal" in notes
             else "")
    regions = [f"{a} {y}".strip() for a, y in pairs]
    fda = next((f"FDA {y}".strip() for a, y in pairs if a == "FDA"), "not approved")
    ema = next((f"EMA {y}".strip() for a, y in pairs if a == "EMA"), "not approved")
    other = ", ".join(f"{a} {y}".strip() for a, y in pairs if a not in ("FDA", "EMA")) or NONE
    if status.startswith("clinical") or status == "n_of_1":
        fda = ema = "not approved"
        summary = words(status.replace("clinical_", "clinical trial, ")) + (
            f" (regulator: {', '.join(regions)})" if regions else "")
    else:
        summary = ", ".join(regions) or "no approval recorded"
        if state:
            summary += f"; {state}"
        elif status and status != "approved":
            summary += f"; {words(status)}"
    return {"fda": fda, "ema": ema, "other": other, "state": state or NONE, "regions": regions,
            "summary": summary, "status": words(status) if status else NONE}


# --- Plans (delivery, safety, follow-up) -------------------------------------------------------------------

#: Verdicts for which a delivery, safety and follow-up plan is shown (an unsuitable option has no plan).
PLANNED = ("recommended", "possible")


def _plan_key(o: Mapping[str, Any]) -> str:
    payload = {k: o.get(k) for k in ("delivery", "safety", "follow_up")}
    return hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:10]


def _safety_lines(s: Mapping[str, Any]) -> list[dict[str, str]]:
    """Safety facts as labelled lines; nested records (pre-existing antibodies) become one sentence each."""
    out: list[dict[str, str]] = []
    for k, v in s.items():
        if k in ("category", "source", "risks") or v in (None, "", [], {}):
            continue
        if k == "pre_existing_antibodies" and isinstance(v, Mapping):
            sero = v.get("serotype", "")
            text = (f"patient {human(v.get('patient'))}; label limit {human(v.get('label_threshold'))}; "
                    f"seroprevalence {human(v.get('seroprevalence_pct'))}%")
            out.append({"label": f"Pre-existing anti-{sero} antibodies", "text": text,
                        "source": str(v.get("source", ""))})
        else:
            out.append({"label": cap(words(k)), "text": human(v), "source": ""})
    return out


def plans(options: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Distinct delivery/safety/follow-up plans of the options worth pursuing, each shown once.

    Returns the plans (with the option numbers that share them) and option number -> plan anchor.
    """
    by_key: dict[str, dict[str, Any]] = {}
    of_option: dict[int, str] = {}
    for i, o in enumerate(options, 1):
        if o.get("verdict") not in PLANNED or not (o.get("delivery") or o.get("safety") or o.get("follow_up")):
            continue
        key = _plan_key(o)
        if key not in by_key:
            d = o.get("delivery") or {}
            s = o.get("safety") or {}
            f = o.get("follow_up") or {}
            years = f.get("duration_years")
            by_key[key] = {
                "anchor": f"plan-{len(by_key) + 1}", "number": len(by_key) + 1, "options": [],
                "delivery": {"mode": words(d.get("mode")), "route": words(d.get("route")),
                             "vector": human(d.get("vector")),
                             "steps": [{"rule": words(st.get("rule")), "detail": human(st.get("detail")),
                                        "source": human(st.get("source"))} for st in d.get("steps") or []]}
                if d else None,
                "safety": {"category": words(s.get("category")), "risks": [human(r) for r in s.get("risks") or []],
                           "lines": _safety_lines(s), "source": human(s.get("source"))} if s else None,
                "follow_up": {"years": (f"{number(float(years))} years" if years else "no fixed duration"),
                              "guidance": human(f.get("guidance")),
                              "monitoring": [human(m) for m in f.get("monitoring") or []],
                              "source": human(f.get("source"))} if f else None,
            }
        by_key[key]["options"].append(i)
        of_option[i] = by_key[key]["anchor"]
    return list(by_key.values()), of_option


# --- Whole-report views ------------------------------------------------------------------------------------

#: Option fields rendered by name; anything else an option carries is printed as "Field: value" under it.
_OPTION_KNOWN = {"modality", "target", "verdict", "score", "delivery", "products", "reasons", "safety", "follow_up",
                 "excluded_products", "exon_skipping", "screen_evidence"}


def _exon_skipping(x: Mapping[str, Any]) -> str:
    def skips(v: Any) -> str:
        if not v:
            return NONE
        return ", ".join("+".join(str(e) for e in s) if isinstance(s, Sequence) and not isinstance(s, str)
                         else str(s) for s in v)
    shown = list(x.get("double_skips") or [])[:6]
    more = len(x.get("double_skips") or []) - len(shown)
    return (f"deletion is {words(x.get('frame'))}; frame-restoring single skips: exon {skips(x.get('single_skips'))}"
            f"; double skips: {skips(shown)}{f' (and {more} more)' if more > 0 else ''}")


def patient_rows(p: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(cap(words(k)), human(v)) for k, v in p.items() if v not in (None, "", [], {})]


def warnings(data: Mapping[str, Any]) -> list[str]:
    """Problems a reader must see first: intake notes, an ambiguous disease, no single disease gene."""
    out = [human(n) for n in (data.get("case") or {}).get("notes") or []]
    out += [human(w) for w in data.get("warnings") or []]
    for d in data.get("diseases") or []:
        if d.get("ambiguous"):
            out.append(f"the disease is ambiguous: {human(d.get('candidates'))} fit the gene and variant. Give the "
                       "diagnosis (--disease OMIM:...) to assess disease-specific products")
    return list(dict.fromkeys(out))


def clinician_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the clinician template prints, as text, tables and anchors."""
    options = list(data.get("options") or [])
    plan_list, plan_of = plans(options)
    case = data.get("case") or {}
    opts = []
    gene_less = [o for o in options if not o.get("target")]
    no_gene = None
    if gene_less:
        first = (gene_less[0].get("reasons") or [{}])[0]
        no_gene = {"modalities": human([words(o.get("modality")) for o in gene_less]),
                   "rule": human(first.get("rule")), "detail": human(first.get("detail")),
                   "source": human(first.get("source"))}
    for i, o in enumerate(options, 1):
        if not o.get("target"):
            continue  # one message for all of them (`no_gene`), not one row each
        products = [{"name": human(p.get("name")), "status": words(p.get("status")),
                     "approvals": approvals(p), "source": human(p.get("source"))} for p in o.get("products") or []]
        extra = [(cap(words(k)), human(v)) for k, v in o.items() if k not in _OPTION_KNOWN]
        screen = o.get("screen_evidence")
        d = o.get("delivery") or {}
        opts.append({
            "number": i, "anchor": f"option-{i}", "modality": words(o.get("modality")),
            "target": o.get("target") or NONE, "verdict": o.get("verdict", ""), "verdict_words": words(o.get("verdict")),
            "score": number(float(o.get("score") or 0), 2),
            "delivery": (", ".join(x for x in (words(d.get("mode")), words(d.get("route")),
                                               d.get("vector") or "") if x and x != NONE) if d else NONE),
            "products": products,
            "reasons": [{"rule": human(r.get("rule")), "detail": human(r.get("detail")), "source": human(r.get("source"))}
                        for r in o.get("reasons") or []],
            "excluded": [f"{human(x.get('name'))} ({human(x.get('reason'))})" for x in o.get("excluded_products") or []
                         if isinstance(x, Mapping)],
            "exon_skipping": _exon_skipping(o["exon_skipping"]) if isinstance(o.get("exon_skipping"), Mapping) else "",
            "screen": table(screen if isinstance(screen, list) else [screen]) if screen else None,
            "plan": plan_of.get(i), "extra": extra,
        })
    knowledge = data.get("knowledge") or {}
    curated = knowledge.get("curated") or {}
    return {
        "case_id": human(case.get("id")), "version": human(data.get("rarepath_version")),
        "genes": human(case.get("genes")),
        "variants": [{"description": human(v.get("description")),
                      "kind": words(v.get("kind")), "zygosity": words(v.get("zygosity")),
                      "notes": human(v.get("notes")) if v.get("notes") else ""} for v in case.get("variants") or []],
        "diseases": [{"labels": human(d.get("labels")) if d.get("labels") else "not resolved",
                      "ids": human(d.get("ids")), "inferred": bool(d.get("inferred_from_gene")),
                      "inheritance": human([words(i) for i in d.get("inheritance") or []]) if d.get("inheritance")
                      else "not annotated", "tissue": words(d.get("tissue")) if d.get("tissue") else "unknown",
                      "ambiguous": bool(d.get("ambiguous")), "candidates": human(d.get("candidates"))}
                     for d in data.get("diseases") or []],
        "phenotypes": hpo_terms(case.get("phenotypes") or []),
        "excluded_phenotypes": hpo_terms(case.get("excluded_phenotypes") or []),
        "patient": patient_rows(case.get("patient") or {}),
        "warnings": warnings(data),
        "mechanism": {"call": words((data.get("mechanism") or {}).get("call")),
                      "confidence": number(float((data.get("mechanism") or {}).get("confidence") or 0), 2),
                      "overridden": bool((data.get("mechanism") or {}).get("overridden")),
                      "evidence": [{"rule": human(e.get("rule")), "detail": human(e.get("detail")),
                                    "source": human(e.get("source"))}
                                   for e in (data.get("mechanism") or {}).get("evidence") or []]},
        "options": opts, "plans": plan_list, "no_gene": no_gene,
        "questions": [human(q) for q in data.get("questions_for_care_team") or []],
        "knowledge": {"hpo": human(knowledge.get("hpo")), "knowledge_base": human(knowledge.get("knowledge_base")),
                      "curated": table([{"table": k, "version": (v or {}).get("version"), "rows": (v or {}).get("rows")}
                                        for k, v in curated.items()]),
                      "label_facts_checked": human(knowledge.get("label_facts_checked") or label_facts_checked())},
        "disclaimer": human(data.get("disclaimer")),
    }



def designs_view(designs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attached reagent designs: a title, the headline, the remaining facts in words and the short list."""
    shown = {"kind", "source", "headline", "offtarget_scope", "shortlist", "variant", "goal"}
    out = []
    for d in designs:
        title = cap(words(d.get("kind")))
        if d.get("variant"):
            title += f": {human(d.get('variant'))}"
        if d.get("goal"):
            title += f" ({human(d.get('goal'))})"
        out.append({"title": title, "headline": human(d.get("headline")) if d.get("headline") else "",
                    "offtarget_scope": human(d.get("offtarget_scope")) if d.get("offtarget_scope") else "",
                    "source": human(d.get("source")),
                    "facts": [(cap(words(k)), human(v)) for k, v in d.items()
                              if k not in shown and v not in (None, "", [], {})],
                    "shortlist": table(d.get("shortlist") or [])})
    return out


def screens_view(screens: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attached screens: ranking as a table of rounded values, a working file link to the screen's report."""
    from pathlib import Path

    out = []
    for sc in screens:
        report = sc.get("report")
        out.append({"id": human(sc.get("id")), "source": human(sc.get("source")), "report": report or "",
                    "report_uri": Path(report).resolve().as_uri() if report else "",
                    "ranking": table(sc.get("ranking") or []),
                    "figures": [f for f in sc.get("figures") or [] if f.get("png_base64")]})
    return out
# --- Family report -------------------------------------------------------------------------------------------

def _exons(v: Mapping[str, Any]) -> str:
    ex = v.get("exons") or []
    if len(ex) == 2 and ex[0] != ex[1]:
        return f"exons {ex[0]} to {ex[1]}"
    return f"exon {ex[0]}" if ex else "one or more exons"


def _why(o: Mapping[str, Any], who: dict[str, str]) -> str:
    """One or two plain sentences whose direction agrees with the verdict."""
    from rarepath.report.plain import RULE_PLAIN, VERDICT_WHY, say

    verdict = str(o.get("verdict", ""))
    wanted = ("+",) if verdict in PLANNED else ("-",)
    said: list[str] = []
    for r in o.get("reasons") or []:
        rule = str(r.get("rule", "")).split(":")[0]
        direction, text = RULE_PLAIN.get(rule, ("", ""))
        if direction in wanted and text not in said:
            said.append(text)
            break
    if verdict == "possible" or (verdict == "recommended" and said):
        for r in o.get("reasons") or []:
            direction, text = RULE_PLAIN.get(str(r.get("rule", "")).split(":")[0], ("", ""))
            if direction == "~" and text not in said:
                said.append(text)
                break
    if not said:
        said = [VERDICT_WHY.get(verdict, "")]
    return " ".join(say(t, who) for t in said if t)


def _plain_approvals(p: Mapping[str, Any]) -> str:
    from rarepath.report.plain import AGENCY_PLAIN

    a = approvals(p)
    places = [AGENCY_PLAIN.get(r.split()[0], r.split()[0]) for r in a["regions"] if r]
    if a["state"] == "withdrawn":
        return "taken off the market"
    if not places or a["fda"] == a["ema"] == "not approved" and a["other"] == NONE:
        return "in studies only"
    how = "approved early, with conditions, in " if "conditional" in str(p.get("status", "")) else "approved in "
    return how + (" and ".join(places) if len(places) <= 2 else ", ".join(places[:-1]) +
                             f" and {places[-1]}")


def family_view(data: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the family template prints: plain sentences for this reader, no technical detail."""
    from rarepath.report.plain import (
        FAMILY_QUESTIONS,
        MECHANISM_PLAIN,
        MODALITY_PLAIN,
        NO_GENE_MESSAGE,
        ROUTE_PLAIN,
        VARIANT_PLAIN,
        VERDICT_PLAIN,
        ZYGOSITY_PLAIN,
        person,
        say,
    )

    case = data.get("case") or {}
    who = person((case.get("patient") or {}).get("age_years"))
    genes = list(case.get("genes") or [])
    gene = genes[0] if genes else ""
    diseases = data.get("diseases") or []
    disease = ""
    if diseases and diseases[0].get("ambiguous"):
        disease = "one of several related illnesses (the care team can tell which)"
    elif diseases and diseases[0].get("labels"):
        disease = " or ".join(diseases[0]["labels"][:2])
    variants = case.get("variants") or []
    change = ""
    if variants:
        v = variants[0]
        change = VARIANT_PLAIN.get(str(v.get("kind")), VARIANT_PLAIN["unknown"]).format(exons=_exons(v))
        change = f"The test found {change}."
        zyg = ZYGOSITY_PLAIN.get(str(v.get("zygosity")), "")
        if zyg:
            change += " " + say(zyg, who)
        if len(variants) > 1 and v.get("zygosity") != "compound_heterozygous":
            change += f" There {'is' if len(variants) == 2 else 'are'} {len(variants) - 1} more change" \
                      f"{'' if len(variants) == 2 else 's'} in the clinician report."
    mech = data.get("mechanism") or {}
    conf = float(mech.get("confidence") or 0)
    sure = "fairly sure" if conf >= 0.7 else "somewhat sure" if conf >= 0.5 else "not very sure"
    options = []
    seen: set[tuple[str, str, str]] = set()
    for o in data.get("options") or []:
        if not o.get("target"):
            continue
        title, what = MODALITY_PLAIN.get(str(o.get("modality")), (cap(words(o.get("modality"))), ""))
        verdict = str(o.get("verdict", ""))
        key = (title, verdict, str(o.get("target")))
        if key in seen:
            continue
        seen.add(key)
        route = str((o.get("delivery") or {}).get("route", ""))
        years = (o.get("follow_up") or {}).get("duration_years")
        products = [f"{human(p.get('name'))} ({_plain_approvals(p)})" for p in o.get("products") or []
                    if "not eligible" not in str(p.get("status", ""))] if verdict in PLANNED else []
        options.append({
            "title": title, "what": say(what, who), "verdict": verdict,
            "verdict_plain": say(VERDICT_PLAIN.get(verdict, words(verdict)), who),
            "helper": ("It does not act on a gene: it treats the effects of the disease."
                       if o.get("target") == NO_SINGLE_GENE else
                       f"It works on a helper gene, {o['target']}, not on {gene} itself."
                       if gene and o.get("target") != gene else ""),
            "products": products,
            "route": say(ROUTE_PLAIN[route], who) if verdict in PLANNED and route in ROUTE_PLAIN else "",
            "why": _why(o, who),
            "follow_years": number(float(years)) if years and verdict in PLANNED else "",
        })
    return {
        "who": who, "case_id": human(case.get("id")), "gene": ", ".join(genes), "disease": disease,
        "change": change, "no_gene": say(NO_GENE_MESSAGE, who) if not genes else "",
        "mechanism": MECHANISM_PLAIN.get(str(mech.get("call")), MECHANISM_PLAIN["unknown"]),
        "sure": sure if mech.get("call") not in (None, "unknown") else "",
        "options": options, "questions": [say(q, who) for q in FAMILY_QUESTIONS],
        "warnings": len(warnings(data)),
    }


__all__ = ["NONE", "approvals", "clinician_view", "designs_view", "family_view", "screens_view", "hpo_label", "hpo_terms", "human", "label_facts_checked",
           "number", "plans", "table", "warnings", "words"]

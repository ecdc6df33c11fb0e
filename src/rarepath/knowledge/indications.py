"""Approved drug indications (drug -> disease), verified across independent public sources.

Why: every source of indications has wrong rows (a language-model extraction maps gemfibrozil to von
Willebrand disease 2B because the label says "Type IIb"); a wrong row must never make a drug look approved.
So a (drug, disease) pair is only `approved` when

1. a regulator's label text for that drug names the disease (its MONDO label, a synonym, or the label of
   an exactly matching OMIM/Orphanet/DOID entry, found as a whole phrase and not inside a longer disease
   name, outside "not indicated"/"limitations of use" sentences), or
2. two independent source families claim it (Every Cure + DrugCentral, or either + an FDA orphan approval).

Anything else is `reported_unverified`: shown for context, never enough to recommend a product.
Acronyms (DMD, AHP, PH1) are not used as names: they are where extraction errors come from.

API for the engine
------------------
- `KnowledgeBase.indications_for_disease(ids)` (imported sources, `rarepath kb import`) and
  `KnowledgeContext.indications_for(ids)` (that, else the shipped table `approved_indications.tsv`)
  take OMIM:/ORPHA:/MONDO: (also UMLS:, DOID:, SCTID:) ids and return `Indication` records, sorted
  approved first. `Indication.recommendable` is the one test a rule may use to let a drug reach
  `recommended`; `Indication.drug_class` names the modality class (`DRUG_CLASSES`: enzyme replacement,
  chelator, siRNA...) from `drug_classes.tsv`; `Indication.targets` the genes it acts on (DrugCentral
  MOA targets, imported KB only: an antibody or siRNA on another gene than the disease gene);
  `Indication.reason` one sentence for an option's reasons; `Indication.source` the citation with versions.
  Example: `default_context().indications_for(["OMIM:310200"])` -> eteplirsen, golodirsen, viltolarsen,
  casimersen, deflazacort approved for Duchenne muscular dystrophy (offline table).
- `KnowledgeBase.contraindications(drug, ids)` / `KnowledgeContext.contraindications_for(drug, ids)`: the
  diseases a drug's labels contraindicate (imported KB only), `confirmed` when the label text names them.
- `verify(claims, labels, index)` is the pure verification step, used by both paths and by
  `scripts/build_products_table.py`. `rarepath kb indications ID...` prints the same answer.
- Matching is on the crosswalked MONDO id. With the KB, approvals of the parent term a subtype's label names
  (spinal muscular atrophy for SMA type 2) come back with `scope="broader"`: shown, never recommendable
  (eliglustat is approved for Gaucher disease type 1, not type 2). The caller passes every id it holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DRUG_CLASSES",
    "FAMILIES",
    "Claim",
    "Contraindication",
    "Indication",
    "IndicationStatus",
    "LabelEvidence",
    "LabelText",
    "NameIndex",
    "claims_from_labels",
    "drug_class_of",
    "drug_class_table",
    "ingredient_key",
    "normalize_disease_id",
    "normalize_drug",
    "normalize_name",
    "parent_name",
    "usable_name",
    "verify",
]


class IndicationStatus(StrEnum):
    """How far an indication is confirmed; only `approved` may support a `recommended` option."""

    approved = "approved"
    reported_unverified = "reported_unverified"


#: Modality classes of drugs (`drug_classes.tsv`), the vocabulary the engine may map to options.
DRUG_CLASSES = ("enzyme_replacement", "enzyme", "substrate_reduction", "chaperone", "chelator", "ammonia_scavenger",
                "cofactor", "bile_acid", "hormone_replacement", "protein_replacement", "antibody", "sirna",
                "antisense_oligonucleotide", "gene_therapy", "cell_therapy")

#: Source name (as imported) -> independent source family. Rows of one family never confirm each other
#: (the Every Cure list is extracted from the same labels as its per-regulator files).
FAMILIES: dict[str, str] = {
    "everycure_indications": "everycure",
    "everycure_fda": "everycure",
    "everycure_ema": "everycure",
    "everycure_pmda": "everycure",
    "drugcentral_indications": "drugcentral",
    "fda_orphan_approvals": "fda_orphan",
}
#: Label sources whose text is itself the approved indication (FDA orphan approvals: "Approved Labeled
#: Indication"): a disease named there is a claim of that source, confirmed by the same label.
CLAIMING_LABEL_SOURCES = frozenset({"fda_orphan_approvals"})

#: Single-word names too generic to stand for one disease when found in a label.
GENERIC_NAMES = frozenset({"disease", "disorder", "syndrome", "disorders", "diseases", "syndromes", "deficiency",
                           "infection", "neoplasm", "carcinoma", "abnormality", "inflammation"})
#: A disease name followed by one of these words is part of a gene or protein name, not a disease.
GENE_NOUNS = frozenset({"kinase", "gene", "genes", "protein", "receptor", "antigen", "fusion", "transcript"})
#: Longest name, in words, looked for in label text (longer MONDO synonyms are never written in labels).
MAX_NAME_WORDS = 14
#: Sentences that name a disease the drug is NOT for.
_NEGATION = re.compile(r"\bnot (?:be )?(?:indicated|recommended|approved|established|for use)\b|"
                       r"\blimitations? of use\b|\bhas not been (?:studied|established)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;:])\s+|\n+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHE = re.compile(r"['\u2019`]")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019`]s\b")  # "Gaucher's disease" is "Gaucher disease"
_SUBTYPE = re.compile(r"^(.+?) (?:type |group )?\d+[a-z]?$")  # "hemophilia A" is no subtype of "hemophilia"
_POSSESSIVE_S = re.compile(r"(?<=\w)['\u2019`]s\b")
_TRAILING_TYPE = re.compile(r"^(.+) (type \d+[a-z]?)$")
#: FDA's four-letter suffix of biologics (`onasemnogene abeparvovec-xioi`): not part of the ingredient's name.
_FDA_SUFFIX = re.compile(r"(?<=[a-z]{3})-[a-z]{4}\b")
_INGREDIENT_SPLIT = re.compile(r"\s*(?:[,;/+\n]|\band\b)\s*", re.IGNORECASE)
_ROMAN_TYPE = re.compile(r"\b(type|group|grade|class) (iv|v?i{1,3}|ix|v|x)\b")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9",
          "x": "10"}
#: Trailing words that name a salt or a dose form, not the active ingredient ("nusinersen sodium").
SALT_WORDS = frozenset({
    "sodium", "disodium", "potassium", "dipotassium", "calcium", "magnesium", "hydrochloride", "dihydrochloride",
    "hcl", "hci", "acetate", "sulfate", "mesylate", "maleate", "citrate", "phosphate", "tartrate", "bitartrate",
    "succinate", "fumarate", "bromide", "chloride", "besylate", "tosylate", "hydrobromide", "monohydrate",
    "dihydrate", "trihydrate", "hemihydrate", "anhydrous", "meglumine", "injection", "tablets", "tablet",
    "capsules", "capsule", "oral", "solution", "for", "usp",
})
_PREFIXES = {"orphanet": "ORPHA", "orpha": "ORPHA", "omim": "OMIM", "mim": "OMIM", "mondo": "MONDO",
             "umls": "UMLS", "doid": "DOID", "sctid": "SCTID", "snomedct": "SCTID"}


# --------------------------------------------------------------------------------------------------- text


def normalize_name(text: str) -> str:
    """Lower-case ASCII words separated by single spaces, Roman type numbers as digits:
    "Friedreich's Ataxia" -> "friedreich ataxia", "Gaucher disease type I" -> "gaucher disease type 1"."""
    t = _APOSTROPHE.sub("", _POSSESSIVE.sub("", (text or "").lower()))
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii")
    t = _NON_ALNUM.sub(" ", t).strip()
    return _ROMAN_TYPE.sub(lambda m: f"{m.group(1)} {_ROMAN[m.group(2)]}", t)


def usable_name(name: str) -> str | None:
    """The normalised form of a disease name safe to look for in label text, or None.

    Rejected: acronyms (no lower-case letter: DMD, AHP, PH1), names under 4 characters, one-word names
    under 8 characters or with a digit, generic words ("syndrome"), obsolete terms.
    """
    norm = normalize_name(name)
    if len(norm) < 4 or not any(c.islower() for c in name) or norm.startswith("obsolete"):
        return None
    words = norm.split()
    if len(words) == 1 and (len(norm) < 8 or any(c.isdigit() for c in norm) or norm in GENERIC_NAMES):
        return None
    if len(words) > MAX_NAME_WORDS:
        return None
    return norm


def normalize_drug(name: str) -> str:
    """Key to match one active ingredient across sources: lower case, trailing salt/dose-form words dropped."""
    words = normalize_name(_FDA_SUFFIX.sub("", (name or "").lower())).split()
    while len(words) > 1 and words[-1] in SALT_WORDS:
        words.pop()
    return " ".join(words)


def ingredient_key(raw: str) -> str:
    """Key of a product's active ingredient(s): `{'NUSINERSEN'}` -> `nusinersen`; a combination
    (`relugolix, estradiol, norethisterone acetate`) -> its sorted ingredients joined by " / ", so a
    combination's label never confirms one of its ingredients alone."""
    text = (raw or "").strip().strip("{}")
    parts = {normalize_drug(p.strip(" '\"")) for p in _INGREDIENT_SPLIT.split(text)}
    return " / ".join(sorted(p for p in parts if p))


def parent_name(label: str) -> str | None:
    """The broader term a subtype's label names: "spinal muscular atrophy, type 2" -> "spinal muscular atrophy",
    "hereditary angioedema type 1" -> "hereditary angioedema"; None when the label names no subtype number."""
    norm = normalize_name(label)
    match = _SUBTYPE.match(norm)
    return match.group(1) if match else None


def normalize_disease_id(disease_id: str) -> str:
    """`Orphanet:558` / `orpha:558` -> `ORPHA:558`, `MIM:310200` -> `OMIM:310200`; others upper-cased prefix."""
    text = (disease_id or "").strip()
    prefix, sep, local = text.partition(":")
    if not sep:
        return text
    key = prefix.strip().lower().replace("_", "").replace("-", "")
    return f"{_PREFIXES.get(key, prefix.strip().upper())}:{local.strip()}"


def indication_sentences(text: str) -> str:
    """The label text without the sentences that say what the drug is not for."""
    parts = [s for s in _SENTENCE.split(text or "") if s.strip() and not _NEGATION.search(s)]
    return " ".join(parts)


def excerpt(text: str, limit: int = 240) -> str:
    """A one-line excerpt of label text for citation."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"


# --------------------------------------------------------------------------------------------------- names


@dataclass
class NameIndex:
    """Disease names (normalised) -> disease ids, to find which diseases a label text names.

    `mentions` keeps only the longest names found: "neuronal ceroid lipofuscinosis type 2" in a text
    names CLN2 disease, not the whole NCL group as well.
    """

    names: dict[str, frozenset[str]] = field(default_factory=dict)
    _cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, entries: Iterable[tuple[str, str] | tuple[str, str, bool]]) -> NameIndex:
        """From (disease id, name[, is the disease's own label]) entries; names failing `usable_name` are left out.

        A name that is some disease's label stands for that disease only, never for the diseases that
        list it as a synonym (MONDO gives "lymphoma" as a synonym of "pediatric lymphoma").
        """
        labels: dict[str, set[str]] = defaultdict(set)
        synonyms: dict[str, set[str]] = defaultdict(set)
        for entry in entries:
            disease_id, name = entry[0], entry[1]
            norm = usable_name(name)
            if norm:
                (labels if len(entry) > 2 and entry[2] else synonyms)[norm].add(disease_id)
                joined = usable_name(_POSSESSIVE_S.sub("s", name))  # labels also write "Waldenstroms"
                if joined and joined != norm:
                    synonyms[joined].add(disease_id)
                reordered = _TRAILING_TYPE.match(norm)  # labels write "type 1 Gaucher disease" as well
                if reordered:
                    synonyms[f"{reordered.group(2)} {reordered.group(1)}"].add(disease_id)
        merged = {k: frozenset(v) for k, v in synonyms.items()}
        merged.update({k: frozenset(v) for k, v in labels.items()})
        return cls(merged)

    def __len__(self) -> int:
        return len(self.names)

    def mentions(self, text: str) -> frozenset[str]:
        """Disease ids named in `text` (indication sentences only, longest matches only)."""
        hit = self._cache.get(text)
        if hit is None:
            hit = self._cache[text] = self._scan(text)
        return hit

    def _scan(self, text: str) -> frozenset[str]:
        words = normalize_name(indication_sentences(text)).split()
        spans: list[tuple[int, int, str]] = []
        for i in range(len(words)):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                phrase = " ".join(words[i:i + n])
                if phrase in self.names:
                    if i + n < len(words) and words[i + n] in GENE_NOUNS:
                        break  # "anaplastic lymphoma kinase" names a gene, not lymphoma
                    spans.append((i, i + n, phrase))
                    break  # the longest name starting here
        kept = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and (o[1] - o[0]) > (s[1] - s[0])
                                            for o in spans)]
        return frozenset(d for _, _, phrase in kept for d in self.names[phrase])


# --------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Claim:
    """One source's statement that `drug` treats `disease_id` (a MONDO id after crosswalking)."""

    drug: str
    disease_id: str
    source: str  # imported source name, e.g. "drugcentral_indications"
    disease_label: str = ""

    @property
    def drug_key(self) -> str:
        return ingredient_key(self.drug)

    @property
    def family(self) -> str:
        return FAMILIES.get(self.source, self.source)


@dataclass(frozen=True)
class LabelText:
    """A regulator's indication text for one drug (one product label)."""

    drug: str
    regulator: str  # FDA | EMA | PMDA
    text: str
    source: str
    year: int | None = None
    product: str | None = None

    @property
    def drug_key(self) -> str:
        return ingredient_key(self.drug)


@dataclass(frozen=True)
class LabelEvidence:
    """The label that confirms an indication: regulator, excerpt of its indication text, approval year."""

    regulator: str
    excerpt: str
    year: int | None
    source: str
    product: str | None = None


@dataclass(frozen=True)
class Indication:
    """A drug indicated for a disease, with how it was confirmed and where each fact comes from.

    `sources` are the independent source families that claim it; `labels` the regulator labels that
    name the disease; `source` the citation (dataset and version) of every row used.
    """

    drug: str
    disease_id: str
    disease_label: str
    status: IndicationStatus
    sources: tuple[str, ...]
    labels: tuple[LabelEvidence, ...] = ()
    drug_class: str | None = None
    source: str = ""
    query_id: str | None = None  # the id asked for that led here (OMIM:..., ORPHA:...)
    #: "exact": indicated for the disease asked about; "broader": for the parent term its label names
    #: ("spinal muscular atrophy" for "spinal muscular atrophy, type 2"): context only, never recommendable
    scope: str = "exact"
    #: genes the drug acts on by its mechanism (DrugCentral MOA targets, imported KB only): an antibody or
    #: siRNA acting on another gene than the disease gene becomes an option on that target
    targets: tuple[str, ...] = ()

    @property
    def recommendable(self) -> bool:
        """True only for a verified approval for this very disease: a single-source report, or an approval
        for a broader term (a subtype may be excluded by the label), never supports `recommended`."""
        return self.status is IndicationStatus.approved and self.scope == "exact"

    @property
    def regulators(self) -> tuple[str, ...]:
        return tuple(sorted({lbl.regulator for lbl in self.labels}))

    @property
    def year(self) -> int | None:
        """Earliest approval year known from the confirming labels."""
        years = [lbl.year for lbl in self.labels if lbl.year]
        return min(years) if years else None

    @property
    def reason(self) -> str:
        """One sentence for an option's reason list: status, disease, why, and the label's words."""
        state = "approved" if self.status is IndicationStatus.approved else "reported (unverified)"
        if self.scope == "broader":
            state += " for the broader term"
        disease = f"{self.disease_label} ({self.disease_id})" if self.disease_label else self.disease_id
        text = f"{self.drug} {state} for {disease}: {self.rule}"
        if self.labels:
            first = self.labels[0]
            text += f"; {first.regulator} label{f' {first.year}' if first.year else ''}: \"{first.excerpt}\""
        return text

    @property
    def rule(self) -> str:
        """Why the status holds, in words, for the option's reason text."""
        if self.labels:
            return f"label text of {', '.join(self.regulators)} names the disease"
        if len(self.sources) >= 2:
            return f"{len(self.sources)} independent sources agree ({', '.join(self.sources)})"
        return f"reported by one source only ({', '.join(self.sources)}); not confirmed by a label"


@dataclass(frozen=True)
class Contraindication:
    """A disease a drug's label contraindicates. `confirmed`: the disease's name is in the label's
    contraindications text; an unconfirmed row is still a prompt to read the label, never a clearance."""

    drug: str
    disease_id: str
    disease_label: str
    confirmed: bool
    excerpt: str
    source: str
    allergen: bool = False


# --------------------------------------------------------------------------------------------------- verify


def claims_from_labels(labels: Iterable[LabelText], index: NameIndex,
                       diseases: Iterable[str] | None = None) -> list[Claim]:
    """Claims read from labels whose text is the approved indication (FDA orphan approvals).

    `diseases` limits the result to those ids (None: every disease named)."""
    wanted = set(diseases) if diseases is not None else None
    out: list[Claim] = []
    for label in labels:
        if label.source not in CLAIMING_LABEL_SOURCES:
            continue
        for disease in sorted(index.mentions(label.text)):
            if wanted is None or disease in wanted:
                out.append(Claim(label.drug, disease, label.source))
    return out


def verify(claims: Iterable[Claim], labels: Iterable[LabelText], index: NameIndex, *,
           disease_labels: Mapping[str, str] | None = None, citations: Mapping[str, str] | None = None,
           drug_classes: Mapping[str, str] | None = None, query_ids: Mapping[str, str] | None = None,
           ) -> list[Indication]:
    """One `Indication` per (drug, disease) claimed, `approved` only when a label or two families confirm it.

    Pure: the same claims, labels and names give the same answer, whichever store they came from.
    `citations` maps a source name to its citation text; `drug_classes` a drug key to its class.
    """
    by_pair: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        by_pair[(claim.drug_key, claim.disease_id)].append(claim)
    labels_by_drug: dict[str, list[LabelText]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for label in labels:
        key = (label.drug_key, label.regulator, label.text)
        if key not in seen:
            seen.add(key)
            labels_by_drug[label.drug_key].append(label)
    disease_labels = disease_labels or {}
    citations = citations or {}
    out: list[Indication] = []
    for (drug_key, disease), group in by_pair.items():
        confirming = [lbl for lbl in labels_by_drug.get(drug_key, ()) if disease in index.mentions(lbl.text)]
        families = tuple(sorted({c.family for c in group}))
        approved = bool(confirming) or len(families) >= 2
        evidence = tuple(sorted({LabelEvidence(lbl.regulator, excerpt(lbl.text), lbl.year, lbl.source, lbl.product)
                                 for lbl in confirming}, key=lambda e: (e.regulator, e.year or 0, e.excerpt)))
        used = sorted({c.source for c in group} | {lbl.source for lbl in confirming})
        drug = _display_drug(group)
        label = disease_labels.get(disease) or next((c.disease_label for c in group if c.disease_label), "")
        out.append(Indication(
            drug=drug, disease_id=disease, disease_label=label,
            status=IndicationStatus.approved if approved else IndicationStatus.reported_unverified,
            sources=families, labels=evidence,
            drug_class=drug_class_of(drug_key, drug_classes) if drug_classes is not None else None,
            source="; ".join(citations.get(s, s) for s in used),
            query_id=(query_ids or {}).get(disease)))
    return sort_indications(out)


def sort_indications(items: Iterable[Indication]) -> list[Indication]:
    """Approved first, then by number of confirming labels and sources, then drug name."""
    return sorted(items, key=lambda i: (not i.recommendable, -len(i.labels), -len(i.sources),
                                        i.drug.lower(), i.disease_id))


def _display_drug(group: list[Claim]) -> str:
    """The drug's name as most sources write it, lower case (INN style)."""
    names = sorted(ingredient_key(c.drug) for c in group)
    return names[0] if names else ""


# --------------------------------------------------------------------------------------------------- classes


def drug_class_of(drug_key: str, classes: Mapping[str, str] | None) -> str | None:
    """Modality class of a drug from `drug_classes.tsv` rows (exact name first, then INN stem suffix).

    `classes` maps `name:<drug>` or `stem:<suffix>` to a class; longest stem wins.
    """
    if not classes or not drug_key:
        return None
    first = drug_key.split()[0]
    exact = classes.get(f"name:{drug_key}") or classes.get(f"name:{first}")
    if exact:
        return exact
    best: tuple[int, str] | None = None
    for key, value in classes.items():
        if key.startswith("stem:"):
            stem = key[5:]
            if first.endswith(stem) and len(first) > len(stem) and (best is None or len(stem) > best[0]):
                best = (len(stem), value)
    return best[1] if best else None


def drug_class_table() -> dict[str, str]:
    """`drug_classes.tsv` as the mapping `drug_class_of` reads (`name:<drug>` / `stem:<suffix>` -> class)."""
    from rarepath.knowledge.curated import load_table

    return _class_table(load_table("drug_classes"))


def _class_table(rows: tuple[dict[str, str], ...]) -> dict[str, str]:
    from rarepath.errors import KnowledgeError

    out: dict[str, str] = {}
    for row in rows:
        if row["match_kind"] not in ("name", "stem") or row["drug_class"] not in DRUG_CLASSES:
            raise KnowledgeError(f"row {row['match']!r}: match_kind must be name or stem and drug_class one of "
                                 f"{', '.join(DRUG_CLASSES)}; found {row['match_kind']!r}, {row['drug_class']!r}",
                                 source="drug_classes.tsv")
        key = ingredient_key(row["match"]) if row["match_kind"] == "name" else row["match"].lower()
        out[f"{row['match_kind']}:{key}"] = row["drug_class"]
    return out

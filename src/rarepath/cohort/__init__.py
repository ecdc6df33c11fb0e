"""Cohorts: which patients of a diagnosed population have a treatment path now, and which became
actionable since the last knowledge update.

A cohort is a list of `CaseSource` (found by `find_sources` in a folder of case files, a quick-case TSV
or a multi-sample VCF with its sample sheet). `run_cohort` splits it into fixed partitions, assesses
each with `rarepath.triage.engine.assess_case` (the engine of `rarepath assess`, intake by
`rarepath.intake.case_from_inputs`) in local processes or on a Dask cluster, and writes:

- a Parquet dataset, one row per case x option (`rows.SCHEMA`): case key and id, gene, disease ids,
  mechanism call and confidence, option rank, modality, target, verdict, score, products with status
  and latest approval year, rarepath and knowledge versions;
- `errors.tsv`: cases that could not be read or assessed, with file and reason (the run goes on);
- `summary.html`: cases with a recommended or possible option by modality, product and disease;
- `manifest.json`: the partitions, so an interrupted run resumes where it stopped.

`diff_runs(old, new)` lists the cases whose best option changed between two runs.
Decision support, not medical advice.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module; imported on first use so that `rarepath --help` does not load pyarrow
_EXPORTS = {
    "CaseSource": "sources", "find_sources": "sources",
    "SCHEMA": "rows", "assessment_rows": "rows", "knowledge_version": "rows",
    "Partition": "run", "PartitionResult": "run", "RunStats": "run", "make_partitions": "run",
    "assess_partition": "run", "run_cohort": "run", "read_cohort": "run", "read_errors": "run",
    "BestOption": "diff", "Change": "diff", "diff_runs": "diff", "diff_tables": "diff",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rarepath.cohort' has no attribute {name!r}")
    return getattr(importlib.import_module(f"rarepath.cohort.{_EXPORTS[name]}"), name)

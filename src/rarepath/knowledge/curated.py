"""Curated tables shipped inside the package (knowledge/data/*.tsv), each row with its source.

Tables are data, not code: the rules read them by column name. Loading validates that every row
names a source, so no fact enters a verdict without provenance.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path

from rarepath.errors import KnowledgeError

DATA_DIR = Path(str(resources.files("rarepath.knowledge") / "data"))


def table_path(name: str) -> Path:
    return DATA_DIR / f"{name}.tsv"


@cache
def load_table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of `knowledge/data/<name>.tsv` as dicts; `#` lines are comments. Every row needs a `source`."""
    path = table_path(name)
    if not path.exists():
        raise KnowledgeError(f"curated table {name!r} is missing", source=str(path))
    with path.open(encoding="utf-8", newline="") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    if reader.fieldnames is None or "source" not in reader.fieldnames:
        raise KnowledgeError("table has no 'source' column", source=str(path))
    rows = []
    for lineno, row in enumerate(reader, start=2):
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not clean.get("source"):
            raise KnowledgeError(f"row {lineno} has no source", source=str(path), field="source")
        rows.append(clean)
    return tuple(rows)


def table_version(name: str) -> str:
    """Version of a curated table: the `# version:` comment line, else 'unversioned'."""
    path = table_path(name)
    with path.open(encoding="utf-8") as fh:
        for ln in fh:
            if ln.startswith("# version:"):
                return ln.split(":", 1)[1].strip()
            if not ln.startswith("#"):
                break
    return "unversioned"

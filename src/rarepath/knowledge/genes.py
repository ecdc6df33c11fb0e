"""Gene symbol resolution: approved symbols from HPO and the curated tables, aliases from the knowledge base.

Order: exact (then case-insensitive) match among HPO annotation genes, then genes named in the shipped
curated tables, then `KnowledgeBase.resolve_symbol` (HGNC symbols and aliases, only after
`rarepath kb import`). The knowledge base is optional: without it, aliases are simply not resolved.
"""

from __future__ import annotations

import re
from functools import cache

from rarepath.errors import UnknownGeneError

#: Curated-table columns that hold gene symbols (several symbols may be separated by , ; or |).
GENE_COLUMNS = ("gene", "genes", "target", "target_gene", "disease_gene", "symbol", "paralog", "alternative_target")

_SYMBOL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-\.@_/]*$")


@cache
def curated_symbols() -> dict[str, str]:
    """Upper-case symbol -> symbol as written, over every shipped curated table (a broken one is an error)."""
    from rarepath.knowledge import curated

    out: dict[str, str] = {}
    for name in sorted(p.stem for p in curated.DATA_DIR.glob("*.tsv")):
        for row in curated.load_table(name):
            for col in GENE_COLUMNS:
                for sym in re.split(r"[,;|]", row.get(col, "") or ""):
                    sym = sym.strip()
                    if sym and _SYMBOL_RE.match(sym) and " " not in sym:
                        out.setdefault(sym.upper(), sym)
    return out


def _kb_resolve(symbol: str) -> str | None:
    """HGNC alias resolution through the imported knowledge base (None when none was imported)."""
    from rarepath.knowledge.context import default_context

    kb = default_context().kb
    return kb.resolve_symbol(symbol) if kb.available else None


def resolve_symbol(symbol: str) -> str | None:
    """The approved symbol for `symbol`, or None when no source knows it."""
    s = (symbol or "").strip()
    if not s or not _SYMBOL_RE.match(s):
        return None
    from rarepath.knowledge.hpo import HpoIndex

    hpo = HpoIndex.load()
    if hpo.has_gene(s):
        return s
    curated = curated_symbols()
    if s in curated.values():
        return s
    found = hpo.gene_symbol(s) or curated.get(s.upper())
    if found:
        return found
    return _kb_resolve(s)


def require_gene(symbol: str, source: str | None = None, field: str | None = "gene") -> str:
    """Approved symbol or a one-line UnknownGeneError naming where the symbol came from."""
    found = resolve_symbol(symbol)
    if found is None:
        raise UnknownGeneError(
            f"unknown gene symbol {symbol.strip()!r} (not an HPO-annotated gene, curated gene or "
            "known HGNC symbol/alias; import HGNC with `rarepath kb import` to resolve aliases)",
            source=source,
            field=field,
        )
    return found

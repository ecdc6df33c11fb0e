"""MacArthur lab gene lists: OMIM-derived inheritance (AD/AR/X-linked), curated haploinsufficiency and
homozygous-LoF-tolerant genes, FDA drug targets. Old (2008-2016 curation): a fallback behind G2P and ClinGen.

The whole directory is one source; each gene row names its list.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rarepath.knowledge.importers.base import ParsedSource, require_rows, sha256_file, symbol_list

NAME = "macarthur_gene_lists"
LABEL = "MacArthur lab gene lists"
LICENCE = "redistributable per repository README; cite each list"
CITATION = ("macarthur-lab/gene_lists; Blekhman et al., Curr Biol 18:883 (2008); Berg et al., "
            "Genet Med 15:25 (2013)")
#: list file stem -> inheritance it implies (None: not an inheritance list)
LISTS: dict[str, str | None] = {
    "all_ad": "AD", "all_ar": "AR",
    "berg_ad": "AD", "berg_ar": "AR", "berg_xd": "XD", "berg_xr": "XR",
    "blekhman_ad": "AD", "blekhman_ar": "AR", "blekhman_x": "XL",
    "haploinsufficiency_severe_curated_2016": None,
    "haploinsufficiency_moderate_curated_2016": None,
    "haploinsufficiency_mild_curated_2016": None,
    "homozygous_lof_tolerant_twohit": None,
    "fda_approved_drug_targets": None,
}
MARKER = "all_ad.tsv"


def parse(directory: Path) -> ParsedSource:
    """`directory` holds `all_ad.tsv` and its sibling lists (one symbol per line, no header)."""
    rows: list[dict[str, object]] = []
    digest_parts: list[str] = []
    for stem in LISTS:
        path = directory / f"{stem}.tsv"
        if not path.exists():
            continue
        digest_parts.append(f"{stem}:{sha256_file(path)}")
        rows.extend({"gene": symbol, "list_name": stem} for symbol in symbol_list(path))
    require_rows(directory / MARKER, rows)
    sha = hashlib.sha256("\n".join(digest_parts).encode()).hexdigest()
    return ParsedSource(NAME, LABEL, f"fcc8496 snapshot (sha256 {sha[:8]})", str(directory), sha, LICENCE,
                        CITATION, {"gene_list": rows})

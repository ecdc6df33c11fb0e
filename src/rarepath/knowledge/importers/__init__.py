"""Importers for full public releases: each turns one known file into a validated `ParsedSource`.

`discover(root)` finds the files by their known names anywhere under `root`; `SPECS` is the registry
(data, not if-chains): which file names each source answers to and which parser reads them.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rarepath.knowledge.importers import (
    clingen,
    clinvar,
    drugcentral,
    exac,
    g2p,
    gnomad,
    hgnc,
    indications,
    macarthur,
    mane,
    mondo,
)
from rarepath.knowledge.importers.base import DATA_TABLES, ParsedSource

__all__ = ["DATA_TABLES", "SPECS", "Found", "ParsedSource", "SourceSpec", "discover"]


@dataclass(frozen=True)
class SourceSpec:
    """A kind of source file: the names it may carry and the parser that reads it."""

    key: str
    what: str
    patterns: tuple[str, ...]
    parse: Callable[[Path], ParsedSource]
    every_match: bool = False  # G2P: each panel file is its own source
    whole_directory: bool = False  # MacArthur lists: the directory of the matched file is the source


SPECS: tuple[SourceSpec, ...] = (
    SourceSpec("hgnc_thesaurus", "HGNC symbols and aliases", ("gene_symbol_thesaurus.txt",),
               hgnc.parse_thesaurus),
    SourceSpec("hgnc_gene_set", "HGNC gene set (ExAC genes)", ("mantis_all_hgnc_genes.txt",), hgnc.parse_gene_set),
    SourceSpec("gnomad_constraint", "gnomAD constraint (pLI, LOEUF)",
               ("gnomad_v2.1_constraint_canonical.tsv", "gnomad_v2.1_constraint_canonical.tsv.gz"), gnomad.parse),
    SourceSpec("clingen_dosage", "ClinGen dosage sensitivity",
               ("ClinGen_gene_curation_list_GRCh38.tsv", "ClinGen_gene_curation_list_GRCh37.tsv"), clingen.parse),
    SourceSpec("g2p", "Gene2Phenotype panels", ("*G2P*.csv", "*G2P*.csv.gz"), g2p.parse, every_match=True),
    SourceSpec("exac_cds_length", "coding-sequence lengths (ExAC r0.3)", ("exac_r03_cds_length.tsv",), exac.parse),
    SourceSpec("drugcentral", "DrugCentral drug-target interactions",
               ("drug.target.interaction.tsv.gz", "drug.target.interaction.tsv"), drugcentral.parse),
    SourceSpec("macarthur_gene_lists", "MacArthur inheritance and gene lists", (macarthur.MARKER,),
               macarthur.parse, whole_directory=True),
    SourceSpec("clinvar", "ClinVar pathogenic-variant patterns", ("variant_summary.txt.gz", "variant_summary.txt"),
               clinvar.parse),
    SourceSpec("mane", "MANE transcript summary", ("MANE.GRCh38.v*.summary.txt", "MANE.GRCh38.v*.summary.txt.gz"),
               mane.parse),
    SourceSpec("mondo_crosswalk", "MONDO exact-match mappings (OMIM, Orphanet, UMLS, SNOMED CT, DOID)",
               ("mondo_exactmatch_*.sssom.tsv",), mondo.parse_sssom, every_match=True),
    SourceSpec("mondo_rare_diseases", "MONDO rare diseases with synonyms", ("new-rare-diseases.tsv",),
               mondo.parse_rare),
    SourceSpec("everycure_indications", "Every Cure matrix indication list", ("matrix_indication_list.xlsx",),
               indications.parse_everycure_list),
    SourceSpec("everycure_fda", "Every Cure FDA label indications", ("fda_indications_deduplicated.xlsx",),
               indications.parse_everycure_regulator),
    SourceSpec("everycure_ema", "Every Cure EMA label indications", ("ema_indications_deduplicated.xlsx",),
               indications.parse_everycure_regulator),
    SourceSpec("everycure_pmda", "Every Cure PMDA label indications", ("pmda_indications_deduplicated.xlsx",),
               indications.parse_everycure_regulator),
    SourceSpec("everycure_contraindications", "Every Cure label contraindications",
               ("matrix_contraindication_list.xlsx",), indications.parse_everycure_contraindications),
    SourceSpec("drugcentral_indications", "DrugCentral drug indications (2016)", ("drug_indication.tsv",),
               indications.parse_drugcentral),
    SourceSpec("fda_orphan_approvals", "FDA orphan drug approvals", ("Rare_diseases_drugs_FDA.csv",),
               indications.parse_fda_orphan),
)


@dataclass(frozen=True)
class Found:
    spec: SourceSpec
    path: Path | None  # None: not found under the root


def _all_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files.extend(Path(dirpath, f) for f in sorted(filenames))
    return files


def discover(root: Path) -> list[Found]:
    """Every spec with the file(s) found for it under `root` (shallowest, then alphabetical, wins)."""
    files = _all_files(root)
    found: list[Found] = []
    for spec in SPECS:
        matches = [f for f in files if any(fnmatch.fnmatchcase(f.name, p) for p in spec.patterns)]
        matches.sort(key=lambda f: (len(f.relative_to(root).parts), str(f)))
        if not matches:
            found.append(Found(spec, None))
        elif spec.every_match:  # one per file name: the same panel twice would replace itself
            names: set[str] = set()
            for m in matches:
                if m.name not in names:
                    names.add(m.name)
                    found.append(Found(spec, m))
        else:
            found.append(Found(spec, matches[0].parent if spec.whole_directory else matches[0]))
    return found

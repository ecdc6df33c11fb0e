"""Lines of evidence for the disease mechanism, one module per line, combined by `infer_mechanism`.

Every line is a provider with one signature, `provider(case, gene, disease, kc) -> list[Vote]`, registered in
`PROVIDERS` under a name. Adding a line of evidence is one module and one entry here; `infer_mechanism` can
withhold lines by name (`withhold={"g2p"}` evaluates the others against a gene's own Gene2Phenotype rows).

==================  ==========================================================================================
curated             curated gene+disease mechanism (knowledge/data/gene_mechanisms.tsv)
hallmark            a curated disease-defining variant with its mechanism (hallmark_variants.tsv)
g2p                 Gene2Phenotype mutation consequence (imported knowledge base)
inheritance         variant consequence x inheritance x zygosity (HPO annotations)
repeats             repeat expansions by locus and count (repeat_loci.tsv)
protein_class       known dominant-negative variant classes (dominant_negative_classes.tsv)
dosage              ClinGen haploinsufficiency and triplosensitivity (imported knowledge base)
constraint          gnomAD LOEUF and missense Z (imported knowledge base)
clinvar             where the gene's pathogenic ClinVar variants sit (clinvar_gene_patterns.tsv)
==================  ==========================================================================================
"""

from __future__ import annotations

from rarepath.interpret.evidence.base import Provider, Vote, note
from rarepath.interpret.evidence.clinvar import clinvar_pattern
from rarepath.interpret.evidence.constraint import gnomad_constraint
from rarepath.interpret.evidence.curated import curated_mechanism, hallmark_variant
from rarepath.interpret.evidence.dosage import clingen_dosage
from rarepath.interpret.evidence.g2p import g2p_consequence
from rarepath.interpret.evidence.inheritance import inheritance_consequence
from rarepath.interpret.evidence.protein_class import dominant_negative_class
from rarepath.interpret.evidence.repeats import repeat_biology

PROVIDERS: dict[str, Provider] = {
    "curated": curated_mechanism,
    "hallmark": hallmark_variant,
    "g2p": g2p_consequence,
    "inheritance": inheritance_consequence,
    "repeats": repeat_biology,
    "protein_class": dominant_negative_class,
    "dosage": clingen_dosage,
    "constraint": gnomad_constraint,
    "clinvar": clinvar_pattern,
}

#: Lines that need the imported knowledge base (reported together when it is absent).
KB_LINES = ("g2p", "dosage", "constraint")

__all__ = ["KB_LINES", "PROVIDERS", "Provider", "Vote", "note"]

"""Molecular interpretation: from gene, variant, zygosity and inheritance to a disease mechanism."""

from rarepath.interpret.mechanism import DiseaseContext, infer_mechanism

__all__ = ["DiseaseContext", "infer_mechanism"]

"""Molecular interpretation: from gene, variant, zygosity and inheritance to a disease mechanism, and what the
variant is amenable to (reading frame: frame.py; ASO strategies: amenability.py; editors: editability.py)."""

from rarepath.interpret.disease import DiseaseContext
from rarepath.interpret.mechanism import infer_mechanism

__all__ = ["DiseaseContext", "infer_mechanism"]

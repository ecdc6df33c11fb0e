"""Reagent design for patient-derived disease models: CRISPR guides, editors, ASOs, off-target search."""

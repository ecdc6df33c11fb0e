"""Exhaustive genome-wide off-target search (2-bit packed genome, seed index), shared by CRISPR and ASO design."""

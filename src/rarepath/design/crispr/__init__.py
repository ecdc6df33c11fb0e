"""CRISPR nuclease guides, HDR donors, base- and prime-editing designs with published scores."""

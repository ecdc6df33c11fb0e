"""`rarepath design aso`: thin shell over rarepath.design.aso."""

from __future__ import annotations


def aso_command() -> None:
    """Antisense oligonucleotide analysis and design."""
    from rarepath.errors import InputError

    raise InputError("ASO design is not available in this build", source="design aso")

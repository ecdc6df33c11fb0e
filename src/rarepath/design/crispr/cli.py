"""`rarepath design edit`: thin shell over rarepath.design.crispr."""

from __future__ import annotations


def edit_command() -> None:
    """CRISPR nuclease, base-editor and prime-editor designs for a variant."""
    from rarepath.errors import InputError

    raise InputError("editing design is not available in this build", source="design edit")

"""Context-free editor choice for the triage."""

from __future__ import annotations

import pytest

from rarepath.errors import InputError
from rarepath.interpret.editability import base_editor_for, editors_for_change


def _feasible(choices):
    return {c.editor: c.feasible for c in choices}


def test_correcting_g_to_a_needs_abe():
    # patient G>A: correction is A>G = ABE
    assert _feasible(editors_for_change("G", "A")) == {"ABE": True, "CBE": False, "prime_editor": True,
                                                        "nuclease_hdr": True}


def test_introducing_g_to_a_needs_cbe():
    assert _feasible(editors_for_change("G", "A", goal="introduce"))["CBE"] is True
    assert _feasible(editors_for_change("G", "A", goal="introduce"))["ABE"] is False


def test_transversion_and_indels():
    f = _feasible(editors_for_change("C", "G"))
    assert not f["ABE"] and not f["CBE"] and f["prime_editor"]
    assert "transversion" in editors_for_change("C", "G")[0].reason
    assert _feasible(editors_for_change("AT", "A"))["prime_editor"] is True
    # correcting a 60-nt insertion is a 60-nt deletion: within PE2 range
    assert _feasible(editors_for_change("A", "A" + "G" * 60))["prime_editor"] is True


def test_large_insertion_is_beyond_prime_editing():
    # correct a 100-nt deletion (patient lost 100 nt): needs a 100-nt insertion
    f = _feasible(editors_for_change("A" + "C" * 100, "A"))
    assert f["prime_editor"] is False and f["nuclease_hdr"] is True


def test_bad_input():
    with pytest.raises(InputError):
        editors_for_change("A", "A")
    with pytest.raises(InputError):
        editors_for_change("A", "X")
    with pytest.raises(InputError):
        editors_for_change("A", "G", goal="fix")


def test_base_editor_and_guide_strand_for_each_transition():
    # the design's base-editor guides take the editor from this one function
    assert base_editor_for("C", "T") == ("CBE", "+") and base_editor_for("G", "A") == ("CBE", "-")
    assert base_editor_for("A", "G") == ("ABE", "+") and base_editor_for("T", "C") == ("ABE", "-")
    assert base_editor_for("C", "G") is None and base_editor_for("A", "T") is None

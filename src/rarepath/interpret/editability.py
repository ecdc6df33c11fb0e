"""Context-free editability of a patient change: which editor classes could make it (for the triage).

Without sequence context no PAM can be checked, so ``feasible`` means "this class of editor can make this kind
of change"; guide availability is decided by :func:`rarepath.design.crispr.design.design_edit`, whose base-editor
designs take the editor for a change from :func:`base_editor_for` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from rarepath.errors import InputError

PRIME_MAX_INSERTION = 44  # nt; PE2 insertions up to ~44 bp and deletions up to ~80 bp (Anzalone 2019 Nature)
PRIME_MAX_DELETION = 80

# change on the guide (protospacer) strand -> editor
_EDITOR_OF = {("C", "T"): "CBE", ("A", "G"): "ABE"}
_COMP = {"A": "T", "C": "G", "G": "C", "T": "A"}


def base_editor_for(old: str, new: str) -> tuple[str, str] | None:
    """(editor, guide strand) making + strand ``old>new``: C>T = CBE on +, G>A = CBE on -, A>G/T>C = ABE."""
    if (old, new) in _EDITOR_OF:
        return _EDITOR_OF[(old, new)], "+"
    rc = (_COMP.get(old, ""), _COMP.get(new, ""))
    if rc in _EDITOR_OF:
        return _EDITOR_OF[rc], "-"
    return None


@dataclass(frozen=True)
class EditorChoice:
    editor: str  # "ABE", "CBE", "prime_editor", "nuclease_hdr"
    feasible: bool
    reason: str


def _allele(a: str, name: str) -> str:
    a = "" if a in ("-", ".") else a.strip().upper()
    if set(a) - set("ACGT"):
        raise InputError(f"allele {a!r} has a base other than A, C, G, T", field=name)
    return a


def editors_for_change(ref: str, alt: str, goal: str = "correct") -> list[EditorChoice]:
    """Editor classes able to make the change (``correct``: ALT back to REF; ``introduce``: REF to ALT)."""
    r, a = _allele(ref, "ref"), _allele(alt, "alt")
    if r == a:
        raise InputError("REF equals ALT: nothing to edit", field="alt")
    if goal not in ("correct", "introduce"):
        raise InputError(f"unknown goal {goal!r} (use correct or introduce)", field="goal")
    old, new = (a, r) if goal == "correct" else (r, a)
    label = f"{old or '-'}>{new or '-'}"
    out: list[EditorChoice] = []
    be = base_editor_for(old, new) if len(old) == 1 and len(new) == 1 else None
    for editor in ("ABE", "CBE"):
        if be is not None and be[0] == editor:
            what = "A>G (T>C on the other strand)" if editor == "ABE" else "C>T (G>A on the other strand)"
            out.append(EditorChoice(editor, True, f"{label} is a transition an {editor} makes: {what}; "
                                                  "needs a PAM placing the base in the editing window"))
        elif len(old) == 1 and len(new) == 1:
            kind = "a transversion" if be is None else f"made by {be[0]}, not {editor}"
            out.append(EditorChoice(editor, False, f"{label} is {kind}"))
        else:
            out.append(EditorChoice(editor, False, f"{label} is not a single-base substitution"))
    ins, dele = max(0, len(new) - len(old)), max(0, len(old) - len(new))
    if ins > PRIME_MAX_INSERTION or dele > PRIME_MAX_DELETION:
        out.append(EditorChoice("prime_editor", False,
                                f"{label}: beyond typical PE2 range (insertions <= {PRIME_MAX_INSERTION} nt, "
                                f"deletions <= {PRIME_MAX_DELETION} nt)"))
    else:
        out.append(EditorChoice("prime_editor", True, f"{label}: prime editors make all 12 substitutions and small "
                                                      "insertions/deletions; needs a nick 0-30 nt 5' of the edit"))
    out.append(EditorChoice("nuclease_hdr", True, f"{label}: a nuclease cut near the variant plus a donor template "
                                                  "can make any change, but needs dividing cells (HDR) and gives "
                                                  "indels at the cut as a by-product"))
    return out

"""Expression rules for guides transcribed from a U6 (Pol III) promoter, applied to every guide kind.

* TTTT (four or more T) in the transcribed guide ends Pol III transcription early (the U6 terminator);
* U6 starts transcription at a G: a spacer without a 5' G needs one added (or a mismatched G);
* very low or very high spacer GC lowers activity (CRISPOR and Doench 2014 flag < 20% / > 80%).
The rules are facts of U6 transcription and guide design (Wang et al. 2008 RNA 14:903 for the terminator;
Doench et al. 2014 Nat Biotechnol 32:1262 for GC); the spacer is written as DNA, 5'->3'.
"""

from __future__ import annotations

__all__ = ["expression_flags"]

GC_LOW, GC_HIGH = 0.2, 0.8


def expression_flags(spacer: str, extension: str = "") -> tuple[str, ...]:
    """Flags for a guide's spacer (and a pegRNA's 3' extension, transcribed too)."""
    s = spacer.upper()
    out = []
    if "TTTT" in s:
        out.append("TTTT in spacer (U6 terminator)")
    if extension and "TTTT" in extension.upper():
        out.append("TTTT in 3' extension (U6 terminator)")
    if s and s[0] != "G":
        out.append("no 5' G (add one for U6 transcription)")
    gc = (s.count("G") + s.count("C")) / len(s) if s else 0.0
    if gc < GC_LOW or gc > GC_HIGH:
        out.append(f"spacer GC {gc:.0%} (outside {GC_LOW:.0%}-{GC_HIGH:.0%})")
    return tuple(out)

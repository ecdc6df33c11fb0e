"""Variant descriptions -> `Variant`: HGVS expressions (parsed with the `hgvs` grammar) or a plain description.

HGVS
----
Any `c.`, `p.`, `g.`, `n.` or `m.` expression, with or without an accession
(`NM_000071.3:c.1330G>A`, `c.148G>A p.(Val50Met)`, `p.(Arg1407Ter)`, `p.R168*`). No reference data is
fetched: only the posedit is parsed (`hgvs.parser.Parser.parse_c_posedit` ...) and classified:

- `p.` decides when given: `Ter`/`*` substitution -> nonsense; `fs` -> frameshift; `Met1` changed or `?`
  -> start_loss; `Ter` extension -> stop_loss; `=` -> synonymous; in-frame del/ins/dup -> inframe_indel;
  other substitution -> missense; `p.0` -> loss_of_function.
- `c.` intronic offsets: +/-1-2 -> splice (canonical site); +3..+6 or -3..-20 -> splice (splice region);
  other offsets up to 50 -> unknown (intronic); > 50 -> deep_intronic. Coding del/ins/dup/delins: length multiple of 3 ->
  inframe_indel, else frameshift; `inv` -> inversion; a change in c.1-3 -> start_loss. A coding
  substitution without `p.` stays unknown (the amino-acid change is not derived without reference data).
- `g.` only: del/dup over 50 bp -> structural; otherwise unknown.
- repeat notation (HGVS `[n]`, read before the grammar, which has no rule for it): `c.52CAG[45]`,
  `NM_002024.6:c.-129CGG[300]`, `c.52_54CAG[45]` -> repeat_expansion with repeat_unit and repeat_count (the
  allele's count; whether it is normal, premutation or full is decided by the mechanism rules per locus).

Plain descriptions (case-insensitive; checked in this order)
-------------------------------------------------------------
- repeat expansion: `CAG repeat expansion (44 repeats)`, `CAG repeat expansion of 45`, `GAA repeat expansion`,
  `expansion of 200 CGG repeats`, `300 CGG repeats`, `(CAG)45`, `CAG x 45` -> repeat_expansion with repeat_unit
  and repeat_count when a count is written; `full mutation` / `premutation` (FMR1 wording) -> repeat_expansion
  flagged `full_mutation` / `premutation` (the unit is the gene's catalogued repeat).
- exon ranges: `deletion of exons 48-50`, `deletion of exon 52`, `DEL exon1-7`, `exons 3-11 duplicated`,
  `gain of exon 6`, `promoter-exon 1-intron 5 duplication` -> exon_deletion / exon_duplication with
  exons=(first, last); an exon range with neither word -> structural.
- whole-gene / chromosomal: `gene deletion`, `whole gene deletion`, `microdeletion`, `11q deletion`,
  ISCN copy number `...x1` -> gene_deletion; `gene duplication`, `...x3` -> gene_duplication.
- `inversion` (e.g. `intron 22 inversion`) -> inversion.
- insertions: `... insertion ...` / `retrotransposon` -> insertion, or deep_intronic when the text says
  intronic; `splicing`/`mis-splicing` in the text flags it `splice_altering`.
- consequence words: `deep intronic`, `splice site`/`splicing`, `nonsense`/`stop gain`, `frameshift`,
  `in-frame deletion|insertion|indel`, `start loss`, `stop loss`, `synonymous`, `missense`,
  `truncating`/`protein-truncating`/`PTV`.
- `loss of function`, `LoF`, `null` -> loss_of_function (a flag instead when a kind is already set, so
  `missense loss of function` is missense flagged loss_of_function).
- `deletion`/`duplication` without exons or gene -> structural.
- an allele named but not described: `second pathogenic allele`, `other allele`, `unspecified variant`
  -> unknown, flagged `unspecified_allele`.

Flags (see `variant_flags`) are read from the words too: loss_of_function, gain_of_function,
dominant_negative, splice_altering, biallelic, monoallelic, de_novo, mosaic, unspecified_allele.
Other comma-separated words (`severe hemophilia B`, `infantile onset`) are kept as notes. A text in which
nothing above is recognised is an InputError naming the option/file and field.

Several variants are separated by `;` (`parse_variants`): `c.1652G>A p.(Gly551Asp); c.1521_1523del`.
`parse_exon_variant` reads only the strict whole-exon form (`deletion of exons 48-50`, `dup ex 2`,
`exon 52 deletion`) that the reading-frame analysis of `rarepath design aso --variant` takes.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

from rarepath.errors import InputError
from rarepath.model.types import Variant, VariantKind, Zygosity

_HGVS_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_.])"
    r"(?:(?P<ac>[A-Za-z][A-Za-z0-9_.]*(?:\([A-Za-z0-9_.\-]+\))?):)?"
    r"(?P<type>[cgpnm])\.(?P<body>[(\[\-*0-9A-Z?=][^\s,;]*)"
)

#: HGVS repeat notation: position (or range), unit, [count].
_HGVS_REPEAT = re.compile(r"^(?P<pos>[-*]?\d+(?:[+-]\d+)?(?:_[-*]?\d+(?:[+-]\d+)?)?)(?P<unit>[ACGTU]{1,12})"
                          r"\[(?P<count>\d+)\]$")

#: Intronic offsets still read as splice variants: donor +3..+6 (consensus), acceptor -3..-20 (polypyrimidine
#: tract; e.g. GAA c.-32-13T>G and CYP21A2 c.293-13C>G are classic splice variants).
SPLICE_REGION_DONOR = 6
SPLICE_REGION_ACCEPTOR = 20
DEEP_INTRONIC_OFFSET = 50

_VARIANT_FIELDS = {f.name for f in dataclasses.fields(Variant)}


@cache
def _parser() -> Any:
    import hgvs.parser

    return hgvs.parser.Parser()


def make_variant(**kw: Any) -> Variant:
    """Variant(...) dropping keys the model does not have yet (notes/flags), so intake works either way."""
    return Variant(**{k: v for k, v in kw.items() if k in _VARIANT_FIELDS})


# ---------------------------------------------------------------------------------------------------
# HGVS classification
# ---------------------------------------------------------------------------------------------------
def _classify_p(posedit: Any) -> VariantKind:
    if posedit is None:
        return VariantKind.UNKNOWN
    edit = posedit.edit
    if isinstance(edit, str):  # p.0 (no protein) or p.?
        return VariantKind.LOSS_OF_FUNCTION if edit.strip() == "0" else VariantKind.UNKNOWN
    etype = getattr(edit, "type", "")
    start = posedit.pos.start if posedit.pos is not None else None
    start_pos = getattr(start, "pos", None)
    start_aa = getattr(start, "aa", None)
    alt = getattr(edit, "alt", None) or ""
    if etype == "fs":
        return VariantKind.FRAMESHIFT
    if etype == "ext":
        return VariantKind.STOP_LOSS if start_aa in ("*", "Ter") else VariantKind.START_LOSS
    if etype == "identity":
        return VariantKind.SYNONYMOUS
    if start_pos == 1 and start_aa == "M" and etype in ("sub", "del", "delins"):
        return VariantKind.START_LOSS
    if etype == "sub":
        if alt == "*":
            return VariantKind.NONSENSE
        if alt == "?":
            return VariantKind.UNKNOWN
        if start_aa == "*":
            return VariantKind.STOP_LOSS
        if alt == start_aa:
            return VariantKind.SYNONYMOUS
        return VariantKind.MISSENSE
    if etype in ("del", "ins", "delins", "dup"):
        if "*" in alt:
            return VariantKind.NONSENSE
        return VariantKind.INFRAME_INDEL
    return VariantKind.UNKNOWN


def _na_length(edit: Any, start: Any, end: Any) -> int | None:
    """Net change in length of a nucleotide edit, when it can be read from the expression."""
    etype = edit.type
    span = None
    if start is not None and end is not None and getattr(start, "offset", 0) == getattr(end, "offset", 0) == 0:
        if start.datum == end.datum:
            span = end.base - start.base + 1
    if etype == "ins":
        alt = edit.alt or ""
        return len(alt) if alt.isalpha() else None
    if etype in ("del", "dup"):
        return span
    if etype == "delins":
        alt = edit.alt or ""
        return None if span is None or not alt.isalpha() else span - len(alt)
    return 0


def _classify_c(posedit: Any) -> tuple[VariantKind, set[str]]:
    flags: set[str] = set()
    start = posedit.pos.start
    end = posedit.pos.end or start
    offsets = [p.offset for p in (start, end) if getattr(p, "offset", 0)]
    etype = posedit.edit.type
    if etype == "inv":
        return VariantKind.INVERSION, flags
    if offsets:
        off = min(offsets, key=abs)
        flags.add("intronic")
        if abs(off) <= 2:
            flags.update({"canonical_splice_site", "splice_altering"})
            return VariantKind.SPLICE, flags
        if (off > 0 and off <= SPLICE_REGION_DONOR) or (off < 0 and -off <= SPLICE_REGION_ACCEPTOR):
            flags.add("splice_region")
            return VariantKind.SPLICE, flags
        off = abs(off)
        if off <= DEEP_INTRONIC_OFFSET:
            return VariantKind.UNKNOWN, flags
        return VariantKind.DEEP_INTRONIC, flags
    datum = str(start.datum)
    if start.base < 0 and "CDS_START" in datum:
        flags.add("5_prime_utr")
        return VariantKind.UNKNOWN, flags
    if "CDS_END" in datum:
        flags.add("3_prime_utr")
        return VariantKind.UNKNOWN, flags
    if 1 <= start.base <= 3 and etype in ("sub", "del", "delins"):
        return VariantKind.START_LOSS, flags
    if etype in ("del", "ins", "dup", "delins"):
        n = _na_length(posedit.edit, start, end)
        if n is None:
            return VariantKind.UNKNOWN, flags
        return (VariantKind.INFRAME_INDEL if n % 3 == 0 else VariantKind.FRAMESHIFT), flags
    return VariantKind.UNKNOWN, flags  # coding substitution: needs p. to classify


def _classify_g(posedit: Any) -> tuple[VariantKind, set[str]]:
    etype = posedit.edit.type
    start = posedit.pos.start
    end = posedit.pos.end or start
    if etype == "inv":
        return VariantKind.INVERSION, set()
    if etype in ("del", "dup") and end.base - start.base + 1 > 50:
        return VariantKind.STRUCTURAL, {"deletion" if etype == "del" else "duplication"}
    return VariantKind.UNKNOWN, set()


_RULES = {
    "c": "parse_c_posedit",
    "n": "parse_n_posedit",
    "g": "parse_g_posedit",
    "m": "parse_m_posedit",
    "p": "parse_p_posedit",
}


def _parse_token(kind: str, body: str) -> Any:
    if kind == "p" and body.strip("()") == "?":
        return None
    fn = getattr(_parser(), _RULES[kind])
    return fn(body)


def parse_hgvs(text: str, *, source: str, field: str) -> dict[str, Any] | None:
    """HGVS tokens in `text` -> Variant fields (kind, hgvs_c/p/g, flags); None when there is no HGVS."""
    tokens = list(_HGVS_TOKEN.finditer(text))
    if not tokens:
        return None
    from hgvs.exceptions import HGVSError

    out: dict[str, Any] = {"flags": set()}
    kinds: dict[str, VariantKind] = {}
    for m in tokens:
        kind, body, ac = m.group("type"), m.group("body"), m.group("ac")
        expr = f"{ac}:{kind}.{body}" if ac else f"{kind}.{body}"
        rep = _HGVS_REPEAT.match(body) if kind in ("c", "n", "g") else None
        if rep is not None:
            out["hgvs_g" if kind == "g" else "hgvs_c"] = expr
            out["repeat_unit"] = rep["unit"].upper().replace("U", "T")
            out["repeat_count"] = int(rep["count"])
            out["flags"].add("repeat_notation")
            kinds[kind if kind != "n" else "c"] = VariantKind.REPEAT_EXPANSION
            continue
        try:
            posedit = _parse_token(kind, body)
        except (HGVSError, Exception) as err:  # the grammar raises its own and ometa errors
            msg = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise InputError(f"cannot parse HGVS expression {expr!r}: {msg}", source=source, field=field) from None
        if kind == "p":
            out["hgvs_p"] = expr
            kinds["p"] = _classify_p(posedit)
        elif kind in ("c", "n"):
            out["hgvs_c"] = expr
            k, fl = _classify_c(posedit)
            kinds["c"] = k
            out["flags"] |= fl
        else:
            out["hgvs_g"] = expr
            k, fl = _classify_g(posedit)
            kinds["g"] = k
            out["flags"] |= fl
    c_kind = kinds.get("c", VariantKind.UNKNOWN)
    p_kind = kinds.get("p", VariantKind.UNKNOWN)
    if c_kind in (VariantKind.SPLICE, VariantKind.DEEP_INTRONIC):
        out["kind"] = c_kind  # p. of a splice variant is a prediction (often p.?)
    elif p_kind != VariantKind.UNKNOWN:
        out["kind"] = p_kind
    elif c_kind != VariantKind.UNKNOWN:
        out["kind"] = c_kind
    else:
        out["kind"] = kinds.get("g", VariantKind.UNKNOWN)
    if out["kind"] == VariantKind.LOSS_OF_FUNCTION:
        out["flags"].add("loss_of_function")  # p.0: no protein made
    return out


# ---------------------------------------------------------------------------------------------------
# Plain descriptions
# ---------------------------------------------------------------------------------------------------
_LOF = re.compile(r"\b(loss[\s-]+of[\s-]+function|lof|null|amorphic)\b")
_GOF = re.compile(r"\b(gain[\s-]+of[\s-]+function|gof|activating|hypermorphic|toxic)\b")
_DEL_WORD = re.compile(r"\b(deletions?|del|deleted|microdeletion|loss)\b(?![\s-]+of[\s-]+function)")
_DUP_WORD = re.compile(r"\b(duplications?|dup|duplicated|triplication|gain)\b(?![\s-]+of[\s-]+function)")
_EXON_TO_INTRON = re.compile(r"exon\s*(\d+)\s*[-–]\s*intron\s*(\d+)")
_EXON_RANGE = re.compile(r"\bexons?\s*(\d+)(?:\s*(?:-|–|to|through|_)\s*(?:exon\s*)?(\d+))?")
_REPEAT_UNIT = re.compile(r"\b([acgt]{2,6})\b[\s-]*(?:(?:tri|tetra|penta|hexa)?nucleotide[\s-]*|triplet[\s-]*)?"
                          r"repeats?[\s-]*expansion|\b([acgt]{2,6})[\s-]+expansion|expansion\s+of\s+(?:\d+\s+)?"
                          r"([acgt]{2,6})\s+repeats")
_REPEAT_COUNT = re.compile(r"(\d+)\s*(?:[acgt]{2,6}\s*)?(?:repeats|repeat units|units|copies)\b|"
                           r"\((\d+)\s*(?:x|repeats?)\)|\bexpansion\s+(?:to|of)\s+(\d+)\b|"
                           r"\b[acgt]{2,6}\s*(?:x|×|n\s*=)\s*(\d+)\b|\([acgt]{2,6}\)\s*(\d+)\b")
#: A counted repeat without the word "expansion": `300 CGG repeats`, `(CAG)45`, `CAG x 45`.
_REPEAT_COUNTED = re.compile(r"\b\d+\s*([acgt]{2,6})\s*repeats?\b|\(([acgt]{2,6})\)\s*\d+\b|"
                             r"\b([acgt]{2,6})\s*(?:x|×|n\s*=)\s*\d+\b|\b([acgt]{2,6})\s+(?:full[\s-]+mutation|pre-?mutation)")
_REPEAT_STAGE = re.compile(r"\b(full[\s-]+mutation|pre-?mutation)\b")
_ISCN_CN = re.compile(r"\)\s*x\s*(\d)\b")
_BAND_DEL = re.compile(r"\b(\d{1,2}|x|y)[pq]\d*(?:\.\d+)?\b")
_UNSPECIFIED = re.compile(r"\b(second|other|another|2nd)\b.*\ballele\b|\bunspecified\b|\bunknown variant\b|"
                          r"\bpathogenic (variant|allele)\b")

_WORD_KINDS: tuple[tuple[re.Pattern[str], VariantKind], ...] = (
    (re.compile(r"\bdeep[\s-]+intronic\b"), VariantKind.DEEP_INTRONIC),
    (re.compile(r"\bnonsense\b|\bstop[\s-]+gain(ed)?\b|\bpremature stop\b"), VariantKind.NONSENSE),
    (re.compile(r"\bframe[\s-]?shift(ing)?\b"), VariantKind.FRAMESHIFT),
    (re.compile(r"\bin[\s-]?frame\b"), VariantKind.INFRAME_INDEL),
    (re.compile(r"\bstart[\s-]+(loss|lost|codon)\b"), VariantKind.START_LOSS),
    (re.compile(r"\bstop[\s-]+(loss|lost)\b"), VariantKind.STOP_LOSS),
    (re.compile(r"\bsplice[\s-]+(site|donor|acceptor|variant|region)\b|\bsplicing\b"), VariantKind.SPLICE),
    (re.compile(r"\bsynonymous\b|\bsilent\b"), VariantKind.SYNONYMOUS),
    (re.compile(r"\bmissense\b"), VariantKind.MISSENSE),
    (re.compile(r"\b(protein[\s-]+)?truncating\b|\bptv\b"), VariantKind.TRUNCATING),
)

_FLAG_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_LOF, "loss_of_function"),
    (_GOF, "gain_of_function"),
    (re.compile(r"\bdominant[\s-]+negative\b|\bantimorphic\b"), "dominant_negative"),
    (re.compile(r"splic"), "splice_altering"),
    (re.compile(r"\bbi-?allelic\b"), "biallelic"),
    (re.compile(r"\bmono-?allelic\b"), "monoallelic"),
    (re.compile(r"\bde[\s-]+novo\b"), "de_novo"),
    (re.compile(r"\bmosaic(ism)?\b"), "mosaic"),
    (_UNSPECIFIED, "unspecified_allele"),
)


def _exon_range(t: str) -> tuple[int, int] | None:
    m = _EXON_TO_INTRON.search(t)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return (min(a, b), max(a, b))
    m = _EXON_RANGE.search(t)
    if not m:
        return None
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) else a
    return (min(a, b), max(a, b))


def parse_plain(text: str) -> dict[str, Any] | None:
    """Fields of a plain description (see module docstring); None when nothing is recognised."""
    t = " ".join(text.lower().split())
    out: dict[str, Any] = {"flags": set()}
    kind: VariantKind | None = None

    m = _REPEAT_UNIT.search(t) or _REPEAT_COUNTED.search(t)
    stage = _REPEAT_STAGE.search(t)
    if m or stage or re.search(r"\brepeat expansion\b", t):
        kind = VariantKind.REPEAT_EXPANSION
        unit = next((g for g in m.groups() if g), None) if m else None
        if unit:
            out["repeat_unit"] = unit.upper()
        c = _REPEAT_COUNT.search(t)
        if c:
            out["repeat_count"] = int(next(g for g in c.groups() if g))
        if stage:
            out["flags"].add("full_mutation" if stage.group(1).startswith("full") else "premutation")
    if kind is None:
        exons = _exon_range(t)
        if exons is not None:
            out["exons"] = exons
            if _DUP_WORD.search(t):
                kind = VariantKind.EXON_DUPLICATION
            elif _DEL_WORD.search(t):
                kind = VariantKind.EXON_DELETION
            else:
                kind = VariantKind.STRUCTURAL
    if kind is None:
        cn = _ISCN_CN.search(t)
        if cn:
            n = int(cn.group(1))
            kind = VariantKind.GENE_DELETION if n < 2 else (VariantKind.GENE_DUPLICATION if n > 2 else None)
            out["flags"].add("copy_number")
    if kind is None:
        if re.search(r"\b(whole|entire|complete|full)[\s-]+gene\b|\bgene[\s-]+(deletion|duplication)\b|"
                     r"\bmicro(deletion|duplication)\b|\bcontiguous\b", t) or (
                _BAND_DEL.search(t) and (_DEL_WORD.search(t) or _DUP_WORD.search(t))):
            kind = VariantKind.GENE_DUPLICATION if _DUP_WORD.search(t) and not _DEL_WORD.search(t) \
                else VariantKind.GENE_DELETION
    if kind is None and re.search(r"\binver(sion|ted)\b", t):
        kind = VariantKind.INVERSION
        intron = re.search(r"\bintron\s*(\d+)\b", t)
        if intron:
            out["flags"].add(f"intron_{intron.group(1)}")
    if kind is None and re.search(r"\binsertion\b|\bretrotransposon\b|\bsva\b|\balu\b|\bline-1\b", t):
        kind = VariantKind.DEEP_INTRONIC if re.search(r"\bintron(ic)?\b", t) else VariantKind.INSERTION
        out["flags"].add("insertion")
        if "retrotransposon" in t or re.search(r"\b(sva|alu|line-1)\b", t):
            out["flags"].add("retrotransposon")
    if kind is None:
        for pattern, k in _WORD_KINDS:
            if pattern.search(t):
                kind = k
                break
    if kind is None and _LOF.search(t):
        kind = VariantKind.LOSS_OF_FUNCTION
    if kind is None and (_DEL_WORD.search(t) or _DUP_WORD.search(t)):
        kind = VariantKind.STRUCTURAL
        out["flags"].add("deletion" if _DEL_WORD.search(t) else "duplication")

    for pattern, flag in _FLAG_WORDS:
        if pattern.search(t):
            out["flags"].add(flag)
    if kind is None:
        if "unspecified_allele" in out["flags"]:
            kind = VariantKind.UNKNOWN
        elif out["flags"] & {"gain_of_function", "dominant_negative"}:
            kind = VariantKind.UNKNOWN  # a named mechanism without a consequence
        else:
            return None
    if kind == VariantKind.LOSS_OF_FUNCTION:
        out["flags"].add("loss_of_function")
    out["kind"] = kind
    return out


# ---------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------
def _notes(text: str) -> tuple[str, ...]:
    """Comma-separated parts that carry context only (`severe hemophilia B`, `infantile onset`)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2:
        return ()
    notes = []
    for p in parts:
        if parse_plain(p) is None and not _HGVS_TOKEN.search(p):
            notes.append(p)
    return tuple(notes)


def variant_flags(variant: Variant | str) -> frozenset[str]:
    """Flags read from a variant's description (loss_of_function, splice_altering, biallelic, ...).

    Pure function of the text, so rules can use it whether or not the model stores flags."""
    text = variant if isinstance(variant, str) else variant.description
    flags: set[str] = set()
    try:
        h = parse_hgvs(text, source="", field="")
    except InputError:
        h = None
    if h is not None:
        flags |= h["flags"]
    p = parse_plain(_HGVS_TOKEN.sub(" ", text))
    if p is not None:
        flags |= p["flags"]
    stored = getattr(variant, "flags", None)
    if stored:
        flags |= set(stored)
    return frozenset(flags)


_GENOMIC_SPEC = re.compile(r"^(?P<chrom>[A-Za-z0-9_.]+):(?P<pos>\d+)(?P<ref>[ACGTacgt]+)>(?P<alt>[ACGTacgt]+)$")
_HGVS_G_SUBSTITUTION = re.compile(r"^(?P<acc>[A-Za-z0-9_.]+):g\.(?P<pos>\d+)(?P<ref>[ACGT])>(?P<alt>[ACGT])$")


#: Longest single variant description accepted (HGVS with transcript, protein and genomic forms is ~150).
MAX_VARIANT_CHARS = 1000


def parse_variant(
    text: str,
    gene: str,
    zygosity: Zygosity = Zygosity.UNKNOWN,
    source: str = "--variant",
    field: str = "variant",
) -> Variant:
    """One variant from an HGVS expression or a documented plain description (module docstring)."""
    if len(text or "") > MAX_VARIANT_CHARS:
        # checked before parsing: the HGVS grammar is not linear in the length of a runaway position
        raise InputError(f"variant description is {len(text):,} characters long; at most {MAX_VARIANT_CHARS} "
                         "are allowed", source=source, field=field)
    desc = " ".join((text or "").split())
    if not desc:
        raise InputError("empty variant description", source=source, field=field)
    g = _GENOMIC_SPEC.match(desc)
    if g is not None:  # VCF-style position on a named sequence: consequence unknown until annotated
        return make_variant(description=desc, gene=gene, zygosity=zygosity, kind=VariantKind.UNKNOWN,
                            chrom=g["chrom"], pos=int(g["pos"]), ref=g["ref"].upper(), alt=g["alt"].upper(),
                            flags=("genomic_position",), notes=())
    fields = parse_hgvs(desc, source=source, field=field)
    plain = parse_plain(_HGVS_TOKEN.sub(" ", desc)) if fields is not None else parse_plain(desc)
    if fields is None and plain is None:
        raise InputError(
            f"cannot read variant {desc!r}: give an HGVS expression (c.148G>A, p.(Arg1407Ter)) or a plain "
            "description such as 'deletion of exons 48-50', 'CAG repeat expansion (44 repeats)', "
            "'intron 22 inversion', 'truncating', 'missense', 'biallelic loss of function'",
            source=source,
            field=field,
        )
    flags: set[str] = set()
    kw: dict[str, Any] = {}
    if fields is not None:
        flags |= fields.pop("flags")
        kw.update(fields)
        sub = _HGVS_G_SUBSTITUTION.match(kw.get("hgvs_g") or "")
        if sub is not None and "pos" not in kw:  # NG_/LRG_/NC_ accession: keep the position for design
            kw.update(chrom=sub["acc"], pos=int(sub["pos"]), ref=sub["ref"], alt=sub["alt"])
        if plain is not None:
            flags |= plain["flags"]
            if kw["kind"] == VariantKind.UNKNOWN and plain["kind"] != VariantKind.UNKNOWN:
                kw["kind"] = plain["kind"]
    else:
        assert plain is not None
        flags |= plain.pop("flags")
        kw.update(plain)
    return make_variant(
        description=desc,
        gene=gene,
        zygosity=zygosity,
        flags=tuple(sorted(flags)),
        notes=_notes(desc),
        **kw,
    )


def parse_variants(
    text: str,
    gene: str,
    zygosity: Zygosity = Zygosity.UNKNOWN,
    source: str = "--variant",
    field: str = "variant",
) -> tuple[Variant, ...]:
    """Several variants separated by `;` (e.g. the two alleles of a compound heterozygote)."""
    parts = [p.strip() for p in (text or "").split(";") if p.strip()]
    if not parts:
        raise InputError("empty variant description", source=source, field=field)
    return tuple(parse_variant(p, gene, zygosity, source=source, field=field) for p in parts)


# ---------------------------------------------------------------------------------------------------
# Strict whole-exon form (`rarepath design aso --variant`): only a deletion or duplication of an exon range.
_EXON_VARIANT = re.compile(
    r"^\s*(?P<kind>del(?:etion)?|dup(?:lication)?)\w*\s*(?:of\s+)?(?:exons?|ex)\s*(?P<a>\d+)"
    r"(?:\s*(?:-|–|to|_)\s*(?P<b>\d+))?\s*$|"
    r"^\s*(?:exons?|ex)\s*(?P<a2>\d+)(?:\s*(?:-|–|to|_)\s*(?P<b2>\d+))?\s+(?P<kind2>del(?:etion)?|dup(?:lication)?)"
    r"\w*\s*$", re.I)


def parse_exon_variant(text: str) -> tuple[str, int, int]:
    """('deletion'|'duplication', first, last) from e.g. 'deletion of exons 48-50', 'dup ex 2', 'exon 52 deletion'."""
    m = _EXON_VARIANT.match(text or "")
    if not m:
        raise InputError(f"cannot read {text!r} as a whole-exon deletion or duplication "
                         "(e.g. 'deletion of exons 48-50')", field="--variant")
    kind = (m.group("kind") or m.group("kind2")).lower()
    a = int(m.group("a") or m.group("a2"))
    b = int(m.group("b") or m.group("b2") or a)
    if b < a:
        raise InputError(f"exon range {a}-{b} is reversed", field="--variant")
    return ("deletion" if kind.startswith("del") else "duplication"), a, b

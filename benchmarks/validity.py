"""Clinical validity on cases the rules were not tuned to (issue 8).

1. Leave-gene-out mechanism on the shared Gene2Phenotype panels: for every gene whose G2P rows name one mechanism
   class (loss of function, dominant negative, gain of function), the gene's own G2P rows, its curated
   gene+disease rows and hallmark variants are withheld and the mechanism is called from everything else: variant
   consequence x HPO inheritance, ClinVar pattern, gnomAD constraint, ClinGen dosage, repeat and protein-class
   tables. The patient is the gene's typical pathogenic genotype: zygosity from the G2P allelic requirement;
   a truncating variant when most of the gene's ClinVar P/LP variants are truncating, else one of the gene's real
   ClinVar P/LP missense changes (a missense-only run is printed too). Genes are split by a fixed hash: thresholds were chosen on the tuning
   half only, the evaluation half is reported as the result. Recall per class, balanced accuracy (over the genes
   called, and counting `unknown` as a miss), coverage (fraction of genes called), and calibration of confidence.
2. canonical.tsv through `assess_case`, checked as tests/triage/test_canonical_cases.py checks it.
3. All shared phenopackets: how many come out with mechanism `unknown`.
4. A carrier copy of every recessive canonical case (first variant only, heterozygous): safe when no option is
   better than `not_suitable`.

Usage: .venv/bin/python benchmarks/validity.py [--shared ../shared/data] [--genes N]   (N: cap per half, dev only)
Last line: `validity: canonical=A/38 carriers=N/M mechanism_bal_acc=X mechanism_coverage=Y phenopackets_unknown=Z`
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import hashlib
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from rarepath.interpret.disease import DiseaseContext
from rarepath.interpret.evidence import PROVIDERS
from rarepath.interpret.evidence.clinvar import gene_patterns
from rarepath.interpret.evidence.g2p import consequence_class
from rarepath.interpret.mechanism import infer_mechanism
from rarepath.knowledge.context import KnowledgeContext
from rarepath.model import Case, Mechanism, Variant, VariantKind, Verdict, Zygosity

REPO = Path(__file__).resolve().parents[1]
CLASSES = ("loss", "dominant_negative", "gain_of_function")
#: The gene's own curated facts are withheld with its G2P rows: the call must come from the other lines.
WITHHELD = ("g2p", "curated", "hallmark")
#: Baseline: the consequence x inheritance rule alone (what the engine had without the knowledge lines).
BASELINE_LINES = ("inheritance",)
KB_SOURCES = ("gnomad_constraint", "clingen_dosage", "hgnc_symbols")


def half(gene: str) -> str:
    """Fixed split: the first byte of SHA-1 of the symbol, even = tune, odd = eval."""
    return "tune" if hashlib.sha1(gene.encode()).digest()[0] % 2 == 0 else "eval"


def class_of(m: Mechanism) -> str:
    return "loss" if m.is_loss else m.value


# ---------------------------------------------------------------------------------------------- truth (G2P)
@dataclasses.dataclass
class Truth:
    gene: str
    cls: str
    zygosity: Zygosity


def _zygosity(allelic: set[str]) -> Zygosity | None:
    text = " ".join(allelic).lower()
    if "monoallelic" in text or "x-linked dominant" in text:
        return Zygosity.HETEROZYGOUS
    if "biallelic" in text:
        return Zygosity.HOMOZYGOUS
    if "hemizygous" in text:
        return Zygosity.HEMIZYGOUS
    return None


def read_g2p(directory: Path) -> list[Truth]:
    classes: dict[str, set[str]] = defaultdict(set)
    allelic: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in sorted(directory.glob("*G2P*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                gene = (row.get("gene symbol") or "").strip().upper()
                mech = consequence_class(row.get("mutation consequence"))
                if not gene or mech is None:
                    continue
                cls = class_of(mech)
                classes[gene].add(cls)
                allelic[gene, cls].add(row.get("allelic requirement") or "")
    out = []
    for gene, cls_set in sorted(classes.items()):
        if len(cls_set) != 1:
            continue  # the gene's diseases disagree: no single truth
        cls = next(iter(cls_set))
        zyg = _zygosity(allelic[gene, cls])
        if zyg is not None:
            out.append(Truth(gene, cls, zyg))
    return out


# ---------------------------------------------------------------------------------------------- cases
def clinvar_missense(path: Path) -> dict[str, list[str]]:
    """P/LP missense protein changes per gene in the shared ClinVar table (the patients' variants)."""
    from rarepath.knowledge.clinvar_patterns import classify_residue

    out: dict[str, list[str]] = defaultdict(list)
    csv.field_size_limit(1 << 24)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row.get("pathogenic") != "1" or row.get("conflicted") == "1":
                continue
            kind, _, _ = classify_residue(row.get("hgvs_c") or "", row.get("hgvs_p") or "")
            if kind == "missense":
                out[row["symbol"].upper()].append(row["hgvs_p"].split(":", 1)[-1])
    return out


def typical_variant(gene: str, zyg: Zygosity, missense_only: bool, missense: dict[str, list[str]]) -> Variant:
    """The gene's typical pathogenic variant: truncating when most of its ClinVar P/LP variants are, else one of its
    real P/LP missense changes (picked by a fixed hash), else an unplaced missense variant."""
    row = gene_patterns().get(gene)
    if not missense_only and row is not None and int(row["truncating_plp"]) > int(row["missense_plp"]):
        return Variant("nonsense", gene, VariantKind.NONSENSE, zygosity=zyg)
    changes = sorted(set(missense.get(gene, ())))
    if changes:
        pick = changes[hashlib.sha1(gene.encode()).digest()[1] % len(changes)]
        return Variant(pick, gene, VariantKind.MISSENSE, hgvs_p=pick, zygosity=zyg)
    return Variant("missense", gene, VariantKind.MISSENSE, zygosity=zyg)


def inheritance(kc: KnowledgeContext, gene: str) -> list[str]:
    diseases = kc.hpo.diseases_for_gene(gene)
    modes: list[str] = []
    for d in diseases:
        modes.extend(m for m in d.inheritance if m not in modes)
    return modes


def leave_gene_out(truths: list[Truth], kc: KnowledgeContext, withhold: tuple[str, ...],
                   missense: dict[str, list[str]], missense_only: bool = False,
                   ) -> dict[str, list[tuple[Truth, Mechanism, float]]]:
    results: dict[str, list[tuple[Truth, Mechanism, float]]] = {"tune": [], "eval": []}
    for t in truths:
        variant = typical_variant(t.gene, t.zygosity, missense_only, missense)
        case = Case(id=t.gene, genes=(t.gene,), variants=(variant,))
        disease = DiseaseContext(gene=t.gene, inheritance=inheritance(kc, t.gene))
        call = infer_mechanism(case, kc, disease, withhold=withhold)
        results[half(t.gene)].append((t, call.call, call.confidence))
    return results


@dataclasses.dataclass
class Scores:
    n: int
    coverage: float
    bal_acc_called: float
    bal_acc_all: float
    recall_called: dict[str, float]
    recall_all: dict[str, float]
    counts: dict[str, int]


def score(rows: list[tuple[Truth, Mechanism, float]]) -> Scores:
    by_class: dict[str, list[str | None]] = defaultdict(list)
    for t, call, _ in rows:
        by_class[t.cls].append(None if call == Mechanism.UNKNOWN else class_of(call))
    recall_called, recall_all = {}, {}
    for cls in CLASSES:
        preds = by_class.get(cls, [])
        called = [p for p in preds if p is not None]
        recall_all[cls] = sum(p == cls for p in preds) / len(preds) if preds else float("nan")
        recall_called[cls] = sum(p == cls for p in called) / len(called) if called else float("nan")
    present = [c for c in CLASSES if by_class.get(c)]
    n_called = sum(1 for _, call, _ in rows if call != Mechanism.UNKNOWN)
    return Scores(
        n=len(rows),
        coverage=n_called / len(rows) if rows else 0.0,
        # a class with no gene called counts as recall 0, so abstaining on a whole class is not rewarded
        bal_acc_called=sum(recall_called[c] if recall_called[c] == recall_called[c] else 0.0 for c in present)
        / max(1, len(present)),
        bal_acc_all=sum(recall_all[c] for c in present) / max(1, len(present)),
        recall_called=recall_called,
        recall_all=recall_all,
        counts={c: len(by_class.get(c, [])) for c in CLASSES},
    )


def bootstrap_interval(rows: list[tuple[Truth, Mechanism, float]], n: int = 1000, seed: int = 8) -> tuple[float, float]:
    """95% percentile interval of bal_acc(called) over genes resampled with replacement: with a handful of called
    dominant-negative and gain-of-function genes per half the point estimate moves a lot."""
    import random

    rng = random.Random(seed)
    values = sorted(score([rng.choice(rows) for _ in rows]).bal_acc_called for _ in range(n))
    return values[int(0.025 * n)], values[int(0.975 * n) - 1]


def describe(label: str, s: Scores) -> str:
    per = ", ".join(f"{c} {s.recall_called[c]:.2f}/{s.recall_all[c]:.2f} (n={s.counts[c]})" for c in CLASSES)
    return (f"  {label:<28} genes={s.n} coverage={s.coverage:.3f} bal_acc(called)={s.bal_acc_called:.3f} "
            f"bal_acc(unknown=miss)={s.bal_acc_all:.3f}\n      recall called/all: {per}")


def calibration(rows: list[tuple[Truth, Mechanism, float]]) -> str:
    bins = [(0.0, 0.7), (0.7, 0.85), (0.85, 1.01)]
    parts = []
    for lo, hi in bins:
        sel = [(t, c) for t, c, conf in rows if c != Mechanism.UNKNOWN and lo <= conf < hi]
        if sel:
            acc = sum(class_of(c) == t.cls for t, c in sel) / len(sel)
            parts.append(f"[{lo:.2f},{min(hi, 1):.2f}) n={len(sel)} accuracy={acc:.2f}")
    by_call: dict[str, list[bool]] = defaultdict(list)
    for t, c, _ in rows:
        if c != Mechanism.UNKNOWN:
            by_call[class_of(c)].append(class_of(c) == t.cls)
    precision = ", ".join(f"{k} {sum(v) / len(v):.2f} (n={len(v)})" for k, v in sorted(by_call.items()))
    return "; ".join(parts) + f"\n      precision by called class: {precision}"


def import_kb(shared: Path, db: Path) -> KnowledgeContext:
    """A KB with constraint, dosage and symbols only: no G2P (withheld anyway, and not even present)."""
    from rarepath.knowledge.kb import import_directory

    src = db.parent / "sources"
    src.mkdir()
    for name in KB_SOURCES:
        for f in sorted((shared / name).glob("*")) if (shared / name).is_dir() else ():
            (src / f.name).symlink_to(f)
    import_directory(src, db)
    return KnowledgeContext(kb_path=db)


# ---------------------------------------------------------------------------------------------- triage checks
def canonical(shared: Path) -> tuple[int, int, list[str], list[tuple[str, Case]]]:
    """Pass count over canonical.tsv (as the canonical test checks it) and the recessive cases for carriers."""
    from rarepath.intake import load_case
    from rarepath.triage.engine import assess_case

    path = shared.parent / "cases" / "canonical.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    passed, failures, recessive = 0, [], []
    for exp in rows:
        case = load_case(REPO / "tests" / "data" / "canonical" / f"{exp['id']}.yaml")
        problems = check_canonical(exp, assess_case(case))
        if problems:
            failures.append(f"{exp['id']}: {problems[0]}")
        else:
            passed += 1
        if case.zygosity in (Zygosity.HOMOZYGOUS, Zygosity.COMPOUND_HETEROZYGOUS):
            recessive.append((exp["id"], case))
    return passed, len(rows), failures, recessive


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(",") if x.strip()]


def check_canonical(exp: dict[str, str], a) -> list[str]:
    """The expectations of tests/triage/test_canonical_cases.py, returned as problems instead of asserted."""
    problems = []
    gene = exp["gene"]
    want = exp["expected_mechanism"]
    got = a.mechanism.call.value
    if want and not (got == want or (want == "loss_of_function" and got == "haploinsufficiency")):
        problems.append(f"mechanism {got} != {want}")
    for mod in _split(exp["at_least_possible"]):
        if max((o.verdict.rank for o in a.options if o.modality.value == mod), default=-1) < Verdict.POSSIBLE.rank:
            problems.append(f"{mod} below possible")
    for mod in _split(exp["at_most_not_suitable"]):
        if any(o.modality.value == mod and o.target == gene and o.verdict.rank > Verdict.NOT_SUITABLE.rank
               for o in a.options):
            problems.append(f"{mod} on {gene} above not_suitable")
    for product in _split(exp["products"]):
        holders = [o for o in a.options if any(product == p.name or product in p.name.split("/")
                                               for p in o.products)]
        if not holders:
            problems.append(f"product {product} missing")
            continue
        best = max(holders, key=lambda o: o.verdict.rank)
        statuses = [p.status for o in holders for p in o.products if product in p.name.split("/") or p.name == product]
        if best.verdict.rank < Verdict.POSSIBLE.rank:
            problems.append(f"{product} only {best.verdict.value}")
        elif any(s in ("approved", "conditional_approval") for s in statuses) and best.verdict != Verdict.RECOMMENDED:
            problems.append(f"approved {product} not recommended")
    for o in a.options:
        if not (o.reasons and all(r.rule and r.source and r.detail for r in o.reasons)):
            problems.append(f"{o.modality.value} on {o.target} lacks sourced reasons")
    return problems


def carriers(recessive: list[tuple[str, Case]]) -> tuple[int, int, list[str]]:
    """Heterozygous single-variant copy of each recessive case: safe when nothing is better than not_suitable."""
    from rarepath.triage.engine import assess_case

    safe, unsafe = 0, []
    for cid, case in recessive:
        v = dataclasses.replace(case.variants[0], zygosity=Zygosity.HETEROZYGOUS)
        carrier = dataclasses.replace(case, id=f"{cid}-carrier", variants=(v,))
        a = assess_case(carrier)
        above = [f"{o.modality.value}:{o.target}={o.verdict.value}" for o in a.options
                 if o.verdict.rank > Verdict.NOT_SUITABLE.rank]
        if above:
            unsafe.append(f"{cid}: {', '.join(above[:3])}")
        else:
            safe += 1
    return safe, len(recessive), unsafe


def phenopackets(shared: Path, kc: KnowledgeContext | None = None) -> tuple[int, int, int, Counter]:
    from rarepath.errors import RarepathError
    from rarepath.intake import load_case
    from rarepath.triage.engine import assess_case

    files = sorted((shared / "phenopackets").rglob("*.json"))
    unknown, errors, genes = 0, 0, Counter()
    for f in files:
        try:
            a = assess_case(load_case(f), kc)
        except RarepathError:
            errors += 1
            continue
        if a.mechanism.call == Mechanism.UNKNOWN:
            unknown += 1
            genes[a.mechanism.gene] += 1
    return len(files), unknown, errors, genes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--genes", type=int, default=0, help="at most N genes per half (development; 0 = all)")
    args = ap.parse_args()
    shared = args.shared.resolve()
    if not (shared / "g2p").is_dir():
        sys.exit(f"no G2P panels under {shared / 'g2p'}")
    t0 = time.perf_counter()
    truths = read_g2p(shared / "g2p")
    if args.genes:
        kept: dict[str, int] = Counter()
        capped = []
        for t in truths:
            if kept[half(t.gene)] < args.genes:
                kept[half(t.gene)] += 1
                capped.append(t)
        truths = capped
    with tempfile.TemporaryDirectory() as tmp:
        kc = import_kb(shared, Path(tmp) / "kb.sqlite")
        print(f"leave-gene-out mechanism: {len(truths)} G2P genes with one mechanism class "
              f"({dict(Counter(t.cls for t in truths))}); withheld per gene: {', '.join(WITHHELD)}")
        missense = clinvar_missense(shared / "clinvar" / "clinvar.tsv.gz")
        full = leave_gene_out(truths, kc, WITHHELD, missense)
        base = leave_gene_out(truths, kc, tuple(n for n in PROVIDERS if n not in BASELINE_LINES), missense)
        miss = leave_gene_out(truths, kc, WITHHELD, missense, missense_only=True)
        scores = {h: score(full[h]) for h in ("tune", "eval")}
        for h in ("tune", "eval"):
            print(describe(f"{h} half, all lines", scores[h]))
            print(describe(f"{h} half, baseline (inheritance)", score(base[h])))
            print(describe(f"{h} half, missense patients", score(miss[h])))
        lo, hi = bootstrap_interval(full["eval"])
        print(f"  eval half bal_acc(called) 95% bootstrap interval over genes: {lo:.3f}-{hi:.3f}")
        print(f"  calibration (eval half, confidence bin -> accuracy): {calibration(full['eval'])}")
        ev, bl = scores["eval"], score(base["eval"])
        ratio = ev.bal_acc_all / bl.bal_acc_all if bl.bal_acc_all else float("inf")
        print(f"  eval half vs baseline: balanced accuracy (unknown=miss) {ev.bal_acc_all:.3f} vs "
              f"{bl.bal_acc_all:.3f} = {ratio:.2f}x; coverage {ev.coverage:.3f} vs {bl.coverage:.3f}")
    t1 = time.perf_counter()
    passed, total, failures, recessive = canonical(shared)
    print(f"canonical.tsv: {passed}/{total} pass" + "".join(f"\n  FAIL {f}" for f in failures))
    safe, n_rec, unsafe = carriers(recessive)
    print(f"carriers (heterozygous copy of {n_rec} recessive canonical cases): {safe}/{n_rec} with no option above "
          "not_suitable" + "".join(f"\n  UNSAFE {u}" for u in unsafe))
    n_pp, unknown, errors, genes = phenopackets(shared)
    print(f"phenopackets (shipped data): {n_pp} files, {unknown} with mechanism unknown, {errors} not assessable; "
          "unknown by gene: " + ", ".join(f"{g or '(no gene)'} {n}" for g, n in genes.most_common()))
    with tempfile.TemporaryDirectory() as tmp:
        from rarepath.knowledge.kb import import_directory

        import_directory(shared, Path(tmp) / "kb.sqlite")
        _, unknown_kb, _, genes_kb = phenopackets(shared, KnowledgeContext(kb_path=Path(tmp) / "kb.sqlite"))
    print(f"phenopackets (all shared sources imported): {unknown_kb} with mechanism unknown; by gene: "
          + ", ".join(f"{g or '(no gene)'} {n}" for g, n in genes_kb.most_common()))
    print(f"time: mechanism {t1 - t0:.1f} s, triage checks {time.perf_counter() - t1:.1f} s")
    print(f"validity: canonical={passed}/{total} carriers={safe}/{n_rec} mechanism_bal_acc={ev.bal_acc_called:.3f} "
          f"mechanism_coverage={ev.coverage:.3f} phenopackets_unknown={unknown}")


if __name__ == "__main__":
    main()

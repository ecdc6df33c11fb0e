"""Side by side with the tools people use: Cas-OFFinder 3 (off-targets) and R drc (dose-response fits).

Both peers are built from the sources in ../shared/peers (see its SOURCES.md for the Debian packages:
cmake, g++, ocl-icd-opencl-dev, opencl-headers, pocl-opencl-icd for Cas-OFFinder on the CPU; r-base-core,
r-base-dev and the r-cran-* dependencies for drc). They are optional: when one cannot be built or run, its
part is skipped with the reason printed, and its keys on the last line say `skipped`.

Off-targets: random 20-nt guides (the same generator as benchmarks/offtarget.py) with NGG on the yeast
genome (sacCer3 from ../shared/data/genomes), <= 4 mismatches, searched by Cas-OFFinder and by rarepath:

- whole commands: `cas-offinder INPUT C OUTPUT` against `rarepath design offtargets --pams NGG` (a fresh
  process each: reads the FASTA, builds the index, searches, writes the sites);
- warm in-process search: `search_guides` on an index already in memory, against Cas-OFFinder's search
  alone (its run on N guides minus its run on one guide, which is reading the genome and starting OpenCL;
  Cas-OFFinder has no warm mode);
- site sets compared as (guide, chromosome, start, strand) -> mismatches, Cas-OFFinder's `Location` being
  0-based, the leftmost + strand base of protospacer + PAM on both strands.

With one bulge (`--bulge-guides`, DNA and RNA bulge of size 1), rarepath runs with `bulge_ends="casoffinder"`
(Cas-OFFinder's positions for a bulge at a spacer end) and the sets must be identical, per site (guide, chrom,
start, end, strand) with the fewest mismatches over Cas-OFFinder's records of that site; the default
convention's differences (sites it leaves out, sites where it counts more mismatches) are printed too.

Dose-response: `--curves` real CCLE/GDSC curves (../shared/data/screens/pharmacogx, a fixed random sample),
fitted with drc's `drm(response ~ dose, fct = LL.4())` one by one in R (the loop timed inside R) and with
`fit_curves` (warm, in process). Agreement on curves drc fitted: median and 99th percentile |dlog10 EC50|
(all of them, and those rarepath calls `sigmoid`), share with RSS <= drc x (1 + 1e-4).

Wall and CPU times are both printed (the machine may be shared); ratios are peer time / rarepath time.

    PYTHONPATH=src .venv/bin/python benchmarks/peers.py [--guides 200] [--bulge-guides 200] [--curves 2000]
                                                        [--build-dir ~/.cache/rarepath/peers]

Last line: peers: casoffinder_ratio=X sites_identical=True drc_ratio=Y drc_rss_ok=Z [extra keys]
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PEERS = SHARED / "peers"
YEAST = SHARED / "data" / "genomes" / "sacCer3"
PHARMACOGX = SHARED / "data" / "screens" / "pharmacogx"
PAM_PATTERN = "NNNNNNNNNNNNNNNNNNNNNGG"
sys.path.insert(0, str(Path(__file__).resolve().parent))


class Skip(Exception):
    """A peer that cannot be built or run here (the message says why)."""


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmd: Sequence[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s of the child, result) of one command."""
    c0, t0 = _children_cpu(), time.perf_counter()
    res = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    return time.perf_counter() - t0, _children_cpu() - c0, res


# ---------------------------------------------------------------------------- builds

def build_casoffinder(build_dir: Path) -> Path:
    """cmake build of ../shared/peers/cas-offinder-3.0.0b (once; reused from build_dir)."""
    src = PEERS / "cas-offinder-3.0.0b"
    if not src.is_dir():
        raise Skip(f"Cas-OFFinder sources not found at {src}")
    exe = build_dir / "cas-offinder-build" / "cas-offinder"
    if not exe.is_file():
        for tool in ("cmake", "g++"):
            if shutil.which(tool) is None:
                raise Skip(f"{tool} not installed (apt-get install -y cmake g++ ocl-icd-opencl-dev opencl-headers "
                           "pocl-opencl-icd)")
        if not Path("/usr/include/CL/cl.h").is_file():
            raise Skip("OpenCL headers not installed (apt-get install -y ocl-icd-opencl-dev opencl-headers "
                       "pocl-opencl-icd)")
        bd = exe.parent
        for cmd in (["cmake", "-S", str(src), "-B", str(bd), "-DCMAKE_BUILD_TYPE=Release"],
                    ["cmake", "--build", str(bd), "-j2"]):
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise Skip(f"Cas-OFFinder build failed ({' '.join(cmd[:2])}): {r.stderr.strip()[-300:]}")
    if not any(Path("/etc/OpenCL/vendors").glob("*.icd")):
        raise Skip("no OpenCL platform (apt-get install -y pocl-opencl-icd for the CPU)")
    return exe


def build_drc(build_dir: Path) -> Path:
    """`R CMD INSTALL -l build_dir/drc-lib ../shared/peers/drc-3.2-0` (once); returns the library folder."""
    src = PEERS / "drc-3.2-0"
    if not src.is_dir():
        raise Skip(f"drc sources not found at {src}")
    if shutil.which("Rscript") is None:
        raise Skip("R not installed (apt-get install -y r-base-core r-base-dev r-cran-car r-cran-gtools "
                   "r-cran-multcomp r-cran-plotrix r-cran-scales r-cran-mass)")
    lib = build_dir / "drc-lib"
    if not (lib / "drc" / "DESCRIPTION").is_file():
        lib.mkdir(parents=True, exist_ok=True)
        r = subprocess.run(["R", "CMD", "INSTALL", "-l", str(lib), str(src)], capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip(f"drc install failed: {(r.stderr or r.stdout).strip()[-300:]}")
    return lib


# ---------------------------------------------------------------------------- Cas-OFFinder

def casoffinder_input(genome_dir: Path, guides: list[str], bulge: bool) -> str:
    lines = [str(genome_dir), PAM_PATTERN + (" 1 1" if bulge else "")]
    lines += [f"{g}NNN 4" for g in guides]
    return "\n".join(lines) + "\n"


def run_casoffinder(exe: Path, genome_dir: Path, guides: list[str], bulge: bool, work: Path):
    """(wall, CPU, {(guide, chrom, start, end, strand): (fewest mismatches, bulge type)})."""
    inp, out = work / "cof_in.txt", work / "cof_out.txt"
    inp.write_text(casoffinder_input(genome_dir, guides, bulge))
    out.unlink(missing_ok=True)
    wall, cpu, res = run_timed([str(exe), str(inp), "C", str(out)])
    if res.returncode != 0 or not out.is_file():
        raise Skip(f"cas-offinder failed (exit {res.returncode}): {(res.stderr or res.stdout).strip()[-300:]}")
    with open(out) as fh:
        return wall, cpu, parse_casoffinder(fh, len(PAM_PATTERN))


def parse_casoffinder(lines, width: int) -> dict[tuple, tuple[int, str]]:
    """{(guide index, chrom, start, end, strand): (fewest mismatches, bulge type)} from Cas-OFFinder 3 output.

    `Location` is 0-based, the leftmost + strand base of the site on both strands; the site is `width`
    (spacer + PAM) long, one more with a DNA bulge, one less with an RNA bulge. Cas-OFFinder prints one record
    per bulge placement, so a site keeps its fewest mismatches (the DNA column of minus-strand bulge records is
    shifted, so it is not used)."""
    sites: dict[tuple, tuple[int, str]] = {}
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        qi, kind, chrom, loc, strand, mm = int(f[0]), f[1], f[4], int(f[5]), f[6], int(f[7])
        end = loc + width + (1 if kind == "DNA" else -1 if kind == "RNA" else 0)
        key = (qi, chrom, loc, end, strand)
        kind = {"X": ""}.get(kind, kind)
        if key not in sites or mm < sites[key][0]:
            sites[key] = (mm, kind)
    return sites


def hit_sites(hits) -> dict[tuple, tuple[int, str]]:
    return {(h.query_index, h.chrom, h.start, h.end, h.strand): (h.mismatches, h.bulge) for h in hits}


def compare_sites(ours: dict, peer: dict) -> tuple[bool, int, int, int]:
    """(identical, only in peer, only in ours, shared sites whose mismatch counts differ)."""
    only_peer = len(peer.keys() - ours.keys())
    only_ours = len(ours.keys() - peer.keys())
    differ = sum(1 for k in ours.keys() & peer.keys() if ours[k] != peer[k])
    return only_peer == only_ours == differ == 0, only_peer, only_ours, differ


def offtarget_part(exe: Path, n_guides: int, n_bulge: int, work: Path) -> dict:
    from offtarget import random_guides
    from rarepath.design.offtarget import GenomeIndex, search_guides

    if not YEAST.is_dir():
        raise Skip(f"yeast genome not found at {YEAST}")
    genome = work / "sacCer3"  # only the FASTA files (Cas-OFFinder reads every file of its folder)
    genome.mkdir(exist_ok=True)
    for fa in sorted(YEAST.glob("*.fa")):
        if not (genome / fa.name).exists():
            (genome / fa.name).symlink_to(fa)
    guides = random_guides(n_guides, seed=1)
    gfile = work / "guides.txt"
    gfile.write_text("\n".join(guides) + "\n")
    out: dict = {"guides": n_guides}

    # peer: warm-up (PoCL compiles and caches its kernel on the first run), then 1 guide and N guides
    run_casoffinder(exe, genome, guides[:1], False, work)
    one_wall, one_cpu, _ = run_casoffinder(exe, genome, guides[:1], False, work)
    c_wall, c_cpu, c_sites = run_casoffinder(exe, genome, guides, False, work)
    # rarepath: whole command, then the warm search in this process
    cmd = [sys.executable, "-c", "from rarepath.cli import main; main()", "design", "offtargets", "-r", str(genome),
           "--guides", str(gfile), "--pams", "NGG", "--max-mismatches", "4", "--tsv", str(work / "rp_sites.tsv"),
           "--top", "0"]
    run_timed(cmd)  # JIT cache warm-up
    r_wall, r_cpu, res = run_timed(cmd)
    if res.returncode != 0:
        raise RuntimeError(f"rarepath design offtargets failed: {res.stderr[-500:]}")
    idx = GenomeIndex.from_fasta(genome)
    search_guides(idx, guides[:2], pams=("NGG",), max_mismatches=4)  # builds the tables, loads the JIT cache
    c0, t0 = time.process_time(), time.perf_counter()
    hits = search_guides(idx, guides, pams=("NGG",), max_mismatches=4)
    s_wall, s_cpu = time.perf_counter() - t0, time.process_time() - c0
    same, only_peer, only_ours, differ = compare_sites(hit_sites(hits), c_sites)
    cmd_sites = sum(1 for _ in open(work / "rp_sites.tsv")) - 1
    c_search_wall, c_search_cpu = max(c_wall - one_wall, 1e-9), max(c_cpu - one_cpu, 1e-9)
    print(f"[offtargets] sacCer3, {n_guides} guides, NGG, <= 4 mismatches: Cas-OFFinder (CPU, PoCL) "
          f"{c_wall:.2f} s wall / {c_cpu:.2f} s CPU ({one_wall:.2f} s / {one_cpu:.2f} s for 1 guide); "
          f"rarepath design offtargets {r_wall:.2f} s wall / {r_cpu:.2f} s CPU; warm search_guides "
          f"{s_wall:.3f} s wall / {s_cpu:.3f} s CPU")
    print(f"[offtargets] sites: Cas-OFFinder {len(c_sites)}, rarepath {len(hits)} (command: {cmd_sites}); "
          f"identical: {same} (only Cas-OFFinder {only_peer}, only rarepath {only_ours}, mismatch counts "
          f"differ {differ})")
    out.update(cmd_ratio=c_wall / r_wall, cmd_ratio_cpu=c_cpu / r_cpu, warm_ratio=c_search_wall / s_wall,
               warm_ratio_cpu=c_search_cpu / s_cpu, identical=same and cmd_sites == len(hits), sites=len(hits))
    print(f"[offtargets] ratio Cas-OFFinder / rarepath: whole command {out['cmd_ratio']:.1f}x wall "
          f"({out['cmd_ratio_cpu']:.1f}x CPU); warm search (Cas-OFFinder minus its 1-guide run) "
          f"{out['warm_ratio']:.0f}x wall ({out['warm_ratio_cpu']:.0f}x CPU)")

    if n_bulge > 0:
        bg = guides[:n_bulge]
        b_wall, b_cpu, b_sites = run_casoffinder(exe, genome, bg, True, work)
        bfile = work / "bulge_guides.txt"
        bfile.write_text("\n".join(bg) + "\n")
        bcmd = cmd[:cmd.index("--guides") + 1] + [str(bfile)] + cmd[cmd.index("--guides") + 2:]
        bcmd += ["--bulges", "1", "--bulge-ends", "casoffinder"]
        rbc_wall, rbc_cpu, res = run_timed(bcmd)
        if res.returncode != 0:
            raise RuntimeError(f"rarepath design offtargets --bulges 1 failed: {res.stderr[-500:]}")
        search_guides(idx, bg[:1], pams=("NGG",), max_mismatches=4, bulge=1)  # the 19/21-nt tables
        c0, t0 = time.process_time(), time.perf_counter()
        ours = search_guides(idx, bg, pams=("NGG",), max_mismatches=4, bulge=1, bulge_ends="casoffinder")
        rb_wall, rb_cpu = time.perf_counter() - t0, time.process_time() - c0
        same_b, only_peer_b, only_ours_b, differ_b = compare_sites(hit_sites(ours), b_sites)
        default = hit_sites(search_guides(idx, bg, pams=("NGG",), max_mismatches=4, bulge=1))
        _, left_out, extra, more_mm = compare_sites(default, b_sites)
        print(f"[offtargets, 1 bulge] {n_bulge} guides, <= 4 mismatches + 1 DNA/RNA bulge: Cas-OFFinder "
              f"{b_wall:.1f} s wall / {b_cpu:.1f} s CPU; rarepath design offtargets --bulges 1 --bulge-ends "
              f"casoffinder {rbc_wall:.1f} s wall / {rbc_cpu:.1f} s CPU (whole command, ratio "
              f"{b_wall / rbc_wall:.0f}x wall, {b_cpu / rbc_cpu:.0f}x CPU); warm search_guides {rb_wall:.2f} s "
              f"wall / {rb_cpu:.2f} s CPU (ratio {b_wall / rb_wall:.0f}x wall, {b_cpu / rb_cpu:.0f}x CPU)")
        print(f"[offtargets, 1 bulge] sites: Cas-OFFinder {len(b_sites)}, rarepath {len(ours)}; identical: "
              f"{same_b} (only Cas-OFFinder {only_peer_b}, only rarepath {only_ours_b}, differ {differ_b}); "
              f"default convention (no bulge at a spacer end): {left_out} Cas-OFFinder sites left out, "
              f"{extra} extra, {more_mm} shared sites counted differently")
        out.update(bulge_identical=same_b, bulge_ratio=b_wall / rbc_wall, bulge_warm_ratio=b_wall / rb_wall,
                   bulge_guides=n_bulge,
                   bulge_default_left_out=left_out, bulge_default_differ=more_mm)
    return out


# ---------------------------------------------------------------------------- drc

R_SCRIPT = r"""
args <- commandArgs(TRUE)
suppressMessages(library(drc, lib.loc = args[3]))
d <- read.delim(args[1])
curves <- split(d[, c("dose", "response")], factor(d$id, levels = unique(d$id)))
n <- length(curves)
out <- data.frame(id = names(curves), ok = FALSE, b = NA, c = NA, d = NA, e = NA, rss = NA)
t0 <- proc.time()
for (k in seq_len(n)) {
  m <- tryCatch(suppressWarnings(drm(response ~ dose, data = curves[[k]], fct = LL.4())),
                error = function(e) NULL)
  if (!is.null(m)) {
    out[k, c("b", "c", "d", "e")] <- coef(m)
    out$rss[k] <- sum(residuals(m)^2)
    out$ok[k] <- TRUE
  }
}
el <- proc.time() - t0
write.table(out, args[2], sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("drc_loop wall=%.4f cpu=%.4f\n", el[["elapsed"]], el[["user.self"]] + el[["sys.self"]]))
"""


def load_curves(n: int, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A fixed random sample of n curves from the CCLE and GDSC tables (8 and 9 doses; NaN-padded to 9)."""
    ids, xs, ys = [], [], []
    for name in ("CCLEsmall", "GDSCsmall"):
        path = PHARMACOGX / f"{name}_doseresponse_wide.tsv"
        if not path.is_file():
            raise Skip(f"dose-response table not found at {path}")
        with open(path) as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                k = int(r["nbr.conc.tested"])
                x = [float(r[f"dose_uM_{i}"]) for i in range(1, k + 1)] + [np.nan] * (9 - k)
                y = [float(r[f"viability_pct_{i}"]) if r[f"viability_pct_{i}"] not in ("", "NA") else np.nan
                     for i in range(1, k + 1)] + [np.nan] * (9 - k)
                ids.append(r["exp_id"])
                xs.append(x)
                ys.append(y)
    pick = np.sort(np.random.default_rng(seed).choice(len(ids), size=min(n, len(ids)), replace=False))
    return [ids[i] for i in pick], np.array(xs)[pick], np.array(ys)[pick]


def drc_part(lib: Path, n_curves: int, work: Path) -> dict:
    from rarepath.screens.fit import fit_curves

    ids, x, y = load_curves(n_curves)
    long = work / "curves.tsv"
    with open(long, "w") as fh:
        fh.write("id\tdose\tresponse\n")
        for i, cid in enumerate(ids):
            for xv, yv in zip(x[i], y[i], strict=True):
                if np.isfinite(xv) and np.isfinite(yv):
                    fh.write(f"{cid}\t{float(xv)!r}\t{float(yv)!r}\n")
    script = work / "drc_fit.R"
    script.write_text(R_SCRIPT)
    fits_out = work / "drc_fits.tsv"
    p_wall, p_cpu, res = run_timed(["Rscript", str(script), str(long), str(fits_out), str(lib)])
    if res.returncode != 0:
        raise Skip(f"Rscript failed: {(res.stderr or res.stdout).strip()[-300:]}")
    loop = next(ln for ln in res.stdout.splitlines() if ln.startswith("drc_loop"))
    d_wall, d_cpu = (float(t.split("=")[1]) for t in loop.split()[1:3])
    rows = {r["id"]: r for r in csv.DictReader(open(fits_out), delimiter="\t")}

    fit_curves(x[:20], y[:20])  # JIT cache load outside the timing
    c0, t0 = time.process_time(), time.perf_counter()
    fits = fit_curves(x, y, curve_ids=ids)
    r_wall, r_cpu = time.perf_counter() - t0, time.process_time() - c0

    def num(s: str) -> float:
        return float(s) if s not in ("", "NA") else np.nan

    ok = np.array([rows[c]["ok"] == "TRUE" for c in ids])
    e_drc = np.array([num(rows[c]["e"]) for c in ids])
    rss_drc = np.array([num(rows[c]["rss"]) for c in ids])
    ok &= np.isfinite(e_drc) & (e_drc > 0) & np.isfinite(rss_drc)
    status = np.array(fits.status)
    both = ok & np.isfinite(fits.ec50) & (fits.ec50 > 0)
    dl = np.abs(np.log10(fits.ec50[both]) - np.log10(e_drc[both]))
    sig = both & (status == "sigmoid")
    dls = np.abs(np.log10(fits.ec50[sig]) - np.log10(e_drc[sig]))
    rss_ok = float(np.mean(fits.rss[ok] <= rss_drc[ok] * (1 + 1e-4))) if ok.any() else float("nan")
    n_nc = int((status == "not_converged").sum())
    print(f"[drc] {len(ids)} CCLE/GDSC curves: drc fitted {int(ok.sum())} in {d_wall:.2f} s wall / {d_cpu:.2f} s "
          f"CPU (loop inside R; whole Rscript {p_wall:.1f} s); rarepath fit_curves {r_wall:.3f} s wall / "
          f"{r_cpu:.3f} s CPU; ratio {d_wall / r_wall:.0f}x wall ({d_cpu / r_cpu:.0f}x CPU)")
    print(f"[drc] agreement on drc's fits: |dlog10 EC50| median {np.median(dl):.2g}, 99th pct "
          f"{np.percentile(dl, 99):.2g} (all {both.sum()}); median {np.median(dls):.2g}, 99th pct "
          f"{np.percentile(dls, 99):.2g} ({sig.sum()} rarepath sigmoid); RSS <= drc x (1 + 1e-4): "
          f"{100 * rss_ok:.2f} %; rarepath statuses "
          f"{ {str(s): int((status == s).sum()) for s in sorted(set(status))} } ({n_nc} not_converged)")
    return dict(ratio=d_wall / r_wall, ratio_cpu=d_cpu / r_cpu, rss_ok=rss_ok, curves=len(ids),
                med=float(np.median(dl)), p99=float(np.percentile(dl, 99)), med_sig=float(np.median(dls)),
                p99_sig=float(np.percentile(dls, 99)), not_converged=n_nc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--guides", type=int, default=200)
    ap.add_argument("--bulge-guides", type=int, default=200, help="guides of the one-bulge run (0 = skip)")
    ap.add_argument("--curves", type=int, default=2000)
    ap.add_argument("--build-dir", type=Path,
                    default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rarepath" / "peers")
    a = ap.parse_args(argv)
    a.build_dir.mkdir(parents=True, exist_ok=True)
    keys: dict[str, str] = {"casoffinder_ratio": "skipped", "sites_identical": "skipped",
                            "drc_ratio": "skipped", "drc_rss_ok": "skipped"}
    extra: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="rarepath-peers-") as tmp:
        work = Path(tmp)
        try:
            if a.guides <= 0:
                raise Skip("--guides 0")
            exe = build_casoffinder(a.build_dir)
            o = offtarget_part(exe, a.guides, a.bulge_guides, work)
            keys["casoffinder_ratio"] = f"{o['cmd_ratio']:.1f}"
            keys["sites_identical"] = str(o["identical"] and o.get("bulge_identical", True))
            extra.update(guides=str(o["guides"]), sites=str(o["sites"]),
                         casoffinder_warm_ratio=f"{o['warm_ratio']:.0f}",
                         casoffinder_ratio_cpu=f"{o['cmd_ratio_cpu']:.1f}")
            if "bulge_ratio" in o:
                extra.update(bulge_guides=str(o["bulge_guides"]), bulge_ratio=f"{o['bulge_ratio']:.0f}",
                             bulge_warm_ratio=f"{o['bulge_warm_ratio']:.0f}",
                             bulge_identical=str(o["bulge_identical"]),
                             bulge_default_left_out=str(o["bulge_default_left_out"]))
        except Skip as e:
            print(f"[offtargets] Cas-OFFinder skipped: {e}")
        try:
            if a.curves <= 0:
                raise Skip("--curves 0")
            lib = build_drc(a.build_dir)
            d = drc_part(lib, a.curves, work)
            keys["drc_ratio"] = f"{d['ratio']:.0f}"
            keys["drc_rss_ok"] = f"{d['rss_ok']:.4f}"
            extra.update(curves=str(d["curves"]), drc_ratio_cpu=f"{d['ratio_cpu']:.0f}",
                         drc_median_abs_dlog10_ec50=f"{d['med']:.2g}", drc_p99_abs_dlog10_ec50=f"{d['p99']:.2g}",
                         not_converged=str(d["not_converged"]))
        except Skip as e:
            print(f"[drc] skipped: {e}")
    print("peers: " + " ".join(f"{k}={v}" for k, v in {**keys, **extra}.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

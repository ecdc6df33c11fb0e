"""Numba kernel of the batched LL.4 Levenberg-Marquardt fit: one compiled loop per curve, curves in parallel.

Same algorithm as the NumPy path in `fit.py` (grid start with plateaus solved linearly, then LM with
Marquardt damping on the analytic Jacobian); it exists because the per-iteration NumPy temporaries
dominate the cost for 8-10-dose curves. Parameters are (b, c, d, ln e); a fixed plateau is given as a
finite value in `fix_c` / `fix_d` (NaN = free).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_FRACS = np.linspace(-0.25, 1.25, 16)
_SLOPES = np.array([0.3, 0.7, 1.5, 3.0, 6.0, 12.0, 25.0])
_CLASS = np.array([0, 0, 0, 1, 1, 2, 2])  # multi-start: LM runs from the best start of each class


@nb.njit(cache=True, inline="always")
def _sig(b, le, lxi):
    """s = 1/(1+exp(b(lx-le))), w = s(1-s), dlx (0 for dose 0)."""
    if math.isinf(lxi):
        s = 1.0 if b > 0 else (0.0 if b < 0 else 0.5)
        return s, 0.0, 0.0
    dl = lxi - le
    z = b * dl
    if z >= 0:
        ez = math.exp(-z)
        s = ez / (1.0 + ez)
    else:
        ez = math.exp(z)
        s = 1.0 / (1.0 + ez)
    return s, s * (1.0 - s), dl


@nb.njit(cache=True)
def _rss(p, lx, y, v, m):
    b, c, d, le = p[0], p[1], p[2], p[3]
    acc = 0.0
    for j in range(m):
        if v[j]:
            s, _, _ = _sig(b, le, lx[j])
            r = y[j] - (c + (d - c) * s)
            acc += r * r
    return acc


@nb.njit(cache=True)
def _solve4(a, g, out):
    """Gaussian elimination with partial pivoting on a 4x4 system; returns False when singular."""
    n = 4
    m = np.empty((4, 5))
    for i in range(n):
        for j in range(n):
            m[i, j] = a[i, j]
        m[i, 4] = g[i]
    for col in range(n):
        piv = col
        best = abs(m[col, col])
        for r in range(col + 1, n):
            if abs(m[r, col]) > best:
                best = abs(m[r, col])
                piv = r
        if best == 0.0 or not math.isfinite(best):
            return False
        if piv != col:
            for j in range(5):
                tmp = m[col, j]
                m[col, j] = m[piv, j]
                m[piv, j] = tmp
        for r in range(col + 1, n):
            f = m[r, col] / m[col, col]
            for j in range(col, 5):
                m[r, j] -= f * m[col, j]
    for i in range(n - 1, -1, -1):
        acc = m[i, 4]
        for j in range(i + 1, n):
            acc -= m[i, j] * out[j]
        out[i] = acc / m[i, i]
    return True


@nb.njit(cache=True)
def _grid(lx, y, v, m, fc, fd, lmin, lmax, both, starts, best):
    """Best (b, c, d, le) per slope class (shallow / medium / steep) over the grid; plateaus solved linearly."""
    free_c = math.isnan(fc)
    free_d = math.isnan(fd)
    span = max(lmax - lmin, 1e-6)
    for k in range(3):
        best[k] = np.inf
    ns = _SLOPES.shape[0]
    nsign = 2 if both else 1
    for fi in range(_FRACS.shape[0]):
        le = lmin + _FRACS[fi] * span
        for si in range(ns * nsign):
            b = _SLOPES[si % ns] * (1.0 if si < ns else -1.0)
            saa = sss = sas = say = ssy = 0.0
            for j in range(m):
                if v[j]:
                    s, _, _ = _sig(b, le, lx[j])
                    a = 1.0 - s
                    saa += a * a
                    sss += s * s
                    sas += a * s
                    say += a * y[j]
                    ssy += s * y[j]
            if free_c and free_d:
                det = saa * sss - sas * sas
                if abs(det) <= 1e-12 * max(saa * sss, 1e-300):
                    continue
                c = (say * sss - ssy * sas) / det
                d = (ssy * saa - say * sas) / det
            elif free_c:
                if saa <= 1e-12:
                    continue
                d = fd
                c = (say - d * sas) / saa
            else:
                if sss <= 1e-12:
                    continue
                c = fc
                d = (ssy - c * sas) / sss
            acc = 0.0
            for j in range(m):
                if v[j]:
                    s, _, _ = _sig(b, le, lx[j])
                    r = y[j] - (c + (d - c) * s)
                    acc += r * r
            k = _CLASS[si % ns]
            if acc < best[k]:
                best[k] = acc
                starts[k, 0] = b
                starts[k, 1] = c
                starts[k, 2] = d
                starts[k, 3] = le


@nb.njit(cache=True)
def _lm_one(lx, y, v, m, free_c, free_d, lmin, lmax, max_iter, tol, le_pad, b_max, p):
    """Levenberg-Marquardt from the start in p (updated in place); returns (rss, iterations, converged)."""
    le_lo = lmin - le_pad
    le_hi = lmax + le_pad
    rss = _rss(p, lx, y, v, m)
    lam = 1e-3
    jtj = np.zeros((4, 4))
    g = np.zeros(4)
    a = np.zeros((4, 4))
    step = np.zeros(4)
    cand = np.zeros(4)
    jrow = np.zeros(4)
    quiet = 0
    rejects = 0
    it = 0
    conv = False
    while it < max_iter:
        it += 1
        jtj[:, :] = 0.0
        g[:] = 0.0
        b, c, d, le = p[0], p[1], p[2], p[3]
        for j in range(m):
            if v[j]:
                s, w, dl = _sig(b, le, lx[j])
                r = y[j] - (c + (d - c) * s)
                jrow[0] = -(d - c) * w * dl
                jrow[1] = (1.0 - s) if free_c else 0.0
                jrow[2] = s if free_d else 0.0
                jrow[3] = (d - c) * w * b
                for q in range(4):
                    g[q] += jrow[q] * r
                    for t in range(4):
                        jtj[q, t] += jrow[q] * jrow[t]
        dmax = 0.0
        for q in range(4):
            dmax = max(dmax, jtj[q, q])
        for q in range(4):
            for t in range(4):
                a[q, t] = jtj[q, t]
            a[q, q] += lam * max(jtj[q, q], 1e-12 * dmax) + 1e-300
            if jtj[q, q] == 0.0:
                a[q, q] += 1.0
        ok = _solve4(a, g, step)
        new = np.inf
        if ok:
            for q in range(4):
                cand[q] = p[q] + step[q]
            cand[0] = min(max(cand[0], -b_max), b_max)
            cand[3] = min(max(cand[3], le_lo), le_hi)
            new = _rss(cand, lx, y, v, m)
        if math.isfinite(new) and new <= rss:
            rel = (rss - new) / max(rss, 1e-300)
            for q in range(4):
                p[q] = cand[q]
            rss = new
            lam = max(lam / 3.0, 1e-12)
            rejects = 0
            if rel < tol or rss < 1e-300:
                quiet += 1
            else:
                quiet = 0
        else:
            lam = min(lam * 4.0, 1e16)
            rejects += 1
        if quiet >= 3 or rejects >= 12:
            conv = True
            break
    return rss, it, conv


@nb.njit(cache=True, parallel=True)
def fit_batch(lx, y, v, fix_c, fix_d, lmin, lmax, both, max_iter, tol, le_pad, b_max):
    n, m = y.shape
    p = np.full((n, 4), np.nan)
    rss = np.full(n, np.nan)
    iters = np.zeros(n, dtype=np.int64)
    conv = np.zeros(n, dtype=np.bool_)
    for i in nb.prange(n):
        starts = np.zeros((3, 4))
        best = np.zeros(3)
        _grid(lx[i], y[i], v[i], m, fix_c[i], fix_d[i], lmin[i], lmax[i], both, starts, best)
        free_c = math.isnan(fix_c[i])
        free_d = math.isnan(fix_d[i])
        top = np.inf
        pi = np.zeros(4)
        for k in range(3):
            if not math.isfinite(best[k]):
                continue
            for q in range(4):
                pi[q] = starts[k, q]
            r, it, cv = _lm_one(lx[i], y[i], v[i], m, free_c, free_d, lmin[i], lmax[i], max_iter, tol, le_pad,
                                b_max, pi)
            iters[i] += it
            if r < top:
                top = r
                for q in range(4):
                    p[i, q] = pi[q]
                rss[i] = r
                conv[i] = cv
    return p, rss, iters, conv

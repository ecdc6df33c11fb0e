"""Numba kernels of the batched log-logistic fit and its residual bootstrap: one compiled loop per curve.

Same algorithm as the NumPy path in `fit.py` (grid start with plateaus solved linearly, then LM with
Marquardt damping on the analytic Jacobian); it exists because the per-iteration NumPy temporaries
dominate the cost for 8-10-dose curves. Parameters are (b, c, d, ln e); a fixed plateau is given as a
finite value in `fix_c` / `fix_d` (NaN = free).

Why it is fast (measured, see benchmarks/RESULTS.md):
- the grid factorises exp(b (lx - le)) = exp(b (lx - lmin)) * exp(-b (le - lmin)), so one slope costs one
  exp per dose and one per grid EC50 instead of two per (dose, grid point);
- one exp per dose per LM iteration: the sigmoid of an accepted candidate is kept and reused for the next
  Jacobian, and a rejected step reuses J'J (only the damping changes);
- the extra starting points (other slope classes) only run when the first fit looks poor (not converged,
  at a bound, steep) or their grid RSS is within `ms_factor` of the first fit's final RSS (see `_fit_one`);
- LM stops when the RSS gain per step is below tol twice, or below 1e-6 relative over 5 accepted steps
  (a fit crawling along a flat valley; drc's own optimiser stops at a relative 1e-7 per step);
- no allocation per curve: work buffers per block of curves, blocks scheduled dynamically over threads;
- the Gauss-Newton covariance diagonal (for the EC50 and slope standard errors) is computed here too.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_FRACS = np.linspace(-0.25, 1.25, 16)
_SLOPES = np.array([0.05, 0.12, 0.3, 0.7, 1.5, 3.0, 6.0, 12.0, 25.0])
_CLASS = np.array([0, 0, 0, 0, 0, 1, 1, 2, 2])  # multi-start: LM runs from the best start of each class
_N_SHALLOW = 2  # leading very shallow slopes, only gridded when the slope sign is free (fixed plateau)
_EXP_SAFE = 600.0  # |exponent| below which the factorised grid cannot overflow
BLOCK = 32  # curves per parallel work item
_STALL_STEPS = 5  # accepted LM steps per stall window
_STALL_TOL = 1e-6  # relative RSS gain over a window below which the fit counts as converged (drc: reltol 1e-7)
_SIGNAL = 0.8  # steep / RSS-ratio tests for extra starts apply when first-fit RSS < this x flat-model RSS
_B_STEEP = 10.0  # |slope| above which the first fit counts as poor (more starts are tried)


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
def _eval(p, lx, y, v, m, sb, wb, db):
    """RSS at p; stores s, w, dlx per dose in the buffers for the Jacobian."""
    b, c, d, le = p[0], p[1], p[2], p[3]
    acc = 0.0
    for j in range(m):
        if v[j]:
            s, w, dl = _sig(b, le, lx[j])
            sb[j] = s
            wb[j] = w
            db[j] = dl
            r = y[j] - (c + (d - c) * s)
            acc += r * r
    return acc


@nb.njit(cache=True)
def _normal(p, y, v, m, sb, wb, db, free_c, free_d, jtj, g):
    """J'J and J'r from the stored sigmoid parts (no exp)."""
    b, c, d = p[0], p[1], p[2]
    dc = d - c
    fc = 1.0 if free_c else 0.0
    fd = 1.0 if free_d else 0.0
    g0 = g1 = g2 = g3 = 0.0
    a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
    for j in range(m):
        if v[j]:
            s = sb[j]
            w = wb[j]
            r = y[j] - (c + dc * s)
            j0 = -dc * w * db[j]
            j1 = (1.0 - s) * fc
            j2 = s * fd
            j3 = dc * w * b
            g0 += j0 * r
            g1 += j1 * r
            g2 += j2 * r
            g3 += j3 * r
            a00 += j0 * j0
            a01 += j0 * j1
            a02 += j0 * j2
            a03 += j0 * j3
            a11 += j1 * j1
            a12 += j1 * j2
            a13 += j1 * j3
            a22 += j2 * j2
            a23 += j2 * j3
            a33 += j3 * j3
    g[0], g[1], g[2], g[3] = g0, g1, g2, g3
    jtj[0, 0], jtj[0, 1], jtj[0, 2], jtj[0, 3] = a00, a01, a02, a03
    jtj[1, 0], jtj[1, 1], jtj[1, 2], jtj[1, 3] = a01, a11, a12, a13
    jtj[2, 0], jtj[2, 1], jtj[2, 2], jtj[2, 3] = a02, a12, a22, a23
    jtj[3, 0], jtj[3, 1], jtj[3, 2], jtj[3, 3] = a03, a13, a23, a33


@nb.njit(cache=True)
def _cholesky(a, low):
    """Lower Cholesky factor of a 4x4 SPD matrix into `low`; False when not numerically positive definite."""
    dmax = 0.0
    for q in range(4):
        dmax = max(dmax, a[q, q])
    for i in range(4):
        for j in range(i + 1):
            acc = a[i, j]
            for k in range(j):
                acc -= low[i, k] * low[j, k]
            if i == j:
                if not (acc > 1e-14 * dmax) or not math.isfinite(acc):
                    return False
                low[i, i] = math.sqrt(acc)
            else:
                low[i, j] = acc / low[j, j]
    return True


@nb.njit(cache=True)
def _chol_solve(low, g, out):
    for i in range(4):
        acc = g[i]
        for k in range(i):
            acc -= low[i, k] * out[k]
        out[i] = acc / low[i, i]
    for i in range(3, -1, -1):
        acc = out[i]
        for k in range(i + 1, 4):
            acc -= low[k, i] * out[k]
        out[i] = acc / low[i, i]


@nb.njit(cache=True)
def _inv_diag(low, q, z):
    """(A^-1)[q, q] = |L^-1 e_q|^2 from the Cholesky factor (z: scratch of length 4)."""
    acc2 = 0.0
    for i in range(q, 4):
        acc = 1.0 if i == q else 0.0
        for k in range(q, i):
            acc -= low[i, k] * z[k]
        z[i] = acc / low[i, i]
        acc2 += z[i] * z[i]
    return acc2


@nb.njit(cache=True)
def _grid(lx, y, v, m, fc, fd, lmin, lmax, both, starts, best, eb):
    """Best (b, c, d, le) per slope class (shallow / medium / steep) over the grid; plateaus solved linearly."""
    free_c = math.isnan(fc)
    free_d = math.isnan(fd)
    span = max(lmax - lmin, 1e-6)
    factor = _SLOPES[-1] * 1.5 * span < _EXP_SAFE
    for k in range(3):
        best[k] = np.inf
    ns = _SLOPES.shape[0]
    nsign = 2 if both else 1
    nf = _FRACS.shape[0]
    syy = 0.0
    for j in range(m):
        if v[j]:
            syy += y[j] * y[j]
    for si in range(ns * nsign):
        if not both and si % ns < _N_SHALLOW:  # LL.4's free plateaus absorb shallow trends; LL.3u needs them
            continue
        b = _SLOPES[si % ns] * (1.0 if si < ns else -1.0)
        if factor:
            for j in range(m):
                if v[j]:
                    eb[j] = math.exp(b * (lx[j] - lmin))  # 0 or inf for dose 0 (lx = -inf), as s needs
        for fi in range(nf):
            le = lmin + _FRACS[fi] * span
            kf = math.exp(-b * (le - lmin)) if factor else 0.0
            saa = sss = sas = say = ssy = 0.0
            for j in range(m):
                if v[j]:
                    if factor:
                        s = 1.0 / (1.0 + eb[j] * kf)
                    else:
                        s, _, _ = _sig(b, le, lx[j])
                    a = 1.0 - s
                    saa += a * a
                    sss += s * s
                    sas += a * s
                    say += a * y[j]
                    ssy += s * y[j]
            # RSS in closed form from the normal equations (no second pass over the doses)
            if free_c and free_d:
                det = saa * sss - sas * sas
                if abs(det) <= 1e-12 * max(saa * sss, 1e-300):
                    continue
                c = (say * sss - ssy * sas) / det
                d = (ssy * saa - say * sas) / det
                acc = syy - c * say - d * ssy
            elif free_c:
                if saa <= 1e-12:
                    continue
                d = fd
                c = (say - d * sas) / saa
                acc = syy - 2.0 * d * ssy + d * d * sss - c * (say - d * sas)
            else:
                if sss <= 1e-12:
                    continue
                c = fc
                d = (ssy - c * sas) / sss
                acc = syy - 2.0 * c * say + c * c * saa - d * (ssy - c * sas)
            k = _CLASS[si % ns]
            if acc < best[k]:
                best[k] = acc
                starts[k, 0] = b
                starts[k, 1] = c
                starts[k, 2] = d
                starts[k, 3] = le


@nb.njit(cache=True)
def _lm_one(lx, y, v, m, free_c, free_d, le_lo, le_hi, max_iter, tol, b_max, p, wk, mk):
    """Levenberg-Marquardt from the start in p (updated in place); returns (rss, iterations, converged).

    wk: (6, m) work rows (s, w, dlx at the current point, then at the candidate); mk: (4, 4, 4) work
    matrices (J'J, damped system, Cholesky factor, then rows gradient / step / candidate / scratch).
    """
    sb, wb, db = wk[0], wk[1], wk[2]
    sc, wc, dcb = wk[3], wk[4], wk[5]
    jtj, a, low = mk[0], mk[1], mk[2]
    vec = mk[3]
    g, step, cand = vec[0], vec[1], vec[2]
    rss = _eval(p, lx, y, v, m, sb, wb, db)
    if not math.isfinite(rss):
        return rss, 0, False
    lam = 1e-3
    quiet = 0
    rejects = 0
    it = 0
    conv = False
    need = True
    win_rss = rss  # stall test: RSS at the start of the current window of accepted steps
    win_n = 0
    while it < max_iter:
        it += 1
        if need:
            _normal(p, y, v, m, sb, wb, db, free_c, free_d, jtj, g)
            need = False
        dmax = 0.0
        for q in range(4):
            dmax = max(dmax, jtj[q, q])
        for q in range(4):
            for t in range(4):
                a[q, t] = jtj[q, t]
            a[q, q] += lam * max(jtj[q, q], 1e-12 * dmax) + 1e-300
            if jtj[q, q] == 0.0:
                a[q, q] += 1.0
        new = np.inf
        if _cholesky(a, low):
            _chol_solve(low, g, step)
            for q in range(4):
                cand[q] = p[q] + step[q]
            cand[0] = min(max(cand[0], -b_max), b_max)
            cand[3] = min(max(cand[3], le_lo), le_hi)
            new = _eval(cand, lx, y, v, m, sc, wc, dcb)
        if math.isfinite(new) and new <= rss:
            rel = (rss - new) / max(rss, 1e-300)
            for q in range(4):
                p[q] = cand[q]
            for j in range(m):
                sb[j] = sc[j]
                wb[j] = wc[j]
                db[j] = dcb[j]
            need = True
            rss = new
            lam = max(lam / 3.0, 1e-12)
            rejects = 0
            if rel < tol or rss < 1e-300:
                quiet += 1
            else:
                quiet = 0
            win_n += 1
            if win_n == _STALL_STEPS:
                # crawling along a flat valley (e.g. a step-like fit whose slope keeps growing): the RSS
                # gain per step is above tol but the total over the window is negligible
                if win_rss - rss <= _STALL_TOL * win_rss:
                    conv = True
                    break
                win_rss = rss
                win_n = 0
        else:
            lam = min(lam * 4.0, 1e16)
            rejects += 1
        if quiet >= 2 or rejects >= 12:
            conv = True
            break
    return rss, it, conv


@nb.njit(cache=True)
def _cov_diag(p, lx, y, v, m, free_c, free_d, wk, mk):
    """Diagonal entries (b, ln e) of (J'J)^-1 at p over the free parameters; NaN when singular."""
    jtj, low = mk[0], mk[2]
    g = mk[3][0]
    _eval(p, lx, y, v, m, wk[0], wk[1], wk[2])
    _normal(p, y, v, m, wk[0], wk[1], wk[2], free_c, free_d, jtj, g)
    for q in range(4):
        if jtj[q, q] == 0.0:
            for t in range(4):
                jtj[q, t] = 0.0
                jtj[t, q] = 0.0
            jtj[q, q] = 1.0
    if not _cholesky(jtj, low):
        return np.nan, np.nan
    return _inv_diag(low, 0, mk[3][3]), _inv_diag(low, 3, mk[3][3])


@nb.njit(cache=True)
def _rss_flat(y, v, m):
    """RSS of the constant model (the F-test's null)."""
    acc = 0.0
    n = 0
    for j in range(m):
        if v[j]:
            acc += y[j]
            n += 1
    mean = acc / max(n, 1)
    acc = 0.0
    for j in range(m):
        if v[j]:
            acc += (y[j] - mean) ** 2
    return acc


@nb.njit(cache=True)
def _fit_one(i, lx, y, v, m, fix_c, fix_d, lmin, lmax, both, max_iter, tol, le_pad, b_max, ms_factor, extra_iter,
             p, rss, iters, conv, inv_b, inv_le, nstart, starts, best, wk, mk, pi):
    _grid(lx[i], y[i], v[i], m, fix_c[i], fix_d[i], lmin[i], lmax[i], both, starts, best, wk[0])
    free_c = math.isnan(fix_c[i])
    free_d = math.isnan(fix_d[i])
    le_lo = lmin[i] - le_pad
    le_hi = lmax[i] + le_pad
    # classes by grid RSS, best first
    order = np.zeros(3, dtype=np.int64)
    order[0], order[1], order[2] = 0, 1, 2
    for a in range(3):
        for b in range(2 - a):
            if best[order[b + 1]] < best[order[b]]:
                order[b], order[b + 1] = order[b + 1], order[b]
    top = np.inf
    first_rss = np.inf
    poor = True
    close = True
    for oi in range(3):
        k = order[oi]
        if not math.isfinite(best[k]):
            continue
        if oi > 0 and not poor and (not close or best[k] > first_rss * ms_factor):
            continue
        for q in range(4):
            pi[q] = starts[k, q]
        r, it, cv = _lm_one(lx[i], y[i], v[i], m, free_c, free_d, le_lo, le_hi, max_iter, tol, b_max, pi, wk, mk)
        iters[i] += it
        nstart[i] += 1
        if oi == 0:
            first_rss = r
            # More starts when the first fit is not converged or sits at an EC50 bound; and, when the fit
            # explains more than 1 - _SIGNAL of the variance, when it is steep (likelihood plateau in b,
            # local minima common) or another class's grid RSS is within ms_factor of its RSS. Near-flat
            # data is excluded from the last two tests: there every grid start has about the flat RSS, a
            # steep fit is noise fitted by a step, and LM from each start crawls (measured: 3x the work).
            close = r < _SIGNAL * _rss_flat(y[i], v[i], m)
            poor = (not cv) or (close and abs(pi[0]) >= _B_STEEP) or pi[3] <= le_lo + 1e-9 or pi[3] >= le_hi - 1e-9
        if r < top:
            top = r
            for q in range(4):
                p[i, q] = pi[q]
            rss[i] = r
            conv[i] = cv
    if math.isfinite(top) and not conv[i] and extra_iter > 0:
        # Still improving at the limit: on real screens these are mostly fits whose optimum lies at infinity
        # (bottom -> -inf with EC50 -> +inf), crawling along the valley. Continue from the best point with the
        # extended budget, then restart every slope class with it; the lowest RSS wins.
        for q in range(4):
            pi[q] = p[i, q]
        r, it, cv = _lm_one(lx[i], y[i], v[i], m, free_c, free_d, le_lo, le_hi, extra_iter, tol, b_max, pi, wk, mk)
        iters[i] += it
        nstart[i] += 1
        if r <= rss[i]:
            for q in range(4):
                p[i, q] = pi[q]
            rss[i] = r
            conv[i] = cv
        for oi in range(3):
            k = order[oi]
            if conv[i] or not math.isfinite(best[k]):
                continue
            for q in range(4):
                pi[q] = starts[k, q]
            r, it, cv = _lm_one(lx[i], y[i], v[i], m, free_c, free_d, le_lo, le_hi, extra_iter, tol, b_max, pi,
                                wk, mk)
            iters[i] += it
            nstart[i] += 1
            if r < rss[i] or (cv and r <= rss[i] * (1.0 + 1e-12)):
                for q in range(4):
                    p[i, q] = pi[q]
                rss[i] = r
                conv[i] = cv
    if math.isfinite(top):
        for q in range(4):
            pi[q] = p[i, q]
        ib, il = _cov_diag(pi, lx[i], y[i], v[i], m, free_c, free_d, wk, mk)
        inv_b[i] = ib
        inv_le[i] = il


@nb.njit(cache=True, parallel=True)
def fit_batch(lx, y, v, fix_c, fix_d, lmin, lmax, both, max_iter, tol, le_pad, b_max, ms_factor, extra_iter):
    """Fit every curve (rows of lx/y/v); curves not converged after `max_iter` iterations continue for up to
    `extra_iter` more (see `_fit_one`). Returns p (b, c, d, le), rss, iterations, converged, the (J'J)^-1
    diagonal for b and le, and the number of LM starts run."""
    n, m = y.shape
    p = np.full((n, 4), np.nan)
    rss = np.full(n, np.nan)
    iters = np.zeros(n, dtype=np.int64)
    conv = np.zeros(n, dtype=np.bool_)
    inv_b = np.full(n, np.nan)
    inv_le = np.full(n, np.nan)
    nstart = np.zeros(n, dtype=np.int64)
    nblk = (n + BLOCK - 1) // BLOCK
    for bi in nb.prange(nblk):
        starts = np.zeros((3, 4))
        best = np.zeros(3)
        wk = np.zeros((6, max(m, 1)))
        mk = np.zeros((4, 4, 4))
        pi = np.zeros(4)
        for i in range(bi * BLOCK, min(n, (bi + 1) * BLOCK)):
            _fit_one(i, lx, y, v, m, fix_c, fix_d, lmin, lmax, both, max_iter, tol, le_pad, b_max, ms_factor,
                     extra_iter, p, rss, iters, conv, inv_b, inv_le, nstart, starts, best, wk, mk, pi)
    return p, rss, iters, conv, inv_b, inv_le, nstart


# ----------------------------------------------------------------------------------------------- bootstrap

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@nb.njit(cache=True, inline="always")
def _splitmix(z):
    """SplitMix64 finaliser: a counter-based generator, so draw (curve, resample, dose) is reproducible
    whatever the thread schedule or chunking."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True)
def _quantile_sorted(a, n, q):
    """Linear-interpolation quantile (numpy's default, type 7) of the sorted a[:n]."""
    h = (n - 1) * q
    lo = int(math.floor(h))
    hi = min(lo + 1, n - 1)
    return a[lo] + (h - lo) * (a[hi] - a[lo])


@nb.njit(cache=True)
def _boot_one(i, gid, lx, y, v, m, fix_c, fix_d, lmin, lmax, p_hat, n_boot, seed, max_iter, tol, le_pad, b_max,
              qs, lo_hi, sd_le, n_ok, n_conv, wk, mk, pi, fhat, res, ys, vidx, buf):
    free_c = math.isnan(fix_c[i])
    free_d = math.isnan(fix_d[i])
    k = 2 + (1 if free_c else 0) + (1 if free_d else 0)
    le_lo = lmin[i] - le_pad
    le_hi = lmax[i] + le_pad
    b, c, d, le = p_hat[i, 0], p_hat[i, 1], p_hat[i, 2], p_hat[i, 3]
    nv = 0
    mean = 0.0
    for j in range(m):
        if v[i, j]:
            s, _, _ = _sig(b, le, lx[i, j])
            fhat[j] = c + (d - c) * s
            res[j] = y[i, j] - fhat[j]
            mean += res[j]
            vidx[nv] = j
            nv += 1
    if nv <= k:
        return
    mean /= nv
    infl = math.sqrt(nv / (nv - k))  # residuals are too small by the fitted degrees of freedom
    for j in range(m):
        if v[i, j]:
            res[j] = (res[j] - mean) * infl
    key = _splitmix(seed ^ _splitmix(np.uint64(gid)))
    ok = 0
    nc = 0
    for r in range(n_boot):
        st = _splitmix(key + np.uint64(r))
        for j in range(m):
            if v[i, j]:
                st = _splitmix(st)
                u = float(st >> np.uint64(11)) * _INV53
                t = min(int(u * nv), nv - 1)
                ys[j] = fhat[j] + res[vidx[t]]
        for q in range(4):
            pi[q] = p_hat[i, q]
        rss, _, cv = _lm_one(lx[i], ys, v[i], m, free_c, free_d, le_lo, le_hi, max_iter, tol, b_max, pi, wk, mk)
        if not math.isfinite(rss):
            continue
        if free_c and free_d and pi[1] > pi[2]:  # same curve, reported with c <= d as in the point fit
            pi[0], pi[1], pi[2] = -pi[0], pi[2], pi[1]
        for q in range(4):
            buf[q, ok] = pi[q]
        ok += 1
        if cv:
            nc += 1
    n_ok[i] = ok
    n_conv[i] = nc
    if ok == 0:
        return
    acc = 0.0
    acc2 = 0.0
    for t in range(ok):
        acc += buf[3, t]
    acc /= ok
    for t in range(ok):
        acc2 += (buf[3, t] - acc) ** 2
    sd_le[i] = math.sqrt(acc2 / max(ok - 1, 1))
    for q in range(4):
        col = np.sort(buf[q, :ok])
        for t in range(qs.shape[0]):
            lo_hi[i, q, t] = _quantile_sorted(col, ok, qs[t])


@nb.njit(cache=True, parallel=True)
def bootstrap_batch(lx, y, v, fix_c, fix_d, lmin, lmax, p_hat, gids, n_boot, seed, max_iter, tol, le_pad, b_max,
                    qs):
    """Residual bootstrap of every row with finite p_hat: returns quantiles qs of (b, c, d, le) per curve
    (n, 4, len(qs)), the standard deviation of le, and the counts of finite and converged refits."""
    n, m = y.shape
    lo_hi = np.full((n, 4, qs.shape[0]), np.nan)
    sd_le = np.full(n, np.nan)
    n_ok = np.zeros(n, dtype=np.int64)
    n_conv = np.zeros(n, dtype=np.int64)
    nblk = (n + BLOCK - 1) // BLOCK
    for bi in nb.prange(nblk):
        wk = np.zeros((6, max(m, 1)))
        mk = np.zeros((4, 4, 4))
        pi = np.zeros(4)
        fhat = np.zeros(max(m, 1))
        res = np.zeros(max(m, 1))
        ys = np.zeros(max(m, 1))
        vidx = np.zeros(max(m, 1), dtype=np.int64)
        buf = np.zeros((4, max(n_boot, 1)))
        for i in range(bi * BLOCK, min(n, (bi + 1) * BLOCK)):
            finite = True
            for q in range(4):
                if not math.isfinite(p_hat[i, q]):
                    finite = False
            if finite:
                _boot_one(i, gids[i], lx, y, v, m, fix_c, fix_d, lmin, lmax, p_hat, n_boot, seed, max_iter, tol,
                          le_pad, b_max, qs, lo_hi, sd_le, n_ok, n_conv, wk, mk, pi, fhat, res, ys, vidx, buf)
    return lo_hi, sd_le, n_ok, n_conv

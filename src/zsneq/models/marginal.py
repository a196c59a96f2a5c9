"""The hierarchical regression with its group slopes integrated out, exactly.

Model (non-centered, as in the thread): ``b_g = beta + tau * eps_g`` for groups
g = 1..G, each predictor's offsets ``eps[:, k]`` ZeroSumNormal over groups, and
``y_g ~ Normal(X_g b_g, sigma)``. The ZeroSumNormal over groups is the standard
normal ``eps_g ~ N(0, I_P)`` (independent across groups) *conditioned on*
``S = sum_g eps_g = 0``. So with ``p_u`` the unconstrained model,

    p(y | beta, tau, sigma) = prod_g p_u(y_g) * p_u(S = 0 | y) / p_u(S = 0).

Given y, the unconstrained offsets are independent across groups,
``eps_g | y ~ N(m_g, V_g)`` with precision ``Lambda_g = I + s K_g s`` (``K_g = X_g'X_g``,
``s = tau / sigma``), so ``S | y ~ N(sum m_g, W = sum V_g)``: the zero-sum constraint
couples the groups only through this rank-P term. ``p_u(y_g)`` uses Woodbury and
the matrix determinant lemma on the P x P matrix ``Lambda_g``; nothing of size n_g
or G x G is formed. The data enter only through the per-group sufficient
statistics (``zsneq.sufficient``).

The log likelihood and its gradient are computed in compiled code (P x P Cholesky factors
per group), in one pass over the groups a block of groups at a time, exposed to PyTensor as one Op.
The gradient uses Fisher's identity: the gradient of the log marginal likelihood is
the conditional expectation of the complete-data gradient, which needs only the
first two moments of ``eps | y`` under the constraint. Those moments depend on the coupling
(``lam = W^-1 sum_g m_g`` and ``W^-1``), known only once every group has been seen; expanded in
``lam`` and ``W^-1``, the gradient is a fixed combination of sums over groups that do not depend on
them (O(P^3) per group), so the statistics stream through memory once per gradient.

Everything is exact up to rounding, constants included. One difference of positive
terms remains (the Woodbury form of the quadratic, ``(rss + ||d||^2) / sigma^2 - ||h||^2``);
its rounding error relative to the result grows like ``n_g tau^2 / sigma^2``, so it
matters only when a single group determines its slopes to within about 1e-6 of tau. The expanded
gradient subtracts ``V_g lam`` from ``m_g`` after summing rather than before: its rounding relative
to the gradient grows like the square of ``|m_g| / |m_g - V_g lam|``, which is large only far from the
posterior, where all groups' offsets are shifted alike (the value is not affected).

``eps | y, theta`` under the constraint is Gaussian too. Exact draws: draw the
unconstrained ``eps_g ~ N(m_g, V_g)`` and subtract ``V_g W^-1 sum_h eps_h``
(conditioning by kriging), which makes the offsets sum to zero over groups.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numba
import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import DisconnectedType, disconnected_type
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from zsneq.models.numba_cache import lock_numba_cache_saves
from zsneq.models.sufficient import GroupStats

LOG_2PI = math.log(2.0 * math.pi)

# The kernels called from Python (loglik_and_grad, _conditional_logp) are kept in numba's on-disk cache,
# so that a process that evaluates them outside a compiled model (the structural checks) loads them
# instead of compiling them for about 15 s. Without fast-math, a cached kernel
# is the same machine code as a fresh one. Numba invalidates the cache when this file changes.
lock_numba_cache_saves()


# Helpers called only from compiled code need no Python entry point (cheaper to compile).
_inner = numba.njit(cache=False, no_cpython_wrapper=True, no_cfunc_wrapper=True)

# Compiled kernels. Per-group P x P quantities are stored group axis last, (P, P, G): every loop
# below runs over groups innermost, on contiguous vectors of a block's groups.


@_inner
def _moments(beta, tau, sigma, r, c, xtx):
    """Per-group quantities of the unconstrained model at (beta, tau, sigma), all group axis last.

    Returns ``m`` (P, G) and ``V`` (P, P, G, lower triangle), mean and covariance of ``eps_g | y``;
    ``chol`` (P, P, G), lower Cholesky factor of the precision ``Lambda_g = V_g^-1``;
    ``e = X_g'(y_g - X_g beta)`` (P, G); and three sums over groups: ``||c_g - R_g beta||^2``,
    ``log det chol_g`` and ``u_g' m_g`` with ``u_g = s e_g / sigma``.
    """
    P, G = c.shape
    m, e, d, u, h = np.empty((P, G)), np.empty((P, G)), np.empty((P, G)), np.empty((P, G)), np.empty((P, G))
    V, chol, inv = np.empty((P, P, G)), np.empty((P, P, G)), np.empty((P, P, G))
    dd, logdet, hh = _moments_into(beta, tau, sigma, r, c, xtx, m, V, e, chol, d, u, inv, h)
    return m, V, chol, e, dd, logdet, hh


@_inner
def _moments_into(beta, tau, sigma, r, c, xtx, m, V, e, chol, d, u, inv, h):
    """:func:`_moments` into given arrays: ``m``, ``V`` (its lower triangle), ``e``, ``chol``, and
    workspace ``d``, ``u``, ``inv``, ``h`` (all overwritten); returns the three sums."""
    P, G = c.shape
    s = np.empty(P)
    for i in range(P):
        s[i] = tau[i] / sigma
    e[:] = 0.0
    chol[:] = 0.0
    inv[:] = 0.0
    h[:] = 0.0
    m[:] = 0.0
    dd = 0.0
    logdet = 0.0
    hh = 0.0
    # R is upper triangular: only its entries r[i, j] with i <= j are read (the others are zero), so a
    # block's lower-triangle vectors never travel from memory
    for i in range(P):  # d = c - R beta
        for g in range(G):
            d[i, g] = c[i, g]
        for j in range(i, P):
            b = beta[j]
            for g in range(G):
                d[i, g] -= r[i, j, g] * b
        for g in range(G):
            dd += d[i, g] * d[i, g]
    for j in range(P):  # e = R'd, u = s e / sigma
        for i in range(j + 1):
            for g in range(G):
                e[j, g] += r[i, j, g] * d[i, g]
        f = s[j] / sigma
        for g in range(G):
            u[j, g] = f * e[j, g]
    for j in range(P):  # Cholesky of Lambda = I + diag(s) X'X diag(s)
        for g in range(G):
            chol[j, j, g] = 1.0 + s[j] * s[j] * xtx[j, j, g]
        for k in range(j):
            for g in range(G):
                chol[j, j, g] -= chol[j, k, g] * chol[j, k, g]
        for g in range(G):
            chol[j, j, g] = math.sqrt(chol[j, j, g])
            logdet += math.log(chol[j, j, g])
        for i in range(j + 1, P):
            for g in range(G):
                chol[i, j, g] = s[i] * s[j] * xtx[i, j, g]
            for k in range(j):
                for g in range(G):
                    chol[i, j, g] -= chol[i, k, g] * chol[j, k, g]
            for g in range(G):
                chol[i, j, g] /= chol[j, j, g]
    for i in range(P):  # inv = chol^-1 (lower)
        for g in range(G):
            inv[i, i, g] = 1.0 / chol[i, i, g]
        for j in range(i):
            for k in range(j, i):
                for g in range(G):
                    inv[i, j, g] -= chol[i, k, g] * inv[k, j, g]
            for g in range(G):
                inv[i, j, g] *= inv[i, i, g]
    for i in range(P):  # h = inv u
        for k in range(i + 1):
            for g in range(G):
                h[i, g] += inv[i, k, g] * u[k, g]
        for g in range(G):
            hh += h[i, g] * h[i, g]
    for i in range(P):  # m = inv' h, V = inv' inv
        for k in range(i, P):
            for g in range(G):
                m[i, g] += inv[k, i, g] * h[k, g]
        for j in range(i + 1):
            for g in range(G):
                V[i, j, g] = 0.0
            for k in range(i, P):
                for g in range(G):
                    V[i, j, g] += inv[k, i, g] * inv[k, j, g]
    return dd, logdet, hh


@_inner
def _matvec(a, x):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i] += a[i, j] * x[j]
    return out


@_inner
def _small_cholesky(a):
    """Lower Cholesky factor of a small symmetric positive definite matrix (only its lower triangle is read)."""
    P = a.shape[0]
    out = np.zeros((P, P))
    for j in range(P):
        acc = a[j, j]
        for k in range(j):
            acc -= out[j, k] * out[j, k]
        out[j, j] = math.sqrt(acc)
        for i in range(j + 1, P):
            acc = a[i, j]
            for k in range(j):
                acc -= out[i, k] * out[j, k]
            out[i, j] = acc / out[j, j]
    return out


@_inner
def _constraint(m, V):
    """The rank-P coupling term. With ``W = sum_g V_g = F F'`` (Cholesky) and ``mS = sum_g m_g``:
    ``mS``, ``W^-1``, ``log det F`` and ``||F^-1 mS||^2``."""
    P = m.shape[0]
    W = np.zeros((P, P))
    mS = np.zeros(P)
    _add_sums(m, V, mS, W)
    Winv, half_logdet, quad = _coupling(mS, W)
    return mS, Winv, half_logdet, quad


@_inner
def _coupling(mS, W):
    """``W^-1``, ``log det F`` and ``||F^-1 mS||^2`` for ``W = F F'`` (Cholesky; only ``W``'s lower
    triangle is read)."""
    P = mS.shape[0]
    F = _small_cholesky(W)
    Finv = np.zeros((P, P))
    for i in range(P):
        Finv[i, i] = 1.0 / F[i, i]
        for j in range(i):
            acc = 0.0
            for k in range(j, i):
                acc -= F[i, k] * Finv[k, j]
            Finv[i, j] = acc * Finv[i, i]
    Winv = np.zeros((P, P))
    half_logdet = 0.0
    quad = 0.0
    for i in range(P):
        half_logdet += math.log(F[i, i])
        acc = 0.0
        for k in range(i + 1):
            acc += Finv[i, k] * mS[k]
        quad += acc * acc
        for j in range(P):
            for k in range(max(i, j), P):
                Winv[i, j] += Finv[k, i] * Finv[k, j]
    return Winv, half_logdet, quad


BLOCK_GROUPS = 128  # groups per block of loglik_and_grad: a block's per-group arrays stay in the CPU caches


@numba.njit(cache=True)
def loglik_and_grad(beta, tau, sigma, n, rss, r, c, xtx, block=BLOCK_GROUPS):
    """Exact log marginal likelihood and its gradient with respect to beta, tau and sigma.

    ``sigma`` is a 0-d array (as PyTensor passes scalars); the value and the sigma
    gradient are returned as 0-d arrays.

    One pass over the groups, a ``block`` of groups at a time: a block's statistics are copied into
    small arrays, its moments computed (``_moments_into``) and its share of the gradient added into sums
    kept one per position in the block (``_accumulate``); then the rank-P coupling (``_coupling``) and
    the gradient from those sums (``_gradient``). Within a block every loop runs over contiguous groups
    (vectorized) and its arrays stay in the CPU caches; the statistics stream through memory once per
    gradient, so the cost per group stays about flat from a thousand groups to a hundred thousand.
    """
    P, G = c.shape
    sigma = sigma.item()
    B = max(1, min(G, block))
    n_total = 0.0
    ss_total = 0.0
    for g in range(G):
        n_total += n[g]
        ss_total += rss[g]
    rb, cb, xb = np.zeros((P, P, B)), np.zeros((P, B)), np.zeros((P, P, B))  # a block's statistics
    m, V, e = np.empty((P, B)), np.empty((P, P, B)), np.empty((P, B))  # its moments
    chol, inv, d, u, h = np.empty((P, P, B)), np.empty((P, P, B)), np.empty((P, B)), np.empty((P, B)), np.empty((P, B))
    y, Z = np.empty((P, B)), np.empty((P, P, B))
    sums1, sums2, sums3 = np.zeros((5, P, B)), np.zeros((4, P, P, B)), np.zeros((P, P, P, B))
    dd = 0.0
    logdet = 0.0
    hh = 0.0
    for g0 in range(0, G, B):
        k = min(B, G - g0)  # groups in this block; past them (the last block) zeros, left out of the sums
        _copy_block(r, c, xtx, g0, k, rb, cb, xb)
        ddb, logdetb, hhb = _moments_into(beta, tau, sigma, rb, cb, xb, m, V, e, chol, d, u, inv, h)
        dd += ddb
        logdet += logdetb
        hh += hhb
        _accumulate(m, V, e, xb, tau, k, y, Z, sums1, sums2, sums3)
    totals1, totals2, totals3 = _fold_lanes(sums1), _fold_lanes(sums2), _fold_lanes(sums3)
    Winv, half_logdet_w, quad_w = _coupling(totals1[0], totals2[0])  # sum_g m_g; sum_g V_g, lower triangle
    ss_total += dd
    value = (
        -0.5 * n_total * LOG_2PI
        - n_total * math.log(sigma)
        - logdet
        - 0.5 * ss_total / sigma**2
        + 0.5 * hh
        - half_logdet_w
        - 0.5 * quad_w
        + 0.5 * P * math.log(G)
    )
    g_beta, g_tau, quad = _gradient(totals1, totals2, totals3, Winv, tau)
    quad += ss_total
    s2 = sigma**2
    for i in range(P):
        g_beta[i] /= s2
        g_tau[i] /= s2
    return np.array(value), g_beta, g_tau, np.array(-n_total / sigma + quad / (s2 * sigma))


@_inner
def _copy_block(r, c, xtx, g0, k, rb, cb, xb):
    """Groups ``g0:g0 + k`` of the statistics that the kernel reads (R's upper triangle, c and X'X's
    lower triangle, X'X being symmetric) into the first ``k`` groups of ``rb``, ``cb`` and ``xb``."""
    P = cb.shape[0]
    for i in range(P):
        for j in range(i, P):
            for g in range(k):
                rb[i, j, g] = r[i, j, g0 + g]
        for g in range(k):
            cb[i, g] = c[i, g0 + g]
        for j in range(i + 1):
            for g in range(k):
                xb[i, j, g] = xtx[i, j, g0 + g]
    if k < cb.shape[1]:  # the last block: zero statistics past its groups (finite moments, nothing summed)
        for i in range(P):
            for j in range(P):
                rb[i, j, k:] = 0.0
                xb[i, j, k:] = 0.0
            cb[i, k:] = 0.0


@_inner
def _accumulate(m, V, e, x, tau, k, y, Z, sums1, sums2, sums3):
    """Adds a block's first ``k`` groups into the sums (group axis last, one sum per position in the
    block) from which ``_gradient`` takes the gradient once the coupling is known.

    With ``y = X'X diag(tau) m`` and ``Z = X'X diag(tau) V`` per group, ``sums1`` (5, P, B) holds
    ``m_i``, ``e_i``, ``m_i e_i``, ``y_i``, ``Z_ii + m_i y_i``; ``sums2`` (4, P, P, B) ``V_ij`` (lower
    triangle), ``V_ik e_i``, ``Z_ik``, ``m_i Z_ik + V_ik y_i``; ``sums3`` (P, P, P, B)
    ``V_ik Z_il + V_il Z_ik`` for k < l and ``V_ik Z_ik`` for k = l. V and X'X are symmetric: only their
    lower triangles are read (``V[max(i, j), min(i, j)]``)."""
    P = m.shape[0]
    for i in range(P):
        for g in range(k):
            y[i, g] = 0.0
        for j in range(P):
            a, b = max(i, j), min(i, j)
            t = tau[j]
            for g in range(k):
                y[i, g] += x[a, b, g] * t * m[j, g]
        for q in range(P):
            for g in range(k):
                Z[i, q, g] = 0.0
            for j in range(P):
                a, b = max(i, j), min(i, j)
                p, s = max(j, q), min(j, q)
                t = tau[j]
                for g in range(k):
                    Z[i, q, g] += x[a, b, g] * t * V[p, s, g]
    for i in range(P):
        for g in range(k):
            sums1[0, i, g] += m[i, g]
        for g in range(k):
            sums1[1, i, g] += e[i, g]
        for g in range(k):
            sums1[2, i, g] += m[i, g] * e[i, g]
        for g in range(k):
            sums1[3, i, g] += y[i, g]
        for g in range(k):
            sums1[4, i, g] += Z[i, i, g] + m[i, g] * y[i, g]
        for j in range(i + 1):
            for g in range(k):
                sums2[0, i, j, g] += V[i, j, g]
        for q in range(P):
            a, b = max(i, q), min(i, q)
            for g in range(k):
                sums2[1, i, q, g] += V[a, b, g] * e[i, g]
            for g in range(k):
                sums2[2, i, q, g] += Z[i, q, g]
            for g in range(k):
                sums2[3, i, q, g] += m[i, g] * Z[i, q, g] + V[a, b, g] * y[i, g]
            for g in range(k):
                sums3[i, q, q, g] += V[a, b, g] * Z[i, q, g]
            for l in range(q + 1, P):
                p, s = max(i, l), min(i, l)
                for g in range(k):
                    sums3[i, q, l, g] += V[a, b, g] * Z[i, l, g] + V[p, s, g] * Z[i, q, g]


@_inner
def _fold_lanes(a):
    """Sums ``a`` over its last axis, pairwise (in place: ``a`` is overwritten)."""
    lanes = a.shape[-1]
    flat = a.reshape((a.size // lanes, lanes))
    w = lanes
    while w > 1:
        half = (w + 1) // 2
        for q in range(flat.shape[0]):
            for g in range(w - half):
                flat[q, g] += flat[q, g + half]
        w = half
    out = np.empty(a.shape[:-1])
    out_flat = out.reshape(flat.shape[0])
    for q in range(flat.shape[0]):
        out_flat[q] = flat[q, 0]
    return out


@_inner
def _gradient(totals1, totals2, totals3, Winv, tau):
    """The gradient (before the division by sigma^2) and the residual quadratic form, from the sums.

    Fisher's identity: the expectation of the complete-data gradient under ``eps_g | y`` with the
    constraint, whose moments are the mean ``mu_g = m_g - V_g lam`` (``lam = W^-1 sum_g m_g``) and the
    covariance ``V_g - V_g W^-1 V_g``. Expanded in ``lam`` and ``W^-1``, every term is a sum over groups
    that does not depend on them, accumulated in the one pass over the groups."""
    P = tau.shape[0]
    mS = totals1[0]
    lam = _matvec(Winv, mS)
    g_beta = np.empty(P)
    g_tau = np.empty(P)
    quad = 0.0
    for i in range(P):
        e_sum, me, y_sum, k_sum = totals1[1, i], totals1[2, i], totals1[3, i], totals1[4, i]
        g = e_sum - y_sum  # sum_g e_i - (X'X diag(tau) mu)_i
        em = me  # sum_g mu_i e_i
        second = k_sum  # sum_g (X'X diag(tau) E[eps eps'])_ii
        for q in range(P):
            g += lam[q] * totals2[2, i, q]
            em -= lam[q] * totals2[1, i, q]
            second -= lam[q] * totals2[3, i, q]
            for l in range(q, P):
                second += (lam[q] * lam[l] - Winv[q, l]) * totals3[i, q, l]
        g_beta[i] = g
        g_tau[i] = em - second
        quad += tau[i] * (second - 2.0 * em)
    return g_beta, g_tau, quad


@_inner
def _add_sums(m, V, mS, W):
    """Add ``sum_g m_g`` to ``mS`` and ``sum_g V_g`` to ``W`` (symmetric: lower triangles only)."""
    P, G = m.shape
    for i in range(P):
        for g in range(G):
            mS[i] += m[i, g]
        for j in range(i + 1):
            for g in range(G):
                W[i, j] += V[i, j, g]


@numba.njit(cache=True)
def _conditional_logp(beta, tau, sigma, r, c, xtx, eps):
    P, G = c.shape
    sigma = sigma.item()
    m, V, chol, e, dd, logdet, hh = _moments(beta, tau, sigma, r, c, xtx)
    mS, Winv, half_logdet_w, quad_w = _constraint(m, V)
    # sum_g log N(eps_g; m_g, V_g), with (x - m)' Lambda (x - m) = ||chol' (x - m)||^2
    out = logdet - 0.5 * P * G * LOG_2PI
    for i in range(P):
        for g in range(G):
            acc = 0.0
            for k in range(i, P):
                acc += chol[k, i, g] * (eps[k, g] - m[k, g])
            out -= 0.5 * acc * acc
    # divided by the density of sum_g eps_g at 0, and by the coarea factor G^(P/2) of the zero-sum subspace
    log_density_of_zero_sum = -0.5 * P * LOG_2PI - half_logdet_w - 0.5 * quad_w
    return out - 0.5 * P * math.log(G) - log_density_of_zero_sum


def _as_float(*arrays):
    return tuple(np.require(a, dtype=np.float64, requirements="C") for a in arrays)


def _data(stats: GroupStats) -> tuple[np.ndarray, ...]:
    """The statistics as the kernels take them: C-contiguous and read-only, as nutpie passes model data,
    so that calls from Python reuse the kernels compiled for sampling instead of compiling them again."""
    arrays = tuple(np.array(a, dtype=np.float64, order="C") for a in (stats.n, stats.rss, stats.r, stats.c, stats.xtx))
    for a in arrays:
        a.flags.writeable = False
    return arrays


def loglik(beta, tau, sigma, stats: GroupStats) -> float:
    """Exact log marginal likelihood (constants included) of the data summarised by ``stats``."""
    return float(loglik_and_grad(*_as_float(beta, tau, sigma), *_data(stats))[0])


def conditional_logp(beta, tau, sigma, stats: GroupStats, offsets) -> float:
    """Log density of group offsets ``offsets`` (G, P) given the data and (beta, tau, sigma).

    A density on the zero-sum subspace with respect to the same measure as
    PyMC's ZeroSumNormal, so that for every zero-sum ``offsets``
    ``log p(y, offsets | theta) = loglik(theta) + conditional_logp(theta, offsets)``.
    """
    _, _, r, c, xtx = _data(stats)
    return float(_conditional_logp(*_as_float(beta, tau, sigma), r, c, xtx, _as_float(np.transpose(offsets))[0]))


def draw_group_slopes(beta, tau, sigma, stats: GroupStats, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Exact draws of every group's slopes given the data, one per row of (beta, tau, sigma).

    ``beta`` and ``tau`` have shape (D, P) and ``sigma`` (D,); returns (D, G, P) of ``dtype``. Draw ``i``
    uses the ``i``-th block of P x G standard normals from ``rng``, so the result does not depend on how
    the draws are batched (:func:`iter_group_slopes` yields the same draws block by block).
    """
    _, _, _, c, _ = _data(stats)
    out = np.empty((len(np.atleast_1d(sigma)), c.shape[1], c.shape[0]), dtype=dtype)
    for rows, block in iter_group_slopes(beta, tau, sigma, stats, rng):
        out[rows] = block
    return out


def iter_group_slopes(beta, tau, sigma, stats: GroupStats, rng: np.random.Generator):
    """:func:`draw_group_slopes` block by block: ``(rows, slopes[rows])`` for consecutive slices of the D
    draws, each block (D', G, P) float64 of about ``_BATCH_ELEMENTS`` work values, so that summaries or
    per-group log-likelihoods of many draws never hold all (D, G, P) slopes at once."""
    beta, tau, sigma = _as_float(beta, tau, sigma)
    _, _, r, c, xtx = _data(stats)
    (P, G), D = c.shape, len(sigma)
    step = max(1, _BATCH_ELEMENTS // (G * (3 * P * P + 6 * P)))
    for start in range(0, D, step):
        rows = slice(start, min(start + step, D))
        z = rng.standard_normal((rows.stop - rows.start, P, G))
        offsets = _draw_offsets(beta[rows], tau[rows], sigma[rows], r, c, xtx, z)  # (D', P, G)
        yield rows, beta[rows, None, :] + tau[rows, None, :] * offsets.transpose(0, 2, 1)


_BATCH_ELEMENTS = 25_000_000  # about 200 MB of float64 work arrays per batch of draws


def _draw_offsets(beta, tau, sigma, r, c, xtx, z) -> np.ndarray:
    """Exact draws of ``eps | y, theta`` for D parameter values at once, in NumPy (nothing to compile).

    ``beta``, ``tau`` (D, P), ``sigma`` (D,), the statistics group axis last, standard normals ``z``
    (D, P, G); returns (D, P, G). The arithmetic of ``_moments`` and ``_constraint``, with the P x P
    loops unrolled over arrays of shape (D, G): ``Lambda = I + diag(s) X'X diag(s)`` with
    ``s = tau / sigma`` is factored ``chol chol'``; with ``inv = chol^-1``, the unconstrained draw is
    ``m + inv' z = inv' (h + z)`` (``h = inv u``), and the zero-sum constraint is imposed by
    subtracting ``V_g W^-1 sum_h eps_h`` (``V_g = inv' inv``, ``W = sum_g V_g``).
    """
    P = c.shape[0]
    s = tau / sigma[:, None]  # (D, P)

    def per_draw(v):  # (D,) -> (D, 1): one value per draw, broadcast over groups
        return v[:, None]

    d = [c[i] - sum(per_draw(beta[:, j]) * r[i, j] for j in range(P)) for i in range(P)]  # c - R beta
    u = [per_draw(s[:, j] / sigma) * sum(r[i, j] * d[i] for i in range(P)) for j in range(P)]  # s R'd / sigma
    chol = [[None] * P for _ in range(P)]
    for j in range(P):
        acc = 1.0 + per_draw(s[:, j] ** 2) * xtx[j, j]
        for k in range(j):
            acc = acc - chol[j][k] ** 2
        chol[j][j] = np.sqrt(acc)
        for i in range(j + 1, P):
            acc = per_draw(s[:, i] * s[:, j]) * xtx[i, j]
            for k in range(j):
                acc = acc - chol[i][k] * chol[j][k]
            chol[i][j] = acc / chol[j][j]
    inv = [[None] * P for _ in range(P)]  # lower triangle of chol^-1
    for i in range(P):
        inv[i][i] = 1.0 / chol[i][i]
        for j in range(i):
            inv[i][j] = -sum(chol[i][k] * inv[k][j] for k in range(j, i)) * inv[i][i]
    h = [sum(inv[i][k] * u[k] for k in range(i + 1)) for i in range(P)]
    x = [sum(inv[k][i] * (h[k] + z[:, k]) for k in range(i, P)) for i in range(P)]
    V = [[None] * P for _ in range(P)]  # symmetric: each entry below the diagonal computed once
    for i in range(P):
        for j in range(i + 1):
            V[i][j] = V[j][i] = sum(inv[k][i] * inv[k][j] for k in range(i, P))
    total = np.stack([xi.sum(axis=1) for xi in x], axis=1)  # (D, P)
    W = np.stack([np.stack([Vij.sum(axis=1) for Vij in Vi], axis=1) for Vi in V], axis=1)  # (D, P, P)
    shift = np.linalg.solve(W, total[:, :, None])[:, :, 0]  # W^-1 sum_h eps_h, (D, P)
    return np.stack([x[i] - sum(V[i][j] * per_draw(shift[:, j]) for j in range(P)) for i in range(P)], axis=1)


class MarginalLoglik(Op):
    """Log marginal likelihood of the group-slope model, with its gradient computed alongside.

    Inputs: beta (P,), tau (P,), sigma (), then the data as in ``GroupStats``, group axis
    last: n (G,), rss (G,), r (P, P, G), c (P, G), xtx (P, P, G). Outputs: the log
    likelihood and its gradient with respect to beta, tau and sigma; only the first
    output is meant to be used in a model.
    """

    __props__ = ()

    def make_node(self, beta, tau, sigma, n, rss, r, c, xtx):
        inputs = [pt.as_tensor_variable(v).astype("float64") for v in (beta, tau, sigma, n, rss, r, c, xtx)]
        outputs = [pt.dscalar(), pt.dvector(), pt.dvector(), pt.dscalar()]
        return Apply(self, inputs, outputs)

    def perform(self, node, inputs, outputs):
        for storage, value in zip(outputs, loglik_and_grad(*_as_float(*inputs))):
            storage[0] = np.asarray(value)

    def pullback(self, inputs, outputs, cotangents):
        if not all(isinstance(g.type, DisconnectedType) for g in cotangents[1:]):
            raise NotImplementedError("MarginalLoglik: second derivatives are not implemented")
        _, g_beta, g_tau, g_sigma = outputs
        upstream = cotangents[0]
        data = [disconnected_type() for _ in inputs[3:]]
        return [upstream * g_beta, upstream * g_tau, upstream * g_sigma, *data]

    def connection_pattern(self, node):
        return [[True] * 4] * 3 + [[False] * 4] * 5  # the data inputs are never differentiated


marginal_loglik_op = MarginalLoglik()


# The compile cache keys the compiled kernel by the Op and this number: a hash of this file's source,
# so that an edited kernel is compiled afresh instead of loaded from a warm cache.
KERNEL_VERSION = int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:15], 16)


@register_funcify_default_op_cache_key(MarginalLoglik)
def _numba_marginal_loglik(op, node=None, **kwargs):
    return loglik_and_grad, KERNEL_VERSION

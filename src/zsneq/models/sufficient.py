"""Per-group sufficient statistics of the linear model, computed once per dataset.

For group g with predictors ``X_g`` (n_g x P) and outcome ``y_g``, the Gaussian
likelihood of any slopes ``b`` depends on the data only through ``X_g'X_g``,
``X_g'y_g``, ``y_g'y_g`` and ``n_g``. They are kept in QR form, which is the
numerically stable way to use them: with ``X_g = Q_g R_g`` and ``c_g = Q_g'y_g``,

    ||y_g - X_g b||^2 = rss_g + ||c_g - R_g b||^2,

where ``rss_g = ||y_g - Q_g c_g||^2`` is the least-squares residual sum of squares,
computed from the residuals themselves (never as a difference of large sums). Both
terms are sums of squares, so nothing cancels. ``R_g'R_g = X_g'X_g``,
``R_g'c_g = X_g'y_g`` and ``rss_g + ||c_g||^2 = y_g'y_g``. Groups with fewer rows
than predictors, or collinear predictors, are handled exactly (rows of ``R_g`` and
``c_g`` beyond the group's rank are zero).

Arrays keep the group axis last, so every entry (e.g. ``R[i, j]``) is one
contiguous vector over groups: models then compute with length-G vectors.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from zsneq.core.dataset import RegressionData


BATCH_ROWS = 2**20  # rows (padding included) factorised per batch: bounds the memory of one batch
PAD_RATIO = 1.25  # groups batched together have at most this ratio of largest to smallest size


def _batches(counts: np.ndarray):
    """Index arrays of groups to factorise together: groups sorted by size, each batch's sizes within
    ``PAD_RATIO`` of its smallest (so padding adds at most 25% rows) and at most ``BATCH_ROWS`` rows padded."""
    order = np.argsort(counts, kind="stable")
    ordered = counts[order]
    start = 0
    while start < len(order):
        smallest = int(ordered[start])
        end = int(np.searchsorted(ordered, max(PAD_RATIO * smallest, smallest + 1), side="right"))
        end = min(end, start + max(1, BATCH_ROWS // max(int(ordered[end - 1]), 1)))
        yield order[start:end]
        start = end


_CACHE: dict[int, tuple[weakref.ref, GroupStats]] = {}  # id(data) -> (the data, its statistics)


@dataclass(frozen=True)
class GroupStats:
    """Sufficient statistics of every group, in QR form."""

    n: np.ndarray  # (G,) rows per group
    rss: np.ndarray  # (G,) least-squares residual sum of squares
    r: np.ndarray  # (P, P, G) upper-triangular R of each group's QR
    c: np.ndarray  # (P, G) Q'y of each group

    @classmethod
    def from_data(cls, data: RegressionData) -> GroupStats:
        """The statistics of ``data``, computed once per ``RegressionData`` object (treated as immutable)
        and then returned from a cache for as long as that object lives."""
        key = id(data)
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is data:
            return hit[1]
        stats = cls._compute(data)
        _CACHE[key] = (weakref.ref(data), stats)
        weakref.finalize(data, _CACHE.pop, key, None)
        return stats

    @classmethod
    def _compute(cls, data: RegressionData) -> GroupStats:
        """Each group's QR factorisation, batched: groups of similar sizes are stacked, padded with zero rows
        (which change neither ``R`` nor ``Q'y`` nor the residuals), at most ``BATCH_ROWS`` rows at a time."""
        G, P = data.n_groups, data.n_predictors
        group_idx = np.asarray(data.group_idx)
        counts = np.bincount(group_idx, minlength=G)
        # rows of group g are rows[starts[g] : starts[g] + counts[g]] of x and y
        rows = None if group_idx.size == 0 or np.all(group_idx[1:] >= group_idx[:-1]) else np.argsort(
            group_idx, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        r = np.zeros((P, P, G))
        c = np.zeros((P, G))
        rss = np.zeros(G)
        for batch in _batches(counts):
            width = int(counts[batch].max())
            if width == 0:  # groups without rows: their statistics are zero
                continue
            m = min(width, P)
            offsets = np.arange(width)
            inside = offsets[None, :] < counts[batch, None]  # (groups, width)
            index = np.where(inside, starts[batch, None] + offsets[None, :], 0)
            if rows is not None:
                index = rows[index]
            xb = np.where(inside[..., None], data.x[index], 0.0)  # (groups, width, P)
            yb = np.where(inside, data.y[index], 0.0)
            q, rb = np.linalg.qr(xb)  # reduced: q (groups, width, m), rb (groups, m, P)
            cb = (np.swapaxes(q, 1, 2) @ yb[..., None])[..., 0]
            r[:m, :, batch] = np.moveaxis(rb, 0, -1)
            c[:m, batch] = cb.T
            rss[batch] = np.sum((yb - (q @ cb[..., None])[..., 0]) ** 2, axis=1)
        return cls(n=counts.astype(float), rss=rss, r=r, c=c)

    @property
    def xtx(self) -> np.ndarray:
        """``X_g'X_g = R_g'R_g`` of every group, (P, P, G)."""
        return np.einsum("kig,kjg->ijg", self.r, self.r)

    def sum_of_squares(self, slopes: np.ndarray) -> np.ndarray:
        """``||y_g - X_g b_g||^2`` of every group for slopes ``b`` of shape (G, P)."""
        resid = self.c - np.einsum("ijg,gj->ig", self.r, slopes)
        return self.rss + np.sum(resid**2, axis=0)

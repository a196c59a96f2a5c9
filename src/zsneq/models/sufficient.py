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

from dataclasses import dataclass

import numpy as np

from zsneq.core.dataset import RegressionData


@dataclass(frozen=True)
class GroupStats:
    """Sufficient statistics of every group, in QR form."""

    n: np.ndarray  # (G,) rows per group
    rss: np.ndarray  # (G,) least-squares residual sum of squares
    r: np.ndarray  # (P, P, G) upper-triangular R of each group's QR
    c: np.ndarray  # (P, G) Q'y of each group

    @classmethod
    def from_data(cls, data: RegressionData) -> GroupStats:
        G, P = data.n_groups, data.n_predictors
        order = np.argsort(data.group_idx, kind="stable")
        counts = np.bincount(data.group_idx, minlength=G)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        x, y = data.x[order], data.y[order]
        r = np.zeros((P, P, G))
        c = np.zeros((P, G))
        rss = np.zeros(G)
        for g in range(G):
            xg, yg = x[bounds[g] : bounds[g + 1]], y[bounds[g] : bounds[g + 1]]
            q, rg = np.linalg.qr(xg)  # reduced: q is n_g x m, rg is m x P, m = min(n_g, P)
            cg = q.T @ yg
            m = rg.shape[0]
            r[:m, :, g] = rg
            c[:m, g] = cg
            rss[g] = np.sum((yg - q @ cg) ** 2)
        return cls(n=counts.astype(float), rss=rss, r=r, c=c)

    @property
    def xtx(self) -> np.ndarray:
        """``X_g'X_g = R_g'R_g`` of every group, (P, P, G)."""
        return np.einsum("kig,kjg->ijg", self.r, self.r)

    def sum_of_squares(self, slopes: np.ndarray) -> np.ndarray:
        """``||y_g - X_g b_g||^2`` of every group for slopes ``b`` of shape (G, P)."""
        resid = self.c - np.einsum("ijg,gj->ig", self.r, slopes)
        return self.rss + np.sum(resid**2, axis=0)

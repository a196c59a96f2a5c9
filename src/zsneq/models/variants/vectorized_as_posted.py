"""The thread's second model, bug included.

``ZeroSumNormal(dims=["group", "predictor"])`` zero-sums its *last* axis, so the
offsets sum to zero across predictors within each group instead of across groups
for each predictor. Kept as posted so the workflow shows what the bug does.

Takes the ``sufficient`` likelihood (per-group sufficient statistics, see
``zsneq.models.variants._likelihoods``): the same (buggy) model without per-row work.
"""

from __future__ import annotations

import pymc as pm

from zsneq.core.dataset import RegressionData
from zsneq.models.variants._common import GROUP, PREDICTOR
from zsneq.models.variants._vectorized import OFFSET, build_vectorized, from_common, group_slopes, to_common

DESCRIPTION = "vectors over predictors, ZeroSumNormal(dims=['group', 'predictor']): zero-sums the wrong axis"
AXES = {"likelihood": ("rowwise", "sufficient")}

__all__ = ["AXES", "DESCRIPTION", "build_model", "from_common", "group_slopes", "to_common"]


def as_posted(beta, tau):
    """The thread's line: ``ZeroSumNormal(dims=["group", "predictor"])`` zero-sums ``predictor``."""
    return beta + tau * pm.ZeroSumNormal(OFFSET, dims=[GROUP, PREDICTOR])


def build_model(data: RegressionData, likelihood: str = "rowwise") -> pm.Model:
    return build_vectorized(data, as_posted, likelihood)

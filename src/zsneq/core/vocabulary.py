"""The project's vocabulary: dimension names, predictor names, parameter names and their order.

The bottom layer: every other module may import it; it imports nothing of the package.
"""

from __future__ import annotations

GROUP = "group"
PREDICTOR = "predictor"
OBS = "obs"
TOP_LEVEL = ("beta", "tau", "sigma")  # the common vocabulary's parameter families, in display order
# each group's expected response at every draw (chain, draw, group): the mean over the group's rows of
# E[y | parameters]; stored in every fit's posterior, compared between variants whatever their parameters
EXPECTED_RESPONSE = "expected_y_g"
# the group table's quantities (results/summary/group_slopes.parquet, column ``quantity``)
SLOPE_QUANTITY, RESPONSE_QUANTITY = "slope", "expected_response"


def predictor_names(n_predictors: int) -> list[str]:
    return [f"x{k + 1}" for k in range(n_predictors)]


def parameter_order(parameters) -> list[str]:
    """beta[...] first, then tau[...], then sigma, predictors in their given order."""
    params = list(dict.fromkeys(parameters))
    rank = {name: i for i, name in enumerate(TOP_LEVEL)}
    return sorted(params, key=lambda p: (rank.get(p.split("[")[0], len(TOP_LEVEL)), params.index(p)))

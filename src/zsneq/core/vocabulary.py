"""The project's vocabulary: dimension names, predictor names, parameter names and their order.

The bottom layer: every other module may import it; it imports nothing of the package.
"""

from __future__ import annotations

GROUP = "group"
PREDICTOR = "predictor"
OBS = "obs"
TOP_LEVEL = ("beta", "tau", "sigma")  # the common vocabulary's parameter families, in display order
BETA, TAU, SIGMA = TOP_LEVEL
# each group's expected response at every draw (chain, draw, group): the mean over the group's rows of
# E[y | parameters]; stored in every fit's posterior, compared between variants whatever their parameters
EXPECTED_RESPONSE = "expected_y_g"
# the group table's quantities (results/summary/group_slopes.parquet, column ``quantity``)
SLOPE_QUANTITY, RESPONSE_QUANTITY = "slope", "expected_response"


def predictor_names(n_predictors: int) -> list[str]:
    return [f"x{k + 1}" for k in range(n_predictors)]


def family(parameter: str) -> str:
    """A parameter's family: ``beta[x1]`` -> ``beta``, ``sigma`` -> ``sigma``."""
    return parameter.split("[")[0]


def has_two_truths(parameter: str) -> bool:
    """Whether a parameter is scored against two truths: beta's target (the simulated groups' mean slope,
    what a model with zero-sum group offsets estimates) and the population mean the groups were drawn around."""
    return family(parameter) == BETA


def parameter_order(parameters) -> list[str]:
    """beta[...] first, then tau[...], then sigma, predictors in their given order."""
    params = list(dict.fromkeys(parameters))
    rank = {name: i for i, name in enumerate(TOP_LEVEL)}
    return sorted(params, key=lambda p: (rank.get(family(p), len(TOP_LEVEL)), params.index(p)))

"""The verdict rules as formulas: pure functions of numbers, no tables, no sentences.

Two questions are answered apart, each on the evidence it needs.

**Same model?** (``model_verdict``) Settled exactly, or map-free before sampling, never by one dataset's
posterior alone:

- *same model*: the log densities are equal up to a constant on shared free variables (at points from both
  priors, and, where it ran, at points from both posteriors); exact, so it stands whatever a sampled
  posterior shows (a posterior that disagrees then points at the sampler).
- *different model*: the log density differs, the group offsets sum to zero along another axis than the
  reference's, the prior predictive differs, or the posteriors disagree on these data.
- *no difference found*: no map (the log densities were not compared), the prior predictive shows no
  difference at its stated power, and the posteriors agree.
- *not shown*: anything else; the reason says what is missing.

**Same posterior on this dataset?** (``classify``) A statistical claim about one dataset, with Monte Carlo
error. Each compared quantity ``x`` (a posterior mean, sd or quantile of a parameter, or a group's
posterior mean) differs from the baseline's by ``delta`` with standard error ``se = sqrt(mcse**2 +
mcse_base**2)``, both in units of the baseline's posterior sd ``scale``; with the equivalence margin ``m``
and the family level ``alpha``:

- a quantity **agrees** when ``|delta| + z(1 - alpha) * se <= m * scale`` (one-sided ``alpha``, TOST); a
  variant agrees when all its quantities agree: by the intersection-union principle the family's error
  rate is then at most ``alpha`` with no correction;
- it **disagrees** when ``|delta| - z(1 - alpha / K) * se > m * scale``, where ``K`` counts every compared
  quantity of every variant in the study (Bonferroni), so that claiming *some* difference anywhere in the
  study is wrong with probability at most ``alpha``;
- otherwise it is **inconclusive**. ``draws_to_settle`` says how many times the effective draws would
  settle it with probability ``POWER`` if the two posteriors were equal.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from scipy.special import ndtri

MARGIN = 0.2  # default equivalence margin, in baseline posterior sds (config: verdicts.margin)
ALPHA = 0.05  # default family level (config: verdicts.alpha)
POWER = 0.9  # probability with which the "more draws" figure settles an equal pair
RHAT_MAX = 1.01
ESS_MIN = 400
K_GOOD = 0.7  # Pareto k above this: the importance-sampling estimate of that group's elpd is unreliable


class Verdict(StrEnum):
    """Labels of the posterior question: this dataset's posterior against the baseline's."""

    REFERENCE = "reference"  # the config's reference, when it is also the baseline
    BASELINE = "baseline"  # the most precise fit proven to be the reference's model
    AGREES = "agrees"
    DISAGREES = "disagrees"
    INCONCLUSIVE = "inconclusive"
    UNRELIABLE = "unreliable"
    UNKNOWN = "unknown"  # no baseline fit to compare with


class Model(StrEnum):
    """Labels of the model question: is this the reference's model?"""

    REFERENCE = "reference"
    SAME = "same model"
    NO_DIFFERENCE = "no difference found"
    DIFFERENT = "different model"
    NOT_SHOWN = "not shown"


def upper_quantile(p: float) -> float:
    """``z(1 - p)``, the standard normal's upper ``p`` quantile: ``-ndtri(p)``, what ``scipy.stats.norm.isf(p)``
    computes, bit for bit, without loading scipy.stats (about 0.4 CPU-s of each verdict and report job)."""
    return float(-ndtri(p))


def z_agree(alpha: float = ALPHA) -> float:
    """Standard errors an agreement must keep inside the margin: one-sided ``z(1 - alpha)``."""
    return upper_quantile(alpha)


def z_disagree(alpha: float = ALPHA, k: int = 1) -> float:
    """Standard errors a disagreement must clear beyond the margin among ``k`` comparisons: ``z(1 - alpha / k)``."""
    return upper_quantile(alpha / max(int(k), 1))


def classify(delta, se, scale, margin: float = MARGIN, z_a: float | None = None, z_d: float | None = None):
    """Three-way label of differences ``delta`` with standard errors ``se`` against ``margin * scale``.

    Returns ``(labels, lower, upper)``: ``upper = (|delta| + z_a * se) / scale`` (agrees when ``<= margin``)
    and ``lower = (|delta| - z_d * se) / scale`` (disagrees when ``> margin``); ``z_a`` defaults to
    ``z_agree()``, ``z_d`` to ``z_a``.
    """
    delta, se, scale = (np.asarray(a, dtype=float) for a in (delta, se, scale))
    z_a = z_agree() if z_a is None else z_a
    z_d = z_a if z_d is None else z_d
    size = np.abs(delta)
    lower, upper = (size - z_d * se) / scale, (size + z_a * se) / scale
    labels = np.where(upper <= margin, Verdict.AGREES, np.where(lower > margin, Verdict.DISAGREES, Verdict.INCONCLUSIVE))
    return labels.astype(object), lower, upper


def combine(labels) -> Verdict:
    """A family's label: disagrees when one member does, agrees when all do, else inconclusive."""
    labels = [str(label) for label in labels]
    if Verdict.DISAGREES in labels:
        return Verdict.DISAGREES
    if labels and all(label == Verdict.AGREES for label in labels):
        return Verdict.AGREES
    return Verdict.INCONCLUSIVE


def draws_to_settle(mcse, mcse_base, scale, margin: float = MARGIN, z_a: float | None = None,
                    n: int | None = None, power: float = POWER) -> tuple[float, bool]:
    """How many times its current effective draws a fit needs for all ``n`` quantities to agree with
    probability ``power`` *if the two posteriors were equal* (``delta`` then has mean 0).

    Each quantity must then satisfy ``se <= margin * scale / (z_a + z_q)`` with ``z_q = z(1 - (1 - power) /
    (2 n))`` (Bonferroni over the ``n`` two-sided chances to fall outside). MCSEs shrink as ``1 /
    sqrt(ESS)``: with the baseline's MCSE kept, this fit needs ``f = mcse**2 / (se_needed**2 - mcse_base**2)``
    times its draws; where the baseline alone is too imprecise, both fits need ``f = se**2 / se_needed**2``.
    Returns ``(f, both)`` with ``f`` the largest over the quantities, at least 1.
    """
    mcse, mcse_base, scale = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (mcse, mcse_base, scale))
    z_a = z_agree() if z_a is None else z_a
    n = mcse.size if n is None else n
    z_q = upper_quantile((1 - power) / (2 * max(int(n), 1)))
    needed = margin * scale / (z_a + z_q)
    room = needed**2 - mcse_base**2
    both = bool((room <= 0).any())
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (mcse**2 + mcse_base**2) / needed**2 if both else mcse**2 / room
    factor = factor[np.isfinite(factor)]
    return (max(1.0, float(factor.max())) if factor.size else 1.0), both


def model_verdict(*, logp: str | None, posterior_logp: str | None, structure_differs: bool,
                  prior_predictive: str | None, power_stated: bool, posterior: str) -> Model:
    """The model question's label from the evidence (each argument's meaning as in the module docstring).

    ``logp`` / ``posterior_logp``: the log-density check's status at prior / posterior points
    (``equivalent``, ``different``, ``no_map``, ``needs_map``; None: not run); ``structure_differs``: the
    group offsets sum to zero along another axis than the reference's; ``prior_predictive``: that test's
    status (``differs``, ``no_difference``, ...); ``power_stated``: it states its power on this design;
    ``posterior``: the posterior question's label.
    """
    if "different" in (logp, posterior_logp):
        return Model.DIFFERENT
    if logp == "equivalent":  # exact: a posterior or prior-predictive difference is then the sampler's or chance's
        return Model.SAME
    if structure_differs or prior_predictive == "differs" or posterior == Verdict.DISAGREES:
        return Model.DIFFERENT
    if prior_predictive == "no_difference" and power_stated and posterior == Verdict.AGREES:
        return Model.NO_DIFFERENCE
    return Model.NOT_SHOWN

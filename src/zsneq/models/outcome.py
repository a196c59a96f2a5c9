"""The outcome family of a model, read from its graph: the distribution of its observed variable.

Statistics that assume a Gaussian outcome (a noise sd ``sigma``, residuals in least-squares noise units)
mean nothing for a count or a binary outcome; the verdicts and the prior-predictive test ask
``outcome_family`` which they face and say "does not apply" instead of showing such a number.
"""

from __future__ import annotations

from dataclasses import dataclass

GAUSSIAN = "normal"
READABLE = {"t": "Student t", "nbinom": "negative binomial"}  # op names that do not read as a family's name


@dataclass(frozen=True)
class Outcome:
    """An outcome family: ``family`` as people write it (``normal``, ``bernoulli``, ``poisson``, ``negative
    binomial``, ``binomial``, ...) and whether its values are integers (``discrete``: no noise sd applies)."""

    family: str
    discrete: bool

    @property
    def gaussian(self) -> bool:
        return self.family == GAUSSIAN

    def to_dict(self) -> dict:
        return {"family": self.family, "discrete": self.discrete}

    @classmethod
    def from_dict(cls, entry: dict | None) -> Outcome | None:
        return None if not entry else cls(str(entry["family"]), bool(entry["discrete"]))


GAUSSIAN_OUTCOME = Outcome(GAUSSIAN, discrete=False)  # every built-in variant's, whatever its likelihood's form


def variable_family(rv) -> str:
    """The family of one random variable: its op's name (``negative_binomial`` -> ``negative binomial``),
    else its op's class name without ``RV``."""
    op = rv.owner.op
    name = getattr(op, "name", None) or type(op).__name__.removesuffix("RV").lower()
    return READABLE.get(name, name.replace("_", " "))


def outcome_family(model) -> Outcome | None:
    """The outcome family of ``model``: that of its observed variables, or None when it has none (a likelihood
    written as a ``Potential``) or they are of several families."""
    outcomes = {Outcome(variable_family(rv), str(rv.dtype).startswith(("int", "uint", "bool")))
                for rv in model.observed_RVs}
    return outcomes.pop() if len(outcomes) == 1 else None

"""Structure read from a model's graph: which dims each ZeroSumNormal sums to zero over.

No sampling and no variant interface: the answer comes from the model itself, so it works for user
models too. A ``pymc.ZeroSumNormal`` zero-sums its last ``n_zerosum_axes`` axes (the op's
``ndim_supp``), named by ``model.named_vars_to_dims``; a ``pymc.dims.ZeroSumNormal`` names its
``core_dims``. A ZeroSumNormal with a ``group`` dim holds group offsets; one that does not sum to
zero over ``group`` (the thread's ``dims=["group", "predictor"]``) is flagged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from zsneq.core.vocabulary import GROUP


@dataclass(frozen=True)
class ZeroSum:
    """One ZeroSumNormal of a model."""

    variable: str
    dims: tuple[str, ...]
    zero_sum_dims: tuple[str, ...]

    @property
    def group_offsets(self) -> bool:
        return GROUP in self.dims

    @property
    def flagged(self) -> bool:
        """Group offsets that do not sum to zero over ``group`` alone."""
        return self.group_offsets and self.zero_sum_dims != (GROUP,)

    def sentence(self) -> str:
        line = f"{self.variable} sums to zero over {' and '.join(self.zero_sum_dims)}"
        if self.flagged:
            line += f" (group offsets that should sum to zero over {GROUP} only)"
        return line

    def record(self) -> dict:
        return asdict(self) | {"dims": list(self.dims), "zero_sum_dims": list(self.zero_sum_dims),
                               "flagged": self.flagged, "sentence": self.sentence()}


def _dims_of(model, var) -> tuple[str, ...]:
    dims = model.named_vars_to_dims.get(var.name) or (None,) * var.ndim
    return tuple(d if d is not None else f"{var.name}_dim_{i}" for i, d in enumerate(dims))


def _zero_sum_dims(model, rv) -> tuple[str, ...] | None:
    """Dims ``rv`` sums to zero over, or None if it is not a ZeroSumNormal."""
    from pymc.distributions.multivariate import ZeroSumNormalRV

    op = rv.owner.op if rv.owner is not None else None
    if isinstance(op, ZeroSumNormalRV):
        n = op.ndim_supp
        return _dims_of(model, rv)[-n:] if n else ()
    var = rv  # pymc.dims: the registered variable may be a transpose (etc.) of the XRV that draws it
    while var is not None and var.owner is not None:
        op = var.owner.op
        if isinstance(getattr(op, "core_op", None), ZeroSumNormalRV):
            return tuple(op.core_dims[1])  # the output's core dims
        var = var.owner.inputs[0] if var.owner.inputs else None
    return None


def zero_sums(model) -> list[ZeroSum]:
    """Every ZeroSumNormal among the model's free random variables, in model order."""
    out = []
    for rv in model.free_RVs:
        dims = _zero_sum_dims(model, rv)
        if dims is not None:
            out.append(ZeroSum(rv.name, _dims_of(model, rv), tuple(dims)))
    return out


def zero_sum_report(model) -> tuple[list[dict], list[str]]:
    """Records (variable, dims, zero_sum_dims, flagged, sentence) and their sentences, for a log or a report."""
    found = zero_sums(model)
    return [z.record() for z in found], [z.sentence() for z in found] or ["no ZeroSumNormal in the model"]

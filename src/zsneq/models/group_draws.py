"""How a fit stores its group-level draws (config ``sampler.group_draws``): all draws, float32, or per-group summaries.

Group-level draws are sampled group slopes or offsets, ``beta_g`` of an integrated likelihood (drawn here
from their conditional, a block of draws at a time), each group's expected response and the per-group
``log_likelihood``. For large fits the default keeps per-group summaries in a ``group_summary`` group, so
that a 100,000-group fit writes megabytes, not gigabytes (:func:`group_draws_groups`).
"""

from __future__ import annotations

import logging

import numpy as np
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.vocabulary import EXPECTED_RESPONSE, GROUP, PREDICTOR
from zsneq.models.variants import SLOPES

log = logging.getLogger(__name__)

GROUP_DRAWS = ("auto", "all", "float32", "summary")  # how group-level draws are stored (config sampler.group_draws)
GROUP_DRAWS_MAX_VALUES = 50_000_000  # auto: every draw up to this many slope values (400 MB as float64)
GROUP_DRAWS_MAX_FLOAT32 = 100_000_000  # auto: every draw as float32 up to this many (400 MB), summaries above
SUMMARY_GROUP = "group_summary"  # summary: per-group statistics instead of draws
STATISTICS = ("mean", "sd")
BLOCK_VALUES = 5_000_000  # draws summarised or cast a block at a time: about 40 MB of float64


def group_draws_mode(mode: str, chains: int, draws: int, n_groups: int, n_predictors: int) -> str:
    """The storage of group-level draws a fit uses: ``mode``, or for ``auto``, by the number of slope
    values (chains x draws x groups x predictors): ``all`` up to ``GROUP_DRAWS_MAX_VALUES``, ``float32``
    up to ``GROUP_DRAWS_MAX_FLOAT32`` (long chains on a mid-sized study), ``summary`` above."""
    if mode not in GROUP_DRAWS:
        raise ValueError(f"group_draws must be one of {', '.join(GROUP_DRAWS)}, not {mode!r}")
    if mode != "auto":
        return mode
    values = chains * draws * n_groups * n_predictors
    if values <= GROUP_DRAWS_MAX_VALUES:
        return "all"
    return "float32" if values <= GROUP_DRAWS_MAX_FLOAT32 else "summary"


def group_draws_groups(module, groups: dict, data: RegressionData, seed: int, *, mode: str = "auto",
                       log_likelihood: bool = True, chains: int, draws: int) -> tuple[dict, dict]:
    """The fit's groups with its group-level draws stored as ``mode`` says, and root attributes recording it.

    Group-level variables are those with a ``group`` dim: sampled offsets or slopes, the slopes drawn
    for a likelihood that integrates them out (``beta_g``), each group's expected response
    (``EXPECTED_RESPONSE``, added here; omitted with the reason in the root attribute
    ``expected_response_omitted`` when the model's likelihood has no known mean) and the per-group
    ``log_likelihood``.

    - ``all``: every draw as float64 (what sampling gave).
    - ``float32``: every draw, group-level variables as float32 (half the size; about 7 significant
      digits, plenty for summaries of draws).
    - ``summary``: no group-level draws; the group ``group_summary`` holds, for each such variable, its
      posterior mean and sd (dim ``statistic``) and per-chain means (``<name>_chain_mean``). Slopes of an
      integrated likelihood are drawn and summarised a block of draws at a time, never all at once.
      There is no ``log_likelihood`` group (leave-one-group-out needs every draw); the root attribute
      ``log_likelihood_omitted`` says so.
    - ``auto``: :func:`group_draws_mode`.
    """
    from zsneq.models.loglik import block_expected_response, group_mean_predictors, log_likelihood_dataset

    mode = group_draws_mode(mode, chains, draws, data.n_groups, data.n_predictors)
    posterior = groups["posterior"]
    extra = {"group_draws": mode}
    integrated = getattr(module, "integrates_slopes", False)
    if not integrated:  # an integrated likelihood's come from its drawn slopes, below
        expected = _expected_response(module, posterior, data, extra)
        if expected is not None:
            posterior = posterior.assign({EXPECTED_RESPONSE: expected})
    if mode == "summary":
        sampled = [name for name, var in posterior.data_vars.items() if GROUP in var.dims]
        summary = [summarize_draws(array_blocks(posterior[name]), posterior[name], name) for name in sampled]
        if integrated:  # one pass over the drawn slopes feeds both summaries
            template = posterior[["chain", "draw"]]
            slopes = DrawSummary(template, SLOPES, {GROUP: data.groups, PREDICTOR: data.predictors})
            responses = DrawSummary(template, EXPECTED_RESPONSE, {GROUP: data.groups})
            xbar = group_mean_predictors(data)
            for rows, block in module.iter_group_slopes(posterior, data, seed):
                slopes.add(rows, block)
                responses.add(rows, block_expected_response(block, xbar))
            summary += [slopes.dataset(), responses.dataset()]
        groups = groups | {"posterior": posterior.drop_vars(sampled), SUMMARY_GROUP: xr.merge(summary)}
        if log_likelihood:
            extra["log_likelihood_omitted"] = "group_draws: summary keeps no per-draw group-level values"
        return groups, extra
    dtype = np.float32 if mode == "float32" else np.float64
    if integrated:  # slopes integrated out: draw them, a block at a time
        posterior, per_group = drawn_slopes(module, posterior, data, seed, dtype, log_likelihood)
    else:
        per_group = module.group_log_likelihood(posterior, data) if log_likelihood else None
        posterior = as_float32(posterior) if mode == "float32" else posterior
    groups = groups | {"posterior": posterior}
    if per_group is not None:
        per_group = log_likelihood_dataset(per_group, data)
        groups["log_likelihood"] = as_float32(per_group) if mode == "float32" else per_group
    return groups, extra


def _expected_response(module, posterior: xr.Dataset, data: RegressionData, extra: dict) -> xr.DataArray | None:
    """Each group's expected response at every draw (``EXPECTED_RESPONSE``), or None with the reason in
    ``extra["expected_response_omitted"]`` (e.g. a user model whose likelihood has no known mean)."""
    try:
        return module.group_expected_response(posterior, data).transpose("chain", "draw", GROUP)
    except (KeyError, ValueError, NotImplementedError) as exc:
        log.warning("no expected response per group: %s", exc)
        extra["expected_response_omitted"] = str(exc)
        return None


def drawn_slopes(module, posterior: xr.Dataset, data: RegressionData, seed: int, dtype=np.float64,
                 log_likelihood: bool = True) -> tuple[xr.Dataset, xr.DataArray | None]:
    """``posterior`` plus the slopes of an integrated likelihood (``beta_g`` as ``dtype``) and each group's
    expected response (``EXPECTED_RESPONSE``, from the float64 slopes, as ``dtype``), and the per-group
    log-likelihood (chain, draw, group) from the float64 slopes, computed a block of draws at a time:
    besides the stored arrays only one block of slopes is held. The slopes are bitwise those of
    ``module.add_group_slopes`` (same seed); the log-likelihood equals ``module.group_log_likelihood``'s."""
    from zsneq.models.loglik import block_expected_response, block_log_likelihood, group_mean_predictors
    from zsneq.models.sufficient import GroupStats

    chains, draws = posterior.sizes["chain"], posterior.sizes["draw"]
    sigma = module.to_common(posterior, data.predictors)["sigma"].transpose("chain", "draw").values.reshape(-1)
    stats = GroupStats.from_data(data) if log_likelihood else None
    xbar = group_mean_predictors(data)
    slopes = np.empty((chains * draws, data.n_groups, data.n_predictors), dtype=dtype)
    expected = np.empty((chains * draws, data.n_groups), dtype=dtype)
    per_group = np.empty((chains * draws, data.n_groups)) if log_likelihood else None
    for rows, block in module.iter_group_slopes(posterior, data, seed):
        slopes[rows] = block
        expected[rows] = block_expected_response(block, xbar)
        if per_group is not None:
            per_group[rows] = block_log_likelihood(block, sigma[rows], stats)
    sample = {"chain": posterior["chain"].values, "draw": posterior["draw"].values}
    slopes = xr.DataArray(slopes.reshape(chains, draws, data.n_groups, data.n_predictors),
                          dims=("chain", "draw", GROUP, PREDICTOR),
                          coords=sample | {GROUP: data.groups, PREDICTOR: data.predictors})
    expected = xr.DataArray(expected.reshape(chains, draws, data.n_groups), dims=("chain", "draw", GROUP),
                            coords=sample | {GROUP: data.groups})
    if per_group is not None:
        per_group = xr.DataArray(per_group.reshape(chains, draws, data.n_groups), dims=("chain", "draw", GROUP),
                                 coords=sample | {GROUP: data.groups})
    return posterior.assign({SLOPES: slopes, EXPECTED_RESPONSE: expected}), per_group


def as_float32(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with its float64 group-level variables (dim ``group``) as float32."""
    return ds.assign({name: var.astype(np.float32) for name, var in ds.data_vars.items()
                      if GROUP in var.dims and var.dtype == np.float64})


def array_blocks(var: xr.DataArray):
    """``(rows, values[rows])`` over the flattened (chain x draw) axis of ``var``, a block of about
    ``BLOCK_VALUES`` values at a time (views where the draws are contiguous)."""
    values = var.transpose("chain", "draw", ...).values
    flat = values.reshape(-1, *values.shape[2:])
    step = max(1, BLOCK_VALUES // max(1, int(np.prod(values.shape[2:]))))
    for start in range(0, len(flat), step):
        rows = slice(start, min(start + step, len(flat)))
        yield rows, flat[rows]


def summarize_draws(blocks, template: xr.DataArray | xr.Dataset, name: str, extra_coords: dict | None = None
                    ) -> xr.Dataset:
    """Posterior mean and sd (dim ``statistic``) and per-chain means (``<name>_chain_mean``) of a variable
    given as blocks ``(rows, values)`` over its flattened (chain x draw) axis, in order (:class:`DrawSummary`)."""
    summary = DrawSummary(template, name, extra_coords)
    for rows, block in blocks:
        summary.add(rows, block)
    return summary.dataset()


class DrawSummary:
    """Posterior mean and sd and per-chain means of a variable fed a block of draws at a time.

    ``add(rows, values)`` takes blocks over the flattened (chain x draw) axis, in order; ``dataset()``
    gives ``name`` (dim ``statistic``: mean, sd) and ``<name>_chain_mean``. ``template`` supplies the chain
    and draw sizes and coordinates (and, for a DataArray, the dims and coords of the other axes; else
    ``extra_coords`` names them in order). Sums are taken around the first draw, so the sd loses no
    precision to large means.
    """

    def __init__(self, template: xr.DataArray | xr.Dataset, name: str, extra_coords: dict | None = None) -> None:
        self.name, self.chain_coords = name, template["chain"].values
        self.chains, self.draws = template.sizes["chain"], template.sizes["draw"]
        if isinstance(template, xr.DataArray):
            self.dims = [d for d in template.transpose("chain", "draw", ...).dims[2:]]
            self.coords = {d: template.coords[d].values for d in self.dims if d in template.coords}
        else:
            self.dims, self.coords = list(extra_coords), dict(extra_coords)
        self.shift = self.chain_sums = self.sum_sq = None

    def add(self, rows: slice, block: np.ndarray) -> None:
        if self.shift is None:
            self.shift = np.array(block[0], dtype=np.float64)
            self.chain_sums = np.zeros((self.chains, *self.shift.shape))
            self.sum_sq = np.zeros(self.shift.shape)
        centred = block - self.shift
        self.sum_sq += np.einsum("d...,d...->...", centred, centred)
        draws = self.draws
        for chain in range(rows.start // draws, (rows.stop - 1) // draws + 1):
            lo, hi = max(rows.start, chain * draws) - rows.start, min(rows.stop, (chain + 1) * draws) - rows.start
            self.chain_sums[chain] += centred[lo:hi].sum(axis=0)

    def dataset(self) -> xr.Dataset:
        n = self.chains * self.draws
        total = self.chain_sums.sum(axis=0)
        mean = self.shift + total / n
        sd = np.sqrt(np.maximum(self.sum_sq - total**2 / n, 0.0) / max(n - 1, 1))
        return xr.Dataset(
            {self.name: (("statistic", *self.dims), np.stack([mean, sd])),
             f"{self.name}_chain_mean": (("chain", *self.dims), self.shift + self.chain_sums / self.draws)},
            coords={"statistic": list(STATISTICS), "chain": self.chain_coords, **self.coords},
        )

"""Fit one model variant to one dataset with nutpie and store the DataTree as NetCDF.

A fit file is an ArviZ-native DataTree: ``posterior``, ``sample_stats``, ``log_likelihood`` (one
value per group and draw, variable ``y``: leave-one-group-out with ``az.loo``) and
``observed_data`` (``y`` and the group code of every row; for datasets over ``OBSERVED_MAX_ROWS``
rows it is left out and the root attribute ``observed_data_path`` names the dataset's Parquet
file instead). Every group carries ArviZ's standard attributes (``inference_library``,
``inference_library_version``, ``created_at``, ``sampling_time``), the root the project's own; each
variable is stored with zlib compression and byte shuffling. Group-level draws (sampled group slopes
or offsets, ``beta_g`` of an integrated likelihood, the per-group ``log_likelihood``) are stored as
``sampler.group_draws`` says (:func:`group_draws_groups`): all draws, float32, or, for large fits by
default, per-group summaries in a ``group_summary`` group, so that a 100,000-group fit writes megabytes,
not gigabytes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from zsneq.core.dataset import RegressionData
from zsneq.core.io import atomic_path
from zsneq.core.provenance import package_versions
from zsneq.core.vocabulary import EXPECTED_RESPONSE, GROUP, PREDICTOR
from zsneq.models.numba_cache import lock_numba_cache_saves
from zsneq.models.variants import SLOPES, get_variant, variant_name

log = logging.getLogger(__name__)

KEEP_GROUPS = ("posterior", "sample_stats")  # groups every successful fit file has
OBSERVED_MAX_ROWS = 100_000  # larger datasets are referenced (attribute observed_data_path), not copied
COMPRESSION = {"zlib": True, "complevel": 4, "shuffle": True}  # per-variable NetCDF4/HDF5 encoding
PROGRESS_SECONDS = 5.0  # a progress line per chain at most this often while sampling


class ProgressLog:
    """A ``progress_callback`` for ``nutpie.sample`` that logs one line per chain at a steady rate.

    nutpie calls it every ``progress_rate`` ms, from a background thread, with one
    ``ChainProgress`` per chain (draws finished of total, divergences, tuning, ...), and once
    more when sampling ends. A chain's line is logged the first time the chain is seen, when it
    leaves tuning, when it finishes (its last line), and otherwise every ``every`` seconds:
    ``<label> chain 1/4: tuning 120/2000 draws, 0 divergences, 12.3 s``. It only reads the
    progress reports, so draws are the same with or without it.
    """

    def __init__(self, label: str, every: float = PROGRESS_SECONDS, logger: logging.Logger = log,
                 clock=time.perf_counter) -> None:
        self.label = label
        self.every = every
        self.logger = logger
        self.clock = clock
        self.start = clock()
        self._last: dict[int, tuple[float, bool, bool]] = {}  # chain -> (time logged, tuning, finished)
        self.lines = 0

    def __call__(self, chains) -> None:
        now = self.clock()
        for i, chain in enumerate(chains):
            finished = chain.total_draws > 0 and chain.finished_draws >= chain.total_draws
            last = self._last.get(i)
            if last is not None and last[2]:
                continue  # its final line is logged
            due = last is None or now - last[0] >= self.every or chain.tuning != last[1] or finished
            if due:
                self._last[i] = (now, chain.tuning, finished)
                self.lines += 1
                self.logger.info(
                    "%s chain %d/%d: %s %d/%d draws, %d divergences, %.1f s", self.label, i + 1, len(chains),
                    progress_phase(chain), chain.finished_draws, chain.total_draws, chain.divergences,
                    now - self.start)


def progress_phase(chain) -> str:
    """``waiting``, ``tuning``, ``sampling`` or ``done`` for one ``nutpie.ChainProgress``."""
    if chain.total_draws > 0 and chain.finished_draws >= chain.total_draws:
        return "done"
    if not chain.started:
        return "waiting"
    return "tuning" if chain.tuning else "sampling"
GROUP_DRAWS = ("auto", "all", "float32", "summary")  # how group-level draws are stored (config sampler.group_draws)
GROUP_DRAWS_MAX_VALUES = 50_000_000  # auto: every draw up to this many slope values (400 MB as float64)
GROUP_DRAWS_MAX_FLOAT32 = 100_000_000  # auto: every draw as float32 up to this many (400 MB), summaries above
SUMMARY_GROUP = "group_summary"  # summary: per-group statistics instead of draws
STATISTICS = ("mean", "sd")
BLOCK_VALUES = 5_000_000  # draws summarised or cast a block at a time: about 40 MB of float64
CHUNK_MAX_BYTES = 64 * 2**20  # largest HDF5 chunk of a variable's draws


def compile_model(model, numba_cache: bool = False):
    """Compile a PyMC model for nutpie, always the same way, so draws are bitwise reproducible.

    Numba's fast-math flags are off (pytensor's default turns on ``reassoc``, ``contract``, ``afn``,
    ``arcp`` and ``nsz``). With them, LLVM may reorder floating-point sums and fuse multiply-adds
    differently depending on how the compiled functions were put together: a fresh compile inlines
    each operation's freshly generated code, a warm cache links code loaded from disk, and the
    log density then differs in the last bits (about 1e-11), enough for chains to take different
    paths. Without fast-math every order is fixed by the graph, and a fresh compile, a warm cache and
    a half-warm one give bitwise the same log density and draws (``tests/test_compile_cache.py``);
    sampling speed is within the noise of this machine (README, "Compile caches").

    ``numba_cache=True`` (the workflow's default, config ``sampler.compile_cache``) stores the compiled
    functions in, and loads them from, pytensor's compile directory; saves are serialised between
    processes (:func:`lock_numba_cache_saves`), so many jobs may share one directory. nutpie's two C
    callbacks are cached too (:mod:`zsneq.models.nutpie_numba`): a warm compile loads them instead of
    compiling them (about 1 s instead of 7 s for a 400-group model).
    """
    import pytensor

    from zsneq.models.nutpie_numba import compile_pymc_model

    if numba_cache:
        lock_numba_cache_saves()
    with pytensor.config.change_flags(numba__cache=numba_cache, numba__fastmath=False):
        return compile_pymc_model(model)  # nutpie's, with callbacks a warm cache loads


class ModelCache:
    """Compile each model structure once; for a later dataset of the same structure, swap its data in.

    ``get(variant, data)`` builds the variant's model on ``data`` (cheap) and, when a model of that
    variant was compiled before and the two models differ only in the values of their ``pm.Data``
    containers (:func:`swappable_data`), returns the compiled model with the new model's data swapped
    in (nutpie's ``with_data``) instead of compiling again. Works for any variant that routes every
    data-dependent array through a named ``pm.Data``; anything else is compiled from scratch.
    Posterior draws are bitwise the same as from a fresh compile (``tests/test_batch.py``).
    """

    def __init__(self, numba_cache: bool = False) -> None:
        self._models: dict[str, tuple] = {}  # variant -> (model, its graphs, compiled model)
        self.numba_cache = numba_cache
        self.compiles = 0
        self.swaps = 0

    def get(self, variant: str, data: RegressionData):
        """``(compiled model, reused)`` for ``variant`` on ``data``; ``reused`` is True when data were swapped in."""
        model = get_variant(variant).build_model(data)
        variant = variant_name(variant)  # a user variant comes as its config mapping
        cached = self._models.get(variant)
        if cached is not None:
            old, graphs, compiled = cached
            values = swappable_data(old, model, graphs)
            names = shared_names(compiled)
            if values is not None and set(names) <= set(values):
                self.swaps += 1
                return compiled.with_data(**{k: values[k] for k in names}), True
            log.info("%s: model structure changed; compiling again", variant)
        compiled = compile_model(model, self.numba_cache)
        self.compiles += 1
        self._models[variant] = (model, model_graphs(model), compiled)
        return compiled, False


def model_graphs(model) -> list:
    """The graphs two models must share to be the same computation: joint log density, deterministics."""
    return [model.logp(), *model.deterministics]


def shared_names(compiled) -> list[str]:
    """Names of the shared variables (data) a compiled nutpie model reads."""
    return [var.name for var in compiled.shared_var_keys]


def swappable_data(old, new, old_graphs: list | None = None) -> dict | None:
    """The ``pm.Data`` values of model ``new`` by name if it is model ``old`` with other data, else None.

    "Other data" means: the same coords, the same data containers (names, dtypes, shapes), no prior
    that depends on data, and the same joint log-density and deterministic graphs once the data
    containers, value variables and dim lengths of one are matched with those of the other
    (constants included). Only then is sampling ``old``'s compiled model with ``new``'s data the
    same computation as compiling ``new``. ``old_graphs``: ``model_graphs(old)``, if already built.
    """
    from pytensor.graph.basic import equal_computations
    from pytensor.graph.traversal import ancestors

    def data_of(model):
        return {var.name: var for var in model.data_vars}

    old_data, new_data = data_of(old), data_of(new)
    if old_data.keys() != new_data.keys() or len(old_data) != len(old.data_vars):
        return None
    values = {name: var.get_value() for name, var in new_data.items()}
    for name, var in old_data.items():
        before = var.get_value()
        if before.shape != values[name].shape or before.dtype != values[name].dtype:
            return None
    if old.coords.keys() != new.coords.keys() or any(
        not np.array_equal(np.asarray(old.coords[d]), np.asarray(new.coords[d])) for d in old.coords
    ):
        return None
    data_vars = set(new.data_vars)
    prior_inputs = [i for rv in new.free_RVs for i in rv.owner.inputs]
    if any(v in data_vars for v in ancestors(prior_inputs)):
        return None  # a prior (hence the initial point) depends on data: compile afresh
    dims = sorted(old.dim_lengths)
    if dims != sorted(new.dim_lengths) or len(old.value_vars) != len(new.value_vars):
        return None
    same = equal_computations(
        old_graphs if old_graphs is not None else model_graphs(old),
        model_graphs(new),
        in_xs=[*old.value_vars, *(old_data[n] for n in old_data), *(old.dim_lengths[d] for d in dims)],
        in_ys=[*new.value_vars, *(new_data[n] for n in old_data), *(new.dim_lengths[d] for d in dims)],
    )
    return values if same else None


def fit(
    data: RegressionData,
    variant: str | Mapping,
    *,
    chains: int = 4,
    tune: int = 1000,
    draws: int = 1000,
    seed: int = 1,
    cores: int | None = None,
    attrs: dict | None = None,
    cache: ModelCache | None = None,
    numba_cache: bool = False,
    log_likelihood: bool = True,
    data_path: str | Path | None = None,
    progress_seconds: float | None = PROGRESS_SECONDS,
    group_draws: str = "auto",
) -> xr.DataTree:
    """Build ``variant`` on ``data``, compile it with nutpie and sample.

    The returned tree holds ``posterior`` and ``sample_stats``; its root attributes
    record the variant, wall times (compile, sampling), sampler settings and
    package versions, plus anything passed in ``attrs``. With a ``cache`` (several
    datasets fitted in one process), a model compiled for an earlier dataset of the
    same structure is reused with this dataset swapped in; ``compile_seconds`` is then
    the time to build the model and swap, and ``compile_reused`` is 1. ``numba_cache``:
    see :func:`compile_model` (a ``cache`` carries its own setting). ``variant``: a built-in name or a
    user variant's ``variants:`` mapping (``zsneq.models.user``). ``log_likelihood``: add the per-group
    ``log_likelihood`` group. ``data_path``: the dataset's file, recorded when ``observed_data`` is left out.
    ``progress_seconds``: log each chain's progress at most this often while sampling (:class:`ProgressLog`);
    None logs none.
    ``group_draws``: how the group-level draws are stored (:func:`group_draws_groups`).
    """
    import nutpie

    module = get_variant(variant)
    spec = variant if isinstance(variant, Mapping) else None
    variant = variant_name(variant)
    t0 = time.perf_counter()
    if cache is None:
        compiled, reused = compile_model(module.build_model(data), numba_cache), False
    else:
        compiled, reused = cache.get(variant, data)
    compile_seconds = time.perf_counter() - t0
    log.info("%s: %s in %.1f s; sampling %d chains x (%d tune + %d draws)", variant,
             "data swapped into the compiled model" if reused else "compiled", compile_seconds, chains, tune, draws)
    progress = ProgressLog(variant, progress_seconds) if progress_seconds is not None else None
    t0 = time.perf_counter()
    trace = nutpie.sample(
        compiled,
        chains=chains,
        tune=tune,
        draws=draws,
        seed=seed,
        cores=cores or chains,
        save_warmup=False,
        progress_bar=False,
        progress_callback=progress,
        progress_rate=progress_rate_ms(progress_seconds),
    )
    sampling_seconds = time.perf_counter() - t0
    n_div = int(trace["sample_stats"]["diverging"].sum())
    log.info("%s: sampled in %.1f s, %d divergences", variant, sampling_seconds, n_div)

    groups = {name: _clean(trace[name].to_dataset()) for name in KEEP_GROUPS}
    del trace
    if spec is not None:  # a user model that indexed its groups by code: its group coordinate as the labels
        from zsneq.models.user import label_groups

        groups["posterior"] = label_groups(groups["posterior"], data)
    t0 = time.perf_counter()
    if getattr(module.spec, "integrates_slopes", False):
        log.info("%s: drawing group slopes from their conditional (%d groups)", variant, data.n_groups)
    groups, extra = group_draws_groups(module, groups, data, seed, mode=group_draws, log_likelihood=log_likelihood,
                                       chains=chains, draws=draws)
    if getattr(module.spec, "integrates_slopes", False):
        log.info("%s: group slopes drawn in %.1f s", variant, time.perf_counter() - t0)
    if len(data.y) <= OBSERVED_MAX_ROWS:
        groups["observed_data"] = observed_data(data)
    elif data_path is not None:
        extra["observed_data_path"] = str(data_path)
    standard = standard_attrs(nutpie, sampling_seconds)
    for ds in groups.values():
        ds.attrs = {**ds.attrs, **standard}
    tree = xr.DataTree.from_dict(groups)
    tree.attrs = {
        **standard,
        "status": "ok",
        "variant": variant,
        **({"variant_spec": json.dumps(module.spec.to_entry())} if spec is not None else {}),
        "variant_description": module.DESCRIPTION,
        "predictors": json.dumps(data.predictors),
        "n_groups": data.n_groups,
        "n_obs": len(data.y),
        "compile_seconds": compile_seconds,
        "compile_reused": int(reused),
        "numba_cache": int(cache.numba_cache if cache is not None else numba_cache),
        "sampling_seconds": sampling_seconds,
        "sampler": json.dumps({"name": "nutpie", "chains": chains, "tune": tune, "draws": draws, "seed": seed}),
        "package_versions": json.dumps(package_versions()),
        **extra,
        **(attrs or {}),
    }
    return tree


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


def standard_attrs(library, sampling_seconds: float) -> dict:
    """ArviZ's standard attributes of a group: inference library and version, creation time, sampling time."""
    from importlib.metadata import version

    return {
        "inference_library": library.__name__,
        "inference_library_version": version(library.__name__),
        "created_at": datetime.now(UTC).isoformat(),
        "sampling_time": float(sampling_seconds),
    }


def observed_data(data: RegressionData) -> xr.Dataset:
    """The ``observed_data`` group: the outcome ``y`` and the group code ``group_idx`` of every row."""
    from zsneq.core.vocabulary import OBS

    return xr.Dataset({"y": ((OBS,), data.y), "group_idx": ((OBS,), data.group_idx)},
                      coords={OBS: np.arange(len(data.y))})


def compression_encoding(tree: xr.DataTree) -> dict:
    """``{group path: {variable: encoding}}``: every numeric variable compressed, one HDF5 chunk per chain.

    Posterior draws are noise to a compressor: at the seed scenario's size zlib with byte shuffling
    saves about 15% (less on tiny files, where chunk bookkeeping costs about as much as it saves).
    A chain's draws of a large group-level variable are split over chunks of at most ``CHUNK_MAX_BYTES``
    (HDF5 refuses chunks of 4 GB or more, and each chunk passes through memory whole when written).
    """
    def encoding(var: xr.Variable) -> dict:
        if var.dims[:1] != ("chain",) or not var.size:
            return dict(COMPRESSION)
        if var.dims[1:2] != ("draw",):
            return dict(COMPRESSION) | {"chunksizes": (1, *var.shape[1:])}
        per_draw = var.dtype.itemsize * int(np.prod(var.shape[2:]))  # a chain per chunk, up to CHUNK_MAX_BYTES
        draws = max(1, min(var.shape[1], CHUNK_MAX_BYTES // max(1, per_draw)))
        return dict(COMPRESSION) | {"chunksizes": (1, draws, *var.shape[2:])}

    return {
        node.path: {name: encoding(var.variable) for name, var in node.dataset.data_vars.items()
                    if var.dtype.kind in "biuf"}
        for node in tree.subtree
        if node.has_data
    }


def _clean(ds: xr.Dataset) -> xr.Dataset:
    """Make object-typed sampler stats (messages) writable as NetCDF strings."""
    for name, var in ds.data_vars.items():
        if var.dtype == object:
            ds[name] = var.astype(str).where(var.notnull(), "")
    return ds


def progress_rate_ms(progress_seconds: float | None) -> int:
    """How often nutpie reports progress (ms): often enough for a line every ``progress_seconds``."""
    if progress_seconds is None:
        return 1000
    return int(min(1000, max(50, 1000 * progress_seconds / 5)))


def write_fit(tree: xr.DataTree, path: str | Path) -> None:
    """Write a fit file atomically (NetCDF4 through h5netcdf, every numeric variable compressed; a crash
    leaves no partial file), logging start and end."""
    t0 = time.perf_counter()
    log.info("writing %s", path)
    with atomic_path(path) as tmp:
        tree.to_netcdf(tmp, engine="h5netcdf", encoding=compression_encoding(tree))
    log.info("wrote %s (%.1f MB) in %.1f s", path, Path(path).stat().st_size / 1e6, time.perf_counter() - t0)


def failed_fit(variant: str | Mapping, error: BaseException, attrs: dict | None = None) -> xr.DataTree:
    """A fit file recording that building, compiling or sampling ``variant`` raised ``error``.

    It has no posterior; its root attributes hold ``status="failed"`` and
    ``error="<type>: <message>"``, so downstream rules can list the failure
    instead of stopping the workflow.
    """
    tree = xr.DataTree()
    tree.attrs = {
        "status": "failed",
        "error": error_line(error),
        "variant": variant_name(variant),
        **(attrs or {}),
    }
    return tree


def error_line(error: BaseException) -> str:
    """``"<type>: <message>"`` on one line, without a native (Rust) stack backtrace."""
    message = " ".join(str(error).split("Stack backtrace:")[0].split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def fit_status(tree: xr.DataTree) -> str:
    """``"ok"`` or ``"failed"`` (files written before the status attribute existed are ``"ok"``)."""
    return str(tree.attrs.get("status", "ok"))


def read_fit(path: str | Path) -> xr.DataTree:
    """Read a fit file; a recorded failure (``fit_status(tree) == "failed"``) is returned, not raised.

    Raises DataError naming the file when it is missing, unreadable (truncated,
    corrupt) or not a fit file.
    """
    from zsneq.core.dataset import DataError

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: fit file does not exist")
    try:
        with xr.open_datatree(path, engine="h5netcdf") as opened:
            tree = opened.load().copy()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, ... for truncated or corrupt files
        raise DataError(f"{path}: cannot read NetCDF fit ({type(exc).__name__}: {exc})") from exc
    if "variant" not in tree.attrs:
        raise DataError(f"{path}: not a fit file (no variant attribute)")
    status = fit_status(tree)
    if status == "failed":
        return tree
    if status != "ok":
        raise DataError(f"{path}: unknown fit status {status!r}")
    missing = [g for g in KEEP_GROUPS if g not in tree.children]
    if missing:
        raise DataError(f"{path}: fit file lacks group(s) {missing}")
    return tree


def fit_attrs(tree: xr.DataTree) -> dict:
    """Root attributes with JSON fields decoded."""
    out = dict(tree.attrs)
    for key in ("predictors", "sampler", "package_versions", "variant_spec"):
        if key in out:
            out[key] = json.loads(out[key])
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}

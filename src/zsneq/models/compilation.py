"""Compile a model for nutpie reproducibly, and reuse a compiled model for another dataset of the same structure."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from zsneq.core.dataset import RegressionData
from zsneq.models.numba_cache import lock_numba_cache_saves
from zsneq.models.variants import get_variant, variant_name

log = logging.getLogger(__name__)


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
    compiling them (about 1 s instead of 7 s for a 400-group model). Processes that compile the same
    model into one directory at once take turns (:func:`compile_lock`): the later ones load it.
    """
    import pytensor

    from zsneq.models.nutpie_numba import compile_pymc_model

    if numba_cache:
        lock_numba_cache_saves()
    lock = compile_lock(Path(pytensor.config.compiledir), model_key(model)) if numba_cache else contextlib.nullcontext()
    with lock, pytensor.config.change_flags(numba__cache=numba_cache, numba__fastmath=False):
        return compile_pymc_model(model)  # nutpie's, with callbacks a warm cache loads


LOCKS = "zsneq-compile-locks"  # directory of the per-model compile locks, in the shared compile directory


def model_key(model) -> str:
    """A hash of the model's joint log density and deterministics as graphs (types and static shapes
    included, data values not): the same model built on other data of the same shape has the same key.
    Two different models may rarely share a key; they then compile one after the other."""
    from pytensor.printing import debugprint

    text = debugprint(model_graphs(model), file="str", id_type="CHAR", print_type=True, print_shape=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@contextlib.contextmanager
def compile_lock(compiledir: Path, key: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``<compiledir>/zsneq-compile-locks/<key>.lock`` for the block.

    Fit jobs that start at once on a shared compile cache (replicates of one variant, or studies
    sharing a cache) would each compile the same model from scratch. With the lock, one compiles and
    fills the cache and the others wait for it, then load the model from the cache (about 1 s instead
    of 10-20 s of CPU). Different models do not wait for each other. The lock goes with the process
    that holds it, however it ends. Where the file system has no ``flock``, nobody waits.
    """
    import fcntl

    path = compiledir / LOCKS / f"{key}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")  # noqa: SIM115 (closed below, after the block)
    except OSError:
        yield
        return
    with handle:
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("waiting for another process compiling the same model (%s)", path)
                t0 = time.perf_counter()
                fcntl.flock(handle, fcntl.LOCK_EX)
                log.info("waited %.1f s for the other compile; loading what it cached", time.perf_counter() - t0)
        except OSError:  # no flock on this file system
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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

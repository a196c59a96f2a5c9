"""Compile a PyMC model for nutpie's numba backend with callbacks that a warm compile cache loads.

``nutpie.compile_pymc_model`` wraps PyTensor's compiled log density and its "expand" function
(every stored variable from the unconstrained point) in two numba C callbacks. PyTensor caches its
own functions on disk, but the callbacks were compiled afresh in every process: their closures hold
random ``uuid`` keys and the data arrays, so numba's cache never found them again, and typing and
lowering them was most of a warm compile (about 6 of 7 s for a 400-group model).

:func:`compile_pymc_model` builds the same ``nutpie.CompiledPyMCModel`` with callbacks generated as
source text with no closure: the data keys are deterministic (``shared0``, ``shared1``, ...), the data
are read through the user-data record nutpie passes in (never frozen into the code), and the cache
entry is named by a hash of everything the code depends on (the generated source, PyTensor's cache
keys of the two inner functions, the parameter and expanded sizes, each data array's rank and dtype,
the versions of nutpie and numba). A warm cache then loads the callbacks instead of compiling them.
Where PyTensor cannot cache an inner function (no key), the callbacks are compiled without caching,
as nutpie does.

The callbacks compute what nutpie's do, with the same inner functions: the draws are bitwise the same
from a cold, a warm and a half-warm cache (``tests/test_compile_cache.py``). They copy their results
with explicit loops where nutpie writes ``out[...] = grad``: numba types and lowers that through its
general fancy-indexing path, which made a compile that misses the callbacks in the cache about 1.3 s
(15-20%) slower on the tiny study's models.

:func:`import_nutpie` imports nutpie without the whole of ArviZ, about 0.85 CPU-s less in every fit job.
"""

from __future__ import annotations

import hashlib
import sys
from importlib.metadata import version

import numpy as np

# what nutpie's sample module reads from ``arviz``: names the ``arviz`` meta package re-exports from arviz_base
NUTPIE_ARVIZ_NAMES = ("from_dict", "dict_to_dataset")


def import_nutpie():
    """``import nutpie``, with ``arviz_base`` standing in for ``arviz`` while nutpie is imported.

    nutpie's sample module runs ``import arviz`` and uses only :data:`NUTPIE_ARVIZ_NAMES`, which the
    ``arviz`` meta package re-exports from arviz_base unchanged (the same functions). The meta package also
    imports arviz_stats and arviz_plots with matplotlib: about 0.85 CPU-s in every process that fits, for
    nothing a fit uses. When ``arviz`` is already imported, or nutpie is, nothing is stood in. The stand-in
    is gone from ``sys.modules`` afterwards, so a later ``import arviz`` gets the real package.
    ``tests/test_compile_cache.py`` checks that every ``arviz.<name>`` in nutpie's source is one of these.
    """
    if "nutpie" in sys.modules or "arviz" in sys.modules:
        import nutpie

        return nutpie
    import arviz_base

    sys.modules["arviz"] = arviz_base
    try:
        import nutpie
    finally:
        if sys.modules.get("arviz") is arviz_base:
            del sys.modules["arviz"]
    return nutpie


_LOGP_SRC = """
def logp_numba(dim, x_, out_, logp_, user_data_):
    if dim != {n_dim}:
        return -1
    try:
        x = numba.carray(x_, ({n_dim},))
        out = numba.carray(out_, ({n_dim},))
        logp = numba.carray(logp_, ())
        logp_val, grad = extract_logp(x, user_data_)
        logp[()] = logp_val
        for i in range({n_dim}):
            out[i] = grad[i]
        for i in range({n_dim}):
            if not np.isfinite(out[i]):
                return 3
        if not np.isfinite(logp_val):
            return 4
    except Exception:  # noqa: BLE001
        return 1
    return 0
"""

_EXPAND_SRC = """
def expand_numba(dim, expanded, x_, out_, user_data_):
    if dim != {n_dim}:
        return -1
    if expanded != {n_expanded}:
        return -1
    try:
        x = numba.carray(x_, ({n_dim},))
        out = numba.carray(out_, ({n_expanded},))
        (values,) = extract_expand(x, user_data_)
        for i in range({n_expanded}):
            out[i] = values[i]
    except Exception:  # noqa: BLE001
        return -2
    return 0
"""


def _extract_src(name: str, keys: list[str], ndims: list[int]) -> str:
    """Source of ``name(x, user_data_)``: read each shared array from nutpie's user-data record, call ``inner``."""
    lines = [f"def {name}(x, user_data_):",
             "    shared = numba.carray(user_data_, (), record_dtype)['shared']"]
    args = []
    for i, (key, ndim) in enumerate(zip(keys, ndims)):
        ptr = f"address_as_void_pointer(shared['data']['{key}'][()])"
        if ndim == 0:
            lines.append(f"    a{i} = numba.carray({ptr}, (), dtype{i})")
        else:
            lines.append(f"    s{i} = shared['shape']['{key}']")
            shape = "(" + "".join(f"s{i}[{d}], " for d in range(ndim)) + ")"
            lines.append(f"    a{i} = numba.carray({ptr}, {shape}, dtype{i})")
        args.append(f"a{i}")
    lines.append(f"    return inner(x{''.join(', ' + a for a in args)})")
    return "\n".join(lines) + "\n"


def _inner_key(fn) -> str | None:
    """PyTensor's cache key of a compiled numba function, or None when PyTensor does not cache it."""
    from pytensor.link.numba.cache import CACHED_SRC_FUNCTIONS

    py_func = getattr(fn, "py_func", None)
    return None if py_func is None else CACHED_SRC_FUNCTIONS.get(py_func)


def compile_pymc_model(model):
    """``nutpie.compile_pymc_model(model)`` (numba backend, default initialisation) with cacheable callbacks.

    Compile under the caller's PyTensor flags (``numba__cache``, ``numba__fastmath``): the callbacks are
    cached exactly when PyTensor caches, in PyTensor's numba cache directory.
    """
    import numba
    import pytensor

    import_nutpie()
    from nutpie.compile_pymc import (
        CompiledPyMCModel,
        _make_functions,
        _prepare_dims_and_coords,
        _wrap_with_lock,
        address_as_void_pointer,
        make_user_data,
    )
    from pymc.initial_point import make_initial_point_fn
    from pytensor.link.numba.cache import compile_numba_function_src

    pymc_initial_point_fn = _wrap_with_lock(make_initial_point_fn(
        model=model, overrides=None, default_strategy="support_point", jitter_rvs=set(model.free_RVs),
        return_transformed=True))
    n_dim, n_expanded, logp_fn_pt, expand_fn_pt, initial_point_fn, shape_info, reparameterized = _make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True, pymc_initial_point_fn=pymc_initial_point_fn)

    shared_data, shared_var_keys = {}, {}
    for var in [*logp_fn_pt.get_shared(), *expand_fn_pt.get_shared()]:
        if var not in shared_var_keys:
            key = f"shared{len(shared_var_keys)}"
            shared_var_keys[var] = key
            shared_data[key] = np.array(var.get_value(), order="C", copy=True)
            shared_data[key].flags.writeable = False
    user_data = make_user_data(shared_var_keys, shared_data)

    logp_jit, expand_jit = logp_fn_pt.vm.jit_fn, expand_fn_pt.vm.jit_fn
    inner_keys = [_inner_key(logp_jit), _inner_key(expand_jit)]
    cacheable = bool(pytensor.config.numba__cache) and None not in inner_keys
    callbacks = {}
    for role, fn_pt, jit_fn, src, sig in (
        ("logp", logp_fn_pt, logp_jit, _LOGP_SRC,
         numba.types.int64(numba.types.uint64, numba.types.CPointer(numba.types.double),
                           numba.types.CPointer(numba.types.double), numba.types.CPointer(numba.types.double),
                           numba.types.voidptr)),
        ("expand", expand_fn_pt, expand_jit, _EXPAND_SRC,
         numba.types.int64(numba.types.uint64, numba.types.uint64, numba.types.CPointer(numba.types.double),
                           numba.types.CPointer(numba.types.double), numba.types.voidptr)),
    ):
        keys = [shared_var_keys[var] for var in fn_pt.get_shared()]
        ndims = [shared_data[k].ndim for k in keys]
        dtypes = [shared_data[k].dtype for k in keys]
        env = {"__name__": __name__, "numba": numba, "np": np, "inner": jit_fn, "record_dtype": user_data.dtype,
               "address_as_void_pointer": address_as_void_pointer} | {f"dtype{i}": d for i, d in enumerate(dtypes)}
        extract_name = f"extract_{role}"
        extract_src = _extract_src(extract_name, keys, ndims)
        extract = compile_numba_function_src(extract_src, extract_name, env)
        env[extract_name] = numba.njit(inline="always")(extract)
        name = f"{role}_numba"
        callback_src = src.format(n_dim=n_dim, n_expanded=n_expanded)
        cache_key = None
        if cacheable:  # the generated source itself is part of the key: an edit here is never served stale
            cache_key = hashlib.sha256(repr((
                callback_src, extract_src, inner_keys, n_dim, n_expanded, [d.str for d in dtypes],
                user_data.dtype.descr, version("nutpie"), numba.__version__,
                bool(pytensor.config.numba__fastmath))).encode()).hexdigest()
        fn = compile_numba_function_src(callback_src, name, env, cache_key=cache_key)
        callbacks[role] = numba.cfunc(sig, cache=cache_key is not None)(fn)

    dims, coords = _prepare_dims_and_coords(model, shape_info, reparameterized)
    return CompiledPyMCModel(
        _n_dim=n_dim, dims=dims, _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info)},
        compiled_logp_func=callbacks["logp"], compiled_expand_func=callbacks["expand"],
        initial_point_func=initial_point_fn, shared_data=shared_data, shared_var_keys=shared_var_keys,
        user_data=user_data, n_expanded=n_expanded, shape_info=shape_info, logp_func=logp_fn_pt,
        expand_func=expand_fn_pt, reparameterized_names=reparameterized)

"""Progress logging of fits: a line per chain at a steady rate, and the same draws with or without it."""

import logging
import re
from types import SimpleNamespace

import numpy as np

from conftest import TINY_SAMPLER
from zsneq.models.compilation import ModelCache

from zsneq.models.fit import fit
from zsneq.models.fit_file import write_fit
from zsneq.models.progress import ProgressLog
PROGRESS = re.compile(r"chain (\d+)/(\d+): (waiting|tuning|sampling|done) (\d+)/(\d+) draws, (\d+) divergences")


def _chain(done, total=200, tune=100, divergences=0):
    return SimpleNamespace(finished_draws=done, total_draws=total, divergences=divergences,
                           tuning=done < tune, started=done > 0)


def test_progress_log_is_steady_and_marks_phase_changes(caplog):
    now = [0.0]
    progress = ProgressLog("m", every=5.0, logger=logging.getLogger("zsneq.test"), clock=lambda: now[0])
    caplog.set_level(logging.INFO, logger="zsneq.test")
    for t, done in [(0, 0), (1, 10), (4.9, 40), (5.0, 50), (6, 99), (7, 100), (8, 150), (9, 200), (30, 200)]:
        now[0] = t
        progress([_chain(done), _chain(done // 2)])
    lines = [PROGRESS.search(r.getMessage()).groups() for r in caplog.records]
    first = [(phase, int(done)) for chain, _, phase, done, *_ in lines if chain == "1"]
    # first report, every 5 s, leaving tuning (t=7), finished (t=9); nothing more once done
    assert first == [("waiting", 0), ("tuning", 50), ("sampling", 100), ("done", 200)]
    second = [(phase, int(done)) for chain, _, phase, done, *_ in lines if chain == "2"]
    # the second chain is slower: still sampling at t=30, so it is reported again after 5 s
    assert second == [("waiting", 0), ("tuning", 25), ("sampling", 100), ("sampling", 100)]


def test_fit_logs_progress_per_chain_and_draws_do_not_change(tiny_data, caplog, tmp_path):
    """2 chains x (100 tune + 100 draws): at least two progress lines per chain, bitwise the same draws
    as a fit without progress reporting."""
    caplog.set_level(logging.INFO, logger="zsneq")
    cache = ModelCache(numba_cache=True)  # compile (or load) once; the second fit swaps the same data in
    variant = "vectorized_fixed+marginal"  # also draws the group slopes after sampling
    with_progress = fit(tiny_data, variant, cache=cache, progress_seconds=0.5, **TINY_SAMPLER)
    messages = [r.getMessage() for r in caplog.records]
    per_chain = {}
    for m in messages:
        if (match := PROGRESS.search(m)) and m.startswith(variant):
            per_chain.setdefault(match.group(1), []).append(match.group(3))
    assert sorted(per_chain) == ["1", "2"]
    assert all(len(phases) >= 2 and phases[-1] == "done" for phases in per_chain.values()), per_chain
    assert any("drawing group slopes" in m for m in messages)
    assert any("group slopes drawn" in m for m in messages)

    caplog.clear()
    without = fit(tiny_data, variant, cache=cache, progress_seconds=None, **TINY_SAMPLER)
    assert not any(PROGRESS.search(r.getMessage()) for r in caplog.records)
    for name in with_progress["posterior"].data_vars:
        np.testing.assert_array_equal(with_progress["posterior"][name].values, without["posterior"][name].values)
    assert set(with_progress["posterior"].data_vars) == set(without["posterior"].data_vars)

    caplog.clear()
    write_fit(without, tmp_path / "fit.nc")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("writing") for m in messages) and any(m.startswith("wrote") for m in messages)

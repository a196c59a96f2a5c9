"""Progress of a running fit: one log line per chain at a steady rate while nutpie samples."""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

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


def progress_rate_ms(progress_seconds: float | None) -> int:
    """How often nutpie reports progress (ms): often enough for a line every ``progress_seconds``."""
    if progress_seconds is None:
        return 1000
    return int(min(1000, max(50, 1000 * progress_seconds / 5)))

"""Small I/O helpers shared by the workflow scripts: logging, atomic writes, a private compile cache."""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def setup_logging(log_path: str | os.PathLike | None = None) -> logging.Logger:
    """Send log records (and warnings) to ``log_path`` and to stderr."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=logging.WARNING,  # other libraries: warnings only
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
    logger = logging.getLogger("zsneq")
    logger.setLevel(logging.INFO)

    def log_uncaught(exc_type, exc, tb):
        logger.error("%s: %s", exc_type.__name__, exc, exc_info=(exc_type, exc, tb))

    sys.excepthook = log_uncaught
    return logger


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    Nothing is left at ``path`` (or beside it) when the block raises, so a
    failed job never leaves a partial output behind. A job killed outright
    (SIGKILL) cannot clean up; its temporary file is removed by the next
    attempt to write ``path``, and ``path`` itself is never partial.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):  # left by a killed earlier attempt
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tmp_path
        tmp_path.chmod(0o666 & ~umask)  # mkstemp makes 0600; give outputs the usual mode
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def job_compiledir(shared: str | Path | None = None) -> Iterator[Path]:
    """The compile directory of a fit job: ``private_compiledir()``, or ``shared`` when given.

    ``shared`` (config ``sampler.compile_cache``; ``~`` and environment variables such as ``$TMPDIR``
    expanded, relative to the working directory) is created if needed and kept after the job, so
    later jobs load compiled models from it. Enter it before pytensor is imported.
    """
    if shared is None:
        with private_compiledir() as path:
            yield path
        return
    path = Path(os.path.expandvars(os.path.expanduser(str(shared)))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    with _base_compiledir(path):
        yield path


@contextlib.contextmanager
def private_compiledir(*, c_code: bool = True) -> Iterator[Path]:
    """Give pytensor a compile cache of this process's own for the duration of the block.

    The cache is a fresh directory in node-local temporary storage (``$TMPDIR``, else ``/tmp``),
    removed afterwards. Jobs that start at once, on one node or many, never share, lock or race on
    a cache, and nothing is written to shared storage; each job compiles from scratch (config
    ``sampler.compile_cache: null``, and jobs other than fits). Enter it before pytensor is imported.

    ``c_code=False`` also keeps pytensor from compiling C (flags ``cxx=`` and ``linker=py``): its functions
    run their operations one by one in NumPy, and no C compiler is probed or run. The jobs other than
    fits evaluate their functions a few times, so compiling C into a fresh directory costs them more than it
    saves: the checks and prior-predictive jobs took 0.3-0.5 s (10-20%) less CPU without it, on the tiny
    and on the seed design, and wrote the same results.
    """
    with tempfile.TemporaryDirectory(prefix="zsneq-pytensor-", ignore_cleanup_errors=True) as tmp:
        with _base_compiledir(Path(tmp), () if c_code else ("cxx=", "linker=py")):
            yield Path(tmp)


@contextlib.contextmanager
def _base_compiledir(path: Path, flags: tuple[str, ...] = ()) -> Iterator[None]:
    """Point pytensor's ``base_compiledir`` at ``path``, and set ``flags``, for the block (before pytensor is
    imported)."""
    if "pytensor" in sys.modules:
        raise RuntimeError("a compile directory must be chosen before pytensor is imported")
    previous = os.environ.get("PYTENSOR_FLAGS")
    # Later flags win, so this overrides a base_compiledir set by the user and keeps the rest.
    os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [previous, f"base_compiledir={path}", *flags]))
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYTENSOR_FLAGS", None)
        else:
            os.environ["PYTENSOR_FLAGS"] = previous

"""Functions from users' own Python files, imported by path: model builders and data generators.

The file need not be on ``sys.path`` nor import this package. Every failure is a ``UserModelError``
whose message is one line naming the file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType


class UserModelError(Exception):
    """A user's file that cannot be loaded, or whose function fails; the message is one line naming the file."""


@cache
def _load_module(path: Path, mtime_ns: int) -> ModuleType:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    module_name = f"zsneq_user_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise UserModelError(f"{path}: cannot be imported as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling in the file look themselves up here
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise UserModelError(f"{path}: importing it raised {one_line(exc)}") from exc
    return module


def load_function(file: str | Path, function: str) -> Callable:
    """``function`` of the Python file ``file``, imported by path; UserModelError naming the file otherwise."""
    path = Path(file).resolve()
    if not path.is_file():
        raise UserModelError(f"{path}: file does not exist")
    module = _load_module(path, path.stat().st_mtime_ns)
    fn = getattr(module, function, None)
    if not callable(fn):
        found = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and v.__module__ == module.__name__)
        raise UserModelError(f"{path}: no function {function!r} (functions in the file: {', '.join(found) or 'none'})")
    return fn


def one_line(exc: BaseException) -> str:
    """``"<type>: <message>"`` on one line."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__

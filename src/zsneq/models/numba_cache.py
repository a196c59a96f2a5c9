"""Numba's on-disk cache, made safe for processes that share it.

Imported by every module that compiles with ``cache=True`` (``zsneq.models.marginal``) and by fits that
keep pytensor's compiled functions in a shared directory (``zsneq.models.compilation.compile_model``).
"""

from __future__ import annotations


def lock_numba_cache_saves() -> None:
    """Make numba's cache saves safe for processes sharing one cache directory (idempotent).

    Numba saves an entry by reading the index, picking the first free data-file number, writing the
    index and then the data file, with no lock: two processes saving different signatures of one
    function at once can both pick ``.1.nbc``, and the index may then point at the other one's
    code. Here each save holds an exclusive ``flock`` on ``<index>.lock`` and writes the data file
    before the index, so a reader (which takes no lock) only ever finds complete, matching entries.
    """
    import fcntl
    import itertools

    from numba.core.caching import IndexDataCacheFile

    if getattr(IndexDataCacheFile.save, "_zsneq_locked", False):
        return

    def save(self, key, data):
        with open(self._index_path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                overloads = self._load_index()
                name = overloads.get(key)
                if name is None:
                    used = set(overloads.values())
                    name = next(n for n in map(self._data_name, itertools.count(1)) if n not in used)
                self._save_data(name, data)
                if overloads.get(key) != name:
                    overloads[key] = name
                    self._save_index(overloads)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    save._zsneq_locked = True
    IndexDataCacheFile.save = save

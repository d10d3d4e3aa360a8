"""The cache of what the tests build or download, each entry filled once.

Entries live under ``${FLINK_AKS_CACHE:-$HOME/.cache/flink-aks}``, keyed by version in
their names. An entry (a directory or a single file) is filled under a lock file
``.<name>.lock`` beside it, staged in a temporary directory under the same parent and
moved into place by one atomic rename, so an entry that is complete stays complete.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "FLINK_AKS_CACHE"


class CacheFillError(RuntimeError):
    """A fill left its entry incomplete."""


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV, "").strip()
    return Path(configured) if configured else Path.home() / ".cache" / "flink-aks"


def filled_once(name: str, is_complete: Callable[[Path], bool], fill: Callable[[Path, Path], None]) -> Path:
    """``cache_root() / name``, first filled by ``fill(staged, scratch)`` unless ``is_complete``.

    ``fill`` creates ``staged`` (a directory or a file) and may use ``scratch`` (an existing,
    empty directory, removed afterwards) for anything else; ``staged`` must then be complete.
    ``name`` may have several parts (``jobs/x.jar``).
    """
    home = cache_root() / name
    if is_complete(home):
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    with (home.parent / f".{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be filling the same entry
        if is_complete(home):
            return home
        with tempfile.TemporaryDirectory(dir=home.parent, prefix=f".{home.name}-") as tmp:
            staged = Path(tmp) / "staged"
            scratch = Path(tmp) / "scratch"
            scratch.mkdir()
            fill(staged, scratch)
            if not is_complete(staged):
                raise CacheFillError(f"filling {home} left it incomplete")
            if home.is_dir():  # a broken earlier attempt
                shutil.rmtree(home)
            staged.rename(home)  # atomic: same file system
    return home


def print_ready(ready: Callable[[], str], errors: tuple[type[Exception], ...], error_prefix: str) -> int:
    """A cache-filling command: print the line ``ready()`` returns, or ``error_prefix`` + the error on stderr."""
    caught: tuple[type[Exception], ...] = (*errors, CacheFillError)
    try:
        line = ready()
    except caught as exc:
        print(f"{error_prefix}{exc}", file=sys.stderr)
        return 1
    print(line)
    return 0

"""A short-lived per-process cache of configuration (routing rules, statuses, triage team).

Configuration changes rarely and is read on every case created; caching it for
CRM_CONFIG_CACHE_SECONDS (default 30) keeps case_create fast. The admin clears this process's
copy when it saves configuration; other processes see the change within the TTL.

What is *built* from configuration (the division index, the public map, the working calendar)
is kept with the stamp it was built from (`rebuilt_on_change`), and built again only when the
stamp changes: one place for every such cache in the process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.conf import settings

T = TypeVar("T")
_lock = threading.Lock()
_store: dict[str, tuple[float, object]] = {}
_built: dict[str, tuple[Hashable, object]] = {}


def cached(name: str, loader: Callable[[], T]) -> T:
    """`loader()`, read again at most every CRM_CONFIG_CACHE_SECONDS in this process."""
    ttl = float(getattr(settings, "CRM_CONFIG_CACHE_SECONDS", 30))
    now = time.monotonic()
    hit = _store.get(name)
    if hit is not None and now - hit[0] < ttl:
        return cast(T, hit[1])  # stored by this function under this name, from a loader of T
    value = loader()
    with _lock:
        _store[name] = (now, value)
    return value


def rebuilt_on_change(name: str, stamp: Hashable, build: Callable[[], T]) -> T:
    """`build()`, kept until `stamp` (what it was built from) changes; one copy per name.

    Built under the lock, so that processes with threads build an expensive value once.
    """
    hit: Any = _built.get(name)
    if hit is not None and hit[0] == stamp:
        return cast(T, hit[1])
    with _lock:
        hit = _built.get(name)
        if hit is not None and hit[0] == stamp:
            return cast(T, hit[1])
        value = build()
        _built[name] = (stamp, value)
        return value


def clear() -> None:
    with _lock:
        _store.clear()
        _built.clear()

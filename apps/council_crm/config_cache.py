"""A short-lived per-process cache of configuration (routing rules, statuses, triage team).

Configuration changes rarely and is read on every case created; caching it for
CRM_CONFIG_CACHE_SECONDS (default 30) keeps case_create fast. The admin clears this process's
copy when it saves configuration; other processes see the change within the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")
_lock = threading.Lock()
_store: dict[str, tuple[float, object]] = {}


def cached(name: str, loader: Callable[[], T]) -> T:
    ttl = float(getattr(settings, "CRM_CONFIG_CACHE_SECONDS", 30))
    now = time.monotonic()
    hit = _store.get(name)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]  # type: ignore[return-value]
    value = loader()
    with _lock:
        _store[name] = (now, value)
    return value


def clear() -> None:
    with _lock:
        _store.clear()

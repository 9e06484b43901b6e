"""Abuse limits: fixed-window counters in the shared cache, per client address and per session.

The cache is the database table every process shares (settings.CACHES), so a limit holds
across workers. The client's address is the one allauth's limits use too: REMOTE_ADDR, or
behind ALLAUTH_TRUSTED_PROXY_COUNT proxies the entry they added to X-Forwarded-For.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
    ip = forwarded[-proxies] if proxies and len(forwarded) >= proxies else ""
    ip = ip or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(ip.strip("[]")))
    except ValueError:
        return "unknown"


def hit(*, scope: str, who: str, limit: Limit, now: float | None = None) -> int:
    """Count one attempt; 0 if it is within the limit, else the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // limit.seconds)
    key = f"crm-limit:{scope}:{who}:{window}"
    cache.add(key, 0, limit.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, limit.seconds + 1)
        count = 1
    if count <= limit.count:
        return 0
    return max(1, int((window + 1) * limit.seconds - now))


def request_limited(*, scope: str, request: HttpRequest) -> int:
    """Count this request against the scope's limits per address and per session
    (settings.CRM_RATE_LIMITS); the longest wait if one is exceeded, else 0."""
    limits = settings.CRM_RATE_LIMITS.get(scope, {})
    waits = []
    if "ip" in limits:
        waits.append(hit(scope=scope, who=f"ip:{client_ip(request)}", limit=Limit(*limits["ip"])))
    session = getattr(request, "session", None)
    if "session" in limits and session is not None and session.session_key:
        waits.append(
            hit(scope=scope, who=f"s:{session.session_key}", limit=Limit(*limits["session"]))
        )
    return max(waits, default=0)

"""Security headers Django does not set itself (Permissions-Policy, ADR 0021); abuse limits
and load shedding (ADR 0023)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.council_crm.ratelimits import client_ip, request_limited

# Security events (a limit reached, load shed) for the council's log collection (ASVS V16).
security_log = logging.getLogger("council_crm.security")


def permissions_policy(path: str) -> str:
    """The Permissions-Policy for a path: every listed feature off, geolocation on for this
    site only on the report journey ("Use my location")."""
    features = dict(settings.CRM_PERMISSIONS_POLICY)
    if path.startswith(tuple(settings.CRM_GEOLOCATION_PATHS)):
        features["geolocation"] = "(self)"
    return ", ".join(f"{name}={allow}" for name, allow in sorted(features.items()))


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", permissions_policy(request.path_info))
        return response


# --- abuse limits and load shedding (issue 15 point 7, ADR 0023) ----------------------------


def _scope(request: HttpRequest, view_name: str, kwargs: dict[str, Any]) -> str | None:
    """Which limit a POST counts against, if any."""
    if request.method != "POST":
        return None
    if view_name == "portal:report-step" and kwargs.get("step") == "check":
        return "report-send"
    return RATE_LIMITED_VIEWS.get(view_name)


RATE_LIMITED_VIEWS = {
    "portal:track": "track",
    "portal:track-reopen": "track",
    "portal:survey": "track",
    "account_signup": "signup",
}


def too_busy(request: HttpRequest, *, status: int, retry_after: int, scope: str) -> HttpResponse:
    """The GOV.UK page for "too many requests" (429), "too busy" (503), with Retry-After, or
    "too large" (413).
    Rendered without the database: it must be quick when the database is the bottleneck."""
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request,
        "council_crm/too_busy.html",
        {"status": status, "scope": scope, "minutes": minutes},
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class AbuseLimitMiddleware:
    """Per-address and per-session limits on the report's final POST, the tracking forms and
    sign-up (settings.CRM_RATE_LIMITS): past one, 429 with Retry-After before the view runs,
    so nothing is written; the resident's journey stays in their session. A request that
    waited in the proxy's queue longer than CRM_MAX_QUEUE_SECONDS (X-Request-Start) and a
    database too busy to answer get 503 with Retry-After at once, not a timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CRM_MAX_REQUEST_BYTES:
            return too_busy(request, status=413, retry_after=0, scope="too-large")
        waited = queued_seconds(request)
        limit = settings.CRM_MAX_QUEUE_SECONDS
        if (
            limit
            and waited is not None
            and waited > limit
            and request.path_info
            not in (
                "/healthz",
                "/readyz",
            )
        ):
            security_log.warning("queued %.1f s, 503 on %s", waited, request.path)
            return too_busy(request, status=503, retry_after=30, scope="busy")
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        scope = _scope(request, match.view_name if match else "", kwargs)
        if scope is None:
            return None
        if wait := request_limited(scope=scope, request=request):
            security_log.warning(
                "rate limit reached: %s from %s on %s", scope, client_ip(request), request.path
            )
            return too_busy(request, status=429, retry_after=wait, scope=scope)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError) and _busy(exception):
            security_log.warning("database too busy, 503 on %s: %s", request.path, exception)
            return too_busy(request, status=503, retry_after=10, scope="busy")
        return None


def _busy(exc: OperationalError) -> bool:
    """SQLite's writer lock not granted in time, PostgreSQL out of connections or a lock or
    statement timeout: the database is overloaded, the request did not happen."""
    text = str(exc).lower()
    return any(
        s in text
        for s in (
            "database is locked",
            "too many clients",
            "remaining connection slots",
            "lock timeout",
            "statement timeout",
            "canceling statement",
        )
    )


def queued_seconds(request: HttpRequest, now: float | None = None) -> float | None:
    """How long the request waited before Django saw it, from the proxy's X-Request-Start
    (nginx: `proxy_set_header X-Request-Start "t=${msec}";`), seconds or milli/microseconds."""
    raw = request.headers.get("x-request-start", "").removeprefix("t=").strip()
    try:
        start = float(raw)
    except ValueError:
        return None
    while start > 1e11:  # milliseconds or microseconds since the epoch
        start /= 1000
    return (time.time() if now is None else now) - start

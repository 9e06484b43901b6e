"""Security headers Django does not set itself: Permissions-Policy (ADR 0021)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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

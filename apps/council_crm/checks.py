"""Deployment checks of our own, run by `manage.py check --deploy` (issue 15 point 4)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_from_outside(**kwargs: Any) -> list[CheckMessage]:
    """A production key comes from the environment or a file outside the repository, not the
    one generated into sites/<slug>/.secret_key for the demo."""
    if getattr(settings, "CRM_SECRET_KEY_SOURCE", "") == "generated":
        return [
            Warning(
                "SECRET_KEY is the key generated into the site's folder for the demo.",
                hint="Set CRM_SECRET_KEY or CRM_SECRET_KEY_FILE (a file outside the repository),"
                " and CRM_REQUIRE_SECRET_KEY=1 so that a missing key stops the server.",
                id="council_crm.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def content_security_policy_strict(**kwargs: Any) -> list[CheckMessage]:
    """No 'unsafe-inline' or 'unsafe-eval' crept into the Content Security Policy (ADR 0021)."""
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    loose = sorted(
        name
        for name, values in directives.items()
        if isinstance(values, list | tuple)
        and any(str(v) in ("'unsafe-inline'", "'unsafe-eval'") for v in values)
    )
    if not directives or loose:
        return [
            Warning(
                "The Content Security Policy is missing or allows inline script or eval"
                + (f" ({', '.join(loose)})." if loose else "."),
                id="council_crm.W002",
            )
        ]
    return []

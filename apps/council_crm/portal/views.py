"""Resident portal views, and the process health checks."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.council_crm.selectors.catalogue import category_groups_for_portal


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "council_crm/portal/home.html", {"groups": category_groups_for_portal()})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and bookmarks ask for /favicon.ico whatever the page says: the council's logo."""
    if logo := settings.CRM_SITE.logo:
        return HttpResponsePermanentRedirect(static(logo))
    return HttpResponse(status=204)


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice: the site's own text from site.toml, or the default wording."""
    return render(request, "council_crm/portal/privacy.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: the site's own text from site.toml, or the default."""
    return render(request, "council_crm/portal/accessibility.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and every migration is applied."""
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc)}, status=503)
    if pending:
        names = [f"{migration.app_label}.{migration.name}" for migration, _ in pending]
        return JsonResponse({"status": "unavailable", "pending_migrations": names}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})

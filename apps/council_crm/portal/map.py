"""The portal's map data: the division boundaries as GeoJSON, the base layer of the report map.

Public (the boundaries are published anyway) and cacheable: an ETag that changes when a
division changes, so browsers and proxies revalidate cheaply.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_GET

from apps.council_crm.selectors import portal as selectors

GEOJSON = "application/geo+json"


@require_GET
@cache_control(public=True, max_age=3600)
@condition(etag_func=lambda request: selectors.division_map_stamp())
def divisions(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.division_map(), content_type=GEOJSON)

"""Template context: the council this deployment serves."""

from django.conf import settings
from django.http import HttpRequest


def council(request: HttpRequest) -> dict[str, object]:
    return {"council": settings.CRM_SITE}

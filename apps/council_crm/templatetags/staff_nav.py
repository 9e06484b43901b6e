"""The staff and member pages' primary navigation: the areas this user may use, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.council_crm.permissions import (
    can_lead_teams,
    can_manage_motions,
    can_read_access_log,
    can_see_citizens,
    can_use_desk,
)

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    current: bool


# (label, URL name, who may use it, URL prefixes that mark it current). The first match wins.
AREAS = [
    (_("My work"), "desk:cases", can_use_desk, ("/desk/cases", "/desk/views", "/desk/bulk")),
    (_("Team"), "desk:team", can_lead_teams, ("/desk/team",)),
    (_("Log a contact"), "desk:contact", can_see_citizens, ("/desk/contact",)),
    (_("Search"), "desk:search", can_see_citizens, ("/desk/search", "/desk/citizens")),
    (_("Motions"), "motions_desk:list", can_manage_motions, ("/desk/motions",)),
    (_("Access log"), "desk:access-log", can_read_access_log, ("/desk/access-log",)),
]


@register.inclusion_tag("council_crm/includes/staff_navigation.html", takes_context=True)
def staff_navigation(context: template.Context) -> dict[str, object]:
    request: HttpRequest = context["request"]
    user = request.user
    path = request.path
    items: list[NavItem] = []
    for label, name, rule, prefixes in AREAS:
        if rule(user):
            href = reverse(name)
            current = any(path.startswith(p) for p in prefixes) or path == href
            items.append(NavItem(str(label), href, current))
    admin = bool(getattr(user, "is_staff", False))
    return {"items": items, "admin_href": reverse("admin:index") if admin else ""}

"""The staff and member pages' primary navigation: the areas this user may use, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from apps.council_crm.permissions import (
    can_lead_teams,
    can_manage_motions,
    can_read_access_log,
    can_read_mi,
    can_see_citizens,
    can_use_desk,
    can_use_member_area,
)

register = template.Library()


def _councillor(user: object) -> bool:
    return can_use_member_area(user) and getattr(user, "role", "") == "councillor"  # type: ignore[arg-type]


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
    (_("My casework"), "member:home", can_use_member_area, ("/member/cases",)),
    (_("Log a case"), "member:log", can_use_member_area, ("/member/log",)),
    (_("My division"), "member:divisions", can_use_member_area, ("/member/divisions",)),
    # councillors, their support officers and the staff who may read the anonymised figures
    (_("Management information"), "member:mi", can_read_mi, ("/member/mi",)),
    (_("Emails"), "member:preferences", can_use_member_area, ("/member/emails",)),
    (_("Motions"), "member:motions", _councillor, ("/member/motions",)),
]


@register.inclusion_tag("council_crm/includes/staff_navigation.html", takes_context=True)
def staff_navigation(context: template.Context) -> dict[str, object]:
    request: HttpRequest = context["request"]
    user = request.user
    path = request.path
    items: list[NavItem] = []
    for label, name, rule, prefixes in AREAS:
        if rule(user):
            try:
                href = reverse(name)
            except NoReverseMatch:  # an area this build does not have
                continue
            current = any(path.startswith(p) for p in prefixes) or path == href
            items.append(NavItem(str(label), href, current))
    admin = bool(getattr(user, "is_staff", False))
    return {"items": items, "admin_href": reverse("admin:index") if admin else ""}

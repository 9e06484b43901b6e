"""Builders for cases on the demo council, through the real services."""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape

from apps.council_crm.models import Division, User
from apps.council_crm.services.cases import CaseCreated, case_create
from apps.council_crm.services.citizens import ContactDetails

POTHOLE_ANSWERS = {"location": "On the road", "depth": "More than 10 cm", "hazard": "yes"}
MISSED_BIN_ANSWERS = {"bin_type": "General rubbish", "out_on_time": "yes"}


def point_in(code: str) -> tuple[float, float]:
    """(latitude, longitude) of a point well inside a division."""
    p = shape(Division.objects.get(code=code).boundary).representative_point()
    return p.y, p.x


def resident(email: str = "sam.jones@example.com", phone: str = "", **kw: Any) -> ContactDetails:
    return ContactDetails(first_name="Sam", last_name="Jones", email=email, phone=phone, **kw)


def report_pothole(
    *,
    division: str = "FE01",
    contact: ContactDetails | None = None,
    actor: User | None = None,
    channel: str = "web",
    description: str = "A deep pothole outside number 12",
    **kw: Any,
) -> CaseCreated:
    lat, lon = point_in(division)
    return case_create(
        actor=actor,
        channel=channel,
        category="pothole",
        description=description,
        answers=kw.pop("answers", POTHOLE_ANSWERS),
        latitude=kw.pop("latitude", lat),
        longitude=kw.pop("longitude", lon),
        contact=contact if contact is not None else resident(),
        **kw,
    )


def log_reports() -> int:
    """What the worker does moments after "Send report": log the waiting web reports as cases."""
    from apps.council_crm.services.intake import reports_log

    return reports_log()

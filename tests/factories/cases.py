"""Builders for cases on the demo council, through the real services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely.geometry import shape

from apps.council_crm.models import Division, User
from apps.council_crm.services.cases import CaseCreated, CaseRequest, case_create
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.intake import reports_log

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
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **kw: Any,
) -> CaseCreated:
    """A pothole reported in `division`; `kw` are further CaseRequest fields."""
    lat, lon = point_in(division)
    request = CaseRequest(
        channel=channel,
        category="pothole",
        description=description,
        answers=kw.pop("answers", POTHOLE_ANSWERS),
        latitude=kw.pop("latitude", lat),
        longitude=kw.pop("longitude", lon),
        contact=contact if contact is not None else resident(),
        **kw,
    )
    return case_create(request=request, actor=actor, idempotency_key=idempotency_key, now=now)


def log_reports() -> int:
    """What the worker does moments after "Send report": log the waiting web reports as cases."""
    return reports_log()

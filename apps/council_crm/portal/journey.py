"""Report a problem: the journey's state in the session, its steps and their titles.

Each journey has its own id (in the URL and as the key of its state in the session), so two
reports in two tabs do not mix. The id is also the report's idempotency key (ADR 0009).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.council_crm.journeys import SessionJourney
from apps.council_crm.models import GazetteerEntry, ServiceCategory
from apps.council_crm.selectors import portal as selectors
from apps.council_crm.services.intake import report_key, uploads_discard

SESSION_KEY = "portal_reports"
MAX_JOURNEYS = 10
STEPS = [
    "where",
    "group",
    "category",
    "questions",
    "duplicates",
    "details",
    "about-you",
    "consent",
    "check",
]
TITLES = {
    "where": gettext_lazy("Where is the problem?"),
    "group": gettext_lazy("What is the problem about?"),
    "category": gettext_lazy("Which of these is it?"),
    "questions": gettext_lazy("Tell us more about the problem"),
    "duplicates": gettext_lazy("Has someone already reported it?"),
    "follow": gettext_lazy("Follow this report"),
    "details": gettext_lazy("Describe the problem"),
    "about-you": gettext_lazy("About you"),
    "consent": gettext_lazy("Sharing your report with your councillor"),
    "check": gettext_lazy("Check your answers before sending your report"),
}


class Journey(SessionJourney):
    session_key = SESSION_KEY
    max_journeys = MAX_JOURNEYS
    not_found = "No such report"

    @classmethod
    def start(cls, request: HttpRequest) -> Journey:
        return cls.begin(request, {})

    @classmethod
    def evicted(cls, journey_id: str, data: dict[str, Any]) -> None:
        if data.get("photos") and not _sent(journey_id, data):
            uploads_discard(journey_id, data["photos"])  # a sent report's photos are its own

    def url(self, step: str, *, change: bool = False) -> str:
        url = reverse("portal:report-step", args=[self.id, step])
        return f"{url}?change=1" if change else url

    @property
    def finished(self) -> bool:
        return bool(self.data.get("sent") or self.data.get("case") or self.data.get("followed"))

    @property
    def place(self) -> GazetteerEntry | None:
        return selectors.gazetteer_entry(pk=self.data.get("place"))

    @property
    def pin(self) -> tuple[float, float] | None:
        """The point chosen on the map (latitude, longitude), when not a street or place."""
        pin = self.data.get("pin")
        return (pin["latitude"], pin["longitude"]) if pin else None

    @property
    def category(self) -> ServiceCategory | None:
        code = self.data.get("category")
        return selectors.portal_category(code=code) if code else None

    def first_incomplete(self) -> str:
        d = self.data
        done = {
            "where": "place" in d or "pin" in d,
            "group": "group" in d,
            "category": "category" in d,
            "questions": "answers" in d,
            "duplicates": d.get("duplicates_checked", False),
            "details": "description" in d,
            "about-you": "anonymous" in d,
            "consent": "consent" in d or d.get("anonymous", False),
        }
        return next((step for step in STEPS if not done.get(step, False)), "check")


def _sent(journey_id: str, data: dict[str, Any]) -> bool:
    if data.get("sent") or data.get("case"):
        return True
    return selectors.report_confirmation(idempotency_key=report_key(journey_id)) is not None

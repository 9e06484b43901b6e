"""Helpers for walking the report journey with Django's test client."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.council_crm.models import GazetteerEntry

POTHOLE_ANSWERS = {
    "answer_location": "On the road",
    "answer_depth": "More than 10 cm",
    "answer_hazard": "Yes",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_tracking_failures_carried_over():
    """Failed track look-ups are counted per address in the cache; each test starts at 0."""
    cache.clear()
    yield
    cache.clear()


class Walk:
    """One journey: the URL of each step, and posting to it."""

    def __init__(self, client):
        self.client = client
        response = client.get("/report/")
        assert response.status_code == 302
        self.base = response["Location"].rsplit("/", 2)[0] + "/"

    def url(self, step: str) -> str:
        return f"{self.base}{step}/"

    def get(self, step: str, **params):
        return self.client.get(self.url(step), params)

    def post(self, step: str, data: dict | None = None, **kw):
        return self.client.post(self.url(step), data or {}, **kw)

    def to_details(self, place: str = "Church Street", category: str = "pothole") -> None:
        entry = GazetteerEntry.objects.filter(name=place).first()
        assert self.post("where", {"place": entry.pk}).status_code == 302
        group = {"pothole": "roads", "missed_bin": "bins", "litter": "street_cleaning"}[category]
        assert self.post("group", {"group": group}).status_code == 302
        assert self.post("category", {"category": category}).status_code == 302
        answers = {
            "pothole": POTHOLE_ANSWERS,
            "missed_bin": {"answer_bin_type": "Recycling", "answer_out_on_time": "Yes"},
            "litter": {"answer_litter_type": "Broken glass"},
        }[category]
        assert self.post("questions", answers).status_code == 302
        response = self.get("duplicates")
        assert response.status_code == 302, "no reports nearby expected"

    def to_check(self, *, anonymous: bool = False, consent: bool = False, **kw) -> None:
        self.to_details(**kw)
        assert self.post("details", {"description": "Deep hole by the bus stop"}).status_code == 302
        about = (
            {"anonymous": "on"}
            if anonymous
            else {
                "first_name": "Sam",
                "last_name": "Jones",
                "email": "sam.jones@example.com",
            }
        )
        assert self.post("about-you", about).status_code == 302
        if not anonymous:
            assert self.post("consent", {"share": "on"} if consent else {}).status_code == 302


@pytest.fixture
def walk(client, demo_site):
    return Walk(client)

"""Journeys kept in the session: each under its own id, at most a handful, the oldest given up."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import Http404
from django.test import Client, RequestFactory

from apps.council_crm.journeys import SessionJourney


class Errand(SessionJourney):
    session_key = "errands"
    max_journeys = 3
    given_up: ClassVar[list[str]] = []

    @classmethod
    def evicted(cls, journey_id: str, data: dict[str, Any]) -> None:
        cls.given_up.append(data["n"])


def _request():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    return request


def test_a_journey_keeps_its_answers_under_its_own_id():
    request = _request()
    one, two = Errand.begin(request, {"n": "one"}), Errand.begin(request, {"n": "two"})
    one.data["step"] = "where"
    one.save()
    assert Errand(request, one.id).data == {"n": "one", "step": "where"}
    assert Errand(request, two.id).data == {"n": "two"}


def test_a_made_up_or_malformed_id_is_not_found():
    request = _request()
    Errand.begin(request, {"n": "one"})
    for made_up in ("x" * 22, "../../etc", ""):
        with pytest.raises(Http404):
            Errand(request, made_up)


def test_past_the_limit_the_oldest_journey_is_given_up_and_told():
    Errand.given_up.clear()
    request = _request()
    first = Errand.begin(request, {"n": "1"})
    for n in "234":
        Errand.begin(request, {"n": n})
    assert Errand.given_up == ["1"]
    with pytest.raises(Http404):
        Errand(request, first.id)


def test_an_officer_with_too_many_contacts_open_loses_the_oldest(world):
    client = Client()
    client.force_login(world.users["officer_in"])
    first = client.post("/desk/contact/", {"anonymous": "1"})["Location"]
    assert client.get(first).status_code == 200
    for _ in range(10):
        client.post("/desk/contact/", {"anonymous": "1"})
    assert client.get(first).status_code == 404

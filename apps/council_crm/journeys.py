"""A journey of several pages (a resident's report, a contact logged at the desk): its answers
kept in the session under an id of its own, so that two journeys in two tabs do not mix. The
id is in the URL; a made-up or forgotten one is a 404.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, ClassVar, Self

from django.http import Http404, HttpRequest

JOURNEY_ID = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


class SessionJourney:
    """Subclasses name their session key; at most `max_journeys` are kept per session, the
    oldest given up first (`evicted` hears of it)."""

    session_key: ClassVar[str]
    max_journeys: ClassVar[int] = 10
    not_found: ClassVar[str] = "No such journey"

    def __init__(self, request: HttpRequest, journey_id: str) -> None:
        self.request = request
        self.id = journey_id
        journeys = request.session.get(self.session_key, {})
        if not JOURNEY_ID.match(journey_id) or journey_id not in journeys:
            raise Http404(self.not_found)
        self.data: dict[str, Any] = journeys[journey_id]

    @classmethod
    def begin(cls, request: HttpRequest, data: dict[str, Any]) -> Self:
        """A new journey holding `data`."""
        journeys = request.session.get(cls.session_key, {})
        while len(journeys) >= cls.max_journeys:  # the oldest first: dicts keep insertion order
            old = next(iter(journeys))
            cls.evicted(old, journeys.pop(old))
        journey_id = secrets.token_urlsafe(16)
        journeys[journey_id] = data
        request.session[cls.session_key] = journeys
        return cls(request, journey_id)

    @classmethod
    def evicted(cls, journey_id: str, data: dict[str, Any]) -> None:
        """A journey given up to make room for a new one."""

    def save(self) -> None:
        journeys = self.request.session.get(self.session_key, {})
        journeys[self.id] = self.data
        self.request.session[self.session_key] = journeys
        self.request.session.modified = True

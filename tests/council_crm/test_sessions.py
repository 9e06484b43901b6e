"""The session engine: Django's database sessions, read with one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.council_crm.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_session_is_read_back_and_an_expired_or_unknown_one_is_empty():
    store = SessionStore()
    store["portal_reports"] = {"abc": {"category": "pothole"}}
    store.save()
    key = store.session_key

    assert SessionStore(session_key=key)["portal_reports"] == {"abc": {"category": "pothole"}}

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(session_key=key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key is made, never the expired one reused

    unknown = SessionStore(session_key="x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None

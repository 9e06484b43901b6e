"""Tokens in links are not guessable: the survey link's token, the report journey's id; the
tracking link carries only the reference, which opens nothing without the resident's email or
phone (the access sweep asks /track/<reference>/ for every case: always back to /track/)."""

from __future__ import annotations

import math
import random
import re
import string
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.services.cases import case_transition
from apps.council_crm.services.notify import case_links

from .world import OFFICER, World

ALNUM = set(string.ascii_letters + string.digits)
URLSAFE = ALNUM | {"-", "_"}


def _bits(token: str, alphabet: set[str]) -> float:
    assert set(token) <= alphabet, token
    return len(token) * math.log2(len(alphabet))


def _resolve(world: World, kind: str) -> str:
    case = world.cases[kind]
    resolved = m.CaseStatus.objects.filter(state=m.StateCategory.RESOLVED).order_by("pk").first()
    random.seed(0)  # a token from Python's `random` would repeat after the same seed
    case_transition(
        case=case,
        status=resolved,
        actor=world.users[OFFICER],
        enforce_workflow=False,
        public_message="Repaired today",
    )
    return m.SatisfactionSurvey.objects.get(case=case).token


def test_survey_tokens_are_long_random_and_unrelated(world, db):
    tokens = [_resolve(world, kind) for kind in ("mine", "shared", "raised", "lapsed")]
    for token in tokens:
        assert _bits(token, ALNUM) >= 128  # 40 characters of 62: about 238 bits
    assert len(set(tokens)) == len(tokens)
    # not a counter or a timestamp: no two share a prefix or a suffix worth the name
    for a in tokens:
        for b in tokens:
            if a != b:
                assert a[:6] != b[:6]
                assert a[-6:] != b[-6:]


def test_the_survey_link_is_the_token_and_nothing_else_about_the_case(world, db):
    token = _resolve(world, "shared")
    case = world.cases["shared"]
    links = case_links(case, survey_token=token)
    survey = urlsplit(links["survey_url"])
    assert survey.path == f"/track/survey/{token}/"
    assert case.reference not in links["survey_url"]
    # and the tracking link: the reference only, no key to the case in it
    track = urlsplit(links["track_url"])
    assert parse_qs(track.query) == {"ref": [case.reference]}
    assert Client().get(f"/track/{case.reference}/").status_code == 302


def test_a_guessed_or_altered_survey_token_finds_nothing(world, db):
    token = _resolve(world, "mine")
    client = Client()
    assert client.get(f"/track/survey/{token}/").status_code == 200
    for guess in (token[:-1], token[:-1] + ("A" if token[-1] != "A" else "B"), token.upper()):
        if guess != token:
            assert client.get(f"/track/survey/{guess}/").status_code == 404


def test_report_journey_ids_are_random(world, db):
    ids = []
    for _ in range(3):
        client = Client()
        random.seed(0)
        response = client.get("/report/")
        found = re.search(r"/report/([^/]+)/", response.headers.get("Location", ""))
        assert found, response.headers.get("Location")
        ids.append(found[1])
    for journey_id in ids:
        assert _bits(journey_id, URLSAFE) >= 128  # secrets.token_urlsafe(16)
    assert len(set(ids)) == len(ids)

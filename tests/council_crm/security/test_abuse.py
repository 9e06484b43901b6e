"""Abuse limits, load shedding and upload limits (issue 15 point 7, ADR 0023)."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from django.core.exceptions import TooManyFilesSent, ValidationError
from django.db import OperationalError
from django.test import Client, RequestFactory
from PIL import Image

from apps.council_crm.middleware import AbuseLimitMiddleware, queued_seconds
from apps.council_crm.models import ReportSubmission
from apps.council_crm.ratelimits import Limit, client_ip, hit
from apps.council_crm.services.attachments import clean_image

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _journey(client: Client) -> str:
    response = client.get("/report/")
    return response["Location"].split("/")[2]


def assert_limited(response, *, text: str = "You have tried too many times") -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert text in response.content.decode()
    assert 'class="govuk-heading-xl"' in response.content.decode()


def test_the_report_send_is_limited_per_session(client, demo_site, settings):
    settings.CRM_RATE_LIMITS = {"report-send": {"session": (2, 3600)}}
    journey = _journey(client)

    answers = [client.post(f"/report/{journey}/check/") for _ in range(3)]

    assert [a.status_code for a in answers[:2]] != [429, 429]
    assert_limited(answers[2])
    assert (
        "Your report has not been sent yet. What you entered is kept" in answers[2].content.decode()
    )
    assert ReportSubmission.objects.count() == 0
    # the journey is still there: its page opens
    assert client.get(f"/report/{journey}/where/").status_code == 200


def test_the_report_send_is_limited_per_address_across_sessions(demo_site, settings):
    settings.CRM_RATE_LIMITS = {"report-send": {"ip": (2, 3600)}}
    answers = []
    for _ in range(3):
        client = Client(REMOTE_ADDR="203.0.113.7")
        answers.append(client.post(f"/report/{_journey(client)}/check/"))

    assert_limited(answers[2])
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert other.post(f"/report/{_journey(other)}/check/").status_code != 429


def test_other_steps_of_the_journey_are_not_counted(client, demo_site, settings):
    settings.CRM_RATE_LIMITS = {"report-send": {"session": (1, 3600)}}
    journey = _journey(client)

    for _ in range(3):
        assert client.post(f"/report/{journey}/where/", {"q": "x"}).status_code != 429


def test_tracking_is_limited(client, demo_site, settings, caplog):
    settings.CRM_RATE_LIMITS = {"track": {"ip": (3, 900)}}
    data = {"reference": "FCC-2026-000001", "contact": "a@example.com"}

    answers = [client.post("/track/", data) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_limited(answers[3])
    assert "rate limit reached: track from 127.0.0.1 on /track/" in caplog.text
    assert client.get("/track/").status_code == 200  # looking at the form is not counted


def test_sign_up_is_limited(client, demo_site, settings):
    settings.CRM_RATE_LIMITS = {"signup": {"ip": (2, 3600)}}
    data = {"email": "new@example.com", "password1": "x", "password2": "y"}

    answers = [client.post("/account/signup/", data) for _ in range(3)]

    assert answers[0].status_code != 429
    assert_limited(answers[2])


def test_a_window_ends():
    limit = Limit(count=1, seconds=60)
    now = 1_000_020.0  # a window of 60 s starts here (16667 x 60)

    assert hit(scope="t", who="a", limit=limit, now=now) == 0
    assert hit(scope="t", who="a", limit=limit, now=now + 1) == 59
    assert hit(scope="t", who="a", limit=limit, now=now + 60) == 0


def test_the_client_address_behind_trusted_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
    )

    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: a client could forge the header
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"


def test_a_request_that_waited_too_long_in_the_queue_gets_503_at_once(
    client, demo_site, django_assert_num_queries
):
    # at once: no view runs and nothing is read from the database (often what is overloaded)
    with django_assert_num_queries(0):
        response = client.get("/", HTTP_X_REQUEST_START=f"t={(time.time() - 60) * 1000:.0f}")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is busy" in response.content.decode()
    assert client.get("/", HTTP_X_REQUEST_START=f"t={time.time():.3f}").status_code == 200


def test_queue_time_in_seconds_milliseconds_or_microseconds():
    now = 1_800_000_000.0
    for header in ("t=1799999990", "t=1799999990000", "1799999990000000"):
        request = RequestFactory().get("/", HTTP_X_REQUEST_START=header)
        assert queued_seconds(request, now=now) == pytest.approx(10)
    assert queued_seconds(RequestFactory().get("/")) is None


@pytest.mark.parametrize(
    "message", ["database is locked", "FATAL: sorry, too many clients already"]
)
def test_a_database_too_busy_answers_503_not_a_timeout(demo_site, message):
    middleware = AbuseLimitMiddleware(lambda request: None)
    request = RequestFactory().post("/report/x/check/")

    response = middleware.process_exception(request, OperationalError(message))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert middleware.process_exception(request, OperationalError("no such table")) is None


def test_a_request_too_large_is_refused_before_it_is_read(client, demo_site):
    response = client.post(
        "/report/x/details/", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(10**9)
    )

    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_too_many_files_in_one_request_are_refused():
    files = {f"photos{i}": io.BytesIO(b"x") for i in range(11)}
    request = RequestFactory().post("/report/x/details/", files)

    with pytest.raises(TooManyFilesSent):  # the handler answers 400
        request.FILES  # noqa: B018 - the CSRF check reads the body so, before any view


def _png_claiming(width: int, height: int) -> bytes:
    """A real 1x1 PNG whose header says it is width x height (a decompression bomb's shape)."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize("size", [(7_000, 7_000), (20_000, 20_000)])
def test_a_photo_with_too_many_pixels_is_refused_from_its_header(monkeypatch, size):
    bomb = _png_claiming(*size)
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(self))

    with pytest.raises(ValidationError) as refused:
        clean_image(bomb)

    assert "40 megapixels" in str(refused.value)
    assert decoded == []

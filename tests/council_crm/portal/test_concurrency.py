"""Two clicks on "Send report" at the same moment, in two threads: still one case."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from apps.council_crm.models import Attachment, ReportSubmission, ServiceRequest
from tests.factories.cases import log_reports

from .conftest import Walk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres
def test_two_simultaneous_sends_make_one_case(client, demo_site):
    if connection.vendor != "postgresql":
        pytest.skip(
            "simultaneous requests are checked on PostgreSQL (the test SQLite is in memory)"
        )
    walk = Walk(client)
    walk.to_check()
    cookie = client.cookies["sessionid"].value
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def send() -> None:
        other = Client()
        other.cookies["sessionid"] = cookie
        barrier.wait()
        try:
            answers.append(other.post(walk.url("check"))["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert ReportSubmission.objects.count() == 1
    log_reports()
    assert ServiceRequest.objects.count() == 1
    assert len(answers) == 2
    assert answers[0] == answers[1]
    assert Attachment.objects.count() == 0

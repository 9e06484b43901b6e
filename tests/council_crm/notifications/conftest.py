"""Fixtures for the notification tests: a case, templates and a local fake GOV.UK Notify."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apps.council_crm.models import (
    CaseStatus,
    CategoryGroup,
    Citizen,
    Department,
    NotificationTemplate,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    Team,
)
from apps.council_crm.notifications import backends
from tests.fakes.notify import FakeNotify

ACK_EMAIL_BODY = (
    "Thank you for contacting {{ council.name }}.\n\n"
    "Your reference number is {{ case.reference }}.\n"
    "{{ case.team.name }} will deal with your report about {{ case.category.name }}."
)
ACK_SMS_BODY = (
    "{{ council.name }}: your reference is {{ case.reference }}. Track it: {{ track_url }}"
)


@pytest.fixture(autouse=True)
def _no_notify_account(settings):
    """No test reaches the real Notify: no key unless a test starts the fake."""
    settings.CRM_NOTIFY_API_KEY = ""
    settings.CRM_NOTIFY_BASE_URL = "http://127.0.0.1:9"
    settings.CRM_NOTIFY_EMAIL_TEMPLATE_ID = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    backends.captured_sms.clear()


@pytest.fixture
def notify(settings) -> Iterator[FakeNotify]:
    """A running fake Notify, with the settings pointing at it."""
    with FakeNotify() as fake:
        settings.CRM_NOTIFY_API_KEY = fake.api_key
        settings.CRM_NOTIFY_BASE_URL = fake.base_url
        settings.CRM_NOTIFY_SMS_TEMPLATE_ID = fake.sms_template_id
        settings.CRM_NOTIFY_TIMEOUT = 5
        yield fake


@pytest.fixture
def templates(db) -> dict[str, NotificationTemplate]:
    """Only these templates: the demo council's own are removed (rolled back after the test)."""
    NotificationTemplate.objects.all().delete()
    return {
        "email": NotificationTemplate.objects.create(
            event="acknowledgement",
            channel="email",
            language="en",
            subject="We've received your report – reference {{ case.reference }}",
            body=ACK_EMAIL_BODY,
        ),
        "sms": NotificationTemplate.objects.create(
            event="acknowledgement", channel="sms", language="en", body=ACK_SMS_BODY
        ),
    }


@pytest.fixture
def citizen(db) -> Citizen:
    return Citizen.objects.create(
        first_name="Siobhan",
        last_name="O'Brien",
        email="siobhan@example.org",
        phone="07700 900123",
    )


@pytest.fixture
def case(db, citizen) -> ServiceRequest:
    # Codes of their own: the demo council's reference data is loaded in the test database.
    department = Department.objects.create(code="nt-highways", name="Highways")
    team = Team.objects.create(code="nt-roads-north", name="Roads North", department=department)
    group = CategoryGroup.objects.create(code="nt-roads", name="Roads")
    category = ServiceCategory.objects.create(
        code="nt-pothole", name="Pothole", group=group, department=department, default_team=team
    )
    status = CaseStatus.objects.create(code="nt-new", name="New", state=StateCategory.NEW)
    return ServiceRequest.objects.create(
        reference="FCC-26-000042",
        category=category,
        status=status,
        channel="web",
        citizen=citizen,
        team=team,
        description="Deep pothole outside number 4",
    )

"""The audit trail: one function writes it, with old and new values, never personal ones."""

from __future__ import annotations

import json

from apps.council_crm import models as m
from apps.council_crm.services.accounts import citizen_preferences_update
from apps.council_crm.services.audit import WITHHELD, audit_record
from apps.council_crm.services.consent import consent_grant, consent_withdraw
from tests.factories.cases import report_pothole, resident


def test_a_change_is_recorded_with_its_old_and_new_values(demo_site):
    case = report_pothole().case
    admin = m.User.objects.create(username="cfg", role=m.Role.SERVICE_ADMIN)

    event = audit_record(
        actor=admin,
        action=m.AuditAction.WEB_REPORT_RETRIED,
        obj=case,
        changes={"priority": (1, 3), "due_at": (None, case.created_at)},
        data={"attempts": 2},
    )

    event.refresh_from_db()
    assert (event.actor, event.action, event.object_type) == (
        admin,
        "web_report_retried",
        "servicerequest",
    )
    assert event.object_id == str(case.pk)
    assert event.data["changes"] == {
        "due_at": [None, case.created_at.isoformat()],
        "priority": [1, 3],
    }
    assert event.data["attempts"] == 2
    assert event.get_action_display() == "web report sent again"


def test_personal_values_are_withheld_but_the_change_is_kept(demo_site):
    case = report_pothole(contact=resident(phone="07700 900 123")).case
    citizen = case.citizen
    user = m.User.objects.create(username="sam", role=m.Role.RESIDENT)
    citizen.user = user
    citizen.save(update_fields=["user"])

    citizen_preferences_update(
        citizen=citizen, actor=user, preferred_channel="sms", phone="07700 900 982", language="en"
    )

    event = m.AuditEvent.objects.get(action=m.AuditAction.CITIZEN_PREFERENCES_CHANGED)
    assert event.data["changes"] == {
        "phone": [WITHHELD, WITHHELD],
        "preferred_channel": ["email", "sms"],
    }
    assert "07700" not in json.dumps(event.data)


def test_consent_granted_and_withdrawn_are_in_the_trail(demo_site):
    case = report_pothole().case
    officer = m.User.objects.create(username="officer", role=m.Role.CASE_OFFICER)

    consent = consent_grant(
        citizen=case.citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=m.Consent.Scope.ALL_CASES,
        channel="phone",
        actor=officer,
    )
    consent_withdraw(consent=consent, actor=officer)

    actions = list(
        m.AuditEvent.objects.filter(object_type="consent", object_id=str(consent.pk))
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["consent_granted", "consent_withdrawn"]
    withdrawn = m.AuditEvent.objects.get(action="consent_withdrawn")
    assert withdrawn.data["changes"]["withdrawn_at"][0] is None
    assert withdrawn.data["changes"]["withdrawn_at"][1]

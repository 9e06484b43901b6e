"""`load_site --demo-workload`: a demo with work in it, loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.permissions import cases_visible_to

CHANNELS = {"phone", "face_to_face", "email", "post", "social", "sms", "web"}


def _load() -> str:
    out = StringIO()
    call_command("load_site", "--demo-users", "--demo-workload", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_workload_covers_every_team_channel_and_role_and_loads_once(demo_site):
    first = _load()
    assert "1,800 cases of history" in first
    cases = m.ServiceRequest.objects.count()
    assert 1900 <= cases <= 2200
    counts = {
        "events": m.CaseEvent.objects.count(),
        "interactions": m.Interaction.objects.count(),
        "consents": m.Consent.objects.count(),
        "outbox": m.OutboxMessage.objects.count(),
        "audit": m.AuditEvent.objects.count(),
    }

    # 18 months of history, up to today
    oldest = m.ServiceRequest.objects.order_by("created_at").first().created_at
    assert 500 <= (timezone.now() - oldest).days <= 560

    # every team has open cases, the triage team included
    open_ = m.ServiceRequest.objects.filter(status__state__in=m.OPEN_STATES)
    teams = set(m.Team.objects.filter(active=True).values_list("code", flat=True))
    with_open = set(open_.values_list("team__code", flat=True))
    assert teams <= with_open
    triage = m.Team.objects.get(is_triage=True)
    assert open_.filter(team=triage, assignee=None).exists()  # waiting for triage

    # realistic SLA states
    now = timezone.now()
    assert open_.filter(sla_due_at__lt=now, sla_paused_at=None).count() >= 10  # overdue
    assert open_.filter(sla_due_at__gte=now, sla_paused_at=None).count() >= 10  # on time
    assert open_.exclude(sla_paused_at=None).count() >= 5  # paused

    # contacts on every channel, and casework through the services
    assert CHANNELS <= set(m.Interaction.objects.values_list("channel", flat=True))
    kinds = dict(m.CaseEvent.objects.values_list("kind").annotate(n=Count("id")))
    for kind in ("internal_note", "public_update", "merged", "sla", "assigned", "status"):
        assert kinds.get(kind, 0) > 0, kind
    assert m.ServiceRequest.objects.exclude(duplicate_of=None).exists()  # merges
    assert m.ServiceRequest.objects.exclude(closed_at=None).exists()  # closures
    assert m.AuditEvent.objects.filter(action=m.AuditAction.CASE_REOPENED).exists() or (
        m.CaseEvent.objects.filter(message__icontains="reopen").exists()
    )
    assert m.SatisfactionSurvey.objects.exclude(score=None).exists()
    assert m.Consent.objects.exists()
    assert m.ServiceRequest.objects.exclude(on_behalf_of=None).exists()  # councillors' casework
    # the README's demo councillor and support officer have casework logged in the member area
    demo_cllr = m.User.objects.get(username="cllr.andrew.moffat")
    assert m.ServiceRequest.objects.filter(raised_by=demo_cllr).count() >= 3
    assert m.CaseFollower.objects.filter(user=demo_cllr).exists()
    assert m.ServiceRequest.objects.filter(raised_by__username="mso.bethany.clarke").exists()
    assert m.MemberPreferences.objects.get(user=demo_cllr).weekly_digest
    # no flood of old emails for a demo worker to send
    assert not m.OutboxMessage.objects.filter(status=m.OutboxMessage.Status.PENDING).exists()
    assert m.OutboxMessage.objects.filter(status=m.OutboxMessage.Status.SENT).exists()

    # every demo sign-in lands on real work
    for username in ("admin", "dpo", "resident", "manager"):
        user = m.User.objects.get(username=username)
        assert cases_visible_to(user=user).exists(), username
    officer = m.User.objects.get(username="aisha.okafor")
    assert open_.filter(assignee=officer).count() >= 5
    leader = m.User.objects.get(username="chris.obrien")  # Customer Contact Triage
    assert cases_visible_to(user=leader).filter(status__state__in=m.OPEN_STATES).exists()
    councillor = m.Councillor.objects.order_by("user__username").first().user
    assert cases_visible_to(user=councillor).exists()

    # running it again adds nothing
    again = _load()
    assert "demo workload: already loaded" in again
    assert m.ServiceRequest.objects.count() == cases
    assert {
        "events": m.CaseEvent.objects.count(),
        "interactions": m.Interaction.objects.count(),
        "consents": m.Consent.objects.count(),
        "outbox": m.OutboxMessage.objects.count(),
        "audit": m.AuditEvent.objects.count(),
    } == counts

"""After creation: statuses and the clock, escalation, resolution, reopening, merging, surveys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.notifications.outbox import outbox_dispatch
from apps.council_crm.selectors.citizens import citizen_history
from apps.council_crm.selectors.satisfaction import satisfaction_by
from apps.council_crm.services.cases import (
    case_add_update,
    case_assign,
    case_change_category,
    case_follow,
    case_merge,
    case_reopen,
    case_transition,
    cases_autoclose,
    cases_escalate,
    survey_answer,
)
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.interactions import interaction_log
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.usefixtures("demo_site")


def status(code: str) -> m.CaseStatus:
    return m.CaseStatus.objects.get(code=code)


@pytest.fixture
def officer():
    return m.User.objects.get(username="aisha.okafor")


def sent_to(address: str) -> list[str]:
    """Send what is due, then the bodies of the emails this address received."""
    outbox_dispatch(limit=500, now=timezone.now() + timedelta(days=400))
    return [msg.body for msg in mail.outbox if address in msg.to]


def test_only_allowed_transitions_and_resolving_needs_a_public_message(officer):
    case = report_pothole().case
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, status=status("closed"), actor=officer)
    assert "cannot become Closed" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as error:
        case_transition(case=case, status=status("completed"), actor=officer)
    assert "Tell the resident what was done" in error.value.message_dict["public_message"][0]
    case.refresh_from_db()
    assert case.status.code == "received"

    case = case_transition(case=case, status=status("in_progress"), actor=officer)
    event = case.events.filter(kind="status").last()
    assert event.message == "Status changed from Received to In progress"
    assert event.actor == officer


def test_a_paused_status_stops_the_clock_and_resuming_moves_the_promise(officer):
    case = report_pothole().case
    due = case.sla_due_at
    start = case.created_at
    case = case_transition(
        case=case, status=status("awaiting_info"), actor=officer, now=start + timedelta(hours=1)
    )
    assert case.sla_paused_at is not None
    # paused for a working week (7 calendar days always holds at least 5 working days' worth)
    case = case_transition(
        case=case,
        status=status("in_progress"),
        actor=officer,
        now=start + timedelta(days=7, hours=1),
    )
    assert case.sla_paused_at is None
    assert case.sla_due_at > due + timedelta(days=4)
    assert case.promised_date == case.sla_due_at.date()
    messages = list(case.events.filter(kind="sla").values_list("message", flat=True))
    assert messages[0] == "Clock paused"
    assert messages[1].startswith("Clock restarted; now due")
    # the resident is told the promised date moved
    assert any("longer than expected" in body for body in sent_to("sam.jones@example.com"))


def test_escalation_notifies_team_leaders_once_per_breach(officer):
    case = report_pothole().case
    leaders = set(
        m.TeamMembership.objects.filter(team=case.team, role="leader").values_list(
            "staff__user__email", flat=True
        )
    )
    assert leaders
    later = case.sla_due_at + timedelta(minutes=1)
    assert cases_escalate(now=later) == 1
    assert cases_escalate(now=later + timedelta(hours=5)) == 0
    case.refresh_from_db()
    assert case.sla_breached_at == later
    breach = m.OutboxMessage.objects.filter(case=case, event="breach")
    assert set(breach.values_list("recipient", flat=True)) == leaders
    assert breach.count() == len(leaders)
    assert m.OutboxMessage.objects.filter(case=case, event="delay").count() == 1
    assert (
        case.events.filter(kind="sla", message__startswith="Service standard breached").count() == 1
    )


def test_a_paused_case_does_not_breach(officer):
    case = report_pothole().case
    case = case_transition(case=case, status=status("in_progress"), actor=officer)
    case_transition(case=case, status=status("awaiting_contractor"), actor=officer)
    assert cases_escalate(now=case.sla_due_at + timedelta(days=30)) == 0


def test_resolving_sends_the_completion_email_with_a_survey_and_one_answer_counts(officer):
    case = report_pothole().case
    case = case_transition(
        case=case,
        status=status("completed"),
        actor=officer,
        public_message="We filled the pothole.",
    )
    assert case.resolved_at is not None
    body = next(b for b in sent_to("sam.jones@example.com") if "We filled the pothole." in b)
    token = case.survey.token
    assert token in body
    survey_answer(token=token, score=5, comment="Quick, thanks")
    with pytest.raises(ValidationError, match="already answered"):
        survey_answer(token=token, score=1)
    with pytest.raises(ValidationError, match="not valid"):
        survey_answer(token="nope", score=3)
    rows = satisfaction_by(grouping="category")
    assert [(r.name, r.answers, r.average, r.satisfied) for r in rows] == [("Pothole", 1, 5.0, 1)]
    assert [r.name for r in satisfaction_by(grouping="team")] == [case.team.name]
    assert [r.code for r in satisfaction_by(grouping="division")] == [case.division.code]


def test_resolved_cases_close_automatically_after_the_site_period(officer, settings):
    case = report_pothole().case
    resolved_at = timezone.now()
    case_transition(
        case=case, status=status("completed"), actor=officer, public_message="Done", now=resolved_at
    )
    days = settings.CRM_SITE.auto_close_days
    assert cases_autoclose(now=resolved_at + timedelta(days=days - 1)) == 0
    assert cases_autoclose(now=resolved_at + timedelta(days=days, minutes=1)) == 1
    case.refresh_from_db()
    assert case.status.state == "closed"
    assert case.closed_at is not None


def test_the_resident_can_reopen_within_the_window_but_not_after(officer, settings):
    case = report_pothole().case
    resolved_at = timezone.now()
    case_transition(
        case=case, status=status("completed"), actor=officer, public_message="Done", now=resolved_at
    )
    window = settings.CRM_SITE.reopen_window_days
    with pytest.raises(ValidationError, match="more than"):
        case_reopen(
            case=case,
            actor=None,
            reason="Still there",
            by_resident=True,
            now=resolved_at + timedelta(days=window + 1),
        )
    case = case_reopen(
        case=case,
        actor=None,
        reason="The hole is still there",
        by_resident=True,
        now=resolved_at + timedelta(days=2),
    )
    assert case.status.state == "open"
    assert case.resolved_at is None
    assert case.sla_due_at > resolved_at
    public = case.events.filter(is_public=True).last()
    assert public.message == "Reopened: The hole is still there"
    assert public.actor is None


def test_public_updates_reach_the_resident_internal_notes_do_not(officer):
    case = report_pothole().case
    case_add_update(case=case, actor=officer, message="A crew is booked for Tuesday.", public=True)
    case_add_update(case=case, actor=officer, message="Contractor is slow again", public=False)
    bodies = sent_to("sam.jones@example.com")
    assert any("A crew is booked for Tuesday." in b for b in bodies)
    assert not any("Contractor is slow" in b for b in bodies)
    with pytest.raises(ValidationError):
        case_add_update(case=case, actor=officer, message="   ", public=True)


def test_merge_moves_the_reporter_onto_the_master_and_counts_demand(officer):
    master = report_pothole(division="FE02").case
    dup = report_pothole(division="FE02", contact=resident(email="second@example.com")).case
    case_merge(duplicate=dup, master=master, actor=officer)
    master.refresh_from_db()
    dup.refresh_from_db()
    assert master.demand_count == 2
    assert dup.duplicate_of == master
    assert dup.status.state == "closed"
    assert master.followers.get().citizen == dup.citizen
    case_add_update(case=master, actor=officer, message="Repair scheduled.", public=True)
    assert any("Repair scheduled." in b for b in sent_to("second@example.com"))
    assert any("Repair scheduled." in b for b in sent_to("sam.jones@example.com"))
    with pytest.raises(ValidationError, match="already merged"):
        case_merge(duplicate=dup, master=master, actor=officer)
    with pytest.raises(ValidationError, match="into itself"):
        case_merge(duplicate=master, master=master, actor=officer)


def test_following_a_duplicate_from_the_report_form(officer):
    case = report_pothole(division="FE06").case
    case_follow(case=case, contact=ContactDetails(email="neighbour@example.com"))
    case_follow(case=case, contact=ContactDetails(email="neighbour@example.com"))
    case.refresh_from_db()
    assert case.demand_count == 2
    case_add_update(case=case, actor=officer, message="Inspected today.", public=True)
    assert any("Inspected today." in b for b in sent_to("neighbour@example.com"))
    with pytest.raises(ValidationError):
        case_follow(case=case, contact=ContactDetails(first_name="No contact"))


def test_a_councillor_following_gets_updates_only_with_the_residents_consent(officer):
    case = report_pothole(division="FE01").case
    cllr = m.Councillor.objects.filter(divisions=case.division).first()
    case_follow(case=case, user=cllr.user)
    case_add_update(case=case, actor=officer, message="First update.", public=True)
    assert not any("First update." in b for b in sent_to(cllr.user.email))
    m.Consent.objects.create(
        citizen=case.citizen,
        purpose="share_with_councillor",
        scope="case",
        case=case,
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=1),
    )
    case_add_update(case=case, actor=officer, message="Second update.", public=True)
    assert any("Second update." in b for b in sent_to(cllr.user.email))


def test_recurring_issue_is_flagged_after_repeated_closures(officer):
    category = m.ServiceCategory.objects.get(code="pothole")
    for _ in range(category.recurring_threshold):
        c = report_pothole(division="FE08").case
        case_transition(case=c, status=status("completed"), actor=officer, public_message="Fixed")
    again = report_pothole(division="FE08").case
    assert again.is_recurring
    assert again.events.filter(message__startswith="Recurring issue").exists()
    assert not report_pothole(division="FE09").case.is_recurring


def test_changing_the_category_reroutes_and_recalculates_the_standard(officer):
    case = report_pothole(division="FE01").case
    drains = m.ServiceCategory.objects.get(code="blocked_drain")
    case = case_change_category(case=case, category=drains, actor=officer)
    assert case.team.code == drains.default_team.code
    assert case.answers == {}
    assert (
        "Changed from Pothole to Blocked drain" in case.events.filter(kind="category").get().message
    )
    assert case.events.filter(kind="assigned").count() == 2


def test_reassign_checks_the_team(officer):
    case = report_pothole().case
    other_team = m.Team.objects.get(code="WST-REC")
    with pytest.raises(ValidationError, match="is not in"):
        case_assign(case=case, team=other_team, assignee=officer, actor=officer)
    case = case_assign(
        case=case, team=other_team, assignee=None, actor=officer, reason="Wrong service"
    )
    assert case.team == other_team
    assert case.assignee is None
    assert case.events.filter(kind="assigned").last().message.endswith("Wrong service")


def test_a_citizens_whole_history_is_one_list_newest_first(officer):
    first = report_pothole().case
    citizen = first.citizen
    call = interaction_log(
        citizen=citizen,
        channel="phone",
        direction="inbound",
        summary="Asked for an update",
        actor=officer,
        case=first,
    )
    second = report_pothole(division="FE05").case
    history = citizen_history(citizen=citizen)
    kinds = [(item.kind, item.case or item.interaction) for item in history]
    assert kinds[0] == ("case", second)
    assert ("interaction", call) in kinds
    assert kinds[-1] == ("case", first)
    assert first.events.filter(kind="contact", message__contains="Asked for an update").exists()
    with pytest.raises(ValidationError):
        interaction_log(
            citizen=citizen, channel="fax", direction="inbound", summary="", actor=officer
        )

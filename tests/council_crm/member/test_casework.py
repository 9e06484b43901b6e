"""My casework (issue 14 point 1) and logging a case for a constituent (point 2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.cases import (
    CaseRequest,
    case_add_update,
    case_assign,
    case_transition,
)
from apps.council_crm.services.member import (
    member_case_add_information,
    member_case_follow,
    member_case_log,
    member_preferences_update,
)
from tests.factories.cases import POTHOLE_ANSWERS, point_in, resident

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _request(cllr: m.Councillor, **kw) -> CaseRequest:
    lat, lon = point_in("FE01")
    values = dict(
        channel="web",
        category="pothole",
        description="Deep pothole by the school gate",
        answers=POTHOLE_ANSWERS,
        latitude=lat,
        longitude=lon,
        address="Mill Lane, Fernbridge",
        contact=resident(email="constituent@example.com"),
        on_behalf_of=cllr,
        raised_as=m.ServiceRequest.RaisedAs.COUNCILLOR,
    )
    values.update(kw)
    return CaseRequest(**values)


def _log(cllr: m.Councillor, actor: m.User | None = None, key: str = "k1", **kw):
    return member_case_log(
        request=_request(cllr, **kw),
        councillor=cllr,
        actor=actor or cllr.user,
        key=key,
        consent_how="email",
        consent_evidence="Their email of 3 March",
    )


def test_log_for_a_constituent_records_consent_follows_and_emails(cllr):
    made = _log(cllr)
    case = made.case
    assert made.created
    assert case.on_behalf_of == cllr
    assert case.raised_as == "councillor"
    consent = m.Consent.objects.get(case=case)
    assert consent.councillor == cllr
    assert consent.channel == m.Channel.EMAIL
    assert consent.wording_version == "share-with-councillor-v1"
    assert consent.evidence == "Their email of 3 March"
    assert consent.recorded_by == cllr.user
    assert m.CaseFollower.objects.filter(case=case, user=cllr.user).exists()
    # the constituent and the councillor are both told it was logged, in the same transaction
    sent_to = set(
        m.OutboxMessage.objects.filter(case=case, event="acknowledgement").values_list(
            "recipient", flat=True
        )
    )
    assert sent_to == {"constituent@example.com", "cllr.fe01@example.com"}


def test_log_twice_with_one_key_is_one_case(cllr):
    first = _log(cllr).case
    again = _log(cllr)
    assert again.case == first
    assert not again.created
    assert m.Consent.objects.filter(case=first).count() == 1


def test_log_without_consent_changes_nothing(cllr):
    before = m.ServiceRequest.objects.count()
    with pytest.raises(ValidationError) as exc:
        member_case_log(
            request=_request(cllr),
            councillor=cllr,
            actor=cllr.user,
            key="k2",
            consent_how="",
            consent_evidence="",
        )
    assert {"consent_how", "consent_evidence"} <= set(exc.value.message_dict)
    assert m.ServiceRequest.objects.count() == before


def test_log_for_a_councillor_one_does_not_support_is_refused(world, cllr):
    with pytest.raises(ValidationError) as exc:
        _log(world.cllr_other, actor=cllr.user)
    assert "councillor" in exc.value.message_dict


def test_support_officer_logs_on_behalf(world, cllr):
    case = _log(cllr, actor=world.users["support_in"]).case
    assert case.raised_by == world.users["support_in"]
    assert case.on_behalf_of == cllr
    created = case.events.get(kind="created")
    assert "on behalf of" in created.message


def test_expired_delegation_cannot_log(world, cllr):
    m.MemberSupportDelegation.objects.filter(officer=world.users["support_in"]).update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError) as exc:
        _log(cllr, actor=world.users["support_in"])
    assert "councillor" in exc.value.message_dict


def test_follower_councillor_is_emailed_on_update_only_while_consent_covers(world, cllr):
    case = world.case
    grant = m.Consent.objects.create(
        citizen=case.citizen,
        purpose="share_with_councillor",
        scope="all_cases",
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=1),
    )
    member_case_follow(case=case, councillor=cllr, actor=cllr.user, follow=True)
    officer = world.users["officer_in"]
    case_add_update(case=case, actor=officer, message="Crew booked", public=True)
    to_cllr = m.OutboxMessage.objects.filter(case=case, recipient="cllr.fe01@example.com")
    assert to_cllr.filter(event="public_update").count() == 1
    grant.withdrawn_at = timezone.now()
    grant.save()
    case_add_update(case=case, actor=officer, message="Crew on site", public=True)
    assert to_cllr.filter(event="public_update").count() == 1  # no longer told


def test_preferences_turn_emails_off(cllr):
    member_preferences_update(
        user=cllr.user, actor=cllr.user, choices={"email_logged": False, "email_updated": True}
    )
    case = _log(cllr).case
    to_cllr = m.OutboxMessage.objects.filter(case=case, recipient="cllr.fe01@example.com")
    assert not to_cllr.filter(event="acknowledgement").exists()
    case_add_update(case=case, actor=cllr.user, message="x", public=True)
    assert to_cllr.filter(event="public_update").exists()


def test_assigned_delayed_completed_emails(world, cllr):
    case = _log(cllr).case
    other = m.Team.objects.exclude(pk=case.team_id).filter(active=True).first()
    case_assign(case=case, team=other, assignee=None, actor=world.users["admin"])
    to_cllr = m.OutboxMessage.objects.filter(case=case, recipient="cllr.fe01@example.com")
    assigned = to_cllr.get(event="member_assigned")
    assert other.name in assigned.body
    resolved = m.CaseStatus.objects.filter(state="resolved").first()
    case_transition(
        case=case,
        status=resolved,
        actor=world.users["admin"],
        enforce_workflow=False,
        public_message="Filled",
    )
    assert to_cllr.filter(event="completion").exists()


def test_add_information_only_to_own_cases(world, cllr):
    case = _log(cllr).case
    event = member_case_add_information(
        case=case, councillor=cllr, actor=world.users["support_in"], message="They rang again"
    )
    assert event.on_behalf_of == cllr
    assert event.actor == world.users["support_in"]
    assert "on behalf of" in event.message
    assert not event.is_public
    with pytest.raises(ValidationError):
        member_case_add_information(
            case=world.case, councillor=cllr, actor=cllr.user, message="not mine"
        )


def test_home_lists_casework_and_case_page_follows(client, cllr, world):
    case = _log(cllr).case
    c = signed_in(cllr.user)
    home = c.get("/member/")
    assert home.status_code == 200
    assert case.reference in home.content.decode()
    page = c.get(f"/member/cases/{case.reference}/")
    assert "Stop following" in page.content.decode()
    c.post(f"/member/cases/{case.reference}/follow/", {"follow": "0"})
    assert not m.CaseFollower.objects.filter(case=case, user=cllr.user).exists()
    assert "Follow this case" in c.get(f"/member/cases/{case.reference}/").content.decode()


def test_add_information_view_shows_errors(cllr):
    case = _log(cllr).case
    c = signed_in(cllr.user)
    bad = c.post(f"/member/cases/{case.reference}/information/", {"information": " "})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    ok = c.post(f"/member/cases/{case.reference}/information/", {"information": "Rang again"})
    assert ok.status_code == 302
    page = c.get(f"/member/cases/{case.reference}/").content.decode()
    assert "Rang again" in page


def test_log_views_end_to_end(cllr):
    c = signed_in(cllr.user)
    start = c.post("/member/log/", {"for": "constituent", "category": "pothole"})
    assert start.status_code == 302
    form = c.get(start["Location"])
    assert "Share this report with my local councillor" in form.content.decode()
    key = form.context["key"]
    data = {
        "key": key,
        "for": "constituent",
        "answers.location": "On the road",
        "answers.depth": "More than 10 cm",
        "answers.hazard": "yes",
        "where": "",
        "description": "",
    }
    bad = c.post("/member/log/pothole/", data)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Enter the street or place" in body
    assert "Select how the constituent gave their consent" in body
    street = m.GazetteerEntry.objects.filter(division__code="FE01", kind="street").first()
    data.update(
        where=str(street),
        description="Deep pothole",
        first_name="Ann",
        last_name="Lee",
        email="ann.lee@example.com",
        consent_how="in_person",
        consent_evidence="At my surgery on 3 March",
    )
    ok = c.post("/member/log/pothole/", data)
    assert ok.status_code == 302, ok.context and ok.context["errors"]
    case = m.ServiceRequest.objects.get(citizen__email="ann.lee@example.com")
    assert case.on_behalf_of == cllr
    assert m.Consent.objects.get(case=case).channel == m.Channel.FACE_TO_FACE
    assert "Case logged" in c.get(ok["Location"]).content.decode()


def test_staff_see_raised_by_a_councillor_on_the_queue_and_case_page(world, cllr):
    case = _log(cllr).case
    assert case.team == world.case.team
    desk = signed_in(world.users["officer_in"])
    queue = desk.get("/desk/?view=teams").content.decode()
    row = queue[queue.index(case.reference) :][:600]
    assert ">Councillor</strong>" in row
    page = desk.get(f"/desk/cases/{case.reference}/").content.decode()
    assert f"Raised by a councillor: {cllr}" in page

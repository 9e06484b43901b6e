"""A councillor's own motions and their actions' progress, in the member area."""

from __future__ import annotations

from apps.council_crm import models as m
from apps.council_crm.services.motions import motion_action_update

from .conftest import councillor


def test_a_councillor_sees_their_own_motions_and_how_the_actions_are_going(
    client, open_action, officer, seconder
):
    motion_action_update(
        action=open_action, status="in_progress", note="Design drawn up.", actor=officer
    )
    client.force_login(seconder.user)
    response = client.get("/member/motions/")
    assert response.status_code == 200
    page = response.content.decode()
    assert open_action.motion.title in page
    assert "You seconded it; proposed by Cllr Rachel Amos" in page
    assert open_action.description in page
    assert "In progress" in page
    assert "Design drawn up." in page
    # and the demo register's motions they proposed or seconded, none of anyone else's
    theirs = m.Motion.objects.by_councillor(seconder)
    assert len(response.context["motions"]) == theirs.count()
    other = m.Motion.objects.exclude(pk__in=theirs.values("pk")).first()
    assert other.title not in page or m.Motion.objects.filter(title=other.title).count() > 1
    assert officer.get_full_name() not in page


def test_the_member_home_links_to_the_motions(client, proposer):
    client.force_login(proposer.user)
    response = client.get("/member/")
    assert response.status_code == 200
    assert "/member/motions/" in response.content.decode()


def test_only_councillors_have_a_motions_page(client, officer):
    assert client.get("/member/motions/").status_code == 302  # sign in first
    client.force_login(officer)
    assert client.get("/member/motions/").status_code == 404
    support = m.User.objects.filter(role=m.Role.SUPPORT_OFFICER).first()
    client.force_login(support)
    assert client.get("/member/motions/").status_code == 404
    client.force_login(councillor("cllr.andrew.moffat").user)
    assert client.get("/member/motions/").status_code == 200

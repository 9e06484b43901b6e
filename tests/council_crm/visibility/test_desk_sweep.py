"""Every desk URL about one case, swept by role: a case a user may not see does not exist there.

The URLs are read from the desk's URL configuration, so a new case action is swept without
anyone remembering to add it here. GET and POST (with a plausible form) must answer 404 to
everyone outside the case's teams (or 405 to a POST on a read-only page, as for any reference),
and nothing about the case may change.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from apps.council_crm import models as m
from apps.council_crm.desk import urls as desk_urls

CASE_URLS = sorted(
    p.name
    for p in desk_urls.urlpatterns
    if isinstance(p, URLPattern) and p.name and "<str:reference>" in str(p.pattern)
)

# Who may not see the world's case at the desk: other teams, and everyone without the desk.
OUTSIDERS = [
    "officer_out",
    "manager_out",
    "cllr_division",
    "cllr_other",
    "support_in",
    "owner",
    "other_resident",
]


def test_the_sweep_finds_the_case_actions():
    # the sweep itself can fail: it sees the case page and the actions the issue lists
    for name in ("case", "case-note", "case-status", "case-assign", "case-merge", "case-reopen"):
        assert name in CASE_URLS


def _snapshot(case: m.ServiceRequest) -> tuple[object, ...]:
    case.refresh_from_db()
    return (
        case.status_id,
        case.team_id,
        case.assignee_id,
        case.priority,
        case.duplicate_of_id,
        case.updated_at,
        case.events.count(),
        case.linked_cases.count(),
        case.attachments.count(),
        m.OutboxMessage.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_case_url_is_404_to_those_who_may_not_see_the_case(client, world, who):
    case = world.case
    other = m.ServiceRequest.objects.exclude(pk=case.pk).first()
    client.force_login(world.users[who])
    before = _snapshot(case)
    form = {
        "message": "Looked at it",
        "visibility": "public",
        "status": str(m.CaseStatus.objects.exclude(pk=case.status_id).first().pk),
        "public_message": "Done",
        "priority": "urgent",
        "team": str(case.team_id),
        "reason": "Because",
        "reference": other.reference if other else "",
        "master": other.reference if other else "",
        "seen": case.updated_at.isoformat(),
        "confirm": "yes",
    }
    for name in CASE_URLS:
        url = reverse(f"desk:{name}", kwargs={"reference": case.reference})
        nowhere = reverse(f"desk:{name}", kwargs={"reference": "FCC-00-999999"})
        for method in (client.get, client.post):
            answer = method(url, form if method == client.post else None).status_code
            if answer == 405:
                # a URL that does not take this method says so for any reference: no oracle
                assert method(nowhere, form).status_code == 405
            else:
                assert answer == 404, f"{method.__name__.upper()} {url} as {who}"
    assert _snapshot(case) == before


def test_the_same_urls_open_for_an_officer_of_the_case_team(client, world):
    client.force_login(world.users["officer_in"])
    url = reverse("desk:case", kwargs={"reference": world.case.reference})
    assert client.get(url).status_code == 200

"""Every link in every notification template is on the site's public address and opens a page.

Each template the councils ship (both sites' fixtures) is rendered with the context its sending
path gives it; every link found in the text must start with the configured public URL and
resolve to one of our views (the track page also finds the case by its reference).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import resolve
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.notifications.rendering import template_render
from apps.council_crm.services.motions.actions import action_links
from apps.council_crm.services.notify import case_links, member_links

PUBLIC = "https://report.fernshire.example"
MOTION_EVENTS = {m.NotificationEvent.MOTION_ACTION_DUE, m.NotificationEvent.MOTION_ACTION_OVERDUE}
LINK = re.compile(r"https?://[^\s<>\"')]+")


def _an_action() -> m.FollowUpAction:
    action = m.FollowUpAction.objects.select_related("motion", "owner_team").first()
    if action is None:  # a site without a register: make the smallest one
        team = m.Team.objects.first()
        motion = m.Motion.objects.create(reference="NOM-T-1", title="Test", text="Text")
        action = m.FollowUpAction.objects.create(
            motion=motion,
            owner_team=team,
            description="Do it",
            due_date=timezone.localdate() + timedelta(days=3),
        )
    return action


def _context(template: m.NotificationTemplate, case: m.ServiceRequest) -> dict[str, object]:
    user = m.User(username="reader", first_name="Robin")
    if template.event in MOTION_EVENTS:
        action = _an_action()
        return {"user": user, "motion": action.motion, "action": action, **action_links(action)}
    if template.event == m.NotificationEvent.MEMBER_ASSIGNED:
        return {"case": case, "user": user, **member_links(case)}
    if template.event == m.NotificationEvent.MEMBER_DIGEST:
        digest = {"week": "2026-W10", "changed": ["REF-1 Pothole: Open"], "new_total": "7"}
        return {"user": user, "digest": digest, **member_links()}
    links = case_links(case, survey_token="a-survey-token")
    return {"case": case, "user": user, "message": "We have fixed it.", **links}


@pytest.mark.parametrize("site", ["demo_site", "kilbrack_site"])
def test_every_link_in_every_template_is_public_and_resolves(site, request, settings, db):
    request.getfixturevalue(site)
    settings.CRM_PUBLIC_URL = PUBLIC
    category = m.ServiceCategory.objects.filter(active=True).select_related("default_team").first()
    case = m.ServiceRequest(
        reference="REF-2026-000123", category=category, team=category.default_team
    )
    templates = list(m.NotificationTemplate.objects.all())
    assert {t.event for t in templates} >= set(m.NotificationEvent.values) - MOTION_EVENTS

    checked = 0
    for template in templates:
        body = template_render(template, {"council": settings.CRM_SITE, **_context(template, case)})
        links = LINK.findall(body.body)
        if "_url" in template.body:
            assert links, f"{template}: a link variable rendered as nothing:\n{body.body}"
        for link in links:
            parts = urlsplit(link)
            assert link.startswith(PUBLIC + "/"), f"{template}: {link}"
            match = resolve(parts.path)
            if match.view_name == "portal:track":
                assert parse_qs(parts.query) == {"ref": [case.reference]}, link
            checked += 1
    assert checked >= len(templates)  # most templates carry one link or more

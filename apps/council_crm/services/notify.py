"""Who is told what about a case: resident, followers, councillors, staff (through the outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from apps.council_crm.links import public_url
from apps.council_crm.models import (
    CaseFollower,
    Citizen,
    ContactPreference,
    MemberPreferences,
    NotificationEvent,
    ServiceRequest,
    TeamMembership,
    User,
)
from apps.council_crm.notifications.outbox import message_queue
from apps.council_crm.permissions import MEMBER_ROLES, Action, can


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str
    citizen: Citizen | None = None
    user: User | None = None


def _citizen_recipient(citizen: Citizen | None) -> Recipient | None:
    if citizen is None or citizen.anonymised_at:
        return None
    pref = citizen.preferred_channel
    if pref == ContactPreference.NONE:
        return None
    order = ["sms", "email"] if pref == ContactPreference.SMS else ["email", "sms"]
    for channel in order:
        address = citizen.email if channel == "email" else citizen.phone
        if address:
            return Recipient(channel, address, citizen.preferred_language or "en", citizen=citizen)
    return None


def _user_recipient(user: User | None) -> Recipient | None:
    if user is None or not user.is_active or not user.email:
        return None
    return Recipient("email", user.email, settings.LANGUAGE_CODE, user=user)


def member_wants(user: User, event: str) -> bool:
    """A councillor's (or support officer's) email preferences; no row: the defaults."""
    prefs = MemberPreferences.objects.filter(user=user).first()
    return prefs.wants(event) if prefs else MemberPreferences().wants(event)


def _member_recipient(user: User | None, case: ServiceRequest, event: str) -> Recipient | None:
    """A member is told only about a case they may still see (raised, or the resident's
    consent; a support officer only while their delegation lasts) and only if they want it."""
    if user is None or not can(user, Action.VIEW, case) or not member_wants(user, event):
        return None
    return _user_recipient(user)


def resident_recipients(
    case: ServiceRequest, *, include_followers: bool, event: str = ""
) -> Iterator[Recipient]:
    """The reporter, the councillor who raised it, and (for updates) everyone following it.
    Councillors and support officers through `_member_recipient` (visibility, preferences)."""
    seen: set[tuple[str, str]] = set()

    def once(r: Recipient | None) -> Iterator[Recipient]:
        if r is not None and (r.channel, r.address.lower()) not in seen:
            seen.add((r.channel, r.address.lower()))
            yield r

    yield from once(_citizen_recipient(case.citizen))
    if case.on_behalf_of is not None:
        yield from once(_member_recipient(case.on_behalf_of.user, case, event))
    if not include_followers:
        return
    for follower in CaseFollower.objects.filter(case=case).select_related("citizen", "user"):
        if follower.citizen_id:
            yield from once(_citizen_recipient(follower.citizen))
        elif follower.user is not None and follower.user.role in MEMBER_ROLES:
            # following without the resident's consent (or after it ends) gives no updates
            yield from once(_member_recipient(follower.user, case, event))
        elif follower.user_id:
            yield from once(_user_recipient(follower.user))


def member_recipients(case: ServiceRequest, *, event: str) -> Iterator[Recipient]:
    """Only the members of a case: the councillor it was raised for, and members following it."""
    for r in resident_recipients(case, include_followers=True, event=event):
        if r.user is not None and r.user.role in MEMBER_ROLES:
            yield r


def case_links(case: ServiceRequest, survey_token: str | None = None) -> dict[str, str]:
    """The links a message about a case may use, on the site's public address."""
    track = reverse("portal:track")
    links = {"track_url": public_url(f"{track}?{urlencode({'ref': case.reference})}")}
    if survey_token:
        links["survey_url"] = public_url(reverse("portal:survey", args=[survey_token]))
    return links


def member_links(case: ServiceRequest | None = None) -> dict[str, str]:
    """The member area link a member's message uses: the case's page, or their casework."""
    if case is None:
        return {"member_url": public_url(reverse("member:home"))}
    return {"member_url": public_url(reverse("member:case", args=[case.reference]))}


def notify_residents(
    *,
    case: ServiceRequest,
    event: str,
    occurrence: str,
    include_followers: bool = True,
    message: str = "",
    survey_token: str | None = None,
) -> int:
    """Queue one message per recipient for a resident-facing event. Returns how many."""
    context: dict[str, Any] = {"case": case, "message": message, **case_links(case, survey_token)}
    queued = 0
    for r in resident_recipients(case, include_followers=include_followers, event=event):
        context["user"] = r.user or r.citizen
        msg = message_queue(
            event=event,
            channel=r.channel,
            recipient=r.address,
            context=context,
            dedupe_key=f"{event}:{case.pk}:{occurrence}:{r.channel}:{r.address.lower()}",
            language=r.language,
            case=case,
            citizen=r.citizen,
            user=r.user,
        )
        queued += msg is not None
    return queued


def notify_members(*, case: ServiceRequest, event: str, occurrence: str) -> int:
    """Queue a members-only message (a case assigned): the councillor it was raised for and
    members following it, each if they may still see it and want that email."""
    queued = 0
    links = member_links(case)
    for r in member_recipients(case, event=event):
        msg = message_queue(
            event=event,
            channel=r.channel,
            recipient=r.address,
            context={"case": case, "user": r.user, **links},
            dedupe_key=f"{event}:{case.pk}:{occurrence}:{r.channel}:{r.address.lower()}",
            language=r.language,
            case=case,
            user=r.user,
        )
        queued += msg is not None
    return queued


def notify_staff(*, case: ServiceRequest, event: str, occurrence: str, users: list[User]) -> int:
    queued = 0
    for user in users:
        r = _user_recipient(user)
        if r is None:
            continue
        msg = message_queue(
            event=event,
            channel=r.channel,
            recipient=r.address,
            context={"case": case, "user": user, **case_links(case)},
            dedupe_key=f"{event}:{case.pk}:{occurrence}:{user.pk}",
            language=r.language,
            case=case,
            user=user,
        )
        queued += msg is not None
    return queued


def team_leaders(case: ServiceRequest) -> list[User]:
    if case.team_id is None:
        return []
    return [
        m.staff.user
        for m in TeamMembership.objects.filter(
            team_id=case.team_id, role=TeamMembership.TeamRole.LEADER
        ).select_related("staff__user")
    ]


__all__ = [
    "NotificationEvent",
    "member_links",
    "member_wants",
    "notify_members",
    "notify_residents",
    "notify_staff",
    "team_leaders",
]

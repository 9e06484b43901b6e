"""Member casework writes: log a case for a constituent, follow, add information, emails.

Councillors and the support officers acting for them (`acting_for`). Every write records who
did it (`actor`) and for which councillor (`on_behalf_of` on the case and its timeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm.models import (
    AuditAction,
    CaseEvent,
    CaseFollower,
    Channel,
    Consent,
    Councillor,
    MemberPreferences,
    NotificationEvent,
    OutboxMessage,
    ServiceRequest,
    User,
)
from apps.council_crm.models.member import PREFERENCE_FIELDS
from apps.council_crm.notifications.outbox import message_queue
from apps.council_crm.permissions import Action, acting_for, can
from apps.council_crm.selectors.member import digest_for
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.cases import (
    CaseRequest,
    case_check,
    case_create,
    case_follow,
    case_lock,
)
from apps.council_crm.services.consent import CURRENT_WORDING, consent_grant
from apps.council_crm.services.notify import member_links

# How a constituent gave their consent to a councillor, as the councillor is asked it.
CONSENT_CHANNELS = {
    "in_person": Channel.FACE_TO_FACE,
    "phone": Channel.PHONE,
    "email": Channel.EMAIL,
    "letter": Channel.POST,
}
MAX_INFORMATION = 5000


def _for(actor: User, councillor: Councillor) -> None:
    """The actor is this councillor, or supports them today (a delegation in force)."""
    if councillor.pk not in {c.pk for c in acting_for(actor)}:
        raise ValidationError({"councillor": [_("You cannot act for this councillor")]})


@dataclass(frozen=True)
class MemberCase:
    case: ServiceRequest
    created: bool


@transaction.atomic
def member_case_log(
    *,
    request: CaseRequest,
    councillor: Councillor,
    actor: User,
    key: str,
    consent_how: str = "",
    consent_evidence: str = "",
) -> MemberCase:
    """A case a councillor (or their support officer) logs: for a constituent, with the
    constituent's consent to share it with the councillor recorded with the wording shown and
    how it was given; or as the councillor themselves (raised as an individual). The case
    names the councillor (`on_behalf_of`), so they see it from then on whatever the consent;
    they follow it. Checked exactly as a web report is (`case_create`); once per `key`."""
    _for(actor, councillor)
    for_constituent = request.raised_as == ServiceRequest.RaisedAs.COUNCILLOR
    errors: dict[str, list[str]] = {}
    if for_constituent:
        if consent_how not in CONSENT_CHANNELS:
            errors["consent_how"] = [_("Select how the constituent gave their consent")]
        if not consent_evidence.strip():
            errors["consent_evidence"] = [
                _("Say when the constituent agreed, for example the date of their email")
            ]
        if request.contact.is_empty:
            errors["first_name"] = [_("Enter the constituent's name")]
    if errors:
        # the case's own checks too, so that every mistake is listed at once
        try:
            case_check(request=request, actor=actor)
        except ValidationError as exc:
            errors = {**exc.message_dict, **errors}
        raise ValidationError(errors)
    made = case_create(request=request, actor=actor, idempotency_key=key)
    case = made.case
    if not made.created:
        return MemberCase(case, created=False)
    if for_constituent and case.citizen is not None:
        how = CONSENT_CHANNELS[consent_how]
        consent_grant(
            citizen=case.citizen,
            purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
            actor=actor,
            channel=how,
            scope=Consent.Scope.CASE,
            case=case,
            councillor=councillor,
            wording_version=CURRENT_WORDING,
            evidence=consent_evidence,
        )
    CaseFollower.objects.get_or_create(
        case=case, user=councillor.user, defaults={"reason": CaseFollower.Reason.COUNCILLOR}
    )
    return MemberCase(case, created=True)


@transaction.atomic
def member_case_follow(
    *, case: ServiceRequest, councillor: Councillor, actor: User, follow: bool
) -> bool:
    """The councillor follows (or stops following) a case they may see. Returns following."""
    _for(actor, councillor)
    if not can(actor, Action.VIEW, case) or (
        follow and not can(councillor.user, Action.VIEW, case)
    ):
        # following is for the councillor's own sight of the case (their emails need it too)
        raise ValidationError({"case": [_("No such case")]})
    existing = CaseFollower.objects.filter(case=case, user=councillor.user)
    if follow and not existing.exists():
        case_follow(case=case, user=councillor.user)
    elif not follow and existing.exists():
        existing.delete()
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.INTERNAL_NOTE,
            actor=actor,
            on_behalf_of=councillor,
            message=_("%(user)s no longer follows this case") % {"user": councillor},
        )
    else:
        return follow
    audit_record(
        actor=actor,
        action=AuditAction.CASE_FOLLOWED,
        obj=case,
        data={"councillor": councillor.pk, "following": follow},
    )
    return follow


@transaction.atomic
def member_case_add_information(
    *,
    case: ServiceRequest,
    councillor: Councillor,
    actor: User,
    message: str,
    seen: datetime | None = None,
) -> CaseEvent:
    """More information from the councillor on a case they raised: a timeline entry the case's
    officers see, marked as from the councillor (and by whom, if their support officer)."""
    _for(actor, councillor)
    if not can(actor, Action.ADD_NOTE, case) or case.on_behalf_of_id != councillor.pk:
        raise ValidationError({"message": [_("You can add information only to cases you raised")]})
    text = message.strip()
    if not text:
        raise ValidationError({"message": [_("Enter the information to add")]})
    if len(text) > MAX_INFORMATION:
        raise ValidationError(
            {"message": [_("Enter %(n)s characters or fewer") % {"n": MAX_INFORMATION}]}
        )
    case = case_lock(case=case, seen=seen)
    if actor.pk == councillor.user_id:
        heading = _("Information from %(cllr)s") % {"cllr": councillor}
    else:
        heading = _("Information from %(actor)s on behalf of %(cllr)s") % {
            "actor": actor.get_full_name() or actor.username,
            "cllr": councillor,
        }
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CONTACT,
        is_public=False,
        actor=actor,
        on_behalf_of=councillor,
        message=f"{heading}: {text}",
        data={"from": "councillor"},
    )
    case.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_UPDATED,
        obj=case,
        data={"public": False, "event": event.pk, "councillor": councillor.pk},
    )
    return event


@transaction.atomic
def member_preferences_update(
    *, user: User, actor: User, choices: dict[str, bool]
) -> MemberPreferences:
    """Which case emails (and whether the weekly digest) a member gets."""
    if actor.pk != user.pk and user.pk not in {c.user_id for c in acting_for(actor)}:
        raise ValidationError({"preferences": [_("You cannot change these preferences")]})
    prefs, _created = MemberPreferences.objects.select_for_update().get_or_create(user=user)
    changes = {}
    for field in PREFERENCE_FIELDS:
        new = bool(choices.get(field, False))
        if getattr(prefs, field) != new:
            changes[field] = (getattr(prefs, field), new)
            setattr(prefs, field, new)
    if changes:
        prefs.updated_at = timezone.now()
        prefs.save()
        audit_record(
            actor=actor, action=AuditAction.MEMBER_PREFERENCES_CHANGED, obj=prefs, changes=changes
        )
    return prefs


# --- the weekly digest -----------------------------------------------------------------------


def digest_week(day: date) -> tuple[str, datetime, datetime]:
    """The ISO week before `day`'s week: its label and its start and end (Monday 00:00)."""
    monday = day - timedelta(days=day.weekday())
    start_day = monday - timedelta(days=7)
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    year, week, _weekday = start_day.isocalendar()
    return f"{year}-W{week:02d}", start, end


@transaction.atomic
def member_digest_send(
    *, councillor: Councillor, today: date | None = None, now: datetime | None = None
) -> OutboxMessage | None:
    """Queue one councillor's weekly digest for last week, once per week (the outbox's dedupe
    key), if they opted in and have an email address. What it lists comes from the member
    selectors: their casework that changed, their divisions' new cases (suppressed counts),
    their open cases past their promised date."""
    user = councillor.user
    prefs = MemberPreferences.objects.filter(user=user).first()
    if prefs is None or not prefs.weekly_digest or not user.is_active or not user.email:
        return None
    label, start, end = digest_week(today or timezone.localdate())
    key = f"{NotificationEvent.MEMBER_DIGEST}:{user.pk}:{label}"
    sent = OutboxMessage.objects.filter(dedupe_key=key).first()
    if sent is not None:
        return sent
    digest = digest_for(councillor=councillor, start=start, end=end, now=now or timezone.now())
    return message_queue(
        event=NotificationEvent.MEMBER_DIGEST,
        channel="email",
        recipient=user.email,
        context={
            "user": user,
            "digest": {**digest, "week": label, "until": (end - timedelta(days=1)).date()},
            **member_links(),
        },
        dedupe_key=key,
        user=user,
    )


def member_digests_run(*, today: date | None = None) -> int:
    """The weekly digests of last week for every councillor who opted in, each once (a
    periodic job: run every 30 s by the scheduler, it queues a week's digest the first time
    it runs in the next week). Returns how many were queued by this run."""
    queued = 0
    label, _start, _end = digest_week(today or timezone.localdate())
    opted = Councillor.objects.filter(
        user__member_preferences__weekly_digest=True, user__is_active=True
    ).select_related("user")
    for councillor in opted:
        key = f"{NotificationEvent.MEMBER_DIGEST}:{councillor.user_id}:{label}"
        if OutboxMessage.objects.filter(dedupe_key=key).exists():
            continue
        queued += member_digest_send(councillor=councillor, today=today) is not None
    return queued

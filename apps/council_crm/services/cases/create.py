"""Logging a case from any channel, once per idempotency key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.council_crm import duplicates, sla
from apps.council_crm.models import (
    CaseEvent,
    Channel,
    Citizen,
    Interaction,
    NotificationEvent,
    ServiceRequest,
    User,
)
from apps.council_crm.references import next_reference
from apps.council_crm.services.citizens import citizen_match_or_create
from apps.council_crm.services.notify import notify_residents

from . import config
from .assignment import assignee_notify, route_case, routing_event
from .checks import CheckedCase, case_check
from .request import CaseRequest


class IdempotencyConflict(ValidationError):
    """The same idempotency key was used for a different request."""


@dataclass
class CaseCreated:
    case: ServiceRequest
    created: bool
    duplicates: list[duplicates.Nearby] = field(default_factory=list)


def case_for_key(key: str, payload_hash: str) -> ServiceRequest | None:
    """The case made with this idempotency key; IdempotencyConflict if for another request."""
    existing = ServiceRequest.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.payload_hash != payload_hash:
        raise IdempotencyConflict(
            {
                "idempotency_key": [
                    _("This idempotency key was already used for a different request")
                ]
            }
        )
    return existing


def case_create(
    *,
    request: CaseRequest,
    actor: User | None,
    idempotency_key: str | None = None,
    reference: str | None = None,
    now: datetime | None = None,
    citizen: Citizen | None = None,
) -> CaseCreated:
    """Log a service request from any channel. Raises ValidationError (field -> messages).

    Nothing is written unless every check passes. With an idempotency key, the same request
    returns the case it made the first time; a different request with the same key is an error.
    `reference` is one already given to the resident (a web report received before it was
    logged, services/intake.py); otherwise the next one is taken.
    """
    now = now or timezone.now()
    payload_hash = request.payload_hash()
    if idempotency_key:
        if len(idempotency_key) > 100:
            raise ValidationError(
                {"idempotency_key": [_("The idempotency key must be 100 characters or fewer")]}
            )
        existing = case_for_key(idempotency_key, payload_hash)
        if existing is not None:
            return CaseCreated(existing, created=False)

    checked = case_check(request=request, actor=actor)

    try:
        with transaction.atomic():
            case, candidates = _create(
                request=request,
                checked=checked,
                actor=actor,
                idempotency_key=idempotency_key or None,
                payload_hash=payload_hash if idempotency_key else "",
                reference=reference,
                now=now,
                citizen=citizen,
            )
    except IntegrityError:
        if idempotency_key:
            existing = case_for_key(idempotency_key, payload_hash)
            if existing is not None:
                return CaseCreated(existing, created=False)
        raise
    return CaseCreated(case, created=True, duplicates=candidates)


def _create(
    *,
    request: CaseRequest,
    checked: CheckedCase,
    actor: User | None,
    idempotency_key: str | None,
    payload_hash: str,
    reference: str | None,
    now: datetime,
    citizen: Citizen | None = None,
) -> tuple[ServiceRequest, list[duplicates.Nearby]]:
    category, channel = checked.category, request.channel
    lat, lon = checked.latitude, checked.longitude
    contact = None if request.anonymous else request.contact
    if contact is None:
        citizen = None
    elif citizen is None and not contact.is_empty:
        citizen = citizen_match_or_create(details=contact)
    calendar = sla.site_calendar()
    due = sla.due_at(
        created=now, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    case = ServiceRequest(
        category=category,
        status=config.default_status(),
        description=request.description.strip(),
        answers=checked.answers,
        latitude=lat,
        longitude=lon,
        address=checked.address.strip(),
        division=checked.division,
        channel=channel,
        citizen=citizen,
        is_anonymous=contact is None,
        raised_by=actor,
        on_behalf_of=request.on_behalf_of,
        raised_as=checked.raised_as,
        priority=category.priority,
        sla_due_at=due,
        promised_date=due.astimezone(calendar.tzinfo).date(),
        idempotency_key=idempotency_key,
        payload_hash=payload_hash,
        created_at=now,
    )
    nearby = duplicates.Survey(candidates=[], closed_recently=0)
    if lat is not None and lon is not None:
        nearby = duplicates.survey(
            category_id=category.pk,
            latitude=lat,
            longitude=lon,
            radius_m=category.duplicate_radius_m,
            window_days=category.duplicate_window_days,
            now=now,
        )
        case.is_recurring = nearby.closed_recently >= category.recurring_threshold
    # The two shared rows (the team's round-robin cursor, the reference counter) are locked
    # last, so that concurrent reports wait for each other only for the inserts that follow.
    decision, team, assignee = route_case(case)
    case.reference = reference or next_reference(year=now.astimezone(calendar.tzinfo).year)
    case.save(force_insert=True)
    events = [
        CaseEvent(
            case=case,
            kind=CaseEvent.Kind.CREATED,
            is_public=True,
            message=_raised_message(case),
            data={"channel": channel},
            actor=actor,
            on_behalf_of=request.on_behalf_of,
            created_at=now,
        )
    ]
    if case.is_recurring:
        events.append(
            CaseEvent(
                case=case,
                kind=CaseEvent.Kind.INTERNAL_NOTE,
                created_at=now,
                message=_(
                    "Recurring issue: %(category)s has been reported and closed here "
                    "%(n)s times in the last 12 months"
                )
                % {"category": category.name, "n": nearby.closed_recently},
            )
        )
    assigned = routing_event(case, decision, team, assignee, actor=actor, now=now)
    CaseEvent.objects.bulk_create([*events, assigned])
    assignee_notify(case, assigned, assignee)
    if citizen is not None and channel not in (Channel.WEB, Channel.API) and actor is not None:
        Interaction.objects.create(
            citizen=citizen,
            case=case,
            channel=channel,
            direction=Interaction.Direction.INBOUND,
            summary=_("Reported %(category)s (%(reference)s)")
            % {"category": category.name, "reference": case.reference},
            staff=actor,
            created_at=now,
        )
    notify_residents(
        case=case,
        event=NotificationEvent.ACKNOWLEDGEMENT,
        occurrence="logged",
        include_followers=False,
    )
    return case, nearby.candidates


def _raised_message(case: ServiceRequest) -> str:
    channel = Channel(case.channel).label.lower()
    councillor = case.on_behalf_of
    if councillor is not None:
        actor = case.raised_by
        if actor and actor.pk != councillor.user_id:
            who = _("by %(actor)s on behalf of %(cllr)s") % {
                "actor": actor.get_full_name(),
                "cllr": councillor,
            }
        else:
            who = _("by %(cllr)s") % {"cllr": councillor}
        role = ServiceRequest.RaisedAs(case.raised_as).label.lower()
        return _("Raised %(who)s (%(role)s), by %(channel)s") % {
            "who": who,
            "role": role,
            "channel": channel,
        }
    return _("Reported by %(channel)s") % {"channel": channel}

"""Case lifecycle writes: create, route, assign, move through statuses, update, merge, reopen."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from apps.council_crm import duplicates, routing, sla
from apps.council_crm.config_cache import cached
from apps.council_crm.geo import division_index
from apps.council_crm.models import (
    OPEN_STATES,
    CaseEvent,
    CaseFollower,
    CaseStatus,
    CategoryQuestion,
    Channel,
    Councillor,
    Division,
    GazetteerEntry,
    MemberSupportDelegation,
    NotificationEvent,
    RoutingRule,
    SatisfactionSurvey,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.references import next_reference
from apps.council_crm.selectors.routing import routing_rules_active
from apps.council_crm.services.citizens import (
    ContactDetails,
    citizen_match_or_create,
    validate_contact,
)
from apps.council_crm.services.notify import notify_residents, notify_staff, team_leaders

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
MAX_DESCRIPTION = 5000


class IdempotencyConflict(ValidationError):
    """The same idempotency key was used for a different request."""


@dataclass
class CaseCreated:
    case: ServiceRequest
    created: bool
    duplicates: list[duplicates.Nearby] = field(default_factory=list)


def _when(instant: datetime) -> str:
    return f"{instant.astimezone(sla.site_calendar().tzinfo):%d %B %Y %H:%M}"


# --- validation -----------------------------------------------------------------------------


def _clean_answers(
    category: ServiceCategory, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    questions = {q.code: q for q in category.questions.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for code in answers:
        if code not in questions:
            errors[f"answers.{code}"] = [
                _("This question is not asked for %(category)s") % {"category": category.name}
            ]
    for code, q in questions.items():
        raw = answers.get(code)
        text = "" if raw is None else str(raw).strip()
        key = f"answers.{code}"
        if not text:
            if q.required:
                errors[key] = [_("Answer the question: %(label)s") % {"label": q.label}]
            continue
        if q.kind == CategoryQuestion.Kind.NUMBER:
            try:
                number = Decimal(text)
            except InvalidOperation:
                errors[key] = [_("%(label)s must be a number") % {"label": q.label}]
                continue
            if not number.is_finite():
                errors[key] = [_("%(label)s must be a number") % {"label": q.label}]
                continue
            cleaned[code] = int(number) if number == number.to_integral_value() else float(number)
        elif q.kind == CategoryQuestion.Kind.CHOICE:
            match = next((c for c in q.choices if c.casefold() == text.casefold()), None)
            if match is None:
                errors[key] = [_("Choose one of the options for: %(label)s") % {"label": q.label}]
                continue
            cleaned[code] = match
        elif q.kind == CategoryQuestion.Kind.YES_NO:
            if text.casefold() in YES:
                cleaned[code] = "Yes"
            elif text.casefold() in NO:
                cleaned[code] = "No"
            else:
                errors[key] = [_("Select yes or no for: %(label)s") % {"label": q.label}]
        else:
            if len(text) > 1000:
                errors[key] = [_("%(label)s must be 1000 characters or fewer") % {"label": q.label}]
                continue
            cleaned[code] = text
    return cleaned, errors


def _resolve_location(
    *, latitude: float | None, longitude: float | None, address: str, errors: dict[str, list[str]]
) -> tuple[float | None, float | None, str, Division | None]:
    if latitude is not None or longitude is not None:
        try:
            lat, lon = float(latitude), float(longitude)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors["location"] = [_("Enter the location as a latitude and longitude")]
            return None, None, address, None
        if not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            errors["location"] = [_("Enter the location as a latitude and longitude")]
            return None, None, address, None
        hit = division_index().lookup(latitude=lat, longitude=lon)
        if hit is None:
            errors["location"] = [
                _("This location is outside the area %(council)s looks after")
                % {"council": settings.CRM_SITE.name}
            ]
            return None, None, address, None
        return lat, lon, address, _divisions()[hit.id]
    if address.strip():
        entry = gazetteer_find(address)
        if entry is None:
            errors["address"] = [
                _(
                    "We could not find that street or place. "
                    "Check the spelling or choose it on the map"
                )
            ]
            return None, None, address, None
        label = address.strip() if len(address.strip()) > len(entry.name) else str(entry)
        division = _divisions().get(entry.division_id) if entry.division_id else None
        return entry.latitude, entry.longitude, label, division
    errors["location"] = [
        _("Tell us where the problem is: choose a point on the map or enter a street or place")
    ]
    return None, None, address, None


def gazetteer_find(text: str) -> GazetteerEntry | None:
    """An exact street or place name, optionally followed by ', locality'."""
    name, _sep, locality = (part.strip() for part in text.partition(","))
    qs = GazetteerEntry.objects.filter(name__iexact=name)
    if locality:
        narrowed = qs.filter(locality__iexact=locality.split(",")[0].strip())
        if narrowed.exists():
            qs = narrowed
    entries = list(qs[:2])
    return entries[0] if len(entries) == 1 else None


def payload_hash_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _check_councillor(
    actor: User | None,
    on_behalf_of: Councillor | None,
    raised_as: str,
    errors: dict[str, list[str]],
) -> str:
    if on_behalf_of is None:
        if raised_as:
            errors["raised_as"] = [_("Only casework raised for a councillor has a role")]
        return ""
    allowed = actor is not None and (
        on_behalf_of.user_id == actor.pk
        or MemberSupportDelegation.objects.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=timezone.localdate()),
            Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()),
            officer=actor,
            councillor=on_behalf_of,
        ).exists()
    )
    if not allowed:
        errors["on_behalf_of"] = [_("You cannot raise casework for this councillor")]
    if raised_as not in ServiceRequest.RaisedAs.values:
        errors["raised_as"] = [
            _("Say whether the councillor raised it in their role or as an individual")
        ]
    return raised_as


# --- routing and assignment -----------------------------------------------------------------


def _active_rules() -> list[routing.Rule]:
    return cached("routing_rules", routing_rules_active)


def _open_status_ids() -> list[int]:
    """Filtering on the ids lets the (assignee, status) index answer without a join."""
    return cached(
        "open_status_ids",
        lambda: list(CaseStatus.objects.filter(state__in=OPEN_STATES).values_list("pk", flat=True)),
    )


def _teams() -> dict[int, Team]:
    return cached("teams", lambda: {t.pk: t for t in Team.objects.all()})


def _team_members() -> dict[int, list[User]]:
    def load() -> dict[int, list[User]]:
        table: dict[int, list[User]] = {}
        rows = TeamMembership.objects.filter(staff__user__is_active=True).select_related(
            "staff__user"
        )
        for membership in rows:
            table.setdefault(membership.team_id, []).append(membership.staff.user)
        return table

    return cached("team_members", load)


def _divisions() -> dict[int, Division]:
    return cached("divisions", lambda: {d.pk: d for d in Division.objects.defer("boundary")})


def _categories() -> dict[str, ServiceCategory]:
    return cached(
        "categories",
        lambda: {
            c.code: c
            for c in ServiceCategory.objects.filter(active=True)
            .select_related("default_team")
            .prefetch_related("questions")
        },
    )


def _triage_team() -> Team | None:
    return cached(
        "triage_team",
        lambda: Team.objects.filter(is_triage=True, active=True).order_by("id").first(),
    )


def _decide(case: ServiceRequest) -> routing.Decision:
    return _decide_for(
        category=case.category,
        division=case.division if case.division_id else None,
        description=case.description,
        answers=case.answers,
    )


def _decide_for(
    *,
    category: ServiceCategory,
    division: Division | None,
    description: str,
    answers: dict[str, Any],
) -> routing.Decision:
    default = (
        (category.default_team_id, category.default_team.name)
        if category.default_team.active
        else None
    )
    triage = _triage_team()
    return routing.route(
        _active_rules(),
        category_id=category.pk,
        category_name=category.name,
        division_id=division.pk if division else None,
        division_name=division.name if division else None,
        description=description,
        answers=answers,
        default_team=default,
        triage_team=(triage.pk, triage.name) if triage else None,
    )


def _pick_assignee(team: Team, strategy: str) -> User | None:
    if strategy == RoutingRule.Strategy.TEAM_QUEUE:
        return None
    members = {u.pk: u for u in _team_members().get(team.pk, [])}
    if not members:
        return None
    if strategy == RoutingRule.Strategy.ROUND_ROBIN:
        with connection.cursor() as cursor:
            cursor.execute(_ROUND_ROBIN, [team.pk])
            cursor_value = int(cursor.fetchone()[0]) - 1
        user_id, _cursor = routing.choose_member(
            strategy, member_ids=list(members), cursor=cursor_value
        )
    else:
        counts = dict(
            ServiceRequest.objects.filter(
                assignee_id__in=list(members), status_id__in=_open_status_ids()
            )
            .values_list("assignee_id")
            .annotate(n=Count("id"))
        )
        user_id, _cursor = routing.choose_member(
            strategy, member_ids=list(members), cursor=0, open_counts=counts
        )
    return members[user_id] if user_id else None


_ROUND_ROBIN = (
    f"UPDATE {Team._meta.db_table} SET round_robin_cursor = round_robin_cursor + 1 "  # noqa: S608
    "WHERE id = %s RETURNING round_robin_cursor"
)


def _route_case(case: ServiceRequest) -> tuple[routing.Decision, Team, User | None]:
    """Decide the team and assignee and set them on the (possibly unsaved) case."""
    decision = _decide(case)
    team = _teams()[decision.team_id]
    assignee = _pick_assignee(team, decision.strategy)
    case.team, case.assignee = team, assignee
    return decision, team, assignee


def _apply_routing(case: ServiceRequest, *, actor: User | None, now: datetime) -> None:
    decision, team, assignee = _route_case(case)
    event = _routing_event(case, decision, team, assignee, actor=actor, now=now)
    event.save()
    _notify_assignee(case, event, assignee)


def _notify_assignee(case: ServiceRequest, event: CaseEvent, assignee: User | None) -> None:
    if assignee is not None:
        notify_staff(
            case=case, event=NotificationEvent.ASSIGNED, occurrence=str(event.pk), users=[assignee]
        )


def _routing_event(
    case: ServiceRequest,
    decision: routing.Decision,
    team: Team,
    assignee: User | None,
    *,
    actor: User | None,
    now: datetime,
) -> CaseEvent:
    """The timeline entry saying where the case went and why (not saved yet)."""
    message = decision.reason
    if assignee is not None:
        message += _(" and to %(name)s (%(strategy)s)") % {
            "name": assignee.get_full_name() or assignee.username,
            "strategy": RoutingRule.Strategy(decision.strategy).label.lower(),
        }
    return CaseEvent(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        message=message,
        data={
            "team": team.code,
            "rule": decision.rule_id,
            "assignee": assignee.pk if assignee else None,
        },
        actor=actor,
        created_at=now,
    )


# --- create ---------------------------------------------------------------------------------


def _default_status() -> CaseStatus:
    status = cached(
        "default_status",
        lambda: (
            CaseStatus.objects.filter(is_default=True).first()
            or CaseStatus.objects.filter(state=StateCategory.NEW).order_by("order").first()
        ),
    )
    if status is None:
        raise ValidationError({"status": [_("No status is marked as the status of a new case")]})
    return status


@dataclass(frozen=True)
class CheckedCase:
    """case_create's input once every check has passed: what the case will be made from."""

    category: ServiceCategory
    answers: dict[str, Any]
    latitude: float | None
    longitude: float | None
    address: str
    division: Division | None
    raised_as: str


def case_check(
    *,
    actor: User | None,
    channel: str,
    category: ServiceCategory | str,
    description: str = "",
    answers: dict[str, Any] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    contact: ContactDetails | None = None,
    anonymous: bool = False,
    on_behalf_of: Councillor | None = None,
    raised_as: str = "",
) -> CheckedCase:
    """Every check case_create makes, writing nothing. Raises ValidationError."""
    answers = dict(answers or {})
    contact = contact or ContactDetails()
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("Choose how the request reached the council")]
    if isinstance(category, str):
        found = _categories().get(category)
        if found is None:
            errors["category"] = [_("Choose what the problem is about")]
        category = found
    elif not category.active:
        errors["category"] = [_("Choose what the problem is about")]
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = [
            _("Description must be %(n)s characters or fewer") % {"n": MAX_DESCRIPTION}
        ]
    cleaned: dict[str, Any] = {}
    if isinstance(category, ServiceCategory):
        cleaned, answer_errors = _clean_answers(category, answers)
        errors.update(answer_errors)
        if anonymous and not category.allow_anonymous:
            errors["anonymous"] = [
                _("%(category)s cannot be reported anonymously: tell us how to contact you")
                % {"category": category.name}
            ]
    lat, lon, address, division = _resolve_location(
        latitude=latitude, longitude=longitude, address=address, errors=errors
    )
    if not anonymous:
        errors.update(validate_contact(contact))
        if contact.is_empty and on_behalf_of is None and not (actor and channel != Channel.WEB):
            errors["contact"] = [
                _(
                    "Enter your email address or phone number so we can send you updates, "
                    "or report anonymously"
                )
            ]
    raised_as = _check_councillor(actor, on_behalf_of, raised_as, errors)
    if errors:
        raise ValidationError(errors)

    assert isinstance(category, ServiceCategory)  # noqa: S101 - narrowed by the checks above
    return CheckedCase(category, cleaned, lat, lon, address, division, raised_as)


def case_preview(checked: CheckedCase, *, description: str, now: datetime) -> tuple[Team, datetime]:
    """The team a case made from `checked` now would go to, and its due time (no writes)."""
    decision = _decide_for(
        category=checked.category,
        division=checked.division,
        description=description,
        answers=checked.answers,
    )
    team = _teams()[decision.team_id]
    calendar = sla.site_calendar()
    category = checked.category
    due = sla.due_at(
        created=now, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    return team, due


def case_request_hash(
    *,
    channel: str,
    category: ServiceCategory | str,
    description: str,
    answers: dict[str, Any],
    latitude: float | None,
    longitude: float | None,
    address: str,
    contact: ContactDetails,
    anonymous: bool,
    on_behalf_of: Councillor | None = None,
    raised_as: str = "",
) -> str:
    """What an idempotency key is checked against: the request case_create was given."""
    payload = {
        "channel": channel,
        "category": category.code if isinstance(category, ServiceCategory) else category,
        "description": description,
        "answers": answers,
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "contact": asdict(contact),
        "anonymous": anonymous,
        "on_behalf_of": on_behalf_of.pk if on_behalf_of else None,
        "raised_as": raised_as,
    }
    return payload_hash_of(payload)


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
    actor: User | None,
    channel: str,
    category: ServiceCategory | str,
    description: str = "",
    answers: dict[str, Any] | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    contact: ContactDetails | None = None,
    anonymous: bool = False,
    on_behalf_of: Councillor | None = None,
    raised_as: str = "",
    idempotency_key: str | None = None,
    reference: str | None = None,
    now: datetime | None = None,
) -> CaseCreated:
    """Log a service request from any channel. Raises ValidationError (field -> messages).

    Nothing is written unless every check passes. With an idempotency key, the same request
    returns the case it made the first time; a different request with the same key is an error.
    `reference` is one already given to the resident (a web report received before it was
    logged, services/intake.py); otherwise the next one is taken.
    """
    now = now or timezone.now()
    answers = dict(answers or {})
    contact = contact or ContactDetails()
    payload_hash = case_request_hash(
        channel=channel,
        category=category,
        description=description,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
        address=address,
        contact=contact,
        anonymous=anonymous,
        on_behalf_of=on_behalf_of,
        raised_as=raised_as,
    )
    if idempotency_key:
        if len(idempotency_key) > 100:
            raise ValidationError(
                {"idempotency_key": [_("The idempotency key must be 100 characters or fewer")]}
            )
        existing = case_for_key(idempotency_key, payload_hash)
        if existing is not None:
            return CaseCreated(existing, created=False)

    checked = case_check(
        actor=actor,
        channel=channel,
        category=category,
        description=description,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
        address=address,
        contact=contact,
        anonymous=anonymous,
        on_behalf_of=on_behalf_of,
        raised_as=raised_as,
    )

    try:
        with transaction.atomic():
            case, candidates = _create(
                actor=actor,
                channel=channel,
                category=checked.category,
                description=description.strip(),
                answers=checked.answers,
                lat=checked.latitude,
                lon=checked.longitude,
                address=checked.address.strip(),
                division=checked.division,
                contact=None if anonymous else contact,
                on_behalf_of=on_behalf_of,
                raised_as=checked.raised_as,
                idempotency_key=idempotency_key or None,
                payload_hash=payload_hash if idempotency_key else "",
                reference=reference,
                now=now,
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
    actor: User | None,
    channel: str,
    category: ServiceCategory,
    description: str,
    answers: dict[str, Any],
    lat: float | None,
    lon: float | None,
    address: str,
    division: Division | None,
    contact: ContactDetails | None,
    on_behalf_of: Councillor | None,
    raised_as: str,
    idempotency_key: str | None,
    payload_hash: str,
    reference: str | None,
    now: datetime,
) -> tuple[ServiceRequest, list[duplicates.Nearby]]:
    citizen = (
        None if contact is None or contact.is_empty else citizen_match_or_create(details=contact)
    )
    calendar = sla.site_calendar()
    due = sla.due_at(
        created=now, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    case = ServiceRequest(
        category=category,
        status=_default_status(),
        description=description,
        answers=answers,
        latitude=lat,
        longitude=lon,
        address=address,
        division=division,
        channel=channel,
        citizen=citizen,
        is_anonymous=contact is None,
        raised_by=actor,
        on_behalf_of=on_behalf_of,
        raised_as=raised_as,
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
    decision, team, assignee = _route_case(case)
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
            on_behalf_of=on_behalf_of,
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
    assigned = _routing_event(case, decision, team, assignee, actor=actor, now=now)
    CaseEvent.objects.bulk_create([*events, assigned])
    _notify_assignee(case, assigned, assignee)
    if citizen is not None and channel not in (Channel.WEB, Channel.API) and actor is not None:
        from apps.council_crm.models import Interaction

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
    if case.on_behalf_of_id:
        councillor = case.on_behalf_of
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


# --- assignment and category ----------------------------------------------------------------


@transaction.atomic
def case_assign(
    *, case: ServiceRequest, team: Team, assignee: User | None, actor: User, reason: str = ""
) -> ServiceRequest:
    """Reassign by hand: the assignee must be in the team."""
    case = ServiceRequest.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if (
        assignee is not None
        and not TeamMembership.objects.filter(team=team, staff__user=assignee).exists()
    ):
        raise ValidationError(
            {"assignee": [_("%(name)s is not in %(team)s") % {"name": assignee, "team": team}]}
        )
    if not team.active:
        raise ValidationError({"team": [_("%(team)s is not active") % {"team": team}]})
    case.team, case.assignee = team, assignee
    case.save(update_fields=["team", "assignee", "updated_at"])
    who = assignee.get_full_name() if assignee else _("the team queue")
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        actor=actor,
        message=_("Reassigned to %(team)s, %(who)s") % {"team": team.name, "who": who}
        + (f": {reason}" if reason else ""),
        data={"team": team.code, "assignee": assignee.pk if assignee else None},
    )
    if assignee is not None and assignee != actor:
        notify_staff(
            case=case, event=NotificationEvent.ASSIGNED, occurrence=str(event.pk), users=[assignee]
        )
    return case


@transaction.atomic
def case_change_category(
    *, case: ServiceRequest, category: ServiceCategory, actor: User
) -> ServiceRequest:
    """Recategorise: the standard is recalculated from the logging time; routing runs again."""
    case = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("category", "division")
        .get(pk=case.pk)
    )
    if category.pk == case.category_id:
        return case
    old = case.category
    _answers, errors = _clean_answers(category, {})
    case.category = category
    case.answers = {
        k: v for k, v in case.answers.items() if category.questions.filter(code=k).exists()
    }
    calendar = sla.site_calendar()
    case.sla_due_at = sla.due_at(
        created=case.created_at, kind=category.sla_kind, value=category.sla_value, calendar=calendar
    )
    old_promise = case.promised_date
    case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
    case.priority = category.priority
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CATEGORY,
        actor=actor,
        is_public=True,
        message=_("Changed from %(old)s to %(new)s") % {"old": old.name, "new": category.name},
        data={"from": old.code, "to": category.code, "missing_answers": sorted(errors)},
    )
    _apply_routing(case, actor=actor, now=timezone.now())
    case.save(
        update_fields=[
            "category",
            "answers",
            "sla_due_at",
            "promised_date",
            "priority",
            "team",
            "assignee",
            "updated_at",
        ]
    )
    if case.promised_date != old_promise:
        notify_residents(
            case=case, event=NotificationEvent.DELAY, occurrence=f"promise:{case.promised_date}"
        )
    return case


# --- statuses -------------------------------------------------------------------------------


def _allowed(case: ServiceRequest, status: CaseStatus) -> bool:
    if not case.status.allowed_next.filter(pk=status.pk).exists():
        return False
    limited = case.category.statuses.all()
    return not limited.exists() or limited.filter(pk=status.pk).exists()


@transaction.atomic
def case_transition(
    *,
    case: ServiceRequest,
    status: CaseStatus,
    actor: User | None,
    public_message: str = "",
    now: datetime | None = None,
    enforce_workflow: bool = True,
) -> ServiceRequest:
    """Move a case to another status, running the clock and telling the resident as needed."""
    now = now or timezone.now()
    case = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("status", "category")
        .get(pk=case.pk)
    )
    old = case.status
    if status.pk == old.pk:
        return case
    if enforce_workflow and not _allowed(case, status):
        raise ValidationError(
            {
                "status": [
                    _("A case that is %(old)s cannot become %(new)s")
                    % {"old": old.name, "new": status.name}
                ]
            }
        )
    if status.state == StateCategory.RESOLVED and not public_message.strip():
        raise ValidationError({"public_message": [_("Tell the resident what was done")]})
    calendar = sla.site_calendar()
    fields = ["status", "updated_at"]
    old_promise = case.promised_date
    if (
        old.state == StateCategory.PAUSED
        and status.state != StateCategory.PAUSED
        and case.sla_paused_at
    ):
        case.sla_due_at = sla.due_after_pause(
            due=case.sla_due_at, paused_from=case.sla_paused_at, resumed_at=now, calendar=calendar
        )
        case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
        case.sla_paused_at = None
        if case.sla_breached_at and case.sla_due_at > now:
            case.sla_breached_at = None  # the clock stopped long enough: a new breach would be new
            fields.append("sla_breached_at")
        fields += ["sla_due_at", "promised_date", "sla_paused_at"]
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.SLA,
            actor=actor,
            created_at=now,
            message=_("Clock restarted; now due %(due)s")
            % {"due": f"{case.sla_due_at.astimezone(calendar.tzinfo):%d %B %Y %H:%M}"},
        )
    if status.state == StateCategory.PAUSED and old.state != StateCategory.PAUSED:
        case.sla_paused_at = now
        fields.append("sla_paused_at")
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.SLA,
            actor=actor,
            created_at=now,
            message=_("Clock paused"),
        )
    if status.state == StateCategory.RESOLVED:
        case.resolved_at = now
        fields.append("resolved_at")
    elif status.state == StateCategory.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
        fields += ["closed_at", "resolved_at"]
    elif old.state in (StateCategory.RESOLVED, StateCategory.CLOSED):
        case.resolved_at = case.closed_at = None
        fields += ["resolved_at", "closed_at"]
    case.status = status
    case.save(update_fields=sorted(set(fields)))
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        actor=actor,
        is_public=status.public,
        created_at=now,
        message=public_message.strip()
        or _("Status changed from %(old)s to %(new)s") % {"old": old.name, "new": status.name},
        data={"from": old.code, "to": status.code},
    )
    if status.state == StateCategory.RESOLVED:
        survey, _created = SatisfactionSurvey.objects.get_or_create(
            case=case, defaults={"token": get_random_string(40)}
        )
        case.survey = survey
        notify_residents(
            case=case,
            event=NotificationEvent.COMPLETION,
            occurrence=f"resolved:{now.isoformat()}",
            message=public_message.strip(),
            survey_token=survey.token,
        )
    elif public_message.strip() and status.public:
        notify_residents(
            case=case,
            event=NotificationEvent.PUBLIC_UPDATE,
            occurrence=f"status:{now.isoformat()}",
            message=public_message.strip(),
        )
    if case.promised_date != old_promise and status.state not in (
        StateCategory.RESOLVED,
        StateCategory.CLOSED,
    ):
        notify_residents(
            case=case, event=NotificationEvent.DELAY, occurrence=f"promise:{case.promised_date}"
        )
    return case


@transaction.atomic
def case_add_update(*, case: ServiceRequest, actor: User, message: str, public: bool) -> CaseEvent:
    """A public update (the resident is told) or an internal note (staff only)."""
    if not message.strip():
        raise ValidationError({"message": [_("Enter the update")]})
    if len(message) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "message": [
                    _("The update must be %(n)s characters or fewer") % {"n": MAX_DESCRIPTION}
                ]
            }
        )
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        is_public=public,
        message=message.strip(),
        kind=CaseEvent.Kind.PUBLIC_UPDATE if public else CaseEvent.Kind.INTERNAL_NOTE,
    )
    if public:
        notify_residents(
            case=case,
            event=NotificationEvent.PUBLIC_UPDATE,
            occurrence=f"update:{event.pk}",
            message=event.message,
        )
    return event


def _reopen_status(case: ServiceRequest) -> CaseStatus:
    options = case.status.allowed_next.filter(state=StateCategory.OPEN).order_by("order")
    status = (
        options.first()
        or CaseStatus.objects.filter(state=StateCategory.OPEN).order_by("order").first()
    )
    if status is None:
        raise ValidationError({"status": [_("No open status to reopen the case into")]})
    return status


@transaction.atomic
def case_reopen(
    *,
    case: ServiceRequest,
    actor: User | None,
    reason: str,
    by_resident: bool,
    now: datetime | None = None,
) -> ServiceRequest:
    """'Not fixed': the resident (within the window) or staff reopen a resolved or closed case."""
    now = now or timezone.now()
    case = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("status")
        .get(pk=case.pk)
    )
    if case.status.state not in (StateCategory.RESOLVED, StateCategory.CLOSED):
        raise ValidationError({"status": [_("This request is still open")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Tell us what is still wrong")]})
    window = timedelta(days=settings.CRM_SITE.reopen_window_days)
    if by_resident and case.resolved_at and now - case.resolved_at > window:
        raise ValidationError(
            {
                "reason": [
                    _("This request was resolved more than %(n)s days ago: please report it again")
                    % {"n": window.days}
                ]
            }
        )
    target = _reopen_status(case)
    calendar = sla.site_calendar()
    case = case_transition(
        case=case,
        status=target,
        actor=actor,
        now=now,
        enforce_workflow=False,
        public_message=_("Reopened: %(reason)s") % {"reason": reason.strip()},
    )
    case.sla_due_at = sla.due_at(
        created=now, kind=case.category.sla_kind, value=case.category.sla_value, calendar=calendar
    )
    case.promised_date = case.sla_due_at.astimezone(calendar.tzinfo).date()
    case.sla_breached_at = None
    case.save(update_fields=["sla_due_at", "promised_date", "sla_breached_at", "updated_at"])
    leaders = team_leaders(case)
    assignee = [case.assignee] if case.assignee else []
    notify_staff(
        case=case,
        event=NotificationEvent.ASSIGNED,
        occurrence=f"reopened:{now.isoformat()}",
        users=assignee or leaders,
    )
    return case


# --- duplicates -----------------------------------------------------------------------------


@transaction.atomic
def case_merge(*, duplicate: ServiceRequest, master: ServiceRequest, actor: User) -> ServiceRequest:
    """The duplicate closes into the master; its reporter follows the master; demand +1."""
    if duplicate.pk == master.pk:
        raise ValidationError({"master": [_("A case cannot be merged into itself")]})
    locked = {
        c.pk: c
        for c in ServiceRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=[duplicate.pk, master.pk])
        .select_related("status")
    }
    duplicate, master = locked[duplicate.pk], locked[master.pk]
    if duplicate.duplicate_of_id:
        raise ValidationError(
            {"duplicate": [_("%(ref)s is already merged") % {"ref": duplicate.reference}]}
        )
    if master.duplicate_of_id:
        raise ValidationError(
            {
                "master": [
                    _("%(ref)s was itself merged; merge into %(other)s")
                    % {"ref": master.reference, "other": master.duplicate_of.reference}
                ]
            }
        )
    if duplicate.category_id != master.category_id:
        raise ValidationError(
            {"master": [_("Only reports of the same kind of problem can be merged")]}
        )
    duplicate.duplicate_of = master
    duplicate.save(update_fields=["duplicate_of", "updated_at"])
    master.demand_count += duplicate.demand_count  # both rows are locked above
    master.save(update_fields=["demand_count", "updated_at"])
    if duplicate.citizen_id and duplicate.citizen_id != master.citizen_id:
        CaseFollower.objects.get_or_create(
            case=master,
            citizen_id=duplicate.citizen_id,
            defaults={"reason": CaseFollower.Reason.MERGED},
        )
    for follower in duplicate.followers.all():
        CaseFollower.objects.get_or_create(
            case=master,
            citizen_id=follower.citizen_id,
            user_id=follower.user_id,
            defaults={"reason": CaseFollower.Reason.MERGED},
        )
    CaseEvent.objects.create(
        case=master,
        kind=CaseEvent.Kind.MERGED,
        actor=actor,
        message=_("%(dup)s merged into this case (now reported %(n)s times)")
        % {"dup": duplicate.reference, "n": master.demand_count},
    )
    CaseEvent.objects.create(
        case=duplicate,
        kind=CaseEvent.Kind.MERGED,
        actor=actor,
        is_public=True,
        message=_("This is the same problem as %(ref)s; you will get its updates")
        % {"ref": master.reference},
    )
    closed = CaseStatus.objects.filter(state=StateCategory.CLOSED).order_by("order").first()
    if closed and duplicate.status.state in OPEN_STATES:
        duplicate.status = closed
        duplicate.closed_at = timezone.now()
        duplicate.save(update_fields=["status", "closed_at", "updated_at"])
    return master


@transaction.atomic
def case_follow(
    *, case: ServiceRequest, contact: ContactDetails | None = None, user: User | None = None
) -> CaseFollower:
    """Someone chooses to get a case's updates ('Is it one of these? Follow it instead')."""
    if contact is None and user is None:
        raise ValidationError({"contact": [_("Enter your email address or phone number")]})
    if contact is not None:
        errors = validate_contact(contact)
        if contact.is_empty or not (contact.email or contact.phone):
            errors["contact"] = [_("Enter your email address or phone number")]
        if errors:
            raise ValidationError(errors)
        citizen = citizen_match_or_create(details=contact)
        follower, created = CaseFollower.objects.get_or_create(
            case=case, citizen=citizen, defaults={"reason": CaseFollower.Reason.FOLLOWED}
        )
    else:
        reason = (
            CaseFollower.Reason.COUNCILLOR
            if hasattr(user, "councillor")
            else CaseFollower.Reason.FOLLOWED
        )
        follower, created = CaseFollower.objects.get_or_create(
            case=case, user=user, defaults={"reason": reason}
        )
    if created:
        ServiceRequest.objects.filter(pk=case.pk).update(
            demand_count=F("demand_count") + (1 if contact else 0)
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.INTERNAL_NOTE,
            message=_("Someone else reported this and now follows it")
            if contact
            else _("%(user)s follows this case") % {"user": user},
        )
    return follower


# --- scheduled work -------------------------------------------------------------------------


def cases_escalate(*, now: datetime | None = None) -> int:
    """Mark newly breached cases and tell their team leaders and residents, once per breach."""
    now = now or timezone.now()
    ids = list(
        ServiceRequest.objects.filter(
            status__state__in=(StateCategory.NEW, StateCategory.OPEN),
            sla_paused_at__isnull=True,
            sla_breached_at__isnull=True,
            sla_due_at__lte=now,
        ).values_list("pk", flat=True)[:1000]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            case = (
                ServiceRequest.objects.select_for_update(of=("self",))
                .filter(pk=pk, sla_breached_at__isnull=True)
                .first()
            )
            if (
                case is None
                or case.sla_due_at is None
                or case.sla_due_at > now
                or case.sla_paused_at
            ):
                continue
            case.sla_breached_at = now
            case.save(update_fields=["sla_breached_at", "updated_at"])
            due = case.sla_due_at.isoformat()
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.SLA,
                created_at=now,
                message=_("Service standard breached: it was due %(due)s")
                % {"due": _when(case.sla_due_at)},
            )
            notify_staff(
                case=case, event=NotificationEvent.BREACH, occurrence=due, users=team_leaders(case)
            )
            notify_residents(case=case, event=NotificationEvent.DELAY, occurrence=f"breach:{due}")
            done += 1
    return done


def cases_autoclose(*, now: datetime | None = None) -> int:
    """Close resolved cases the resident has not reopened within the site's auto-close period."""
    now = now or timezone.now()
    closed = CaseStatus.objects.filter(state=StateCategory.CLOSED).order_by("order").first()
    if closed is None:
        return 0
    cutoff = now - timedelta(days=settings.CRM_SITE.auto_close_days)
    ids = list(
        ServiceRequest.objects.filter(
            status__state=StateCategory.RESOLVED, resolved_at__lte=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        case_transition(
            case=ServiceRequest(pk=pk),
            status=closed,
            actor=None,
            now=now,
            enforce_workflow=False,
            public_message="",
        )
    return len(ids)


@transaction.atomic
def survey_answer(*, token: str, score: int, comment: str = "") -> SatisfactionSurvey:
    """One answer per resolved case."""
    survey = SatisfactionSurvey.objects.select_for_update(of=("self",)).filter(token=token).first()
    if survey is None:
        raise ValidationError({"token": [_("This survey link is not valid")]})
    if survey.answered_at:
        raise ValidationError({"score": [_("You have already answered this survey. Thank you")]})
    if score not in (1, 2, 3, 4, 5):
        raise ValidationError({"score": [_("Choose how satisfied you are, from 1 to 5")]})
    if len(comment) > 2000:
        raise ValidationError({"comment": [_("Comment must be 2000 characters or fewer")]})
    survey.score, survey.comment, survey.answered_at = score, comment.strip(), timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    return survey

"""Personal data: which models hold it, how each row links to a citizen, and reading it back.

`PERSONAL_DATA` is the one declaration that subject access exports, erasure and retention
work from; `NOT_PERSONAL` lists every other model with the reason it holds nothing about
residents. A test fails when a model is in neither, so a new model needs a decision.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.council_crm.contacts import normalise_phone
from apps.council_crm.models import (
    AccessLog,
    CaseEvent,
    CaseFollower,
    CategoryQuestion,
    Citizen,
    Consent,
    Interaction,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
)

# A link ties a row to a citizen: an ORM lookup whose value is the citizen's id, or a function
# giving the condition for lookups that are not a plain foreign key.
Link = str | Callable[[Citizen], Q]


def _audit_about(citizen: Citizen) -> Q:
    """Audit events about the citizen (exports, erasure) or naming them (consent changes)."""
    return Q(object_type="citizen", object_id=str(citizen.pk)) | Q(data__citizen=citizen.pk)


def _access_log_of_cases(case_ids: list[int]) -> Q:
    """The access log names a case by its reference (services.audit.access_log_record)."""
    references = ServiceRequest.objects.filter(pk__in=case_ids).values("reference")
    return Q(object_type="servicerequest", object_id__in=references)


def _admin_log_about(citizen: Citizen) -> Q:
    """Django admin's log names the object it changed (for a citizen: their name)."""
    about = Q(content_type=ContentType.objects.get_for_model(Citizen), object_id=str(citizen.pk))
    if citizen.user_id:
        user_type = ContentType.objects.get_for_model(apps.get_model(settings.AUTH_USER_MODEL))
        about |= Q(content_type=user_type, object_id=str(citizen.user_id))
    return about


def _web_reports_of(citizen: Citizen) -> Q:
    """Web reports not yet logged as cases carry the contact given, not a citizen."""
    about = Q(pk__in=[])
    if citizen.email:
        about |= Q(email__iexact=citizen.email)
    # A phone number typed into an account is not proof it is theirs (services.citizens does
    # not match reports to an account by phone either)
    if citizen.phone and citizen.user_id is None:
        about |= Q(phone=normalise_phone(citizen.phone))
    return about


@dataclass(frozen=True)
class Holder:
    """A model that holds personal data about residents, and how its rows reach a citizen."""

    model: str  # "app_label.ModelName"
    about: str  # one line for the export's README
    links: tuple[Link, ...] = ()
    # A simple-history table: also every past version of the rows `links` of that model finds.
    history_of: str = ""
    # Lookups to a case (ServiceRequest), or a function of case ids giving the condition: the
    # rows retention scrubs with a closed case.
    case_links: tuple[str | Callable[[list[int]], Q], ...] = ()
    # Columns where people type anything: erasure also looks there for the person's name,
    # email address and phone number in rows that are not linked to them.
    free_text: tuple[str, ...] = ()
    # Lookups to a citizen: a row that points at someone else is that person's, not part of
    # this citizen's export (a follower's copy of an update about the case, for example).
    third_parties: tuple[str, ...] = ()
    # Never exported (a password hash is no one's business, not even its owner's).
    export_exclude: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


PERSONAL_DATA: tuple[Holder, ...] = (
    Holder(
        "council_crm.Citizen",
        "Your record: name, contact details, address, preferences, age band.",
        links=("pk",),
    ),
    Holder(
        "council_crm.HistoricalCitizen",
        "Every earlier version of your record, with when it changed.",
        links=("id",),
    ),
    Holder(
        "council_crm.User",
        "Your account for signing in to the website (without the password).",
        links=("citizen",),
        export_exclude=("password",),
    ),
    Holder(
        "council_crm.HistoricalUser",
        "Every earlier version of your account.",
        history_of="council_crm.User",
    ),
    Holder(
        "account.EmailAddress",
        "The email address you sign in with, and whether you confirmed it.",
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.User_groups",
        "The groups your account belongs to.",
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.User_user_permissions",
        "Permissions given to your account.",
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.ServiceRequest",
        "Your requests for service (cases): what, where, when, status, who dealt with it.",
        links=("citizen", "raised_by__citizen"),
        case_links=("pk",),
        free_text=("description", "address"),
    ),
    Holder(
        "council_crm.HistoricalServiceRequest",
        "Every earlier version of your cases.",
        links=("citizen", "raised_by__citizen"),
        history_of="council_crm.ServiceRequest",
        case_links=("id",),
        free_text=("description", "address"),
    ),
    Holder(
        "council_crm.CaseEvent",
        "The timeline of your cases: updates shown to you and internal notes by staff.",
        links=("case__citizen", "actor__citizen"),
        case_links=("case",),
        free_text=("message",),
    ),
    Holder(
        "council_crm.Attachment",
        "Files (photos, documents) added to your cases; the files are in attachments/.",
        links=("case__citizen", "uploaded_by__citizen"),
        case_links=("case",),
        free_text=("original_name",),
    ),
    Holder(
        "council_crm.CaseFollower",
        "Cases you follow to get their updates.",
        links=("citizen", "user__citizen"),
        case_links=("case",),
    ),
    Holder(
        "council_crm.Interaction",
        "Your contacts with the council (calls, emails, visits) and what they were about.",
        links=("citizen",),
        case_links=("case",),
        free_text=("summary",),
    ),
    Holder(
        "council_crm.HistoricalInteraction",
        "Every earlier version of those contact records.",
        links=("citizen",),
        history_of="council_crm.Interaction",
        case_links=("case",),
        free_text=("summary",),
    ),
    Holder(
        "council_crm.Consent",
        "What you agreed to (sharing with your councillor, contact, surveys) and withdrawals.",
        links=("citizen",),
        case_links=("case",),
        free_text=("evidence",),
    ),
    Holder(
        "council_crm.HistoricalConsent",
        "Every earlier version of your consents.",
        links=("citizen",),
        history_of="council_crm.Consent",
        case_links=("case",),
        free_text=("evidence",),
    ),
    Holder(
        "council_crm.SatisfactionSurvey",
        "Satisfaction surveys about your cases and your answers.",
        links=("case__citizen",),
        case_links=("case",),
        free_text=("comment",),
    ),
    Holder(
        "council_crm.HistoricalSatisfactionSurvey",
        "Every earlier version of those surveys.",
        links=("case__citizen",),
        history_of="council_crm.SatisfactionSurvey",
        case_links=("case",),
        free_text=("comment",),
    ),
    Holder(
        "council_crm.OutboxMessage",
        "Emails and text messages sent to you, and messages to staff about your cases.",
        links=("citizen", "user__citizen", "case__citizen"),
        case_links=("case",),
        free_text=("recipient", "subject", "body", "last_error"),
        third_parties=("citizen", "user__citizen"),
    ),
    Holder(
        "council_crm.ReportSubmission",
        "Reports you sent from the website that were not yet logged as cases: what you told "
        "us, where, and how to contact you.",
        links=(_web_reports_of,),
        free_text=("address",),
    ),
    Holder(
        "council_crm.AccessLog",
        "Who looked at your record or your cases, when, and from which page.",
        links=("citizen_id", "user__citizen"),
        case_links=(_access_log_of_cases,),
        free_text=("user_label", "via"),
    ),
    Holder(
        "council_crm.AuditEvent",
        "Exports and erasures of your data (no personal details are kept in them).",
        links=(_audit_about, "actor__citizen"),
    ),
    Holder(
        "admin.LogEntry",
        "Changes made to your record through the administration pages.",
        links=(_admin_log_about, "user__citizen"),
        free_text=("object_repr", "change_message"),
    ),
)

_STAFF = (
    "Council staff's own records (role, teams): personal data about employees, handled by "
    "the council's HR processes, not about residents."
)
_MEMBERS = "Elected councillors' public office: divisions, party, term; not about residents."
_MOTIONS = (
    "Notices of Motion: the public record of councillors' motions, replies and follow-up "
    "actions; not about residents."
)
_CONFIG = "Configuration edited by the service administrator; no people in it."

NOT_PERSONAL: dict[str, str] = {
    "auth.Permission": "Django's permission names: configuration.",
    "auth.Group": "Names of roles: configuration.",
    "auth.Group_permissions": "Which permissions a role has: configuration.",
    "contenttypes.ContentType": "The names of the models: configuration.",
    "account.EmailConfirmation": (
        "Unused: email confirmation links are signed (allauth's HMAC confirmations), so no "
        "rows are stored; any would go with their EmailAddress."
    ),
    "sessions.Session": (
        "Opaque sign-in sessions keyed by user id; an erased account's sessions stop working "
        "(inactive, password changed) and expire."
    ),
    "django_tasks_database.DBTaskResult": (
        "Background task results: our tasks take no arguments and return counts."
    ),
    "council_crm.Division": "Electoral divisions and their boundaries: public geography.",
    "council_crm.GazetteerEntry": "Streets and places with their postcodes: public geography.",
    "council_crm.Department": "Council departments and their shared mailboxes.",
    "council_crm.Team": "Council teams and their shared mailboxes.",
    "council_crm.StaffMember": _STAFF,
    "council_crm.HistoricalStaffMember": _STAFF,
    "council_crm.TeamMembership": _STAFF,
    "council_crm.MemberSupportDelegation": _STAFF,
    "council_crm.HistoricalMemberSupportDelegation": _STAFF,
    "council_crm.Councillor": _MEMBERS,
    "council_crm.HistoricalCouncillor": _MEMBERS,
    "council_crm.Councillor_divisions": _MEMBERS,
    "council_crm.HistoricalCouncillor_divisions": _MEMBERS,
    "council_crm.CaseStatus": _CONFIG,
    "council_crm.CaseStatus_allowed_next": _CONFIG,
    "council_crm.CategoryGroup": _CONFIG,
    "council_crm.ServiceCategory": _CONFIG,
    "council_crm.ServiceCategory_statuses": _CONFIG,
    "council_crm.CategoryQuestion": _CONFIG,
    "council_crm.RoutingRule": _CONFIG,
    "council_crm.RoutingRule_divisions": _CONFIG,
    "council_crm.ClosureDay": _CONFIG,
    "council_crm.NotificationTemplate": "Message templates (the messages are in OutboxMessage).",
    "council_crm.ReferenceCounter": "The last case number issued per prefix and year.",
    "council_crm.Meeting": _MOTIONS,
    "council_crm.Topic": _MOTIONS,
    "council_crm.Topic_categories": _MOTIONS,
    "council_crm.Motion": _MOTIONS,
    "council_crm.Motion_topics": _MOTIONS,
    "council_crm.MotionReply": _MOTIONS,
    "council_crm.FollowUpAction": _MOTIONS,
    "council_crm.ActionProgressNote": _MOTIONS,
    "council_crm.MotionEvent": _MOTIONS,
    "council_crm.MotionReport": _MOTIONS,
}

# What makes a model look like it holds personal data (the completeness test and
# `unclassified_models` use it): a link to these models, or a field named like these words.
PERSONAL_LINK_TARGETS = (
    "council_crm.Citizen",
    "council_crm.ServiceRequest",
    "council_crm.CaseEvent",
    "council_crm.Interaction",
    settings.AUTH_USER_MODEL,  # any account may be a resident's
)
PERSONAL_FIELD_WORDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "address",
    "postcode",
    "description",
    "summary",
    "comment",
    "message",
    "body",
    "recipient",
    "evidence",
    "text",
)


def holder(label: str) -> Holder:
    return next(h for h in PERSONAL_DATA if h.model == label)


def personal_data_reasons(model: type[models.Model]) -> list[str]:
    """Why a model looks like it holds personal data; empty when nothing suggests it does."""
    reasons = []
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False):
            continue
        target = f.related_model if f.is_relation else None
        if target is not None and target._meta.label in PERSONAL_LINK_TARGETS:
            reasons.append(f"{f.name} links to {target._meta.label}")
        elif any(word in f.name.lower() for word in PERSONAL_FIELD_WORDS):
            reasons.append(f"field {f.name}")
    return reasons


def unclassified_models(candidates: Iterable[type[models.Model]]) -> dict[str, list[str]]:
    """Models that are neither in PERSONAL_DATA nor in NOT_PERSONAL, with why they look
    personal (an empty list: nothing suggests it, but a decision is still needed)."""
    declared = {h.model for h in PERSONAL_DATA} | set(NOT_PERSONAL)
    return {
        m._meta.label: personal_data_reasons(m) for m in candidates if m._meta.label not in declared
    }


# --- a citizen's rows ---------------------------------------------------------------------


def _any(conditions: list[Q]) -> Q | None:
    return reduce(operator.or_, conditions) if conditions else None


def personal_rows(*, citizen: Citizen, of: Holder) -> QuerySet[Any]:
    """Every row of one registered model that is linked to this citizen."""
    model = of.model_class
    conditions = [
        Q(**{link: citizen.pk}) if isinstance(link, str) else link(citizen) for link in of.links
    ]
    if of.history_of:
        live = holder(of.history_of)
        pk_name = live.model_class._meta.pk.attname
        conditions.append(
            Q(**{f"{pk_name}__in": personal_rows(citizen=citizen, of=live).values("pk")})
        )
    condition = _any(conditions)
    qs = model._base_manager.all()
    if condition is None:
        return qs.none()
    qs = qs.filter(condition)
    for lookup in of.third_parties:
        qs = qs.exclude(Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: citizen.pk}))
    return qs.order_by("pk")


def personal_data(*, citizen: Citizen) -> dict[str, QuerySet[Any]]:
    """The rows of every registered model linked to this citizen, in registry order."""
    return {h.model: personal_rows(citizen=citizen, of=h) for h in PERSONAL_DATA}


# Rows that are a reason to keep a citizen's record: retention anonymises a citizen who has none
# of these left. (Their own record and its history, and the logs about it, are not a reason.)
KEEPS_THE_RECORD = (
    "council_crm.User",
    "council_crm.ServiceRequest",
    "council_crm.CaseEvent",
    "council_crm.Attachment",
    "council_crm.CaseFollower",
    "council_crm.Interaction",
    "council_crm.Consent",
    "council_crm.SatisfactionSurvey",
    "council_crm.OutboxMessage",
)


def citizen_has_data(*, citizen: Citizen) -> bool:
    """Whether anything but the record itself (and the logs about it) is linked to them."""
    return any(
        personal_rows(citizen=citizen, of=holder(label)).exists() for label in KEEPS_THE_RECORD
    )


def case_rows(*, case_ids: list[int], of: Holder) -> QuerySet[Any]:
    """The rows of one registered model that belong to these cases (for retention)."""
    condition = _any(
        [
            Q(**{f"{link}__in": case_ids}) if isinstance(link, str) else link(case_ids)
            for link in of.case_links
        ]
    )
    qs = of.model_class._base_manager.all()
    return qs.none() if condition is None else qs.filter(condition).order_by("pk")


# --- the readable summary -----------------------------------------------------------------


def subject_access_summary(*, citizen: Citizen) -> dict[str, Any]:
    """What summary.html shows: the person, their cases with timelines, contacts, consents
    (with their history), messages sent to them, surveys and who looked at their data."""
    case_list = list(
        ServiceRequest.objects.filter(Q(citizen=citizen) | Q(raised_by__citizen=citizen))
        .distinct()
        .select_related("category", "status", "division", "team", "survey")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "id")),
            "attachments",
        )
        .order_by("created_at", "id")
    )
    questions = CategoryQuestion.objects.filter(category_id__in={c.category_id for c in case_list})
    labels = {(q.category_id, q.code): q.label for q in questions}
    for case in case_list:
        case.answer_rows = [  # type: ignore[attr-defined]
            (labels.get((case.category_id, code), code), answer)
            for code, answer in (case.answers or {}).items()
        ]
    consents = (
        Consent.objects.filter(citizen=citizen)
        .select_related("case", "councillor__user")
        .order_by("granted_at", "id")
    )
    consent_history = Consent.history.filter(citizen_id=citizen.pk).order_by(
        "history_date", "history_id"
    )
    messages = personal_rows(citizen=citizen, of=holder("council_crm.OutboxMessage")).filter(
        Q(citizen=citizen) | Q(user__citizen=citizen)
    )
    return {
        "citizen": citizen,
        "account": citizen.user,
        "cases": case_list,
        "interactions": list(
            Interaction.objects.filter(citizen=citizen)
            .select_related("case")
            .order_by("created_at", "id")
        ),
        "consents": list(consents),
        "consent_history": list(consent_history),
        "messages": list(messages.select_related("case").order_by("created_at", "id")),
        "following": list(
            CaseFollower.objects.filter(Q(citizen=citizen) | Q(user__citizen=citizen))
            .select_related("case")
            .order_by("created_at", "id")
        ),
        "access_log": list(
            AccessLog.objects.filter(citizen_id=citizen.pk).order_by("created_at", "id")
        ),
    }


# --- retention ----------------------------------------------------------------------------


def retention_due(*, now: datetime | None = None) -> QuerySet[ServiceRequest]:
    """Closed cases whose category's retention period after closure has passed, not yet
    anonymised; oldest first."""
    now = now or timezone.now()
    periods = ServiceCategory.objects.values_list("pk", "retention_days")
    condition = _any(
        [Q(category_id=pk, closed_at__lt=now - timedelta(days=days)) for pk, days in periods]
    )
    if condition is None:
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(
        condition,
        status__state=StateCategory.CLOSED,
        closed_at__isnull=False,
        anonymised_at__isnull=True,
    ).order_by("closed_at", "pk")

"""Personal data: reading a citizen's rows back, the subject access summary, retention's due cases.

The registry these reads work from (which models hold personal data, how each row links to a
citizen) is `apps.council_crm.personal_data`.
"""

from __future__ import annotations

import operator
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

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
from apps.council_crm.personal_data import KEEPS_THE_RECORD, PERSONAL_DATA, Holder, holder

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
        case.answer_rows = [  # type: ignore[attr-defined]  # for the template, like annotate()
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

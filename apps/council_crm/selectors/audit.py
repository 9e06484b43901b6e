"""The access log, searched by the data protection officer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.council_crm.models import AccessLog, User
from apps.council_crm.permissions import can_read_access_log


def access_log_search(
    *,
    user: User,
    who: str = "",
    record: str = "",
    citizen_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AccessLog]:
    if not can_read_access_log(user):
        raise Http404
    rows = AccessLog.objects.all().order_by("-created_at", "-id")
    if who:
        rows = rows.filter(user_label__icontains=who)
    if record:
        rows = rows.filter(Q(object_id__iexact=record) | Q(via__icontains=record))
    if citizen_id:
        rows = rows.filter(citizen_id=citizen_id)
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        rows = rows.filter(created_at__lt=end)
    return rows

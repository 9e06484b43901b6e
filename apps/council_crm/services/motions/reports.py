"""Notices of Motion, the monthly report: what was submitted, decided, replied and done in a
month, kept as HTML and CSV for the public register."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from apps.council_crm.models import Motion, MotionReport
from apps.council_crm.selectors.motions import MonthlyReportData, monthly_report_data

# The current month's draft report is regenerated when it is older than this.
DRAFT_REPORT_MAX_AGE = timedelta(hours=1)


def _month_start(value: date) -> date:
    return value.replace(day=1)


REPORT_CSV_COLUMNS = (
    "section",
    "motion_reference",
    "motion_title",
    "proposer",
    "motion_status",
    "submitted_on",
    "decision_date",
    "detail",
    "owner_team",
    "due_date",
    "action_status",
    "completed_on",
    "overdue",
    "latest_progress",
)


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _report_csv(data: MonthlyReportData) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_CSV_COLUMNS)

    def motion_cells(m: Motion) -> list[object]:
        return [
            m.reference,
            m.title,
            m.proposer,
            m.get_status_display(),
            m.submitted_on,
            m.decision_date or "",
        ]

    blank_action = ["", "", "", "", ""]
    for m in data.submitted:
        writer.writerow(map(_cell, ["submitted", *motion_cells(m), "", *blank_action, ""]))
    for m in data.decided:
        writer.writerow(
            map(_cell, ["decided", *motion_cells(m), m.decision_text, *blank_action, ""])
        )
    for r in data.replies:
        writer.writerow(
            map(
                _cell,
                [
                    "reply",
                    *motion_cells(r.motion),
                    f"{r.author} ({r.replied_on})",
                    *blank_action,
                    r.text,
                ],
            )
        )
    for a in data.completed:
        writer.writerow(
            map(
                _cell,
                [
                    "action_completed",
                    *motion_cells(a.motion),
                    a.description,
                    a.owner_team.name,
                    a.due_date,
                    a.get_status_display(),
                    a.completed_on,
                    "no",
                    "",
                ],
            )
        )
    for item in data.outstanding:
        a = item.action
        writer.writerow(
            map(
                _cell,
                [
                    "action_outstanding",
                    *motion_cells(a.motion),
                    a.description,
                    a.owner_team.name,
                    a.due_date,
                    item.status,
                    "",
                    "yes" if item.overdue else "no",
                    f"{item.latest.date}: {item.latest.text}" if item.latest else "",
                ],
            )
        )
    return out.getvalue()


@transaction.atomic
def motions_monthly_report_generate(*, month: date, now: datetime | None = None) -> MotionReport:
    """Generate (or regenerate) the report for a month and keep it: HTML and CSV.

    A report generated after its month has ended is final and shows where things stood at the
    month's end; during the month it is a draft as at today.
    """
    now = now or timezone.now()
    data = monthly_report_data(month=month, today=timezone.localdate(now))
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "council_crm/motions/report_body.html",
            {"data": data, "council": settings.CRM_SITE, "generated_at": now},
        )
    report, _created = MotionReport.objects.update_or_create(
        month=data.month,
        defaults={
            "html": html,
            "csv": _report_csv(data),
            "generated_at": now,
            "final": data.final,
        },
    )
    return report


def motions_monthly_reports_run(*, now: datetime | None = None) -> int:
    """The periodic job: last month's report once final, this month's draft at most hourly.

    Idempotent: running it again within the hour changes nothing. Returns reports generated.
    """
    now = now or timezone.now()
    if not Motion.objects.exists():
        return 0
    this_month = _month_start(timezone.localdate(now))
    last_month = _month_start(this_month - timedelta(days=1))
    done = 0
    last = MotionReport.objects.filter(month=last_month).first()
    if last is None or not last.final:
        motions_monthly_report_generate(month=last_month, now=now)
        done += 1
    draft = MotionReport.objects.filter(month=this_month).first()
    if draft is None or draft.generated_at < now - DRAFT_REPORT_MAX_AGE:
        motions_monthly_report_generate(month=this_month, now=now)
        done += 1
    return done

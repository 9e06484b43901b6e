"""The monthly report: its content as HTML and CSV, kept per month by an idempotent job."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.services.motions import (
    ActionRecord,
    MotionRecord,
    ReplyRecord,
    motion_upsert,
    motions_monthly_report_generate,
    motions_monthly_reports_run,
)

from .conftest import councillor, team


@pytest.fixture
def month():
    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=40)).replace(day=1)  # a month that has ended


@pytest.fixture
def history(month):
    """A motion decided in the month, with a reply and one action done, one outstanding."""
    day = lambda n: month + timedelta(days=n)  # noqa: E731
    record = MotionRecord(
        reference="TEST-REPORT-1",
        title="Dropped kerbs on Castle Street",
        text="This Council resolves to install dropped kerbs on Castle Street.",
        proposer=councillor("cllr.helen.garside"),
        submitted_on=day(1),
        status="passed",
        decision_date=day(9),
        decision_text="Carried unanimously.",
        replies=[ReplyRecord(replied_on=day(14), text="Design under way.", officer_name="Head")],
        actions=[
            ActionRecord(
                description="Survey the kerbs on Castle Street",
                owner_team=team("HWY-N"),
                due_date=day(15),
                status="done",
                created_on=day(9),
                completed_on=day(20),
                notes=[(day(20), "Survey complete.")],
            ),
            ActionRecord(
                description="Install the dropped kerbs",
                owner_team=team("HWY-N"),
                due_date=day(25),
                status="in_progress",
                created_on=day(9),
                notes=[(day(22), "Contractor booked.")],
            ),
        ],
    )
    return motion_upsert(record=record, actor=None).motion


def test_the_report_for_a_month_lists_decisions_replies_and_action_status(history, month):
    report = motions_monthly_report_generate(month=month)
    assert report.final
    html = report.html
    assert f"Notices of motion and follow-up actions: {month:%B %Y}" in html
    for text in (
        "TEST-REPORT-1",
        "Dropped kerbs on Castle Street",
        "Passed",
        "Survey the kerbs on Castle Street",  # completed this month
        "Install the dropped kerbs",  # outstanding, and overdue at the month's end
        "Contractor booked.",
        "Overdue",
        "Final report",
    ):
        assert text in html, text

    rows = list(csv.DictReader(io.StringIO(report.csv)))
    mine = [r for r in rows if r["motion_reference"] == "TEST-REPORT-1"]
    sections = sorted(r["section"] for r in mine)
    assert sections == [
        "action_completed",
        "action_outstanding",
        "decided",
        "reply",
        "submitted",
    ]
    outstanding = next(r for r in mine if r["section"] == "action_outstanding")
    assert outstanding["overdue"] == "yes"
    assert outstanding["action_status"] == "In progress"
    assert outstanding["latest_progress"].endswith("Contractor booked.")
    # everything outstanding in the CSV is in the database as open at the month's end
    assert all(r["overdue"] in ("yes", "no") for r in rows if r["section"] == "action_outstanding")


def test_an_action_completed_after_the_month_still_shows_as_outstanding_then(history, month):
    action = history.actions.get(description="Install the dropped kerbs")
    action.status, action.completed_on = "done", month + timedelta(days=45)
    action.save()
    report = motions_monthly_report_generate(month=month)
    row = next(
        r
        for r in csv.DictReader(io.StringIO(report.csv))
        if r["detail"] == "Install the dropped kerbs"
    )
    assert row["section"] == "action_outstanding"
    assert row["action_status"] == "In progress"


def test_the_periodic_job_keeps_one_report_per_month_and_is_idempotent(history, month):
    now = timezone.now()
    this_month = timezone.localdate(now).replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    m.MotionReport.objects.all().delete()

    assert motions_monthly_reports_run(now=now) == 2
    assert set(m.MotionReport.objects.values_list("month", "final")) == {
        (last_month, True),
        (this_month, False),
    }
    first = {r.month: r.generated_at for r in m.MotionReport.objects.all()}
    assert motions_monthly_reports_run(now=now + timedelta(minutes=5)) == 0
    assert {r.month: r.generated_at for r in m.MotionReport.objects.all()} == first
    # the draft is brought up to date hourly; the final one is kept as it was published
    assert motions_monthly_reports_run(now=now + timedelta(hours=2)) == 1
    assert m.MotionReport.objects.get(month=last_month).generated_at == first[last_month]
    assert m.MotionReport.objects.count() == 2


def test_report_pages_html_csv_and_print_layout(client, history, month):
    motions_monthly_report_generate(month=month)
    listing = client.get("/motions/reports/").content.decode()
    assert f"Report for {month:%B %Y}" in listing
    response = client.get(f"/motions/reports/{month:%Y-%m}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dropped kerbs on Castle Street" in page
    assert "laid out for printing" in page
    download = client.get(f"/motions/reports/{month:%Y-%m}.csv")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "TEST-REPORT-1" in download.content.decode()
    assert client.get("/motions/reports/1999-01/").status_code == 404
    assert client.get("/motions/reports/2024-13/").status_code == 404
    css = client.get("/static/council_crm/sites/demo/app.css")
    assert b"@media print" in b"".join(css.streaming_content)


def test_csv_cells_cannot_run_as_formulas(month):
    record = MotionRecord(
        reference="TEST-REPORT-2",
        title="=HYPERLINK(evil)",
        text="Text",
        proposer=councillor("cllr.helen.garside"),
        submitted_on=month + timedelta(days=2),
    )
    motion_upsert(record=record, actor=None)
    report = motions_monthly_report_generate(month=month)
    assert "'=HYPERLINK(evil)" in report.csv

"""Importing an earlier register from CSV: good and bad rows, dry runs, re-runs."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.council_crm import models as m
from apps.council_crm.motions.csv_import import CSV_COLUMNS, import_rows

GOOD = [
    {
        "reference": "FCC/NOM/2019/07",
        "title": "Saving the Stannick mobile library",
        "text": "This Council resolves to keep the mobile library stop in Stannick.",
        "proposer": "Cllr Paul Henshaw",
        "seconder": "cllr.maureen.cole",
        "submitted_on": "02/09/2019",
        "meeting_date": "26/09/2019",
        "status": "Carried as amended",
        "decision_date": "2019-09-26",
        "decision_text": "Amended to review the stop after a year.",
        "topics": "Libraries",
        "reply_date": "14/10/2019",
        "reply_department": "PLC",
        "reply_officer": "Libraries Service Manager",
        "reply_text": "The stop will continue on Tuesdays.",
        "action": "Review the Stannick stop after a year",
        "action_team": "Libraries and Culture",
        "action_due": "30/09/2020",
        "action_status": "Completed",
        "action_completed": "28/09/2020",
    },
    {  # the same motion again: a second action with a progress note
        "reference": "FCC/NOM/2019/07",
        "action": "Publicise the Tuesday stop",
        "action_team": "PLC-LIB",
        "action_due": "2019-11-30",
        "action_status": "in progress",
        "action_note_date": "2019-10-20",
        "action_note": "Posters ordered.",
    },
    {
        "reference": "FCC/NOM/2019/08",
        "title": "Potholes on Moor Lane",
        "text": "This Council resolves to resurface Moor Lane.",
        "proposer": "graham pettifer",
        "submitted_on": "2019-09-03",
        "status": "lost",
        "decision_date": "2019-09-26",
    },
]
BAD = [
    {  # a decided motion without a decision date
        "reference": "FCC/NOM/2019/09",
        "title": "Free parking in Marlstow",
        "text": "This Council resolves to offer free parking in December.",
        "proposer": "Cllr Susan Hale",
        "submitted_on": "2019-09-04",
        "status": "passed",
    },
    {  # an unknown councillor and a date that is not a date
        "reference": "FCC/NOM/2019/10",
        "title": "Street lights",
        "text": "This Council resolves to keep the lights on.",
        "proposer": "Cllr Nobody",
        "submitted_on": "31/02/2019",
    },
    {  # an action due before the decision
        "reference": "FCC/NOM/2019/11",
        "title": "Verges",
        "text": "This Council resolves to cut verges less.",
        "proposer": "Cllr Rachel Amos",
        "submitted_on": "2019-03-01",
        "status": "passed",
        "decision_date": "2019-03-21",
        "action": "Trial reduced cutting",
        "action_team": "ENV-GM",
        "action_due": "2019-03-01",
    },
    {  # a withdrawn motion with an open action
        "reference": "FCC/NOM/2019/12",
        "title": "Bus shelters",
        "text": "This Council resolves to replace bus shelters.",
        "proposer": "Cllr Rachel Amos",
        "submitted_on": "2019-03-01",
        "status": "withdrawn",
        "decision_date": "2019-03-21",
        "action": "Survey the shelters",
        "action_team": "PLC-PT",
        "action_due": "2019-06-01",
    },
]


def as_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def rows_of(text: str):
    return csv.DictReader(io.StringIO(text))


def test_good_rows_are_imported_with_their_history_and_bad_rows_are_reported():
    report = import_rows(rows=rows_of(as_csv(GOOD + BAD)), actor=None)

    assert [(r.line, r.outcome) for r in report.rows] == [
        (2, "created"),
        (3, "updated"),
        (4, "created"),
        (5, "error"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
    ]
    errors = {r.reference: r.errors for r in report.errors}
    assert errors["FCC/NOM/2019/09"] == {"decision_date": ["Enter the date of the decision"]}
    assert errors["FCC/NOM/2019/10"]["proposer"] == ["No councillor called “Cllr Nobody”"]
    assert "is not a date" in errors["FCC/NOM/2019/10"]["submitted_on"][0]
    assert "cannot be before the decision" in errors["FCC/NOM/2019/11"]["action_due"][0]
    assert errors["FCC/NOM/2019/12"] == {"action": ["A withdrawn motion takes no actions"]}
    assert not m.Motion.objects.filter(reference__in=list(errors)).exists()

    motion = m.Motion.objects.get(reference="FCC/NOM/2019/07")
    assert motion.status == "passed_amended"
    assert motion.meeting.date.isoformat() == "2019-09-26"
    assert motion.seconder.user.username == "cllr.maureen.cole"
    assert [t.slug for t in motion.topics.all()] == ["libraries"]
    assert motion.replies.get().author == "Libraries Service Manager, Place and Communities"
    publicise, done = motion.actions.order_by("description")
    assert publicise.description == "Publicise the Tuesday stop"
    assert publicise.status == "in_progress"
    assert publicise.notes.get().text == "Posters ordered."
    assert (done.status, done.completed_on.isoformat()) == ("done", "2020-09-28")
    # the timeline is dated as it happened
    dates = [e.created_at.date().isoformat() for e in motion.events.all()]
    assert dates[0] == "2019-09-02"
    assert "2019-09-26" in dates
    assert m.Motion.objects.get(reference="FCC/NOM/2019/08").status == "defeated"


def test_importing_the_same_file_again_duplicates_nothing():
    text = as_csv(GOOD)
    import_rows(rows=rows_of(text), actor=None)
    counts = [
        model.objects.count()
        for model in (m.Motion, m.MotionReply, m.FollowUpAction, m.ActionProgressNote, m.Meeting)
    ]
    events = m.MotionEvent.objects.count()
    report = import_rows(rows=rows_of(text), actor=None)
    assert {r.outcome for r in report.rows} == {"unchanged"}
    assert counts == [
        model.objects.count()
        for model in (m.Motion, m.MotionReply, m.FollowUpAction, m.ActionProgressNote, m.Meeting)
    ]
    assert m.MotionEvent.objects.count() == events


def test_a_corrected_row_updates_the_motion_on_its_timeline():
    import_rows(rows=rows_of(as_csv(GOOD)), actor=None)
    corrected = [dict(GOOD[2], status="passed", decision_text="Carried on a recount.")]
    report = import_rows(rows=rows_of(as_csv(corrected)), actor=None)
    assert report.rows[0].outcome == "updated"
    motion = m.Motion.objects.get(reference="FCC/NOM/2019/08")
    assert motion.status == "passed"
    assert motion.events.last().text.startswith("Decision corrected: Passed")


def test_a_dry_run_reports_but_saves_nothing():
    before = m.Motion.objects.count(), m.Meeting.objects.count(), m.MotionEvent.objects.count()
    report = import_rows(rows=rows_of(as_csv(GOOD + BAD)), actor=None, dry_run=True)
    assert report.total("created") == 2
    assert len(report.errors) == 4
    assert before == (
        m.Motion.objects.count(),
        m.Meeting.objects.count(),
        m.MotionEvent.objects.count(),
    )


def test_the_desk_import_page(staff_client, officer):
    upload = SimpleUploadedFile("motions.csv", as_csv(GOOD + BAD[:1]).encode("utf-8-sig"))
    response = staff_client.post("/desk/motions/import/", {"file": upload, "dry_run": "on"})
    page = response.content.decode()
    assert "Dry run: nothing was saved" in page
    assert "2 created, 1 updated, 0 unchanged, 1 with errors" in page
    assert "Enter the date of the decision" in page
    assert not m.Motion.objects.filter(reference="FCC/NOM/2019/07").exists()

    upload = SimpleUploadedFile("motions.csv", as_csv(GOOD).encode())
    response = staff_client.post("/desk/motions/import/", {"file": upload})
    assert "Import finished" in response.content.decode()
    motion = m.Motion.objects.get(reference="FCC/NOM/2019/07")
    assert motion.events.first().actor == officer
    assert staff_client.get(motion.get_absolute_url()).status_code == 200  # a reference with /

    response = staff_client.post("/desk/motions/import/", {})
    assert 'href="#id_file">Select a CSV file' in response.content.decode()
    bad = SimpleUploadedFile("motions.csv", "reference,title\n".encode("utf-16"))
    response = staff_client.post("/desk/motions/import/", {"file": bad})
    assert "The file must be a CSV saved as UTF-8" in response.content.decode()


def test_the_import_command(tmp_path):
    path = tmp_path / "motions.csv"
    path.write_text(as_csv(GOOD), encoding="utf-8")
    out = io.StringIO()
    call_command("import_motions", str(path), "--dry-run", stdout=out)
    assert "dry run, nothing saved: 2 created, 1 updated" in out.getvalue()
    assert not m.Motion.objects.filter(reference="FCC/NOM/2019/07").exists()
    call_command("import_motions", str(path), stdout=out)
    assert m.Motion.objects.filter(reference="FCC/NOM/2019/07").exists()
    path.write_text(as_csv(BAD), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 rows could not be imported"):
        call_command("import_motions", str(path), stdout=out, stderr=err)
    assert (
        "line 2 (FCC/NOM/2019/09) decision_date: Enter the date of the decision" in err.getvalue()
    )


def test_a_row_cannot_withdraw_a_motion_that_still_has_open_actions():
    import_rows(rows=rows_of(as_csv(GOOD)), actor=None)
    withdraw = [{"reference": "FCC/NOM/2019/07", "status": "withdrawn"}]
    report = import_rows(rows=rows_of(as_csv(withdraw)), actor=None)
    assert "cancel them before it is withdrawn" in report.errors[0].errors["status"][0]
    assert m.Motion.objects.get(reference="FCC/NOM/2019/07").status == "passed_amended"
    cancel = [
        {
            "reference": "FCC/NOM/2019/07",
            "status": "withdrawn",
            "action": "Publicise the Tuesday stop",
            "action_team": "PLC-LIB",
            "action_due": "2019-11-30",
            "action_status": "cancelled",
        }
    ]
    report = import_rows(rows=rows_of(as_csv(cancel)), actor=None)
    assert report.rows[0].outcome == "updated"
    assert m.Motion.objects.get(reference="FCC/NOM/2019/07").status == "withdrawn"

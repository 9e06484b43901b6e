"""The report journey through Django's test client: every step, its errors, and resubmission."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.council_crm.models import (
    Attachment,
    CaseFollower,
    Consent,
    GazetteerEntry,
    ReportSubmission,
    ServiceCategory,
    ServiceRequest,
)
from tests.factories.cases import log_reports, report_pothole
from tests.factories.files import jpeg

pytestmark = pytest.mark.django_db


def test_a_resident_reports_a_pothole_by_street_and_sees_the_reference_team_and_date(walk):
    # given a journey up to the check page, with a photo and consent to share
    walk.to_details()
    photo = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    response = walk.post("details", {"description": "Deep hole by the bus stop", "photos": [photo]})
    assert response.status_code == 302
    walk.post("about-you", {"first_name": "Sam", "last_name": "Jones", "email": "sam@example.com"})
    walk.post("consent", {"share": "on"})
    check = walk.get("check")
    assert check.status_code == 200
    body = check.content.decode()
    assert "Church Street, Aldermoor" in body
    assert "More than 10 cm" in body
    assert "hole.jpg" in body
    assert f'href="{walk.url("where")}?change=1"' in body
    assert ServiceRequest.objects.count() == 0

    # when they send it
    response = walk.post("check")

    # then the confirmation shows the reference, the team and the promised date at once,
    # before the worker has logged the case
    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 0
    waiting = ReportSubmission.objects.get()
    before = walk.client.get(response["Location"]).content.decode()
    assert waiting.reference in before
    assert waiting.team.name in before
    assert f"{waiting.promised_date:%-d %B %Y}" in before

    # and once the worker has logged it, the case has that reference, team and date, the
    # photo and the consent, and the confirmation shows the same
    assert log_reports() == 1
    assert ReportSubmission.objects.count() == 0
    case = ServiceRequest.objects.get()
    assert case.reference == waiting.reference
    assert case.team == waiting.team
    assert case.promised_date == waiting.promised_date
    assert case.created_at == waiting.received_at
    done = walk.client.get(response["Location"])
    text = done.content.decode()
    assert text == before
    assert case.reference in text
    assert case.team.name in text
    assert f"{case.promised_date:%-d %B %Y}" in text
    assert case.address == "Church Street, Aldermoor"
    assert "Church Street, Aldermoor" in text
    assert f"In {case.division.name}" in text
    assert case.answers == {"location": "On the road", "depth": "More than 10 cm", "hazard": "Yes"}
    assert case.channel == "web"
    assert case.citizen.email == "sam@example.com"
    assert Attachment.objects.filter(case=case).count() == 1
    consent = Consent.objects.get(citizen=case.citizen)
    assert (consent.scope, consent.case, consent.channel) == ("case", case, "web")


def test_an_anonymous_report_skips_consent_and_has_no_citizen(walk):
    walk.to_details()
    walk.post("details", {"description": "Glass everywhere"})
    response = walk.post("about-you", {"anonymous": "on"})
    assert response["Location"] == walk.url("check")
    response = walk.post("check")
    log_reports()
    case = ServiceRequest.objects.get()
    assert case.is_anonymous
    assert case.citizen is None
    assert "cannot send you updates" in walk.client.get(response["Location"]).content.decode()
    assert Consent.objects.count() == 0


def test_anonymous_is_not_offered_when_the_category_needs_contact_details(walk):
    walk.to_details(category="missed_bin")
    walk.post("details", {"description": "Not emptied"})
    page = walk.get("about-you").content.decode()
    assert 'name="anonymous"' not in page
    # and posting it anyway does not make it anonymous
    response = walk.post("about-you", {"anonymous": "on"})
    assert response.status_code == 200
    assert 'href="#email"' in response.content.decode()


@pytest.mark.parametrize("logged_between", [False, True], ids=["waiting", "logged"])
@pytest.mark.parametrize("again", ["double-click", "refresh", "back-button"])
def test_sending_twice_never_makes_a_second_case(walk, again, logged_between):
    walk.to_check()
    first = walk.post("check")
    if logged_between:  # the worker made the case before the second send
        assert log_reports() == 1
    if again != "double-click":
        walk.client.get(first["Location"])  # the browser shows the confirmation
    if again == "double-click":
        # the second click was posted before the first answer arrived: the journey is not
        # marked sent yet, so the idempotency key is what stops it
        second = walk.post("check")
    elif again == "refresh":
        second = walk.post("check")
    else:
        assert walk.get("details")["Location"] == first["Location"]
        second = walk.post("details", {"description": "Something else"})
    log_reports()
    assert ReportSubmission.objects.count() == 0
    assert ServiceRequest.objects.count() == 1
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    reference = ServiceRequest.objects.get().reference
    assert reference in walk.client.get(second["Location"]).content.decode()


def test_photos_are_attached_once_even_when_sent_twice(walk):
    walk.to_details()
    photo = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    walk.post("details", {"description": "Hole", "photos": [photo]})
    walk.post("about-you", {"email": "sam@example.com"})
    walk.post("consent", {})
    walk.post("check")
    walk.post("check")  # a second click before the first answer
    assert log_reports() == 1
    assert Attachment.objects.count() == 1


def test_a_resident_follows_a_report_nearby_instead_of_making_a_new_one(walk):
    # given an open pothole report at the same street
    entry = GazetteerEntry.objects.get(name="Church Street")
    existing = report_pothole(latitude=entry.latitude, longitude=entry.longitude).case
    walk.post("where", {"place": entry.pk})
    walk.post("group", {"group": "roads"})
    walk.post("category", {"category": "pothole"})
    walk.post(
        "questions",
        {"answer_location": "On the road", "answer_depth": "Less than 4 cm", "answer_hazard": "No"},
    )
    page = walk.get("duplicates")
    assert page.status_code == 200
    assert existing.reference in page.content.decode()
    assert "sam.jones" not in page.content.decode()  # nothing about who reported it
    assert "Less than 10 metres from yours" in page.content.decode()  # the same spot
    assert " 0 metres" not in page.content.decode()

    # when they say it is the same and give their email
    response = walk.post("duplicates", {"duplicate": existing.reference})
    assert response["Location"] == walk.url("follow")
    response = walk.post("follow", {"email": "alex@example.com"})

    # then they follow it, no new case is made, and they see a confirmation
    assert ServiceRequest.objects.count() == 1
    follower = CaseFollower.objects.get(case=existing)
    assert follower.citizen.email == "alex@example.com"
    existing.refresh_from_db()
    assert existing.demand_count == 2
    done = walk.client.get(response["Location"]).content.decode()
    assert "You are following this report" in done
    assert existing.reference in done


def test_saying_the_report_is_different_carries_on(walk):
    entry = GazetteerEntry.objects.get(name="Church Street")
    report_pothole(latitude=entry.latitude, longitude=entry.longitude)
    walk.post("where", {"place": entry.pk})
    walk.post("group", {"group": "roads"})
    walk.post("category", {"category": "pothole"})
    walk.post(
        "questions",
        {"answer_location": "On the road", "answer_depth": "Less than 4 cm", "answer_hazard": "No"},
    )
    response = walk.post("duplicates", {"duplicate": "none"})
    assert response["Location"] == walk.url("details")


def test_the_street_search_lists_matches_and_keeps_what_was_typed(walk):
    page = walk.get("where", q="church").content.decode()
    assert "Church Street, Aldermoor" in page
    assert 'value="church"' in page


def test_steps_cannot_be_skipped(walk):
    assert walk.get("check")["Location"] == walk.url("where")


def test_an_unknown_journey_says_it_has_timed_out(client, demo_site):
    response = client.get("/report/AAAAAAAAAAAAAAAAAAAAAA/where/")
    assert response.status_code == 404
    assert "Your report has timed out" in response.content.decode()


def test_a_change_link_returns_to_the_check_page(walk):
    walk.to_check()
    other = GazetteerEntry.objects.get(name="Moor Lane")
    response = walk.client.post(walk.url("where") + "?change=1", {"place": other.pk})
    # the place changed, so the duplicate check runs again, then back to the check page
    assert response["Location"] == walk.url("duplicates") + "?change=1"
    response = walk.client.get(response["Location"])
    assert response["Location"] == walk.url("check") + "?change=1"
    assert "Moor Lane" in walk.get("check").content.decode()


# --- bad input at every step: error summary linking to the field, value kept, nothing written


def assert_error(response, anchor: str, message: str) -> str:
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert f'<a href="#{anchor}">{message}</a>' in body
    assert f'id="{anchor}"' in body
    assert "govuk-error-message" in body
    assert response.content.decode().count("<title>Error:") == 1
    assert ServiceRequest.objects.count() == 0
    return body


def test_where_errors(walk):
    assert_error(walk.get("where", q=""), "q", "Enter the name of a street or place")
    body = assert_error(
        walk.get("where", q="Nowhere Road"),
        "q",
        "We could not find a street or place called ‘Nowhere Road’. Check the spelling",
    )
    assert 'value="Nowhere Road"' in body
    body = assert_error(
        walk.post("where", {"q": "church"}),
        "place_0",
        "Select the street or place where the problem is",
    )
    assert 'value="church"' in body
    assert "place" not in walk.client.session["portal_reports"][walk.base.split("/")[-2]]


def test_group_and_category_errors(walk):
    walk.post("where", {"place": GazetteerEntry.objects.first().pk})
    assert_error(walk.post("group", {}), "group_0", "Select what the problem is about")
    assert_error(
        walk.post("group", {"group": "nope"}), "group_0", "Select what the problem is about"
    )
    walk.post("group", {"group": "roads"})
    assert_error(walk.post("category", {}), "category_0", "Select the kind of problem")


def test_question_errors_keep_the_other_answers(walk):
    walk.post("where", {"place": GazetteerEntry.objects.first().pk})
    walk.post("group", {"group": "roads"})
    walk.post("category", {"category": "pothole"})
    response = walk.post(
        "questions",
        {"answer_location": "On the road", "answer_width": "wide", "answer_hazard": "Yes"},
    )
    body = assert_error(response, "answer_depth_0", "Select an answer for: About how deep is it?")
    assert '<a href="#answer_width">' in body
    assert 'value="wide"' in body
    assert 'value="On the road" checked' in body
    page = walk.get("questions").content.decode()
    assert "If the pothole is dangerous" in page  # the category's notice


def test_details_errors(walk):
    walk.to_details()
    body = assert_error(
        walk.post("details", {"description": ""}), "description", "Describe the problem"
    )
    text = "x" * 5001
    body = assert_error(
        walk.post("details", {"description": text}),
        "description",
        "The description must be 5000 characters or fewer",
    )
    assert text in body
    fake = SimpleUploadedFile("virus.jpg", b"MZ not a photo", content_type="image/jpeg")
    body = assert_error(
        walk.post("details", {"description": "Hole", "photos": [fake]}),
        "photos",
        "virus.jpg: The file is not a photo we can read: choose a JPG, PNG or WebP image",
    )
    assert "Hole</textarea>" in body
    four = [SimpleUploadedFile(f"{n}.jpg", jpeg(), content_type="image/jpeg") for n in range(4)]
    assert_error(
        walk.post("details", {"description": "Hole", "photos": four}),
        "photos",
        "You can add up to 3 photos",
    )
    assert Attachment.objects.count() == 0


def test_about_you_errors(walk):
    walk.to_details()
    walk.post("details", {"description": "Hole"})
    assert_error(walk.post("about-you", {}), "email", "Enter your email address or phone number")
    body = assert_error(
        walk.post("about-you", {"first_name": "Sam", "email": "sam@", "phone": "12"}),
        "email",
        "Enter an email address in the correct format, like name@example.com",
    )
    assert '<a href="#phone">' in body
    assert 'value="sam@"' in body
    assert 'value="Sam"' in body


def test_follow_errors(walk):
    entry = GazetteerEntry.objects.get(name="Church Street")
    existing = report_pothole(latitude=entry.latitude, longitude=entry.longitude).case
    walk.post("where", {"place": entry.pk})
    walk.post("group", {"group": "roads"})
    walk.post("category", {"category": "pothole"})
    walk.post(
        "questions",
        {"answer_location": "On the road", "answer_depth": "Less than 4 cm", "answer_hazard": "No"},
    )
    response = walk.post("duplicates", {})
    assert 'href="#duplicate_0"' in response.content.decode()
    walk.post("duplicates", {"duplicate": existing.reference})
    response = walk.post("follow", {"email": "nope"})
    assert '<a href="#email">' in response.content.decode()
    assert 'value="nope"' in response.content.decode()
    assert CaseFollower.objects.count() == 0


def test_a_problem_found_on_sending_is_shown_on_the_check_page_and_nothing_is_written(walk):
    walk.to_check(anonymous=True)
    # the council stopped anonymous pothole reports while the resident was filling it in
    ServiceCategory.objects.filter(code="pothole").update(allow_anonymous=False)
    response = walk.post("check")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#check-about-you">Pothole cannot be reported anonymously' in body
    assert 'id="check-about-you"' in body
    assert ServiceRequest.objects.count() == 0
    assert ReportSubmission.objects.count() == 0


def test_photos_of_abandoned_journeys_are_purged_and_sent_ones_are_not_kept(
    walk, settings, django_capture_on_commit_callbacks
):
    import os
    import time
    from datetime import timedelta

    from django.core.management import call_command

    # given one journey sent and one abandoned, each with a photo
    walk.to_details()
    photo = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    walk.post("details", {"description": "Hole", "photos": [photo]})
    walk.post("about-you", {"email": "sam@example.com"})
    walk.post("consent", {})
    walk.post("check")
    root = settings.MEDIA_ROOT / "portal-uploads"
    sent = [p for p in root.rglob("*") if p.is_file()]
    assert len(sent) == 1  # sent, waiting for the worker to attach it to the case
    old = time.time() - timedelta(hours=49).total_seconds()
    os.utime(sent[0], (old, old))
    call_command("portal_uploads_purge", "--hours", "48")
    assert sent[0].exists()  # however old, a report not yet logged keeps its photo
    with django_capture_on_commit_callbacks(execute=True):
        assert log_reports() == 1
    assert not [p for p in root.rglob("*") if p.is_file()]  # logged: the waiting copy is gone
    assert Attachment.objects.count() == 1

    other = type(walk)(walk.client)
    other.to_details(place="Moor Lane", category="litter")
    photo = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    other.post("details", {"description": "Hole", "photos": [photo]})
    waiting = [p for p in root.rglob("*") if p.is_file()]
    assert len(waiting) == 1

    # when the purge runs: a fresh photo stays, an old one goes
    call_command("portal_uploads_purge", "--hours", "48")
    assert waiting[0].exists()
    old = time.time() - timedelta(hours=49).total_seconds()
    os.utime(waiting[0], (old, old))
    call_command("portal_uploads_purge", "--hours", "48")
    assert not waiting[0].exists()


def test_sending_again_with_other_answers_shows_the_report_already_sent(walk):
    # given a report sent, whose confirmation never arrived (the connection dropped)
    walk.to_check()
    first = walk.post("check")
    reference = ReportSubmission.objects.get().reference

    # when the resident goes back, changes the description and sends again
    assert walk.post("details", {"description": "Something else"}).status_code == 302
    again = walk.post("check")

    # then they see the report they sent first, told their changes were not sent, and
    # nothing else was made
    assert again["Location"] == f"{first['Location']}?sent-before=1"
    page = walk.client.get(again["Location"]).content.decode()
    assert reference in page
    assert "the changes you made after sending it were not sent" in page
    log_reports()
    case = ServiceRequest.objects.get()
    assert (case.reference, case.description) == (reference, "Deep hole by the bus stop")
    # and now every step leads to the confirmation
    assert walk.get("details")["Location"] == first["Location"]


def test_the_confirmation_of_a_journey_not_sent_goes_back_to_its_steps(walk):
    walk.to_check()
    response = walk.client.get(f"{walk.base}done/")
    assert response["Location"] == walk.url("check")


def test_a_sent_journey_whose_report_was_erased_says_it_has_timed_out(walk):
    walk.to_check()
    done = walk.post("check")["Location"]
    assert walk.client.get(done).status_code == 200
    ReportSubmission.objects.all().delete()  # erased before it was logged
    response = walk.client.get(done)
    assert response.status_code == 404
    assert walk.get("details")["Location"] == done  # no loop: the steps lead to that page


def test_photos_of_a_sent_report_are_not_removed_from_its_steps(walk):
    walk.to_details()
    photo = SimpleUploadedFile("hole.jpg", jpeg(), content_type="image/jpeg")
    walk.post("details", {"description": "Hole", "photos": [photo]})
    walk.post("about-you", {"email": "sam@example.com"})
    walk.post("consent", {})
    done = walk.post("check")["Location"]  # the confirmation never arrived
    stored = ReportSubmission.objects.get().payload["photos"][0]["file"]
    response = walk.post("details", {"remove": stored})
    assert response["Location"] == done
    assert log_reports() == 1
    assert Attachment.objects.count() == 1

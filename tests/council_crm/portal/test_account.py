"""Resident accounts at /account/: sign-up with a confirmed email address, sign-in and its rate
limit, requests, consents, update preferences, downloading and deleting the account."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from apps.council_crm import models as m
from apps.council_crm.demo.workload import DEMO_PASSWORD, demo_users_ensure
from apps.council_crm.services.accounts import resident_citizen_link
from apps.council_crm.services.consent import consent_grant
from tests.factories.cases import report_pothole, resident

PASSWORD = "a-long-walk-by-the-canal"

pytestmark = pytest.mark.django_db


def sign_up(client, **overrides):
    data = {
        "first_name": "Sam",
        "last_name": "Jones",
        "email": "Sam.Jones@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }
    return client.post("/account/signup/", data)


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def a_resident(email: str = "sam.jones@example.com") -> m.User:
    """A resident who signed up and confirmed their address, linked to their citizen record."""
    user = m.User.objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        first_name="Sam",
        last_name="Jones",
        role=m.Role.RESIDENT,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    resident_citizen_link(user=user, email=email)
    return user


def sign_in(client, user: m.User) -> None:
    """Signed in, with the password just given again (downloading or deleting everything, and
    changing the email address, ask for it unless it was given in the last five minutes)."""
    client.force_login(user)
    response = client.post("/account/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def error_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


# --- signing up ---------------------------------------------------------------------------


def test_sign_up_confirm_the_email_and_see_requests_made_before(client, demo_site):
    # given a pothole reported, signed out, with the same address
    earlier = report_pothole(contact=resident(email="sam.jones@example.com")).case

    # when they sign up
    response = sign_up(client)

    # then they are asked to check their email, and cannot use the account yet
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()
    user = m.User.objects.get(email__iexact="sam.jones@example.com")
    assert user.role == m.Role.RESIDENT
    assert not user.is_staff
    assert client.get("/account/").status_code == 302
    [message] = mail.outbox
    assert message.to == ["sam.jones@example.com"]
    assert message.subject == "Confirm your email address for Fernshire County Council"

    # when they open the link and confirm
    link = link_in(message)
    page = client.get(link)
    assert "Confirm my email address" in page.content.decode()
    response = client.post(link)

    # then they are signed in on their account, with the earlier report
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    home = client.get("/account/").content.decode()
    assert "Your account" in home
    assert "You have confirmed your email address" in home
    requests = client.get("/account/requests/").content.decode()
    assert earlier.reference in requests
    citizen = m.Citizen.objects.get(user=user)
    assert citizen.pk == earlier.citizen_id
    assert m.AuditEvent.objects.filter(action="account_linked", object_id=str(citizen.pk)).exists()


def test_bad_sign_up_shows_the_errors_keeps_what_was_typed_and_writes_nothing(client, demo_site):
    response = sign_up(client, first_name="", email="sam.jones@", password2="something-else")

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert error_links(html) == ["id_first_name", "id_email", "id_password2"]
    assert "Enter your first name" in html
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert 'value="Jones"' in html  # what they typed is still there
    assert 'value="sam.jones@"' in html
    assert PASSWORD not in html  # but never a password
    assert 'autocomplete="given-name"' in html
    assert 'autocomplete="new-password"' in html
    assert not m.User.objects.filter(last_name="Jones").exists()
    assert not EmailAddress.objects.exists()
    assert mail.outbox == []


def test_a_second_sign_up_with_the_same_address_makes_no_second_account(client, demo_site):
    a_resident()

    response = sign_up(client, email="SAM.JONES@example.com")

    assert response.status_code == 302  # the same page either way: no one learns who has one
    assert m.User.objects.filter(email__iexact="sam.jones@example.com").count() == 1
    [message] = mail.outbox
    assert "password" in message.body.lower()


# --- signing in ---------------------------------------------------------------------------


def test_a_resident_signs_in_with_their_email_and_lands_on_their_account(client, demo_site):
    a_resident()

    response = client.post(
        "/account/login/", {"login": "Sam.Jones@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_staff_and_demo_users_still_sign_in_by_username(client, demo_site):
    demo_users_ensure()
    for username, lands_on in [
        ("aisha.okafor", "/desk/"),
        ("cllr.andrew.moffat", "/member/"),
        ("resident", "/account/"),
    ]:
        client.logout()
        response = client.post("/account/login/", {"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == lands_on, username
    # and `next` is followed, as the desk's sign-in redirect expects
    client.logout()
    response = client.post(
        "/account/login/?next=/desk/",
        {"login": "aisha.okafor", "password": DEMO_PASSWORD, "next": "/desk/"},
    )
    assert response["Location"] == "/desk/"


def test_wrong_password_then_too_many_attempts_are_refused_with_a_clear_message(client, demo_site):
    a_resident()
    for _ in range(5):
        response = client.post(
            "/account/login/", {"login": "sam.jones@example.com", "password": "wrong"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Enter a correct email address and password" in html
        assert error_links(html) == ["id_login"]
        assert 'value="sam.jones@example.com"' in html

    response = client.post(
        "/account/login/", {"login": "sam.jones@example.com", "password": PASSWORD}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have tried to sign in too many times. Wait 5 minutes, then try again" in html
    assert "_auth_user_id" not in client.session


def test_signed_out_visitors_are_sent_to_sign_in(client, demo_site):
    for url in ["/account/", "/account/consents/", "/account/download/", "/account/delete/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/?next=")


def test_staff_have_no_resident_pages(client, demo_site):
    officer = m.User.objects.get(username="aisha.okafor")
    client.force_login(officer)
    assert client.get("/account/")["Location"] == "/desk/"
    for url in ["/account/consents/", "/account/preferences/", "/account/download/"]:
        assert client.get(url).status_code == 404
    assert client.post("/account/delete/", {"confirm": "yes"}).status_code == 404
    officer.refresh_from_db()
    assert officer.is_active


# --- consents -----------------------------------------------------------------------------


def test_withdrawing_a_consent_records_it_and_leaves_other_peoples_alone(client, demo_site):
    user = a_resident()
    case = report_pothole(contact=resident(email="sam.jones@example.com")).case
    mine = consent_grant(
        citizen=user.citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=m.Consent.Scope.CASE,
        case=case,
        actor=None,
        channel="web",
    )
    other_case = report_pothole(contact=resident(email="someone.else@example.com")).case
    theirs = consent_grant(
        citizen=other_case.citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        actor=None,
        channel="web",
    )
    client.force_login(user)

    page = client.get("/account/consents/").content.decode()
    assert "Share with my councillor" in page
    assert case.reference in page
    assert "Active" in page

    response = client.post(f"/account/consents/{mine.pk}/withdraw/")

    assert response["Location"] == "/account/consents/"
    page = client.get("/account/consents/").content.decode()
    assert (
        "You have withdrawn your consent: Share with my councillor, "
        f"for request {case.reference}" in page
    )
    assert "Withdrawn" in page
    mine.refresh_from_db()
    assert mine.withdrawn_at is not None
    assert mine.withdrawn_by == user
    assert mine.history.count() == 2  # granted, then withdrawn: both kept
    assert m.AuditEvent.objects.filter(
        action="consent_withdrawn", object_id=str(mine.pk), actor=user
    ).exists()

    # someone else's consent does not exist for them
    assert client.post(f"/account/consents/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None
    assert client.get(f"/account/consents/{mine.pk}/withdraw/").status_code == 405


# --- preferences --------------------------------------------------------------------------


def test_preferences_bad_input_changes_nothing_then_good_input_is_saved(client, demo_site):
    user = a_resident()
    client.force_login(user)
    assert "Update preferences" in client.get("/account/preferences/").content.decode()

    response = client.post(
        "/account/preferences/", {"preferred_channel": "sms", "phone": "", "language": "en"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert error_links(html) == ["phone"]
    assert "Enter a mobile phone number to get updates by text message" in html
    assert re.search(r'value="sms"\s+checked', html)  # their choice is kept
    citizen = m.Citizen.objects.get(user=user)
    assert citizen.preferred_channel == "email"

    response = client.post(
        "/account/preferences/",
        {"preferred_channel": "sms", "phone": "07700 900 982", "language": "en"},
    )

    assert response["Location"] == "/account/"
    citizen.refresh_from_db()
    assert (citizen.preferred_channel, citizen.phone) == ("sms", "07700900982")
    event = m.AuditEvent.objects.get(action="citizen_preferences_changed")
    assert event.data["changed"] == ["phone", "preferred_channel"]
    assert "07700" not in json.dumps(event.data)
    assert "Your preferences have been saved" in client.get("/account/").content.decode()


def test_no_updates_is_a_choice(client, demo_site):
    user = a_resident()
    client.force_login(user)
    client.post("/account/preferences/", {"preferred_channel": "none", "language": "en"})
    assert m.Citizen.objects.get(user=user).preferred_channel == m.ContactPreference.NONE


# --- download my data ---------------------------------------------------------------------


def test_download_holds_their_requests_and_nothing_of_other_peoples(client, demo_site):
    user = a_resident()
    mine = report_pothole(
        contact=resident(email="sam.jones@example.com"), description="Hole by my gate"
    ).case
    theirs = report_pothole(
        contact=resident(email="bob.other@example.com"), description="Bob's own pothole"
    ).case
    sign_in(client, user)
    assert "Download your data" in client.get("/account/download/").content.decode()

    response = client.post("/account/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="your-data-')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    summary = files["summary.html"].decode()
    assert mine.reference in summary
    assert "Hole by my gate" in summary
    cases = json.loads(files["data/council_crm.ServiceRequest.json"])
    assert [c["reference"] for c in cases] == [mine.reference]
    emails = json.loads(files["data/account.EmailAddress.json"])
    assert [e["email"] for e in emails] == ["sam.jones@example.com"]
    everything = b"\n".join(files.values()).decode("utf-8", "replace")
    assert theirs.reference not in everything
    assert "bob.other@example.com" not in everything
    assert m.AuditEvent.objects.filter(action="subject_access_export", actor=user).exists()


# --- deleting the account -----------------------------------------------------------------


def test_delete_asks_first_warns_about_open_requests_then_anonymises_and_signs_out(
    client, demo_site
):
    user = a_resident()
    case = report_pothole(contact=resident(email="sam.jones@example.com")).case
    sign_in(client, user)

    page = client.get("/account/delete/").content.decode()
    assert "You cannot undo this." in page
    assert "You have requests we are still working on" in page
    assert case.reference in page

    # not confirmed: nothing happens
    response = client.post("/account/delete/", {})
    assert response.status_code == 400
    assert error_links(response.content.decode()) == ["confirm"]
    user.refresh_from_db()
    assert user.is_active

    # confirmed
    response = client.post("/account/delete/", {"confirm": "yes"})

    assert response["Location"] == "/account/deleted/"
    page = client.get("/account/deleted/").content.decode()
    assert "Your account has been deleted" in page
    assert "What we have kept, and why" in page
    assert "We will still deal with the 1 request that was open" in page
    assert client.get("/account/")["Location"].startswith("/account/login/")  # signed out
    user.refresh_from_db()
    assert not user.is_active
    assert user.email == ""
    assert user.username.startswith("anonymised-")
    assert not EmailAddress.objects.filter(user=user).exists()
    citizen = m.Citizen.objects.get(pk=case.citizen_id)
    assert citizen.anonymised_at is not None
    assert citizen.email == ""
    case.refresh_from_db()
    assert case.description == ""  # the case stays, for statistics, without their words
    assert m.AuditEvent.objects.filter(
        action="citizen_anonymised", object_id=str(citizen.pk), actor=user
    ).exists()
    # and they cannot sign in again
    response = client.post(
        "/account/login/", {"login": "sam.jones@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    # the address is free for a new account
    assert sign_up(client).status_code == 302
    assert m.User.objects.filter(email="sam.jones@example.com", is_active=True).exists()


# --- email address and password -----------------------------------------------------------


def test_signing_in_before_confirming_asks_again_and_signs_nobody_in(client, demo_site):
    sign_up(client)
    client.logout()

    response = client.post(
        "/account/login/", {"login": "sam.jones@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert not m.Citizen.objects.filter(user__email="sam.jones@example.com").exists()


def test_a_changed_and_confirmed_address_moves_to_the_citizen_record(client, demo_site):
    user = a_resident()
    sign_in(client, user)
    page = client.get("/account/email/").content.decode()
    assert "sam.jones@example.com" in page

    response = client.post("/account/email/", {"email": "sam@new.example.com", "action_add": ""})

    assert response.status_code == 302
    assert "Not confirmed yet" in client.get("/account/email/").content.decode()
    assert m.Citizen.objects.get(user=user).email == "sam.jones@example.com"  # not yet
    [message] = mail.outbox
    client.post(link_in(message))
    assert m.Citizen.objects.get(user=user).email == "sam@new.example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "sam@new.example.com"
    ]


def test_password_reset_by_email_link(client, demo_site):
    a_resident()
    response = client.post("/account/password/reset/", {"email": ""})
    assert error_links(response.content.decode()) == ["id_email"]

    response = client.post("/account/password/reset/", {"email": "sam.jones@example.com"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+)", message.body).group(1)
    page = client.get(path, follow=True)
    assert "Choose a new password" in page.content.decode()
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    new = "another-long-walk-home"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()
    assert client.login(username="sam.jones", password=new)


def test_too_many_sign_ups_from_one_address_get_a_clear_page(client, demo_site, settings):
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}
    assert sign_up(client).status_code == 302
    client.logout()

    response = sign_up(client, email="another@example.com")

    assert response.status_code == 429
    assert "You have tried too many times" in response.content.decode()
    assert not m.User.objects.filter(email="another@example.com").exists()


def test_a_resolved_request_can_be_reopened_from_the_account(client, demo_site):
    from apps.council_crm.services.cases import case_transition

    user = a_resident()
    case = report_pothole(contact=resident(email="sam.jones@example.com")).case
    case_transition(
        case=case,
        status=m.CaseStatus.objects.get(code="completed"),
        actor=None,
        public_message="Filled the hole",
    )
    client.force_login(user)

    page = client.get(f"/account/requests/{case.reference}/").content.decode()
    assert "Not fixed? Reopen it" in page
    assert "Filled the hole" in page

    response = client.post(f"/track/{case.reference}/reopen/", {"reason": "It is back"})

    assert response["Location"] == f"/track/{case.reference}/?reopened=1"
    case.refresh_from_db()
    assert case.status.state == m.StateCategory.OPEN
    assert "We have reopened your request" in client.get(response["Location"]).content.decode()


def test_a_phone_number_typed_into_an_account_does_not_claim_other_peoples_reports(
    client, demo_site
):
    user = a_resident()
    client.force_login(user)
    client.post(
        "/account/preferences/",
        {"preferred_channel": "sms", "phone": "07700 900 123", "language": "en"},
    )
    assert m.Citizen.objects.get(user=user).phone == "07700900123"

    # someone else reports by phone alone with that number
    theirs = report_pothole(
        contact=resident(email="", phone="07700900123"), description="A stranger's words"
    ).case

    assert theirs.citizen.user_id is None
    assert theirs.reference not in client.get("/account/requests/").content.decode()
    assert client.get(f"/account/requests/{theirs.reference}/").status_code == 404


def test_after_an_address_change_new_reports_go_to_the_account_not_an_older_record(
    client, demo_site
):
    older = report_pothole(contact=resident(email="sam@work.example")).case
    user = a_resident()
    resident_citizen_link(user=user, email="sam@work.example")  # the change, once confirmed

    mine = report_pothole(contact=resident(email="sam@work.example")).case

    assert mine.citizen.user_id == user.pk
    assert older.citizen.user_id is None
    assert m.AuditEvent.objects.filter(action="citizen_email_changed").exists()


def test_deleting_or_downloading_asks_for_the_password_again_when_it_was_not_just_given(
    client, demo_site
):
    user = a_resident()
    client.force_login(user)  # a session signed in some time ago: no recent password

    deleting = client.post("/account/delete/", {"confirm": "yes"})
    downloading = client.post("/account/download/")

    assert deleting["Location"].startswith("/account/reauthenticate/")
    assert downloading["Location"].startswith("/account/reauthenticate/")
    user.refresh_from_db()
    assert user.is_active
    assert m.Citizen.objects.get(user=user).anonymised_at is None
    page = client.get(deleting["Location"]).content.decode()
    assert "Confirm it is you" in page
    assert "Enter your password to carry on." in page

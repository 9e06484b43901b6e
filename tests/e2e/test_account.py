"""A resident's account in a real browser, without JavaScript: sign up, confirm the email,
see a request made before, withdraw a consent, set update preferences, download the data and
delete the account. Every page is checked with axe-core and photographed at 320 and 1280 px."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail

from apps.council_crm.models import Citizen, Consent, User
from apps.council_crm.services.consent import consent_grant
from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories.cases import report_pothole, resident

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL = "robin.walker@example.com"
PASSWORD = "a-long-walk-by-the-canal"


@pytest.fixture
def no_js_page(browser, live_server, demo_site):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


def check_page(page, name: str) -> None:
    """Accessible, no sideways scrolling at 320 px, photographed."""
    assert_accessible(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
        screenshot(page, f"account-{name}-{width}")


def heading(page) -> str:
    return page.get_by_role("heading", level=1).first.inner_text().strip()


def test_a_resident_signs_up_sees_requests_withdraws_consent_downloads_and_deletes(no_js_page):
    page = no_js_page
    # given a pothole reported earlier, signed out, with consent to share it
    earlier = report_pothole(
        contact=resident(email=EMAIL), description="Deep hole by the post box"
    ).case
    consent_grant(
        citizen=earlier.citizen,
        purpose=Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=Consent.Scope.CASE,
        case=earlier,
        actor=None,
        channel="web",
    )
    mail.outbox.clear()

    # sign up: first with mistakes
    page.goto("/account/login/")
    assert heading(page) == "Sign in"
    check_page(page, "01-sign-in")
    page.get_by_role("link", name="Create an account").click()
    assert heading(page) == "Create an account"
    check_page(page, "02-sign-up")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Email address").fill("robin.walker@")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter your last name").is_visible()
    assert summary.get_by_role(
        "link", name="Enter an email address in the correct format, like name@example.com"
    ).is_visible()
    assert page.get_by_label("First name").input_value() == "Robin"  # kept
    assert not User.objects.filter(first_name="Robin").exists()
    check_page(page, "03-sign-up-errors")

    page.get_by_label("Last name").fill("Walker")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    assert heading(page) == "Check your email"
    check_page(page, "04-check-your-email")

    # the link in the email
    [message] = mail.outbox
    assert message.to == [EMAIL]
    link = re.search(r"https?://[^/\s]+(/account/confirm-email/\S+)", message.body).group(1)
    page.goto(link)
    assert heading(page) == "Confirm your email address"
    check_page(page, "05-confirm-email")
    page.get_by_role("button", name="Confirm my email address").click()
    assert heading(page) == "Your account"
    assert "You have confirmed your email address" in page.content()
    check_page(page, "06-account")

    # my requests: the report made before signing up is there
    page.get_by_role("link", name="Your requests").click()
    assert heading(page) == "Your requests"
    assert page.get_by_role("link", name=earlier.reference).is_visible()
    check_page(page, "07-requests")
    page.get_by_role("link", name=earlier.reference).click()
    assert heading(page) == earlier.reference
    check_page(page, "08-request")

    # withdraw the consent
    page.goto("/account/")
    page.get_by_role("link", name="Your consents").click()
    assert heading(page) == "Your consents"
    check_page(page, "09-consents")
    page.get_by_role("button", name=re.compile(r"^Withdraw")).click()
    assert (
        "You have withdrawn your consent: Share with my councillor, "
        f"for request {earlier.reference}" in page.content()
    )
    check_page(page, "10-consent-withdrawn")
    consent = Consent.objects.get(case=earlier)
    assert consent.withdrawn_at is not None
    assert consent.history.count() == 2

    # update preferences: a text message needs a number
    page.goto("/account/")
    page.get_by_role("link", name="Update preferences").click()
    page.get_by_label("Text message").check()
    page.get_by_role("button", name="Save preferences").click()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Enter a mobile phone number to get updates by text message")
        .is_visible()
    )
    assert page.get_by_label("Text message").is_checked()
    check_page(page, "11-preferences-error")
    page.get_by_label("Mobile phone number").fill("07700 900 982")
    page.get_by_role("button", name="Save preferences").click()
    assert heading(page) == "Your account"
    assert Citizen.objects.get(user__email=EMAIL).preferred_channel == "sms"

    # download my data: the password again first (it was not given in the last five minutes)
    page.get_by_role("link", name="Download your data").click()
    assert heading(page) == "Confirm it is you"
    check_page(page, "12a-confirm-password")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").is_visible()
    check_page(page, "12b-confirm-password-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    assert heading(page) == "Download your data"
    check_page(page, "12-download")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download your data (zip file)").click()
    download = info.value
    assert download.suggested_filename.startswith("your-data-")
    with open(download.path(), "rb") as f:
        archive = zipfile.ZipFile(io.BytesIO(f.read()))
    summary_html = archive.read("summary.html").decode()
    assert earlier.reference in summary_html
    assert "Deep hole by the post box" in summary_html
    cases = json.loads(archive.read("data/council_crm.ServiceRequest.json"))
    assert [c["reference"] for c in cases] == [earlier.reference]

    # delete the account: asked to confirm first
    page.goto("/account/")
    page.get_by_role("link", name="Delete your account").click()
    assert heading(page) == "Delete your account"
    assert earlier.reference in page.content()  # still open: they are warned
    check_page(page, "13-delete")
    page.get_by_role("button", name="Delete my account").click()
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Confirm that you want to delete your account")
        .is_visible()
    )
    check_page(page, "14-delete-error")
    page.get_by_label("I understand that my account and personal details will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()
    assert heading(page) == "Your account has been deleted"
    assert "What we have kept, and why" in page.content()
    check_page(page, "15-deleted")
    assert not User.objects.filter(email=EMAIL).exists()
    assert Citizen.objects.get(pk=earlier.citizen_id).anonymised_at is not None
    page.goto("/account/")
    assert heading(page) == "Sign in"

"""Two-step verification in Chromium (ADR 0020), with the site requiring it as a real council's
does: staff and councillors without a second factor are led to set one up and reach nothing
else until they have; then they sign in with the app's code, or with a recovery code. Every
page is checked with axe-core and at 320 px, and must log no error (allauth's scripts are
static files: nothing inline for the Content Security Policy to refuse)."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from apps.council_crm import models as m
from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-walk-by-the-canal"


@pytest.fixture(autouse=True)
def _require_mfa(settings):
    settings.CRM_REQUIRE_MFA = True


@pytest.fixture
def errors(page):
    """Console errors and failed scripts, which a page must not have."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen


def totp_code(secret: str, step: int = 0) -> str:
    """What the authenticator app shows: HOTP (RFC 4226) of the 30-second counter."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def person(username: str, role: str) -> m.User:
    return m.User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        role=role,
        first_name=username.split(".")[0].title(),
    )


def check(page, name: str) -> None:
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    screenshot(page, f"mfa-{name}-320")
    page.set_viewport_size({"width": 1280, "height": 900})


def heading(page) -> str:
    return page.get_by_role("heading", level=1).first.inner_text().strip()


def sign_in(page, username: str) -> None:
    page.goto("/account/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()


def set_up_the_app(page, name: str) -> str:
    """On the authenticator app page: read the setup key as a person would (from "I cannot
    scan the QR code"), enter the code it gives, and save the recovery codes."""
    assert heading(page) == "Set up an authenticator app"
    assert page.locator(".crm-qr svg").count() == 1
    check(page, f"{name}-setup")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Continue").click()
    assert (
        "Enter the code your authenticator app shows now"
        in page.locator(".govuk-error-summary").inner_text()
    )
    check(page, f"{name}-setup-error")
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert heading(page) == "Recovery codes"
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    check(page, f"{name}-recovery-codes")
    return secret


def test_a_case_officer_is_led_to_set_up_mfa_then_signs_in_with_the_app(page, errors):
    person("kim.lee", m.Role.CASE_OFFICER)
    # signed in with the password only, the desk is out of reach
    sign_in(page, "kim.lee")
    assert page.url.endswith("/account/2fa/totp/activate/")
    assert "can see other people’s personal data" in page.content()
    for url in ("/desk/", "/desk/search/", "/admin/", "/account/"):
        page.goto(url)
        assert page.url.endswith("/account/2fa/totp/activate/"), url
    # the security key page is open too, offered as the other way
    page.get_by_role("link", name="Use a security key or passkey instead").click()
    assert heading(page) == "Add a security key or passkey"
    check(page, "officer-webauthn")
    page.get_by_role("link", name="Use an authenticator app instead").click()

    secret = set_up_the_app(page, "officer")
    page.get_by_role("link", name="Continue").click()
    assert page.url.endswith("/desk/")
    assert_accessible(page)

    # next time: password, then the code from the app
    sign_out(page)
    sign_in(page, "kim.lee")
    assert heading(page) == "Enter the code from your authenticator app"
    check(page, "officer-code")
    page.goto("/desk/")  # not signed in until the code is given
    assert page.url.endswith("/account/2fa/authenticate/")
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/desk/")
    assert errors == []


def test_a_recovery_code_signs_in_when_the_phone_is_lost(page, errors):
    officer = person("sam.ode", m.Role.TEAM_LEADER)
    TOTP.activate(officer, generate_totp_secret())
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    sign_in(page, "sam.ode")
    assert heading(page) == "Enter the code from your authenticator app"
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/desk/")
    # the two-step verification page shows one code used
    page.get_by_role("link", name="Two-step verification").click()
    assert heading(page) == "Two-step verification"
    assert "9 of 10 unused" in page.content()
    check(page, "index")
    # a used code does not work twice
    sign_out(page)
    sign_in(page, "sam.ode")
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name="Continue").click()
    assert page.locator(".govuk-error-summary").first.is_visible()
    assert page.locator("#webauthn-error").count() == 0  # no security key to offer
    assert errors == []


def test_a_councillor_likewise(page, errors):
    person("andrew.moffat", m.Role.COUNCILLOR)
    sign_in(page, "andrew.moffat")
    assert page.url.endswith("/account/2fa/totp/activate/")
    page.goto("/member/")
    assert page.url.endswith("/account/2fa/totp/activate/")
    secret = set_up_the_app(page, "councillor")
    page.get_by_role("link", name="Continue").click()
    assert page.url.endswith("/member/")
    sign_out(page)
    sign_in(page, "andrew.moffat")
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/member/")
    assert Authenticator.objects.filter(user__username="andrew.moffat").count() == 2
    assert errors == []


def test_a_resident_is_not_asked(page, errors):
    resident = person("robin", m.Role.RESIDENT)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    sign_in(page, "robin")
    assert page.url.endswith("/account/")
    page.get_by_role("link", name="Two-step verification").click()
    assert heading(page) == "Two-step verification"
    assert "Back to your account" in page.content()
    assert errors == []


def test_a_security_key_instead_of_the_app(page, errors):
    """Chromium's virtual authenticator (DevTools' WebAuthn domain) plays the security key."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    person("dana.dpo", m.Role.DPO)
    sign_in(page, "dana.dpo")
    page.get_by_role("link", name="Use a security key or passkey instead").click()
    page.fill("#id_name", "Blue USB key")
    page.get_by_label("Also use it as a passkey").check()
    check(page, "key-add")
    page.get_by_role("button", name="Add the key").click()
    page.wait_for_url("**/account/2fa/recovery-codes/")
    assert "Your security key has been added" in page.content()
    page.get_by_role("link", name="Continue").click()
    assert page.url.endswith("/desk/")
    # next time: password, then the key
    sign_out(page)
    sign_in(page, "dana.dpo")
    assert page.get_by_role("button", name="Use a security key").is_visible()
    check(page, "key-sign-in")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/desk/")
    key = Authenticator.objects.get(user__username="dana.dpo", type="webauthn")
    assert key.wrap().name == "Blue USB key"
    assert key.wrap().is_passwordless
    assert key.last_used_at is not None
    # and as a passkey, the key alone signs in
    sign_out(page)
    page.goto("/account/login/")
    check(page, "login")
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/desk/")
    assert errors == []

"""Sign-in security (ADR 0020): a second factor before anything else for everyone who can see
other people's personal data, staff session limits, signing out everywhere after a password or
second-factor change, a new session key at sign-in, and the password again before exports."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.sessions.models import Session
from django.test import Client

from apps.council_crm import models as m
from apps.council_crm.signin import LAST_SEEN_AT, SIGNED_IN_AT
from config.site import SiteConfigError, load_site
from tests.factories.cases import report_pothole

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
SETUP = "/account/2fa/totp/activate/"


@pytest.fixture
def require_mfa(settings):
    settings.CRM_REQUIRE_MFA = True


def person(username: str, role: str = m.Role.CASE_OFFICER, **kw: object) -> m.User:
    user = m.User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        role=role,
        first_name=username.title(),
        **kw,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def totp_code(secret: str, step: int = 0) -> str:
    """The code an authenticator app shows now (HOTP of the 30-second counter)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def with_totp(user: m.User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def sign_in(client: Client, user: m.User) -> object:
    """Through allauth's sign-in page, as a person would."""
    return client.post("/account/login/", {"login": user.username, "password": PASSWORD})


# --- a second factor, required ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "flags", "home"),
    [
        (m.Role.CASE_OFFICER, {}, "/desk/"),
        (m.Role.TEAM_LEADER, {}, "/desk/"),
        (m.Role.DEPARTMENT_MANAGER, {}, "/desk/"),
        (m.Role.DPO, {}, "/desk/"),
        (m.Role.SERVICE_ADMIN, {"is_staff": True}, "/admin/"),
        (m.Role.COUNCILLOR, {}, "/member/"),
        (m.Role.SUPPORT_OFFICER, {}, "/member/"),
        (m.Role.RESIDENT, {"is_staff": True, "is_superuser": True}, "/admin/"),
    ],
)
def test_without_a_second_factor_every_page_leads_to_setting_one_up(
    client, demo_site, require_mfa, role, flags, home
):
    user = person("kim", role, **flags)
    client.force_login(user)
    for url in (home, "/desk/", "/member/", "/account/", "/report/", "/admin/council_crm/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP, url
    # nor does a form change anything
    case = report_pothole().case
    events = m.CaseEvent.objects.filter(case=case).count()
    posted = client.post(f"/desk/cases/{case.reference}/notes/", {"message": "hi"})
    assert posted["Location"] == SETUP
    assert m.CaseEvent.objects.filter(case=case).count() == events
    # the setup pages, the password confirmation and signing out stay open
    page = client.get(SETUP)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Set up an authenticator app" in text
    assert "can see other people’s personal data" in text
    assert '<div class="crm-qr" role="img"' in text
    assert "<svg" in text  # the QR code is in the page: no data: image for the CSP to allow
    assert client.get("/account/2fa/").status_code == 200
    assert client.get("/account/2fa/webauthn/add/").status_code == 200
    assert client.get("/account/reauthenticate/").status_code == 200
    assert client.post("/account/logout/")["Location"] == "/"


def test_once_set_up_the_desk_opens(client, demo_site, require_mfa):
    officer = person("kim")
    client.force_login(officer)
    assert client.get("/desk/")["Location"] == SETUP
    # when they add an authenticator app with the code it shows
    page = client.get(SETUP)
    secret = page.context["form"].secret
    done = client.post(SETUP, {"code": totp_code(secret)})
    # then they see their recovery codes, and the desk opens
    assert done["Location"] == "/account/2fa/recovery-codes/"
    codes = client.get(done["Location"]).content.decode()
    assert "Save these recovery codes somewhere safe" in codes
    assert 'href="/desk/"' in codes  # carry on to their work
    assert client.get("/desk/").status_code == 200
    assert Authenticator.objects.filter(user=officer, type="totp").exists()


def test_a_wrong_code_is_an_error_and_sets_nothing_up(client, demo_site, require_mfa):
    client.force_login(person("kim"))
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter the code your authenticator app shows now" in text
    assert not Authenticator.objects.exists()


def test_residents_are_not_forced_and_may_add_one_from_their_account(
    client, demo_site, require_mfa
):
    resident = person("robin", m.Role.RESIDENT)
    client.force_login(resident)
    account = client.get("/account/")
    assert account.status_code == 200
    assert 'href="/account/2fa/"' in account.content.decode()
    assert client.get("/track/").status_code == 200


def test_off_on_the_demo_sites_and_on_by_default(client, demo_site, settings, tmp_path: Path):
    assert load_site("demo").require_mfa is False
    assert load_site("kilbrack").require_mfa is False
    (tmp_path / "real").mkdir()
    toml = '[council]\nname = "Real"\nregion = "GB-ENG"\nreference_prefix = "RC"\n'
    (tmp_path / "real" / "site.toml").write_text(toml)
    real = load_site("real", sites_dir=tmp_path)
    assert (real.require_mfa, real.staff_idle_minutes, real.staff_session_hours) == (True, 30, 10)
    (tmp_path / "real" / "site.toml").write_text(toml + '[security]\nrequire_mfa = "no"\n')
    with pytest.raises(SiteConfigError, match="require_mfa"):
        load_site("real", sites_dir=tmp_path)
    # with enforcement off (the demo), staff reach the desk without a second factor
    settings.CRM_REQUIRE_MFA = False
    client.force_login(person("kim"))
    assert client.get("/desk/").status_code == 200


def test_signing_in_asks_for_the_code_then_opens_the_desk(client, demo_site, require_mfa):
    officer = person("kim")
    secret = with_totp(officer)
    first = sign_in(client, officer)
    assert first["Location"] == "/account/2fa/authenticate/"
    assert client.get("/desk/")["Location"].startswith("/account/login/")  # not signed in yet
    wrong = client.post("/account/2fa/authenticate/", {"code": "123456"})
    assert "Enter the code your authenticator app shows now" in wrong.content.decode()
    done = client.post("/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert done["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200


def test_a_recovery_code_signs_in_once(client, demo_site, require_mfa):
    cllr = person("andrew", m.Role.COUNCILLOR)
    with_totp(cllr)
    code = Authenticator.objects.get(user=cllr, type="recovery_codes").wrap().get_unused_codes()[0]
    sign_in(client, cllr)
    assert client.post("/account/2fa/authenticate/", {"code": code})["Location"] == "/member/"
    client.post("/account/logout/")
    sign_in(client, cllr)
    again = client.post("/account/2fa/authenticate/", {"code": code})
    assert again.status_code == 200  # used up


def test_wrong_codes_are_limited_per_account(client, demo_site, require_mfa):
    officer = person("kim")
    secret = with_totp(officer)
    sign_in(client, officer)
    for _ in range(5):
        client.post("/account/2fa/authenticate/", {"code": "123456"})
    blocked = client.post("/account/2fa/authenticate/", {"code": totp_code(secret)})
    assert blocked.status_code == 200
    assert "too many" in blocked.content.decode().lower()


def test_the_admin_signs_in_through_allauth_and_its_second_factor(client, demo_site):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_a_staff_member_may_not_remove_their_only_second_factor(client, demo_site, require_mfa):
    officer = person("kim")
    with_totp(officer)
    client.force_login(officer)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(officer.pk)
    session.save()
    refused = client.post("/account/2fa/totp/deactivate/")
    assert refused.status_code == 200
    assert "Add another way to confirm it is you" in refused.content.decode()
    assert Authenticator.objects.filter(user=officer, type="totp").exists()


# --- sessions ---------------------------------------------------------------------------------


def test_the_session_key_changes_at_sign_in(client, demo_site):
    officer = person("kim")
    client.get("/account/login/")
    session = client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    sign_in(client, officer)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert m.SignInSession.objects.filter(user=officer, session_key=client.session.session_key)


def _age(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[{"signed_in": SIGNED_IN_AT, "last_seen": LAST_SEEN_AT}[key]] = time.time() - ago
    session.save()


def test_a_staff_session_ends_after_the_idle_time(client, demo_site, settings):
    settings.CRM_STAFF_IDLE_SECONDS = 30 * 60
    officer = person("kim")
    sign_in(client, officer)
    assert client.get("/desk/").status_code == 200
    _age(client, signed_in=29 * 60, last_seen=29 * 60)
    assert client.get("/desk/").status_code == 200  # 29 minutes: still there
    _age(client, last_seen=31 * 60)
    response = client.get("/desk/?view=teams")
    assert response["Location"] == "/account/login/?next=%2Fdesk%2F%3Fview%3Dteams"
    page = client.get(response["Location"]).content.decode()
    assert "You have been signed out because you did nothing for 30 minutes" in page
    assert client.get("/desk/")["Location"].startswith("/account/login/")


def test_a_staff_session_ends_after_its_lifetime_however_busy(client, demo_site, settings):
    settings.CRM_STAFF_SESSION_SECONDS = 10 * 3600
    sign_in(client, person("kim"))
    _age(client, signed_in=10 * 3600 + 1, last_seen=5)
    response = client.get("/desk/")
    assert response["Location"].startswith("/account/login/")
    assert "more than 10 hours ago" in client.get(response["Location"]).content.decode()


def test_the_session_ends_with_the_browser(client, demo_site):
    sign_in(client, person("kim"))
    client.get("/desk/")
    assert client.session.get_expire_at_browser_close()
    assert client.cookies["sessionid"]["max-age"] == ""


def test_residents_keep_the_normal_session(client, demo_site):
    resident = person("robin", m.Role.RESIDENT)
    sign_in(client, resident)
    _age(client, signed_in=30 * 24 * 3600, last_seen=7 * 24 * 3600)
    assert client.get("/account/").status_code == 200


def test_a_password_change_signs_out_everywhere(demo_site):
    officer = person("kim")
    here, elsewhere = Client(), Client()
    sign_in(here, officer)
    sign_in(elsewhere, officer)
    assert elsewhere.get("/desk/").status_code == 200
    changed = here.post(
        "/account/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-pass-phrase",
            "password2": "a-new-long-pass-phrase",
        },
    )
    assert changed.status_code == 302
    assert elsewhere.get("/desk/")["Location"].startswith("/account/login/")
    assert here.get("/desk/")["Location"].startswith("/account/login/")
    assert not m.SignInSession.objects.filter(user=officer).exists()


@pytest.mark.django_db(transaction=True)  # allauth acts once the change is committed
def test_a_second_factor_change_ends_the_other_sessions(demo_site, require_mfa):
    officer = person("kim")
    here, elsewhere = Client(), Client()
    sign_in(here, officer)
    sign_in(elsewhere, officer)
    secret = here.get(SETUP).context["form"].secret
    assert here.post(SETUP, {"code": totp_code(secret)}).status_code == 302
    # this browser carries on; the other one is signed out
    assert here.get("/desk/").status_code == 200
    assert elsewhere.get("/desk/")["Location"].startswith("/account/login/")
    event = m.AuditEvent.objects.get(action=m.AuditAction.SESSIONS_ENDED)
    assert event.data["sessions"] == 1
    assert event.data["reason"] == "mfa/email/totp_activated"
    assert m.SignInSession.objects.filter(user=officer).count() == 1

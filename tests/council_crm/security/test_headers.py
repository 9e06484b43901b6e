"""Security headers and CSP-clean templates (issue 15 point 3, ADR 0021)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from apps.council_crm.middleware import permissions_policy

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIRS = [ROOT / "apps" / "council_crm" / "templates"]

# What a strict CSP blocks in markup. A <script> may only load a file (src=) or carry data
# (type="application/json", from json_script); no <style> block, style attribute, on* handler
# or javascript: URL.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*["'{]""", re.I)
HANDLER_ATTR = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def _templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def test_the_template_grep_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert STYLE_BLOCK.search("<style>p{}</style>")
    assert STYLE_ATTR.search('<p style="color:red">')
    assert HANDLER_ATTR.search('<a onclick="x()">')
    assert not HANDLER_ATTR.search('<a data-module="govuk-button">')
    assert JS_URL.search('<a href="javascript:void(0)">')


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (INLINE_SCRIPT, "an inline <script>"),
        (STYLE_BLOCK, "a <style> block"),
        (STYLE_ATTR, "a style attribute"),
        (HANDLER_ATTR, "an on* event handler"),
        (JS_URL, "a javascript: URL"),
    ],
)
def test_no_template_holds_inline_script_or_style(pattern, what):
    templates = _templates()
    assert len(templates) > 100
    found = [
        f"{p.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for p in templates
        for text in [p.read_text()]
        for m in pattern.finditer(text)
    ]
    assert found == [], f"{what} in templates (the CSP blocks it): {found}"


@pytest.mark.django_db
def test_every_page_carries_the_security_headers(client, demo_site):
    response = client.get("/")

    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if " " in d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"].split()[0] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_only_the_report_journey_may_ask_for_the_location(client, demo_site):
    report = client.get("/report/", follow=True)
    track = client.get("/track/")

    assert "geolocation=(self)" in report.headers["Permissions-Policy"]
    assert "geolocation=()" in track.headers["Permissions-Policy"]
    assert "geolocation=(self)" in permissions_policy("/report/abc/where/")
    assert "geolocation=()" in permissions_policy("/desk/")


def test_cookies_are_secure_httponly_and_samesite():
    # The test settings are production's (CRM_DEBUG unset, CRM_HTTPS unset = on).
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Strict"


@pytest.mark.django_db
def test_the_session_cookie_is_sent_with_its_flags(client, demo_site):
    response = client.get("/report/", follow=True)

    cookie = response.client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_hsts_over_https(client, demo_site):
    response = client.get("/", secure=True)

    assert (
        int(response.headers["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
        >= 31536000
    )

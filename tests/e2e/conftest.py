"""Browser tests: Debian's Chromium driven by Playwright, with axe-core checking every page."""

from __future__ import annotations

import json
import os
import re
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test carries the `e2e` marker, so `-m "not e2e"` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# Content Security Policy violations seen by any browser context of the running test: Chromium
# writes "Refused to ..." to the console for each, and the page's `securitypolicyviolation`
# event reports it again (with the directive) through a binding. Every test fails on one.
CSP_VIOLATIONS: list[str] = []
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}` +
    ` at ${e.sourceFile || e.documentURI}:${e.lineNumber}`);
});
"""


def watch_csp(context: object) -> object:
    """Record every CSP violation in this browser context's pages (see CSP_VIOLATIONS)."""

    def on_console(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text or text.startswith("Refused to"):
            CSP_VIOLATIONS.append(text)

    context.on("console", on_console)  # type: ignore[attr-defined]
    context.expose_binding(  # type: ignore[attr-defined]
        "__cspViolation",
        lambda source, text: CSP_VIOLATIONS.append(f"{source['page'].url}: {text}"),
    )
    context.add_init_script(_CSP_LISTENER)  # type: ignore[attr-defined]
    return context


# The contexts made with java_script_enabled=False (axe_violations checks their pages elsewhere).
NO_JS_CONTEXTS: weakref.WeakSet[object] = weakref.WeakSet()


class CSPWatchingBrowser:
    """The browser, whose every new context watches for CSP violations."""

    def __init__(self, browser: object) -> None:
        self._browser = browser

    def new_context(self, **kwargs: object) -> object:
        context = watch_csp(self._browser.new_context(**kwargs))  # type: ignore[attr-defined]
        if kwargs.get("java_script_enabled") is False:
            NO_JS_CONTEXTS.add(context)
        return context

    def __getattr__(self, name: str) -> object:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the live server's database
    # access happens in its own thread, the test's own ORM calls are synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    assert AXE.exists(), f"{AXE} is missing: `make test` runs npm ci"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield CSPWatchingBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def _no_abuse_limits(settings) -> None:
    """The browser tests send many reports from one address within the hour, and the cache
    that counts them is not emptied between transactional tests: no limits here
    (tests/council_crm/security/test_abuse.py tests them)."""
    settings.CRM_RATE_LIMITS = {}


@pytest.fixture(autouse=True)
def _no_csp_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test on any Content Security Policy violation in any of its pages."""
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    if found and "csp_violations_expected" not in request.keywords:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(found), pytrace=False)


@pytest.fixture
def page(browser, live_server, demo_site) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def _run_axe(page: object) -> list[dict[str, object]]:
    # axe-core is evaluated through the DevTools protocol, which the page's Content Security
    # Policy does not govern (a <script> added to the page would be inline, and refused).
    if page.evaluate("() => typeof window.axe === 'undefined'"):  # type: ignore[attr-defined]
        page.evaluate(AXE.read_text() + "\n;undefined")  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return result["violations"]


def axe_violations(page: object) -> list[dict[str, object]]:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page as it is now.

    axe-core needs JavaScript (its run waits on timers); when the page's context has it turned
    off, the page's HTML is checked in a JavaScript-enabled page of the same origin (so its
    stylesheets apply).
    """
    if page.context in NO_JS_CONTEXTS:  # type: ignore[attr-defined]
        html = page.content()  # type: ignore[attr-defined]
        origin = re.match(r"^https?://[^/]+", page.url)  # type: ignore[attr-defined]
        context = page.context.browser.new_context()  # type: ignore[attr-defined]
        try:
            helper = context.new_page()
            helper.goto(f"{origin.group(0) if origin else ''}/healthz")
            helper.set_content(html)
            return _run_axe(helper)
        finally:
            context.close()
    return _run_axe(page)


def assert_accessible(page: object) -> None:
    violations = axe_violations(page)
    summary = [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
    ]
    assert violations == [], f"axe-core found WCAG violations on {page.url}:\n" + json.dumps(  # type: ignore[attr-defined]
        summary, indent=2
    )


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path

"""A resident's report journey over HTTP, as a browser without JavaScript makes it.

One `Resident` keeps one keep-alive connection (http.client) and its cookies, reads the CSRF
token, the journey's URLs and the choices from each page, and times every request. Used by
portal_load.py for the whole-journey load test and to make real journeys to copy for the
final-POST test.
"""

from __future__ import annotations

import http.client
import random
import re
import time
from dataclasses import dataclass, field
from html import unescape as html_unescape
from urllib.parse import urlencode, urlsplit

INPUT = re.compile(r"<input\b[^>]*>")
TEXTAREA = re.compile(r"<textarea\b[^>]*\bname=\"([^\"]+)\"")
ATTR = re.compile(r"([a-zA-Z_:][-\w:.]*)=\"([^\"]*)\"")
STEP_URL = re.compile(r"^/report/([A-Za-z0-9_-]{16,40})/([a-z-]+)/")
REFERENCE = re.compile(r"\b[A-Z]{2,6}-\d{2,4}-\d{3,}\b")
STREETS = [
    "Church Street",
    "High Street",
    "Station Road",
    "Mill Lane",
    "Chapel Row",
    "Fernbridge Road",
    "Aldermoor",
]
NOT_LISTED = "none"  # portal/forms.py NOT_LISTED: "No, mine is a different problem"


class Deadline(Exception):
    """The load test's time is up: the journey stops where it is (not an error)."""


class UnexpectedResponse(Exception):
    def __init__(self, label: str, status: int, detail: str = "") -> None:
        super().__init__(f"{label}: HTTP {status} {detail}".strip())
        self.label = label
        self.status = status


@dataclass
class Page:
    status: int
    location: str
    body: str


@dataclass
class Form:
    """The inputs of a page's POST form: hidden and text values, radio and checkbox choices."""

    values: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: list[str] = field(default_factory=list)
    texts: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    textareas: list[str] = field(default_factory=list)


def parse_form(body: str) -> Form:
    start = body.find('<form method="post"')
    text = body[start:] if start >= 0 else body
    form = Form()
    for tag in INPUT.findall(text):
        attrs = {k: html_unescape(v) for k, v in ATTR.findall(tag)}
        attrs["_tag"] = tag
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            continue
        if kind == "radio":
            form.radios.setdefault(name, []).append(attrs.get("value", ""))
        elif kind == "checkbox":
            form.checkboxes.append(name)
        elif kind in ("hidden",):
            form.values[name] = attrs.get("value", "")
        elif kind in ("text", "email", "tel", "number"):
            form.texts.append((name, attrs))
    form.textareas = TEXTAREA.findall(text)
    return form


class Resident:
    """One simulated resident: a connection, cookies, and the timings of every request."""

    def __init__(self, base_url: str, rng: random.Random, number: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.rng = rng
        self.number = number
        self.timings: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.journeys = 0
        self.streets = STREETS
        self.deadline: float | None = None

    # --- HTTP -------------------------------------------------------------------------------

    def request(self, label: str, method: str, path: str, data: dict[str, str] | None = None):
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            raise Deadline
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            content = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # a closed keep-alive connection: once more on a new one
            t0 = time.perf_counter()
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            content = resp.read()
        self.timings.setdefault(label, []).append(time.perf_counter() - t0)
        for cookie in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        location = resp.headers.get("Location", "")
        if location.startswith("http"):
            location = urlsplit(location).path + (
                f"?{urlsplit(location).query}" if urlsplit(location).query else ""
            )
        return Page(resp.status, location, content.decode("utf-8", "replace"))

    def get(self, label: str, path: str, expect: int = 200) -> Page:
        page = self.request(label, "GET", path)
        if page.status != expect:
            raise UnexpectedResponse(label, page.status, path)
        return page

    def post(self, label: str, path: str, data: dict[str, str]) -> Page:
        page = self.request(label, "POST", path, data)
        if page.status != 302:
            raise UnexpectedResponse(label, page.status, _error_summary(page.body))
        return page

    # --- the journey ------------------------------------------------------------------------

    def journey(self, *, stop_at_check: bool = False) -> str:
        """Report one problem; the reference (or the check step's URL when stop_at_check)."""
        page = self.get("GET /report/", "/report/", expect=302)
        where = page.location.split("?")[0]
        if not STEP_URL.match(where):
            raise UnexpectedResponse("GET /report/", page.status, f"redirect to {where}")
        street = self.rng.choice(self.streets)
        page = self.get("GET where?q=", f"{where}?{urlencode({'q': street})}")
        form = parse_form(page.body)
        places = form.radios.get("place")
        if not places:
            raise UnexpectedResponse("GET where?q=", page.status, f"no place for {street}")
        data = {**form.values, "place": self.rng.choice(places)}
        path = self.post("POST where", where, data).location
        while True:
            step = STEP_URL.match(path)
            if step is None:
                raise UnexpectedResponse("redirect", 302, path)
            name = step.group(2)
            if name == "check" and stop_at_check:
                return path
            page = self.request(f"GET {name}", "GET", path)
            if page.status == 302:  # e.g. duplicates with nothing nearby
                path = page.location
                continue
            if page.status != 200:
                raise UnexpectedResponse(f"GET {name}", page.status, path)
            if name == "done":
                self.journeys += 1
                found = REFERENCE.search(page.body)
                if not found:
                    raise UnexpectedResponse("GET done", page.status, "no reference on the page")
                return found.group(0)
            data = self.answer(name, parse_form(page.body))
            path = self.post(f"POST {name}", path, data).location

    def answer(self, step: str, form: Form) -> dict[str, str]:
        data = dict(form.values)
        rng = self.rng
        for name, choices in form.radios.items():
            if name == "duplicate":
                data[name] = NOT_LISTED
            else:
                data[name] = rng.choice(choices)
        for name, attrs in form.texts:
            if step == "about-you":
                data[name] = {
                    "first_name": "Bench",
                    "last_name": f"Resident {self.number}",
                    "email": f"bench.resident{rng.randrange(20000)}@example.com",
                }.get(name, "")
            elif attrs.get("inputmode") == "decimal":
                data[name] = str(rng.randint(1, 9))
            elif re.search(r"\srequired[\s>/]", attrs["_tag"]):
                data[name] = "Opposite the bus stop"
        for name in form.textareas:
            data[name] = "Reported during the load test, outside number 12 by the bus stop."
        for name in form.checkboxes:
            if name == "share" and rng.random() < 0.5:
                data[name] = "on"
        return data


def _error_summary(body: str) -> str:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip()[:200] if found else ""

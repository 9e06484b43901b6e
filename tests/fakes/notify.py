"""A local fake of the GOV.UK Notify API: a real HTTP server on 127.0.0.1 in a thread.

It checks the JSON Web Token the real client signs (HS256, `iss` = service id, signed with the
key's secret, `iat` within 30 s), validates like Notify (UK mobile numbers, template, missing
personalisation) and answers with Notify's JSON bodies and error bodies. It records every
accepted notification, can fail the next N sends, answer slowly, or hold back one answer after
accepting the notification (the moment a worker can be killed). Never touches the internet.

    with FakeNotify() as notify:
        settings.CRM_NOTIFY_API_KEY = notify.api_key
        settings.CRM_NOTIFY_BASE_URL = notify.base_url
        settings.CRM_NOTIFY_SMS_TEMPLATE_ID = notify.sms_template_id
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")
TOKEN_BOUND_SECONDS = 30
FAILURES = {  # Notify's error and message for the failures a test can ask for
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
    503: ("Exception", "Internal server error"),
}


class NotifyError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def body(self) -> dict[str, Any]:
        return {
            "status_code": self.status,
            "errors": [{"error": self.error, "message": self.message}],
        }


def uk_mobile(number: str) -> str | None:
    """Notify's rule for UK mobiles: 07 and nine more digits, however it is written."""
    digits = re.sub(r"[\s().\-]", "", number).lstrip("+")
    if digits.startswith("0044"):
        digits = digits[2:]
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"07\d{9}", digits) else None


class FakeNotify:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"council_crm_test-{self.service_id}-{self.secret}"
        self.sms_template_id = str(uuid.uuid4())
        self.email_template_id = str(uuid.uuid4())
        self.templates: dict[str, dict[str, str]] = {
            self.sms_template_id: {"type": "sms", "body": "((body))", "subject": ""},
            self.email_template_id: {"type": "email", "body": "((body))", "subject": "((subject))"},
        }
        self.delay = delay
        self.notifications: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, int]] = []  # method, path with query, status
        self._failures: list[int] = []
        self._stall_at: int | None = None
        self._stalled = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ----------------------------------------------------------------------------

    def start(self) -> FakeNotify:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-notify",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeNotify:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, count: int, status: int = 500) -> None:
        """The next `count` sends (POSTs) fail with `status`, accepting nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def stall_after(self, count: int) -> None:
        """Accept the `count`-th notification, then hold its answer until release()/stop()."""
        self._stall_at = count
        self._stalled.clear()
        self._release.clear()

    def wait_stalled(self, timeout: float) -> bool:
        return self._stalled.wait(timeout)

    def release(self) -> None:
        self._release.set()

    # --- what it received -------------------------------------------------------------------

    @property
    def sms(self) -> list[dict[str, Any]]:
        return [n for n in self.notifications if n["type"] == "sms"]

    @property
    def emails(self) -> list[dict[str, Any]]:
        return [n for n in self.notifications if n["type"] == "email"]

    def reference_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(n["reference"] for n in self.notifications)

    def lookups(self) -> list[str]:
        return [path for method, path, _ in self.requests if method == "GET"]

    # --- the API ----------------------------------------------------------------------------

    def authenticate(self, header: str) -> None:
        if not header.startswith("Bearer "):
            raise NotifyError(
                401, "AuthError", "Unauthorized: authentication token must be provided"
            )
        token = header.removeprefix("Bearer ").strip()
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError as exc:
            raise NotifyError(403, "AuthError", "Invalid token: signature") from exc
        if "iss" not in unverified:
            raise NotifyError(403, "AuthError", "Invalid token: iss field not provided")
        if unverified["iss"] != self.service_id:
            raise NotifyError(403, "AuthError", "Invalid token: service not found")
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"require": ["iss", "iat"]},
                leeway=TOKEN_BOUND_SECONDS,
            )
        except jwt.InvalidTokenError as exc:
            raise NotifyError(
                403, "AuthError", "Invalid token: signature, api token not found"
            ) from exc
        if abs(time.time() - int(claims["iat"])) > TOKEN_BOUND_SECONDS:
            raise NotifyError(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )

    def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self._failures:
                status = self._failures.pop(0)
                raise NotifyError(status, *FAILURES.get(status, FAILURES[500]))
        template = self.templates.get(str(data.get("template_id", "")))
        if template is None or template["type"] != kind:
            raise NotifyError(400, "BadRequestError", "Template not found")
        personalisation = data.get("personalisation") or {}
        missing = [
            name
            for name in PLACEHOLDER.findall(template["body"] + template["subject"])
            if name not in personalisation
        ]
        if missing:
            raise NotifyError(
                400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
            )
        if kind == "sms":
            recipient = str(data.get("phone_number", ""))
            if uk_mobile(recipient) is None:
                raise NotifyError(400, "ValidationError", "phone_number Not a UK mobile number")
        else:
            recipient = str(data.get("email_address", ""))
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", recipient):
                raise NotifyError(400, "ValidationError", "email_address Not a valid email address")

        def fill(text: str) -> str:
            return PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), text)

        notification_id = str(uuid.uuid4())
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        notification = {
            "id": notification_id,
            "reference": data.get("reference"),
            "email_address": recipient if kind == "email" else None,
            "phone_number": recipient if kind == "sms" else None,
            **{f"line_{i}": None for i in range(1, 7)},
            "postcode": None,
            "type": kind,
            "status": "sending",
            "template": self._template_ref(str(data["template_id"])),
            "body": fill(template["body"]),
            "subject": fill(template["subject"]) if kind == "email" else None,
            "created_at": now,
            "created_by_name": None,
            "sent_at": now,
            "completed_at": None,
            "scheduled_for": None,
            "postage": None,
            "one_click_unsubscribe_url": None,
        }
        with self._lock:
            self.notifications.append(notification)
            accepted = len(self.notifications)
        content: dict[str, Any] = {"body": notification["body"]}
        if kind == "sms":
            content["from_number"] = "Fernshire"
        else:
            content.update(subject=notification["subject"], from_email="fernshire@notify.example")
        response = {
            "id": notification_id,
            "reference": notification["reference"],
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": notification["template"],
            "scheduled_for": None,
        }
        # Accepted and stored: from here on, the caller dying does not undo it.
        if self._stall_at is not None and accepted == self._stall_at:
            self._stalled.set()
            self._release.wait(timeout=60)
        if self.delay:
            time.sleep(self.delay)
        return response

    def list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        with self._lock:
            found = list(reversed(self.notifications))  # newest first, as Notify does
        if reference := query.get("reference", [None])[0]:
            found = [n for n in found if n["reference"] == reference]
        if kinds := query.get("template_type"):
            found = [n for n in found if n["type"] in kinds]
        if statuses := query.get("status"):
            found = [n for n in found if n["status"] in statuses]
        if older_than := query.get("older_than", [None])[0]:
            ids = [n["id"] for n in found]
            found = found[ids.index(older_than) + 1 :] if older_than in ids else []
        page = found[:250]
        links = {"current": f"{self.base_url}/v2/notifications"}
        if len(found) > 250:
            links["next"] = f"{self.base_url}/v2/notifications?older_than={page[-1]['id']}"
        return {"notifications": page, "links": links}

    def get(self, notification_id: str) -> dict[str, Any]:
        with self._lock:
            for notification in self.notifications:
                if notification["id"] == notification_id:
                    return notification
        raise NotifyError(404, "NoResultFound", "No result found")

    def _template_ref(self, template_id: str) -> dict[str, Any]:
        return {
            "id": template_id,
            "version": 1,
            "uri": f"{self.base_url}/v2/template/{template_id}",
        }


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeNotify/1.0"

    @property
    def fake(self) -> FakeNotify:
        return self.server.fake  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        try:
            self.fake.authenticate(self.headers.get("Authorization", ""))
            if method == "POST" and url.path in (
                "/v2/notifications/sms",
                "/v2/notifications/email",
            ):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    data = json.loads(self.rfile.read(length) or b"{}")
                except ValueError as exc:
                    raise NotifyError(400, "BadRequestError", "Invalid JSON supplied") from exc
                status, body = 201, self.fake.create(url.path.rsplit("/", 1)[1], data)
            elif method == "GET" and url.path == "/v2/notifications":
                status, body = 200, self.fake.list(parse_qs(url.query))
            elif method == "GET" and url.path.startswith("/v2/notifications/"):
                status, body = 200, self.fake.get(url.path.rsplit("/", 1)[1])
            else:
                raise NotifyError(404, "NotFound", "The requested URL was not found on the server.")
        except NotifyError as exc:
            status, body = exc.status, exc.body()
        self.fake.requests.append((method, self.path, status))
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (killed worker); what was accepted stays accepted

    def log_message(self, format: str, *args: Any) -> None:
        pass

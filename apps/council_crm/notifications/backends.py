"""Channel backends: email (Django's mail or GOV.UK Notify) and SMS (GOV.UK Notify or capture).

Each backend can `send(message)` and, where the provider can be asked, `find_sent(message)`:
whether the provider already accepted this outbox message (looked up by a reference that is
deterministic per outbox row). `outbox.py` asks before re-sending anything that may already have
reached the provider; `can_confirm` says whether asking means anything.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections import deque
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError

from apps.council_crm.models import NotificationChannel, OutboxMessage

logger = logging.getLogger(__name__)

NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"

# Django email backends whose sent messages can be read back, so a recovery can check for the
# Message-ID before re-sending. SMTP cannot be asked (see outbox.py).
_LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
_FILEBASED = "django.core.mail.backends.filebased.EmailBackend"


class DeliveryError(Exception):
    """The provider did not take the message."""


class PermanentError(DeliveryError):
    """Sending again will not help (invalid recipient, rejected request): fail at once."""


class TransientError(DeliveryError):
    """Try again later (rate limit, provider down, network, timeout)."""


class ChannelBackend(Protocol):
    can_confirm: bool

    def send(self, message: OutboxMessage) -> str:
        """Hand the message to the provider; return the provider's id for it."""

    def find_sent(self, message: OutboxMessage) -> str | None:
        """The provider's id if it already accepted this message, else None."""


def message_token(message: OutboxMessage) -> str:
    """Deterministic per outbox row, and different after a database reset reuses ids and keys."""
    seed = f"{message.pk}|{message.dedupe_key}|{message.created_at.isoformat()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:20]


def provider_reference(message: OutboxMessage) -> str:
    """The `reference` given to GOV.UK Notify; readable in Notify's dashboard."""
    return f"{message.dedupe_key}~{message_token(message)}"


def message_id(message: OutboxMessage) -> str:
    """The email Message-ID: the same on every attempt, so a re-send is recognisably the same."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<crm.{message.pk}.{message_token(message)}@{domain}>"


# --- Email through Django's mail framework -------------------------------------------------


class DjangoEmailBackend:
    """Plain-text email through settings.EMAIL_BACKEND (SMTP in production, locmem in tests)."""

    def __init__(self) -> None:
        self.can_confirm = settings.EMAIL_BACKEND in (_LOCMEM, _FILEBASED)

    def send(self, message: OutboxMessage) -> str:
        msgid = message_id(message)
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": msgid},
            # A connection per message: the file backend only flushes on close, and each
            # message's fate must be settled before the next one starts.
            connection=get_connection(fail_silently=False, timeout=_send_timeout()),
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(error) from exc
            raise TransientError(error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:  # Django rejects malformed addresses and header injection
            raise PermanentError(str(exc)) from exc
        return msgid

    def find_sent(self, message: OutboxMessage) -> str | None:
        msgid = message_id(message)
        if settings.EMAIL_BACKEND == _LOCMEM:
            for sent in getattr(mail, "outbox", []):
                if sent.extra_headers.get("Message-ID") == msgid:
                    return msgid
            return None
        if settings.EMAIL_BACKEND == _FILEBASED:
            needle = f"Message-ID: {msgid}".encode()
            for path in sorted(Path(getattr(settings, "EMAIL_FILE_PATH", "")).glob("*.log")):
                if needle in path.read_bytes():
                    return msgid
            return None
        raise NotImplementedError("this email backend cannot be asked what it has sent")


def _send_timeout() -> float:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    return float(timeout if timeout is not None else _notify_timeout())


# --- GOV.UK Notify -------------------------------------------------------------------------


def _notify_timeout() -> float:
    return float(getattr(settings, "CRM_NOTIFY_TIMEOUT", 10))


def _notify_client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.CRM_NOTIFY_API_KEY,
        base_url=getattr(settings, "CRM_NOTIFY_BASE_URL", "") or NOTIFY_BASE_URL,
        timeout=_notify_timeout(),
    )


def _notify_error(exc: APIError) -> DeliveryError:
    """400/403 (and other 4xx) mean the request itself is wrong; 429, 5xx and network: retry."""
    status = exc.status_code
    text = f"GOV.UK Notify {status}: {exc.message}"
    if 400 <= status < 500 and status not in (408, 429):
        return PermanentError(text)
    return TransientError(text)


class _NotifyBackend:
    """Common ground: GOV.UK Notify accepts a reference we choose and can be asked for it."""

    can_confirm = True
    template_type = ""

    def __init__(self, template_id: str) -> None:
        if not template_id:
            raise ImproperlyConfigured(
                f"CRM_NOTIFY_{self.template_type.upper()}_TEMPLATE_ID must be set to the id of "
                "a Notify template whose whole content is ((body))"
            )
        self.template_id = template_id
        # One client per backend instance: the client is not thread-safe.
        self.client = _notify_client()

    def _post(self, message: OutboxMessage) -> dict:
        raise NotImplementedError

    def send(self, message: OutboxMessage) -> str:
        try:
            response = self._post(message)
        except APIError as exc:
            raise _notify_error(exc) from exc
        return str(response["id"])

    def find_sent(self, message: OutboxMessage) -> str | None:
        reference = provider_reference(message)
        try:
            found = self.client.get_all_notifications(
                template_type=self.template_type, reference=reference
            )
        except APIError as exc:
            raise _notify_error(exc) from exc
        for notification in found.get("notifications", []):
            if notification.get("reference") == reference:
                return str(notification["id"])
        return None


class NotifySmsBackend(_NotifyBackend):
    template_type = "sms"

    def __init__(self) -> None:
        super().__init__(getattr(settings, "CRM_NOTIFY_SMS_TEMPLATE_ID", ""))

    def _post(self, message: OutboxMessage) -> dict:
        return self.client.send_sms_notification(
            phone_number=message.recipient,
            template_id=self.template_id,
            personalisation={"body": message.body},
            reference=provider_reference(message),
        )


class NotifyEmailBackend(_NotifyBackend):
    """Email through Notify (template content ((body)), subject ((subject))): never sent twice."""

    template_type = "email"

    def __init__(self) -> None:
        super().__init__(getattr(settings, "CRM_NOTIFY_EMAIL_TEMPLATE_ID", ""))

    def _post(self, message: OutboxMessage) -> dict:
        return self.client.send_email_notification(
            email_address=message.recipient,
            template_id=self.template_id,
            personalisation={"subject": message.subject, "body": message.body},
            reference=provider_reference(message),
        )


# --- Local capture (no Notify account: the demo and development) ---------------------------

CAPTURED_SMS_KEPT = 500
captured_sms: deque[dict[str, str]] = deque(maxlen=CAPTURED_SMS_KEPT)
"""The last texts 'sent' without Notify in this process, like django.core.mail.outbox for
email; a long-running demo server keeps only the newest `CAPTURED_SMS_KEPT` (all are logged)."""


class CaptureSmsBackend:
    """Logs the text and keeps it in `captured_sms`; nothing leaves the machine."""

    # The list lives in one process: a worker killed mid-send takes its memory with it.
    can_confirm = False

    def send(self, message: OutboxMessage) -> str:
        provider_id = f"capture-{message_token(message)}"
        captured_sms.append(
            {
                "id": provider_id,
                "phone_number": message.recipient,
                "body": message.body,
                "reference": provider_reference(message),
            }
        )
        logger.info("SMS (captured, not sent) to %s: %s", message.recipient, message.body)
        return provider_id

    def find_sent(self, message: OutboxMessage) -> str | None:
        raise NotImplementedError("the capture cannot see other processes")


def _email_via_notify() -> bool:
    return bool(
        getattr(settings, "CRM_NOTIFY_API_KEY", "")
        and getattr(settings, "CRM_NOTIFY_EMAIL_TEMPLATE_ID", "")
    )


def provider_timeout(channel: str) -> float:
    """The longest one request to the channel's provider can take (the lease must outlast it)."""
    if channel == NotificationChannel.EMAIL and not _email_via_notify():
        return _send_timeout()
    return _notify_timeout()


def backend_for(channel: str) -> ChannelBackend:
    """The backend settings choose for a channel.

    SMS: GOV.UK Notify when CRM_NOTIFY_API_KEY is set, else the local capture.
    Email: GOV.UK Notify when the key and CRM_NOTIFY_EMAIL_TEMPLATE_ID are set, else Django's
    EMAIL_BACKEND.
    """
    api_key = getattr(settings, "CRM_NOTIFY_API_KEY", "")
    if channel == NotificationChannel.SMS:
        return NotifySmsBackend() if api_key else CaptureSmsBackend()
    if channel == NotificationChannel.EMAIL:
        return NotifyEmailBackend() if _email_via_notify() else DjangoEmailBackend()
    raise ImproperlyConfigured(f"no backend for channel {channel!r}")

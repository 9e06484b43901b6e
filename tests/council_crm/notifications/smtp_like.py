"""An email backend that, like SMTP, delivers but cannot be asked afterwards what it delivered."""

from __future__ import annotations

from email.message import Message

from django.core.mail.backends.base import BaseEmailBackend

delivered: list[Message] = []


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for email in email_messages:
            delivered.append(email.message())
        return len(email_messages)

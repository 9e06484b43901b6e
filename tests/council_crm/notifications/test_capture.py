"""The local SMS capture (no Notify account): logged, and kept only for the newest texts."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from apps.council_crm.notifications import backends


def test_the_capture_keeps_the_newest_texts_and_no_more(caplog):
    backend = backends.CaptureSmsBackend()
    total = backends.CAPTURED_SMS_KEPT + 20

    for n in range(total):
        message = SimpleNamespace(
            pk=n,
            dedupe_key=f"k{n}",
            created_at=datetime(2026, 12, 7, tzinfo=UTC),
            recipient="07700900123",
            body=f"text {n}",
        )
        backend.send(message)  # type: ignore[arg-type]

    assert len(backends.captured_sms) == backends.CAPTURED_SMS_KEPT
    assert backends.captured_sms[0]["body"] == "text 20"
    assert backends.captured_sms[-1]["body"] == f"text {total - 1}"
    assert f"text {total - 1}" in caplog.text  # every text is still logged

"""A real worker process killed (SIGKILL) mid-send: nothing is lost and nothing is sent twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.council_crm.models import CaseEvent, OutboxMessage
from apps.council_crm.notifications import message_queue
from apps.council_crm.notifications.backends import provider_reference
from tests.fakes.notify import FakeNotify

pytestmark = pytest.mark.slow  # real worker processes, killed mid-send

MESSAGES = 30
KILL_AT = 10  # Notify accepts the 10th text and is holding its answer when the worker dies


class WorkerDatabase:
    """The database the worker processes share with the test.

    PostgreSQL: the test database itself. SQLite: the test database lives in this process's
    memory, so the workers get a file copy, and the result is copied back for the assertions.
    """

    def __init__(self, directory: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.name = str(directory / "worker.sqlite3")
            connection.ensure_connection()
            with closing(sqlite3.connect(self.name)) as target:
                connection.connection.backup(target)
        else:
            self.name = str(connection.settings_dict["NAME"])

    def statuses(self) -> dict[str, str]:
        sql = f"SELECT dedupe_key, status FROM {OutboxMessage._meta.db_table}"  # noqa: S608
        if self.sqlite:
            with closing(sqlite3.connect(self.name, timeout=10)) as db:
                return dict(db.execute(sql).fetchall())
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return dict(cursor.fetchall())

    def copy_back(self) -> None:
        if self.sqlite:
            with closing(sqlite3.connect(self.name)) as source:
                source.backup(connection.connection)


class Processes:
    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory, self.env, self.running = directory, env, []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running.append((process, log))
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.directory.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process, _log in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, log in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_for(condition, timeout: float, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{processes.logs()}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_never_sends_a_text_twice(case, templates, tmp_path):
    with FakeNotify(delay=0.02) as notify:
        # given: 30 texts queued by one service call; its commit enqueued the send tasks
        with transaction.atomic():
            messages = [
                message_queue(
                    event="acknowledgement",
                    channel="sms",
                    recipient=f"07700 900{n:03d}",
                    context={"track_url": "https://crm.example/track/"},
                    dedupe_key=f"killed-worker-{n}",
                    case=case,
                    citizen=case.citizen,
                )
                for n in range(MESSAGES)
            ]
        database = WorkerDatabase(tmp_path)
        worker_settings = {
            "CRM_NOTIFY_API_KEY": notify.api_key,
            "CRM_NOTIFY_BASE_URL": notify.base_url,
            "CRM_NOTIFY_SMS_TEMPLATE_ID": notify.sms_template_id,
            # Long enough that the held answer never times out before the kill; the lease
            # becomes 2 x 1.5 + 1 = 4 s.
            "CRM_NOTIFY_TIMEOUT": 1.5,
            "CRM_OUTBOX_LEASE_SECONDS": 1,
            "CRM_OUTBOX_BACKOFF_SECONDS": 0.2,
        }
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.council_crm.notifications.worker_settings",
            "CRM_TEST_WORKER_DB": database.name,
            "CRM_TEST_WORKER_SETTINGS": json.dumps(worker_settings),
            "PYTHONUNBUFFERED": "1",
        }
        processes = Processes(tmp_path, env)
        worker = ["db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"]
        try:
            # when: the worker dies after Notify accepted a text, before it recorded it
            notify.stall_after(KILL_AT)
            first = processes.start("worker-1", *worker)
            wait_for(lambda: notify.wait_stalled(0.05), 30, "the first worker to send", processes)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            notify.release()

            accepted = [n["reference"] for n in notify.sms]
            at_kill = database.statuses()
            stranded = accepted[-1]
            assert len(accepted) == KILL_AT
            assert sum(status == "sent" for status in at_kill.values()) == KILL_AT - 1
            assert at_kill[stranded.split("~")[0]] != "sent"  # accepted, but not recorded

            # and: a new worker starts, with the scheduler beside it (as bin/serve runs them)
            processes.start("worker-2", *worker)
            processes.start("scheduler", "crm_scheduler", "--interval", "0.5")
            wait_for(
                lambda: set(database.statuses().values()) == {"sent"},
                30,
                "every message to be sent",
                processes,
            )
        finally:
            processes.stop_all()

        # then: Notify received every text exactly once
        received = Counter(n["reference"] for n in notify.sms)
        assert received == Counter({provider_reference(m): 1 for m in messages}), processes.logs()
        assert Counter(n["phone_number"] for n in notify.sms) == Counter(
            f"07700 900{n:03d}" for n in range(MESSAGES)
        )
        # and the recovery asked Notify about the stranded text instead of sending it again
        assert any("killed-worker" in path for path in notify.lookups())

    database.copy_back()
    by_reference = {n["reference"]: n["id"] for n in notify.sms}
    for message in OutboxMessage.objects.all():
        assert message.status == OutboxMessage.Status.SENT
        assert message.provider_reference == by_reference[provider_reference(message)]
    assert CaseEvent.objects.filter(case=case, kind="notification").count() == MESSAGES

"""Background tasks and the scheduler that enqueues the periodic run."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from apps.council_crm import tasks
from apps.council_crm.management.commands.crm_scheduler import Command as Scheduler
from apps.council_crm.models import OutboxMessage
from apps.council_crm.notifications import message_queue, outbox

job_calls: list[str] = []


def a_periodic_job() -> int:
    job_calls.append("ran")
    return 3


def a_broken_periodic_job() -> None:
    raise ValueError("escalation is broken")


def queue_emails(case, count):
    for n in range(count):
        message_queue(
            event="acknowledgement",
            channel="email",
            recipient=f"resident{n}@example.org",
            context={},
            dedupe_key=f"task-{n}",
            case=case,
        )


@pytest.mark.django_db
def test_outbox_send_sends_everything_due(case, templates):
    queue_emails(case, 3)

    assert outbox.outbox_send.call() == 3

    assert sorted(m.to[0] for m in mail.outbox) == [
        "resident0@example.org",
        "resident1@example.org",
        "resident2@example.org",
    ]
    assert outbox.outbox_send.call() == 0


@pytest.mark.django_db
def test_periodic_run_runs_the_registered_jobs_and_the_outbox(case, templates, monkeypatch):
    monkeypatch.setattr(tasks, "PERIODIC_JOBS", [a_periodic_job])
    job_calls.clear()
    queue_emails(case, 1)

    result = tasks.periodic_run.call()

    assert job_calls == ["ran"]
    assert result == {f"{__name__}.a_periodic_job": 3, "outbox": 1}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others_but_the_run_reports_it(
    case, templates, monkeypatch
):
    monkeypatch.setattr(
        tasks,
        "PERIODIC_JOBS",
        [a_broken_periodic_job, a_periodic_job],
    )
    job_calls.clear()
    queue_emails(case, 1)

    with pytest.raises(RuntimeError, match="a_broken_periodic_job"):
        tasks.periodic_run.call()

    assert job_calls == ["ran"]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_scheduler_once_enqueues_one_periodic_run():
    call_command("crm_scheduler", "--once")

    task = DBTaskResult.objects.get()
    assert task.task_path == "apps.council_crm.tasks.periodic_run"
    assert task.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_scheduler_does_not_pile_up_runs_that_no_worker_has_started():
    scheduler = Scheduler()

    first = scheduler._enqueue(None)
    again = scheduler._enqueue(first)

    assert again.id == first.id
    assert DBTaskResult.objects.count() == 1

    DBTaskResult.objects.filter(id=first.id).update(status=TaskResultStatus.SUCCESSFUL)
    scheduler._enqueue(again)

    assert DBTaskResult.objects.count() == 2

"""Background work (django-tasks): thin and idempotent; every task calls services."""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string
from django_tasks import task

from apps.council_crm.notifications.outbox import outbox_dispatch

logger = logging.getLogger(__name__)

# Jobs for `periodic_run`: dotted paths of callables that take no arguments and are safe to run
# again at any time (e.g. SLA escalation, auto-closing resolved cases). Add yours here.
PERIODIC_JOBS: list[str] = [
    "apps.council_crm.services.intake.reports_log",  # any web report whose task was lost
    "apps.council_crm.services.cases.cases_escalate",
    "apps.council_crm.services.cases.cases_autoclose",
    "apps.council_crm.services.privacy.cases_retention_run",
    "apps.council_crm.services.motions.motion_actions_remind",
    "apps.council_crm.services.motions.motions_monthly_reports_run",
    "apps.council_crm.tasks.portal_uploads_purge",
]

# One task sends at most this many batches, so that other tasks get a turn; the next task or
# periodic run carries on.
OUTBOX_SEND_BATCHES = 20


def _drain_outbox() -> int:
    sent = 0
    for _ in range(OUTBOX_SEND_BATCHES):
        claimed = outbox_dispatch()
        sent += claimed
        if not claimed:
            break
    return sent


@task()
def outbox_send() -> int:
    """Send what is due in the outbox. Enqueued after each commit that queued a message."""
    return _drain_outbox()


# One logging task logs at most this many reports, so that other tasks (the acknowledgements
# in the outbox) get a turn: if more wait, it queues the next logging task at the ordinary
# priority, behind the tasks already queued.
REPORTS_PER_TASK = 200


# Logging reports goes first: a report is in no one's queue until it is a case, while the
# resident already has the reference the acknowledgement repeats.
@task(priority=10)
def reports_log_task() -> int:
    """Log the web reports waiting as cases (ADR 0013)."""
    from apps.council_crm.services.intake import (
        reports_in_flight_wait,
        reports_log,
        reports_waiting,
    )

    logged = reports_log(limit=REPORTS_PER_TASK)
    if reports_waiting():
        reports_log_task.using(priority=0).enqueue()
        return logged
    # reports sent while this task was queued wrote no task of their own: a last look once
    # they have all committed
    reports_in_flight_wait()
    return logged + reports_log(limit=REPORTS_PER_TASK)


@task()
def periodic_run() -> dict[str, object]:
    """Run the periodic jobs, then send (and recover) what is due in the outbox.

    Enqueued every 30 s by `manage.py crm_scheduler`. A failing job does not stop the others;
    the task fails at the end so that the failure shows in the task results.
    """
    results: dict[str, object] = {}
    failed: list[str] = []
    for path in PERIODIC_JOBS:
        try:
            value = import_string(path)()
        except Exception:
            logger.exception("Periodic job %s failed", path)
            failed.append(path)
            continue
        results[path] = value if isinstance(value, int | float | str | bool | None) else repr(value)
    results["outbox"] = _drain_outbox()
    if failed:
        raise RuntimeError(f"periodic jobs failed: {', '.join(failed)} (results: {results})")
    return results


def portal_uploads_purge() -> int:
    """Photos of report journeys left unsent for a day are personal data: delete them."""
    from datetime import timedelta

    from apps.council_crm.portal.report import purge_abandoned_uploads

    return purge_abandoned_uploads(older_than=timedelta(hours=24))

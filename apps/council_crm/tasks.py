"""Background work (django-tasks): the periodic run and its jobs. It only schedules.

The tasks that do the work live with their services (`notifications.outbox.outbox_send`,
`services.intake.reports_log_task`); this module runs the periodic jobs, enqueued every 30 s
by `manage.py crm_scheduler`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.cache import cache
from django_tasks import task

from apps.council_crm.notifications.outbox import outbox_drain
from apps.council_crm.selectors.member_mi import mi_warm
from apps.council_crm.services.cases import cases_autoclose, cases_escalate
from apps.council_crm.services.intake import abandoned_uploads_purge, reports_log
from apps.council_crm.services.member import member_digests_run
from apps.council_crm.services.motions import motion_actions_remind, motions_monthly_reports_run
from apps.council_crm.services.privacy import cases_retention_run
from apps.council_crm.services.rollups import rollups_due, rollups_rebuild

logger = logging.getLogger(__name__)

ROLLUPS_QUEUED = "council_crm:member-rollups-queued"


@task()
def member_rollups_rebuild() -> int:
    """Rebuild the management information roll-ups (a minute or so at 1,000,000 cases: a task
    of its own, so the periodic run and the outbox are not held up). Returns the rows."""
    try:
        rows = rollups_rebuild().rows
    finally:
        cache.delete(ROLLUPS_QUEUED)
    mi_warm()
    return rows


def member_rollups_enqueue() -> int:
    """The periodic job: enqueue a rebuild when one is due and none is waiting (1 if so)."""
    if not rollups_due() or not cache.add(ROLLUPS_QUEUED, 1, timeout=3 * 3600):
        return 0
    member_rollups_rebuild.enqueue()
    return 1


# Jobs for `periodic_run`: callables that take no arguments and are safe to run again at any
# time (e.g. SLA escalation, auto-closing resolved cases). Add yours here.
PERIODIC_JOBS: list[Callable[[], object]] = [
    reports_log,  # any web report whose task was lost
    cases_escalate,
    cases_autoclose,
    cases_retention_run,
    motion_actions_remind,
    motions_monthly_reports_run,
    abandoned_uploads_purge,  # photos of report journeys left unsent for a day
    member_digests_run,  # councillors' weekly digests, once a week each
    member_rollups_enqueue,  # the member portal's management information, daily and 6-hourly
]


def job_name(job: Callable[[], object]) -> str:
    """How a job is named in the run's results and logs: its dotted path."""
    return f"{job.__module__}.{job.__qualname__}"


@task()
def periodic_run() -> dict[str, object]:
    """Run the periodic jobs, then send (and recover) what is due in the outbox.

    Enqueued every 30 s by `manage.py crm_scheduler`. A failing job does not stop the others;
    the task fails at the end so that the failure shows in the task results.
    """
    results: dict[str, object] = {}
    failed: list[str] = []
    for job in PERIODIC_JOBS:
        name = job_name(job)
        try:
            value = job()
        except Exception:
            logger.exception("Periodic job %s failed", name)
            failed.append(name)
            continue
        results[name] = value if isinstance(value, int | float | str | bool | None) else repr(value)
    results["outbox"] = outbox_drain()
    if failed:
        raise RuntimeError(f"periodic jobs failed: {', '.join(failed)} (results: {results})")
    return results

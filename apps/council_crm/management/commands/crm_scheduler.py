"""The clock for background work: enqueue `periodic_run` every N seconds (beside db_worker)."""

from __future__ import annotations

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django_tasks import TaskResult, TaskResultStatus

from apps.council_crm.tasks import periodic_run

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Enqueue the periodic run (outbox recovery and the jobs in tasks.PERIODIC_JOBS) every "
        "--interval seconds (among them the rebuild of the member portal's management "
        "information roll-ups when due). Run one scheduler per deployment, beside "
        "`manage.py db_worker`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between runs (default 30)"
        )
        parser.add_argument("--once", action="store_true", help="enqueue one run and exit")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        if interval <= 0:
            raise CommandError("--interval must be more than 0")
        if once:
            self._enqueue(None)
            return
        self.stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._shutdown)
        self.stdout.write(f"Scheduler started: periodic run every {interval:g} s.")
        last: TaskResult | None = None
        while True:
            # A long-running process: drop connections the database has closed meanwhile.
            close_old_connections()
            try:
                last = self._enqueue(last)
            except DatabaseError:
                logger.exception("Could not enqueue the periodic run; trying again")
            if self.stop.wait(interval):
                break
        close_old_connections()

    def _enqueue(self, last: TaskResult | None) -> TaskResult:
        """Enqueue a run, unless the previous one is still waiting for a worker."""
        if last is not None and periodic_run.get_backend().supports_get_result:
            last.refresh()
            if last.status == TaskResultStatus.READY:
                logger.info("Previous periodic run %s not started yet; not adding another", last.id)
                return last
        result = periodic_run.enqueue()
        logger.debug("Enqueued periodic run %s", result.id)
        return result

    def _shutdown(self, signum: int, frame: FrameType | None) -> None:
        self.stop.set()

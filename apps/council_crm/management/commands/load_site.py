"""Load the site's reference data (divisions, catalogue, people) from fixtures/."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.council_crm.demo.casework import demo_workload_ensure
from apps.council_crm.demo.motions import demo_register_load
from apps.council_crm.demo.workload import DEMO_PASSWORD, demo_users_ensure
from apps.council_crm.services.site_setup import FixtureError, site_load


class Command(BaseCommand):
    help = "Load (or bring up to date) this site's reference data. Safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Also give one user per role the published demo password (demo sites only).",
        )
        parser.add_argument(
            "--demo-workload",
            action="store_true",
            help="Also load the demo workload (about 2,000 cases over 18 months, recent "
            "casework through the real services) unless it is there already (demo sites only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = settings.CRM_SITE
        try:
            with transaction.atomic():  # the register with the reference data, as one
                report = site_load(site=site)
                demo_register_load(site=site, report=report)
        except FixtureError as exc:
            raise CommandError(str(exc)) from exc
        if report.changed:
            for label, counts in (("created", report.created), ("updated", report.updated)):
                for name, n in sorted(counts.items()):
                    self.stdout.write(f"{label} {n} {name}")
        else:
            self.stdout.write(f"{site.name}: reference data already up to date")
        if options["demo_users"]:
            for role, username in demo_users_ensure():
                self.stdout.write(f"demo sign-in: {role:<28} {username}")
            self.stdout.write(
                f"Every demo sign-in above has the password {DEMO_PASSWORD} (demo site only); "
                "sign in at /account/login/ or /admin/."
            )
        if options["demo_workload"]:
            loaded = demo_workload_ensure()
            if loaded.loaded:
                self.stdout.write(
                    f"demo workload: {loaded.history:,} cases of history and {loaded.recent} "
                    f"recent cases worked through the services in {loaded.seconds:.0f} s; "
                    f"{loaded.marked_sent} messages to residents and staff marked sent"
                )
            else:
                self.stdout.write("demo workload: already loaded")

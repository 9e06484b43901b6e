"""Subject access export for the data protection officer, until the desk page exists."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.council_crm.models import Citizen, User
from apps.council_crm.services.privacy import citizen_export


def actor_named(username: str | None) -> User | None:
    if not username:
        return None
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist as exc:
        raise CommandError(f"No user {username!r}") from exc


class Command(BaseCommand):
    help = "Write everything held about one citizen to a zip (JSON, CSV, summary.html)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--citizen", type=int, required=True, help="The citizen's id.")
        parser.add_argument("--out", required=True, help="The zip file to write.")
        parser.add_argument("--actor", help="Username of the officer making the export.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["actor"])
        citizen = Citizen.objects.filter(pk=options["citizen"]).first()
        if citizen is None:
            raise CommandError(f"No citizen {options['citizen']}")
        out = Path(options["out"])
        data = citizen_export(citizen=citizen, actor=actor)
        out.write_bytes(data)
        self.stdout.write(f"Wrote {len(data)} bytes to {out}")

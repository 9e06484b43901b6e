"""Erasure for the data protection officer, until the desk page exists."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.council_crm.models import Citizen
from apps.council_crm.services.privacy import citizen_anonymise

from .privacy_export import actor_named


class Command(BaseCommand):
    help = "Erase a citizen's personal data (their cases stay, anonymised, for statistics)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--citizen", type=int, required=True, help="The citizen's id.")
        parser.add_argument(
            "--reason", required=True, help="Why (kept in the audit log: no names or contacts)."
        )
        parser.add_argument("--actor", help="Username of the officer making the erasure.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_named(options["actor"])
        citizen = Citizen.objects.filter(pk=options["citizen"]).first()
        if citizen is None:
            raise CommandError(f"No citizen {options['citizen']}")
        try:
            tombstone = citizen_anonymise(citizen=citizen, actor=actor, reason=options["reason"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        counts = tombstone.data.get("counts", {})
        self.stdout.write(f"Citizen {citizen.pk} anonymised (audit event {tombstone.pk})")
        for name, n in counts.items():
            self.stdout.write(f"  {name}: {n}")
        if not counts:
            self.stdout.write("  nothing left to erase")

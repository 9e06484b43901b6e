"""Exports of what a role may see: one case and its timeline as CSV, for the desk and members."""

from __future__ import annotations

import csv
import io

from apps.council_crm.models import ServiceRequest, User
from apps.council_crm.selectors.cases import timeline_for


def case_csv_for(*, user: User, case: ServiceRequest) -> str:
    """The case and the part of its timeline this user may see; the caller checked `can`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reference", "category", "status", "created", "division", "description"])
    writer.writerow(
        [
            case.reference,
            case.category.name,
            case.status.name,
            case.created_at.isoformat(),
            case.division.name if case.division else "",
            case.description,
        ]
    )
    writer.writerow([])
    writer.writerow(["when", "kind", "public", "message"])
    for event in timeline_for(user=user, case=case):
        writer.writerow([event.created_at.isoformat(), event.kind, event.is_public, event.message])
    return out.getvalue()

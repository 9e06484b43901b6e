"""Personal data: the subject access export (a zip of every registered row, files, summary)."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename

from apps.council_crm.models import AuditAction, Citizen, User
from apps.council_crm.personal_data import PERSONAL_DATA, Holder, holder
from apps.council_crm.selectors.privacy import personal_rows, subject_access_summary
from apps.council_crm.services.audit import audit_record


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _export_rows(h: Holder, qs: QuerySet[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    fields = [f for f in h.model_class._meta.concrete_fields if f.name not in h.export_exclude]
    columns = [f.attname for f in fields]
    rows = [{c: _plain(getattr(obj, c)) for c in columns} for obj in qs]
    return columns, rows


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                for k, v in row.items()
            }
        )
    return out.getvalue()


README = """\
Your personal data held by {council}
{underline}

Prepared on {date} in answer to a subject access request (UK GDPR / GDPR Article 15).

summary.html
    A readable page with your details, your cases and their timelines (updates shown to
    you and internal notes by staff, labelled), your contacts with us, your consents and
    their history, messages we sent you, surveys and who looked at your record.
    Open it in any web browser (summary.css beside it is how it looks).

data/
    Every record we hold that is linked to you, one pair of files per kind of record:
    NAME.json (for computers) and NAME.csv (opens in a spreadsheet). Both hold the same
    rows and every column. Columns ending in _id refer to another record by its number.
    "Historical" files are earlier versions of a record, with history_date (when it
    changed), history_type (+ created, ~ changed, - deleted) and history_user_id (who
    changed it). A file with no rows means we hold nothing of that kind about you.

{files}
attachments/
    Files added to your cases, named by record number and their original name.
{missing}
Questions: contact {council}'s data protection officer.
"""


def _rows(n: int) -> str:
    return "1 row" if n == 1 else f"{n} rows"


def _readme(counts: dict[str, int], missing: list[str], now: datetime) -> str:
    council = settings.CRM_SITE.name
    files = "\n".join(
        f"    {h.model}.json / .csv ({_rows(counts[h.model])})\n        {h.about}"
        for h in PERSONAL_DATA
    )
    gone = (
        "    These files are listed in Attachment but could not be found: "
        + ", ".join(missing)
        + "\n"
        if missing
        else ""
    )
    title = f"Your personal data held by {council}"
    return README.format(
        council=council,
        underline="=" * len(title),
        date=f"{timezone.localtime(now):%d %B %Y}",
        files=files,
        missing=gone,
    )


@transaction.atomic
def citizen_export(*, citizen: Citizen, actor: User | None) -> bytes:
    """A subject access export: a zip with every registered model's rows linked to the
    citizen (JSON and CSV), their attachments, summary.html and README.txt. Writes an audit
    event (who, which citizen, how many rows of each) in the same transaction."""
    citizen = Citizen.objects.select_related("user").get(pk=citizen.pk)
    now = timezone.now()
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    missing: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for h in PERSONAL_DATA:
            columns, rows = _export_rows(h, personal_rows(citizen=citizen, of=h))
            counts[h.model] = len(rows)
            archive.writestr(
                f"data/{h.model}.json",
                json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            archive.writestr(f"data/{h.model}.csv", _csv(columns, rows))
        attachments = personal_rows(citizen=citizen, of=holder("council_crm.Attachment"))
        for attachment in attachments:
            name = get_valid_filename(os.path.basename(attachment.original_name)) or "file"
            try:
                with attachment.file.open("rb") as f:
                    archive.writestr(f"attachments/{attachment.pk}-{name}", f.read())
            except (FileNotFoundError, ValueError):
                missing.append(f"{attachment.pk}-{name}")
        summary = subject_access_summary(citizen=citizen)
        archive.writestr(
            "summary.html",
            render_to_string(
                "council_crm/privacy/summary.html",
                {
                    **summary,
                    "council": settings.CRM_SITE,
                    "generated_at": now,
                    "language": settings.LANGUAGE_CODE,
                },
            ),
        )
        # Its stylesheet beside it, not inline: no template holds a <style> block (ADR 0021).
        archive.writestr("summary.css", render_to_string("council_crm/privacy/summary.css"))
        archive.writestr("README.txt", _readme(counts, missing, now))
    audit_record(
        actor=actor,
        action=AuditAction.SUBJECT_ACCESS_EXPORT,
        obj=citizen,
        data={
            "by": actor.get_username() if actor else "system",
            "counts": counts,
            "attachments_missing": len(missing),
        },
        now=now,
    )
    return buffer.getvalue()

"""Attachments: photos checked by their content, with EXIF (and its GPS position) removed."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.council_crm.models import Attachment, AuditAction, CaseEvent, ServiceRequest, User
from apps.council_crm.services.audit import audit_record
from apps.council_crm.services.cases.concurrency import case_lock

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
MAX_PER_CASE = 10
# Pillow's own guard, for any decode that does not pass through clean_image: it refuses an
# image of more than twice this many pixels (DecompressionBombError).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def clean_image(data: bytes) -> tuple[bytes, str, str]:
    """Decode the image, keep only its pixels (turned upright), and encode it again.

    Returns (bytes, content type, extension). Raises ValidationError for anything that is not
    a JPEG, PNG or WebP photo, whatever its name or declared type says.
    """
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": [_("The photo must be smaller than 10 MB")]})
    try:
        # Image.open reads only the header: the format and the size are known before any
        # pixel is decoded, so a decompression bomb is refused here, not after inflating.
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            if fmt not in FORMATS:
                raise ValidationError({"file": [_("The photo must be a JPG, PNG or WebP image")]})
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    {"file": [_("The photo is too large: it must be under 40 megapixels")]}
                )
            probe.verify()
        image: Image.Image = Image.open(io.BytesIO(data))
        image = ImageOps.exif_transpose(image)
        image.load()
    except Image.DecompressionBombError as exc:  # Pillow's guard: over twice MAX_PIXELS
        raise ValidationError(
            {"file": [_("The photo is too large: it must be under 40 megapixels")]}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            {"file": [_("The file is not a photo we can read: choose a JPG, PNG or WebP image")]}
        ) from exc
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="WEBP", quality=88)
    content_type, ext = FORMATS[fmt]
    return out.getvalue(), content_type, ext


@transaction.atomic
def attachment_add(
    *,
    case: ServiceRequest,
    upload: UploadedFile,
    actor: User | None,
    public: bool = False,
    seen: datetime | None = None,
) -> Attachment:
    """A photo on a case, from the portal or the desk: cleaned, counted, on the timeline.

    Only photos: the cleaner re-encodes pixels, and there is no equivalent for PDFs here.
    `seen` (the desk): see `services.cases.concurrency`."""
    case = case_lock(case=case, seen=seen)
    if case.attachments.count() >= MAX_PER_CASE:
        raise ValidationError(
            {"file": [_("A case can have at most %(n)s photos") % {"n": MAX_PER_CASE}]}
        )
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError({"file": [_("The photo must be smaller than 10 MB")]})
    data, content_type, ext = clean_image(upload.read(MAX_BYTES + 1))
    name = f"{uuid.uuid4().hex}.{ext}"
    attachment = Attachment(
        case=case,
        original_name=(upload.name or name)[:255],
        content_type=content_type,
        size=len(data),
        uploaded_by=actor,
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.ATTACHMENT,
        actor=actor,
        is_public=public,
        message=_("Photo added"),
        data={"attachment": attachment.pk},
    )
    case.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CASE_FILE_ATTACHED,
        obj=case,
        data={"attachment": attachment.pk, "content_type": content_type, "size": len(data)},
    )
    return attachment

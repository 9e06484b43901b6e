"""The access log, consent recording, attachments without EXIF, and the division page."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from apps.council_crm import models as m
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.consent import consent_grant
from tests.council_crm.visibility.conftest import grant
from tests.factories.cases import report_pothole, resident


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_view_of_personal_data_is_logged_and_the_dpo_can_search_it(world):
    officer = world.users["officer_in"]
    _client(officer).get(f"/desk/cases/{world.case.reference}/")
    grant(world, "all_cases_any")
    _client(world.users["cllr_division"]).get(f"/member/cases/{world.case.reference}/")
    _client(world.users["owner"]).get(f"/account/requests/{world.case.reference}/")

    rows = m.AccessLog.objects.filter(object_id=world.case.reference)
    assert {r.user for r in rows} == {
        officer,
        world.users["cllr_division"],
    }  # residents: not logged
    assert all(r.citizen_id == world.case.citizen_id for r in rows)

    dpo = _client(world.users["dpo"])
    page = dpo.get("/desk/access-log/", {"record": world.case.reference, "who": "officer_in"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "officer_in" in body
    assert "1 entry" in body
    assert _client(officer).get("/desk/access-log/").status_code == 404


def test_access_log_is_append_only_in_the_admin(world):
    admin = m.User.objects.get(username="admin_x")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    _client(world.users["officer_in"]).get(f"/desk/cases/{world.case.reference}/")
    row = m.AccessLog.objects.first()
    client = _client(admin)
    assert client.get(f"/admin/council_crm/accesslog/{row.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/council_crm/accesslog/{row.pk}/change/", {"via": "x"}).status_code
        == 403
    )


def test_a_councillor_recording_consent_must_give_evidence_and_only_for_themselves(world):
    cllr = world.cllr_division
    citizen = world.case.citizen
    with pytest.raises(ValidationError) as error:
        consent_grant(
            citizen=citizen,
            purpose="share_with_councillor",
            actor=cllr.user,
            channel="email",
            councillor=world.cllr_other,
        )
    assert "evidence" in error.value.message_dict
    assert "councillor" in error.value.message_dict
    consent = consent_grant(
        citizen=citizen,
        purpose="share_with_councillor",
        actor=cllr.user,
        channel="email",
        councillor=cllr,
        evidence="Email from the resident, 3 March: 'please take this up'",
    )
    assert consent.recorded_by == cllr.user
    assert consent.wording_version
    with pytest.raises(ValidationError):
        consent_grant(
            citizen=citizen,
            purpose="share_with_councillor",
            actor=world.users["other_resident"],
            channel="web",
        )


def _photo_with_gps(fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 30.0), 3: "W", 4: (0.0, 54.0, 10.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return out.getvalue()


def test_photos_lose_their_exif_and_gps_and_are_served_only_with_permission(world):
    raw = _photo_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()  # the test photo really carries EXIF
    upload = SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg")
    attachment = attachment_add(case=world.case, upload=upload, actor=None)
    stored = attachment.file.read()
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert b"PhoneMaker" not in stored

    url = f"/cases/{world.case.reference}/attachments/{attachment.pk}/"
    response = _client(world.users["officer_in"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == stored
    assert _client(world.users["officer_out"]).get(url).status_code == 404
    assert _client(world.users["cllr_division"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.jpg", b"<?php echo 'hi'; ?>", "not a photo"),
        ("doc.png", b"%PDF-1.4 fake pdf", "not a photo"),
        ("anim.gif", None, "JPG, PNG or WebP"),
    ],
)
def test_spoofed_or_unsupported_uploads_are_refused_and_nothing_is_stored(
    world, name, data, message
):
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, format="GIF")
        data = out.getvalue()
    with pytest.raises(ValidationError) as error:
        attachment_add(
            case=world.case, upload=SimpleUploadedFile(name, data, "image/jpeg"), actor=None
        )
    assert message in error.value.message_dict["file"][0]
    assert not world.case.attachments.exists()


def test_oversized_upload_is_refused(world):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 10), "image/jpeg")
    with pytest.raises(ValidationError, match="smaller than 10 MB"):
        attachment_add(case=world.case, upload=big, actor=None)


def test_division_page_shows_suppressed_counts_and_outlines_only(world):
    for n in range(6):
        report_pothole(division="FE01", contact=resident(email=f"n{n}@example.com"))
    client = _client(world.users["cllr_division"])
    response = client.get("/member/divisions/FE01/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pothole" in body
    assert ">7<" in body  # 7 potholes, all new: above the threshold of 5
    assert "@example.com" not in body
    assert world.case.reference not in body
    assert client.get("/member/divisions/FE07/").status_code == 404  # not their division

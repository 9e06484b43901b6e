"""Subject access export: everything linked to the person, nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from html.parser import HTMLParser

import pytest

from apps.council_crm import models as m
from apps.council_crm.personal_data import PERSONAL_DATA
from apps.council_crm.services.cases import case_add_update, case_follow
from apps.council_crm.services.citizens import ContactDetails
from apps.council_crm.services.privacy import citizen_export
from tests.factories.privacy import BOB, ZEBEDEE, bob_with_a_case, needles, person_with_everything

pytestmark = pytest.mark.usefixtures("demo_site")


@pytest.fixture
def dpo():
    return m.User.objects.get_or_create(username="dpo", defaults={"role": m.Role.DPO})[0]


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class Outline(HTMLParser):
    """The parts of the page that make it accessible."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.tags if t == tag)


def test_every_registered_model_contributes_rows_and_no_one_else_is_in_it(dpo):
    # given Zebedee with data everywhere, and Bob, who follows Zebedee's case and whose case
    # Zebedee follows
    bob, bob_case = bob_with_a_case()
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux", other_case=bob_case)
    case_follow(case=zebedee.cases[0], contact=ContactDetails(email=BOB.email))
    case_add_update(case=zebedee.cases[0], actor=dpo, message="Road closed on Friday", public=True)
    person_with_everything(BOB, username="bart.oddbody")
    citizen_export(citizen=zebedee.citizen, actor=dpo)  # an earlier export is data too

    # when
    files = read_zip(citizen_export(citizen=zebedee.citizen, actor=dpo))

    # then every registered model has a JSON and a CSV file with at least one row
    for h in PERSONAL_DATA:
        rows = json.loads(files[f"data/{h.model}.json"])
        assert rows, f"{h.model} contributed nothing"
        table = list(csv.DictReader(io.StringIO(files[f"data/{h.model}.csv"].decode())))
        assert len(table) == len(rows)
        assert set(table[0]) == set(rows[0])
    citizen_rows = json.loads(files["data/council_crm.Citizen.json"])
    assert citizen_rows[0]["email"] == ZEBEDEE.email
    account = json.loads(files["data/council_crm.User.json"])[0]
    assert "password" not in account
    assert account["username"] == "zebedee.quux"
    cases = json.loads(files["data/council_crm.ServiceRequest.json"])
    assert {c["reference"] for c in cases} == {c.reference for c in zebedee.cases}
    history = json.loads(files["data/council_crm.HistoricalServiceRequest.json"])
    assert len(history) > len(cases)  # the transitions made past versions
    photos = [name for name in files if name.startswith("attachments/")]
    assert len(photos) == 1
    assert files[photos[0]].startswith(b"\xff\xd8\xff")
    assert b"Internal (staff only)" in files["summary.html"]

    # nothing about Bob: not his details, nor the messages he got about Zebedee's case
    everything = b"\n".join(files.values()).decode("utf-8", "replace").lower()
    for needle in needles(BOB):
        assert needle not in everything, needle
    assert bob.pk not in {
        r["citizen_id"] for r in json.loads(files["data/council_crm.OutboxMessage.json"])
    }
    assert all(
        r["citizen_id"] in (None, zebedee.citizen.pk)
        for r in json.loads(files["data/council_crm.CaseFollower.json"])
    )
    # and it is Zebedee's
    assert ZEBEDEE.email in everything
    assert "zebedee quuxworth" in files["summary.html"].decode().lower()


def test_the_export_is_audited_with_counts(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")

    data = citizen_export(citizen=zebedee.citizen, actor=dpo)

    event = m.AuditEvent.objects.get(action="subject_access_export")
    assert event.actor == dpo
    assert event.object_type == "citizen"
    assert event.object_id == str(zebedee.citizen.pk)
    counts = event.data["counts"]
    files = read_zip(data)
    for h in PERSONAL_DATA:
        assert counts[h.model] == len(json.loads(files[f"data/{h.model}.json"]))
    assert counts["council_crm.Citizen"] == 1
    # the audit row itself holds no personal details
    assert ZEBEDEE.email not in json.dumps(event.data)
    assert "Quuxworth" not in json.dumps(event.data)


def test_the_summary_is_a_readable_accessible_page_and_the_readme_explains_the_files(dpo):
    zebedee = person_with_everything(ZEBEDEE, username="zebedee.quux")

    files = read_zip(citizen_export(citizen=zebedee.citizen, actor=dpo))

    page = Outline()
    page.feed(files["summary.html"].decode())
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag.get("lang")
    assert page.count("title") == 1
    assert page.count("h1") == 1
    assert page.count("h2") >= 7
    assert page.count("table") == page.count("caption") > 5
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    text = " ".join(page.text)
    for case in zebedee.cases:
        assert f"Timeline of {case.reference}" in text
    assert "Public update" in text
    assert "Internal (staff only)" in text
    assert "History of your consents" in text
    assert "asked about bin days" in text  # a contact
    assert "Quick work." in text  # the survey answer
    assert "We've received your report" in text  # a message sent

    readme = files["README.txt"].decode()
    assert "summary.html" in readme
    for h in PERSONAL_DATA:
        assert f"{h.model}.json" in readme
    assert set(files) >= {"summary.html", "README.txt"}


def test_someone_with_no_cases_gets_an_export_with_empty_files(dpo):
    citizen = m.Citizen.objects.create(first_name="Nobody", email="nobody@example.com")

    files = read_zip(citizen_export(citizen=citizen, actor=None))

    assert len(json.loads(files["data/council_crm.Citizen.json"])) == 1
    assert json.loads(files["data/council_crm.ServiceRequest.json"]) == []
    assert b"You have no cases." in files["summary.html"]
    assert m.AuditEvent.objects.get(action="subject_access_export").data["by"] == "system"

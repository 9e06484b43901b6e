"""The public register: search filters, a motion's page, topics over time, the Atom feed."""

from __future__ import annotations

from xml.etree import ElementTree  # our own feed, in a test

import pytest

from apps.council_crm import models as m
from apps.council_crm.selectors.motions import motions_search
from tests.factories.cases import report_pothole

from .conftest import councillor, days_ago

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def three(make_motion, officer):
    from apps.council_crm.services.motions import motion_record_decision

    a = make_motion(
        title="Gully cleaning in Saltmere",
        text="This Council resolves to clean the gullies on Reservoir Road twice a year.",
        submitted_on=days_ago(400),
        topics=[m.Topic.objects.get(slug="flooding-and-drainage")],
    )
    b = make_motion(
        title="A bus to Yelverby",
        text="This Council resolves to restore the Sunday bus to Yelverby.",
        proposer=councillor("cllr.paul.henshaw"),
        seconder=councillor("cllr.maureen.cole"),
        submitted_on=days_ago(30),
    )
    motion_record_decision(motion=b, status="defeated", decision_date=days_ago(10), actor=officer)
    c = make_motion(
        title="Gullies and drains on Heron Close",
        text="This Council notes the flooding on Heron Close.",
        submitted_on=days_ago(20),
    )
    return a, b, c


def refs(response) -> list[str]:
    return [motion.reference for motion in response.context["page"]]


def test_search_by_words(client, three):
    a, b, c = three
    found = refs(client.get("/motions/", {"q": "gullies"}))
    assert a.reference in found
    assert c.reference in found
    assert b.reference not in found
    found = refs(client.get("/motions/", {"q": "Sunday bus Yelverby"}))
    assert found[0] == b.reference
    assert refs(client.get("/motions/", {"q": b.reference})) == [b.reference]


def test_search_by_councillor_status_topic_and_dates(client, three):
    a, b, c = three
    henshaw = councillor("cllr.paul.henshaw")
    cole = councillor("cllr.maureen.cole")
    assert b.reference in refs(client.get("/motions/", {"councillor": henshaw.pk}))
    assert b.reference in refs(client.get("/motions/", {"councillor": cole.pk}))  # seconder
    assert a.reference not in refs(client.get("/motions/", {"councillor": henshaw.pk}))

    defeated = refs(client.get("/motions/", {"status": "defeated"}))
    assert b.reference in defeated
    assert a.reference not in defeated
    assert all(
        status == "defeated"
        for status in m.Motion.objects.filter(reference__in=defeated).values_list(
            "status", flat=True
        )
    )

    flooding = refs(client.get("/motions/", {"topic": "flooding-and-drainage"}))
    assert a.reference in flooding
    assert c.reference not in flooding

    start, end = days_ago(35), days_ago(15)
    dates = {
        "date_from_0": start.day,
        "date_from_1": start.month,
        "date_from_2": start.year,
        "date_to_0": end.day,
        "date_to_1": end.month,
        "date_to_2": end.year,
    }
    found = refs(client.get("/motions/", {**dates, "councillor": henshaw.pk}))
    expected = m.Motion.objects.by_councillor(henshaw).filter(submitted_on__range=(start, end))
    assert b.reference in found
    assert set(found) == {x.reference for x in expected}
    assert all(start <= x.submitted_on <= end for x in expected)
    combined = motions_search(q="gullies", date_from=start, date_to=end)
    assert [x.reference for x in combined] == [c.reference]


def test_a_bad_date_in_the_filters_is_explained(client, demo_site):
    response = client.get(
        "/motions/", {"date_from_0": "40", "date_from_1": "2", "date_from_2": "2024"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_date_from_0">Submitted on or after must be a real date' in page
    response = client.get(
        "/motions/",
        {
            "date_from_0": "1",
            "date_from_1": "3",
            "date_from_2": "2025",
            "date_to_0": "1",
            "date_to_1": "1",
            "date_to_2": "2025",
        },
    )
    assert "The end date must be on or after the start date" in response.content.decode()


def test_the_register_lists_the_demo_motions_with_paging(client, demo_site):
    response = client.get("/motions/")
    assert response.status_code == 200
    page = response.content.decode()
    total = m.Motion.objects.count()
    assert f"{total} motions" in page
    assert len(response.context["page"]) == 20
    assert "Next page" in page
    second = client.get("/motions/", {"status": "passed", "page": 2})
    assert "status=passed&amp;page=3" in second.content.decode() or (
        second.context["page"].paginator.num_pages == 2
    )


def test_topic_page_shows_motions_over_time_and_suppressed_request_counts(client, demo_site):
    topic = m.Topic.objects.get(slug="potholes-and-road-repairs")
    for n in range(6):
        report_pothole(division="FE01", description=f"Pothole number {n} on the high street")
    for n in range(2):
        report_pothole(division="FE05", description=f"Pothole number {n} in Kestleby")
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert topic.name in page
    years = [motion.submitted_on.year for motion in topic.motions.all()]
    for year in set(years):
        n = years.count(year)
        assert f'>{year} <span class="govuk-caption-m">{n} motion' in page
    assert f"{len(years)} motions in all." in page
    fe01 = m.Division.objects.get(code="FE01").name
    fe05 = m.Division.objects.get(code="FE05").name
    row01 = page[page.index(f">{fe01}</th>") :].split("</tr>")[0]
    row05 = page[page.index(f">{fe05}</th>") :].split("</tr>")[0]
    assert ">6<" in row01
    assert "fewer than 5" in row05
    assert ">2<" not in row05
    assert client.get("/motions/topics/").status_code == 200
    assert client.get("/motions/topics/no-such-topic/").status_code == 404


def test_the_atom_feed_lists_changes_without_the_staff_actor(client, three, officer, settings):
    _a, b, _c = three
    settings.CRM_PUBLIC_URL = "https://www.fernshire.example/crm"
    response = client.get("/motions/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert officer.get_full_name() not in body
    tree = ElementTree.fromstring(response.content)  # noqa: S314
    entries = tree.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 50
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert any(t.startswith(f"{b.reference}: A bus to Yelverby – Decision") for t in titles)
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.startswith("https://www.fernshire.example/crm/motions/")  # the public address
    assert "#event-" in link
    assert tree.find(f"{ATOM}link").get("href") == "https://www.fernshire.example/crm/motions/"

    one = client.get(f"/motions/{b.reference}/feed/")
    assert one.status_code == 200
    entries = ElementTree.fromstring(one.content).findall(f"{ATOM}entry")  # noqa: S314
    assert len(entries) == 2  # submitted, decided
    assert client.get("/motions/NOM-1900-001/feed/").status_code == 404


def test_a_busy_topic_lists_the_latest_motions_and_counts_every_year(demo_site):
    from apps.council_crm.selectors.motions import topic_overview

    topic = m.Topic.objects.get(slug="potholes-and-road-repairs")
    overview = topic_overview(topic=topic, listed=2)
    assert overview.total == topic.motions.count() > 2
    assert overview.listed == 2
    assert sum(n for _year, n, _listed in overview.motions_by_year) == overview.total
    shown = [motion for _year, _n, listed in overview.motions_by_year for motion in listed]
    assert shown == list(topic.motions.order_by("-submitted_on", "-id")[:2])

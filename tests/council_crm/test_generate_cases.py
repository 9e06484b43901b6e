"""Synthetic cases (demo/synthetic and `manage.py generate_cases`) on the demo site."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from shapely.geometry import Point, shape

from apps.council_crm.demo.synthetic import SyntheticDataError, cases_generate
from apps.council_crm.geo import division_index
from apps.council_crm.models import (
    CaseEvent,
    CaseStatus,
    CategoryQuestion,
    Citizen,
    Consent,
    Interaction,
    ReferenceCounter,
    RoutingRule,
    ServiceCategory,
    ServiceRequest,
    StateCategory,
)
from apps.council_crm.references import next_reference
from apps.council_crm.services.site_setup import site_load

pytestmark = pytest.mark.slow  # generates thousands of cases

NOW = datetime(2026, 6, 15, 11, 30, tzinfo=UTC)
COUNT = 2000
YEARS = 4
TZ = ZoneInfo(settings.CRM_SITE.timezone)
DONE = (StateCategory.RESOLVED, StateCategory.CLOSED)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The demo site with 2,000 generated cases: made once for the module, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        site_load(site=settings.CRM_SITE)
        made = cases_generate(count=COUNT, seed=7, now=NOW, years=YEARS)
        yield made
        transaction.set_rollback(True)


def cases():
    return list(
        ServiceRequest.objects.select_related("category", "status", "division", "on_behalf_of")
    )


def local(instant: datetime) -> datetime:
    return instant.astimezone(TZ)


@pytest.mark.django_db
def test_makes_the_requested_number_of_cases_each_with_a_timeline(generated):
    assert generated == COUNT
    assert ServiceRequest.objects.count() == COUNT
    kinds = defaultdict(set)
    for case_id, kind in CaseEvent.objects.values_list("case_id", "kind"):
        kinds[case_id].add(kind)
    assert len(kinds) == COUNT
    assert all({CaseEvent.Kind.CREATED, CaseEvent.Kind.ASSIGNED} <= k for k in kinds.values())


@pytest.mark.django_db
def test_every_case_lies_inside_its_division(generated):
    index = division_index()
    for case in cases():
        point = Point(case.longitude, case.latitude)
        assert shape(case.division.boundary).covers(point), case.reference
        hit = index.lookup(latitude=case.latitude, longitude=case.longitude)
        assert hit is not None, case.reference
        assert hit.id == case.division_id, case.reference


@pytest.mark.django_db
def test_cases_cluster_around_hotspots(generated):
    # ~30% of cases are scattered round a few points per category: many share a 100 m cell.
    cells = Counter(
        (category_id, round(lat * 1000), round(lon * 700))
        for category_id, lat, lon in ServiceRequest.objects.values_list(
            "category_id", "latitude", "longitude"
        )
    )
    assert max(cells.values()) >= 5


@pytest.mark.django_db
def test_created_dates_span_the_years_before_now(generated):
    created = sorted(ServiceRequest.objects.values_list("created_at", flat=True))
    start = NOW - timedelta(days=365 * YEARS + 1)
    assert start < created[0] < start + timedelta(days=31)
    assert NOW - timedelta(days=7) < created[-1] <= NOW
    per_year = Counter((NOW - c).days // 365 for c in created)
    assert sorted(per_year) == list(range(YEARS))
    assert min(per_year.values()) > COUNT / YEARS / 2


@pytest.mark.django_db
def test_seasons_grass_in_summer_potholes_in_winter(generated):
    months = defaultdict(Counter)
    for code, created in ServiceRequest.objects.values_list("category__code", "created_at"):
        months[code][local(created).month] += 1
    assert months["grass_cutting"][6] > 3 * max(1, months["grass_cutting"][12])
    assert months["pothole"][1] + months["pothole"][2] > months["pothole"][7] + months["pothole"][8]


@pytest.mark.django_db
def test_weekdays_are_busier_than_weekends(generated):
    per_weekday = Counter(
        local(c).weekday() for c in ServiceRequest.objects.values_list("created_at", flat=True)
    )
    weekday_mean = sum(per_weekday[d] for d in range(5)) / 5
    weekend_mean = (per_weekday[5] + per_weekday[6]) / 2
    assert weekday_mean > 1.3 * weekend_mean


@pytest.mark.django_db
def test_channels_follow_the_mix(generated):
    channels = Counter(ServiceRequest.objects.values_list("channel", flat=True))
    assert 0.45 < channels["web"] / COUNT < 0.65
    assert 0.15 < channels["phone"] / COUNT < 0.30
    assert channels["email"] > channels["face_to_face"] > 0


@pytest.mark.django_db
def test_status_agrees_with_resolved_and_closed_dates(generated):
    for case in cases():
        state = case.status.state
        assert (case.resolved_at is not None) == (state in DONE), case.reference
        assert (case.closed_at is not None) == (state == StateCategory.CLOSED), case.reference
        assert (case.sla_paused_at is not None) == (state == StateCategory.PAUSED), case.reference
        assert case.created_at <= (case.resolved_at or NOW) <= (case.closed_at or NOW) <= NOW
        assert case.updated_at >= case.created_at
        allowed = {s.pk for s in case.category.statuses.all()}
        assert not allowed or case.status_id in allowed, case.reference


@pytest.mark.django_db
def test_old_cases_are_mostly_done_and_recent_ones_mostly_open(generated):
    old = [c for c in cases() if c.created_at < NOW - timedelta(days=60)]
    recent = [c for c in cases() if c.created_at > NOW - timedelta(days=10)]
    assert sum(c.status.state in DONE for c in old) / len(old) > 0.95
    assert len(recent) > 5
    assert sum(c.status.state not in DONE for c in recent) / len(recent) > 0.5


@pytest.mark.django_db
def test_service_standard_dates_and_a_few_breaches(generated):
    breached = 0
    for case in cases():
        assert case.sla_due_at > case.created_at
        assert case.promised_date == local(case.sla_due_at).date()
        if case.sla_breached_at is not None:
            breached += 1
            assert case.sla_breached_at >= case.sla_due_at
            assert (case.resolved_at or NOW) > case.sla_due_at
        elif case.sla_paused_at is None:
            assert (case.resolved_at or NOW) <= case.sla_due_at, case.reference
    assert 0.01 < breached / COUNT < 0.15


@pytest.mark.django_db
def test_references_are_unique_rise_with_time_and_next_reference_does_not_collide(generated):
    rows = list(
        ServiceRequest.objects.order_by("created_at").values_list("reference", "created_at")
    )
    references = [r for r, _ in rows]
    assert len(set(references)) == COUNT
    numbers = defaultdict(list)
    for reference, created in rows:
        match = re.fullmatch(r"FCC-(\d\d)-(\d{6})", reference)
        assert match, reference
        assert int(match[1]) == local(created).year % 100
        numbers[local(created).year].append(int(match[2]))
    for year, seen in numbers.items():
        assert seen == sorted(seen) == list(range(1, len(seen) + 1)), year
        fresh = next_reference(year=year)
        assert fresh not in references
        assert fresh.endswith(f"{len(seen) + 1:06d}")
    assert next_reference(year=NOW.year) not in references


@pytest.mark.django_db
def test_councillor_raised_cases_belong_to_the_councillors_division(generated):
    raised = [c for c in cases() if c.on_behalf_of_id]
    assert raised
    for case in raised:
        councillor = case.on_behalf_of
        assert case.raised_as == ServiceRequest.RaisedAs.COUNCILLOR
        assert case.raised_by_id == councillor.user_id
        assert councillor.divisions.filter(pk=case.division_id).exists()
        assert (
            councillor.term_start is None or councillor.term_start <= local(case.created_at).date()
        )
        assert case.citizen_id is not None
        assert not case.is_anonymous
    assert not ServiceRequest.objects.filter(on_behalf_of__isnull=True).exclude(raised_as="")


@pytest.mark.django_db
def test_anonymous_only_where_the_category_allows_it(generated):
    anonymous = ServiceRequest.objects.filter(is_anonymous=True)
    assert 0.03 < anonymous.count() / COUNT < 0.15
    assert not anonymous.filter(category__allow_anonymous=False).exists()
    assert not anonymous.filter(citizen__isnull=False).exists()
    assert not ServiceRequest.objects.filter(is_anonymous=False, citizen__isnull=True).exists()


@pytest.mark.django_db
def test_required_questions_are_answered_from_their_choices(generated):
    questions = defaultdict(list)
    for q in CategoryQuestion.objects.all():
        questions[q.category_id].append(q)
    for case in ServiceRequest.objects.only("reference", "category_id", "answers"):
        for q in questions[case.category_id]:
            if q.required:
                assert q.code in case.answers, (case.reference, q.code)
            if q.code not in case.answers:
                continue
            answer = case.answers[q.code]
            if q.kind == CategoryQuestion.Kind.CHOICE:
                assert answer in q.choices
            elif q.kind == CategoryQuestion.Kind.YES_NO:
                assert answer in ("Yes", "No")
            elif q.kind == CategoryQuestion.Kind.NUMBER:
                assert isinstance(answer, int)
                assert answer > 0
            else:
                assert isinstance(answer, str)
                assert answer


@pytest.mark.django_db
def test_team_comes_from_routing_and_priority_from_the_category(generated):
    rules = defaultdict(set)
    for category_id, team_id in RoutingRule.objects.values_list("category_id", "team_id"):
        rules[category_id].add(team_id)
    for case in cases():
        category = case.category
        teams = {category.default_team_id} | rules[None] | rules[category.pk]
        assert case.team_id in teams, case.reference
        assert case.priority == category.priority
    pothole_teams = set(
        ServiceRequest.objects.filter(category__code="pothole").values_list("team__code", flat=True)
    )
    assert {"HWY-N", "HWY-S"} <= pothole_teams  # the demo's north/south routing rules


@pytest.mark.django_db
def test_citizens_are_plausible_and_fictional(generated):
    citizens = list(Citizen.objects.all())
    assert COUNT / 5 < len(citizens) < COUNT / 2
    emails = [c.email for c in citizens if c.email]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z.]+\.\d+@example\.(com|org|net|co\.uk)", e) for e in emails), (
        emails[:5]
    )
    phones = [c.phone for c in citizens if c.phone]
    assert phones
    assert all(re.fullmatch(r"(07700 900|01632 960)\d{3}", p) for p in phones)
    assert all(c.first_name and c.last_name for c in citizens)
    first_case: dict[int, datetime] = {}
    for citizen_id, created in ServiceRequest.objects.filter(citizen__isnull=False).values_list(
        "citizen_id", "created_at"
    ):
        first_case[citizen_id] = min(created, first_case.get(citizen_id, created))
    assert all(c.created_at == first_case[c.pk] for c in citizens)


@pytest.mark.django_db
def test_some_citizens_consent_to_share_with_their_councillor(generated):
    citizens = Citizen.objects.count()
    consents = list(Consent.objects.all())
    assert 0.05 < len(consents) / citizens < 0.3
    assert len({c.citizen_id for c in consents}) == len(consents)
    created = defaultdict(set)
    for citizen_id, case_id, when in ServiceRequest.objects.values_list(
        "citizen_id", "id", "created_at"
    ):
        created[citizen_id].add((case_id, when))
    scopes = Counter()
    for consent in consents:
        assert consent.purpose == Consent.Purpose.SHARE_WITH_COUNCILLOR
        assert (consent.channel, consent.wording_version) == ("web", "v1")
        assert consent.withdrawn_at is None
        scopes[consent.scope] += 1
        times = {when for _, when in created[consent.citizen_id]}
        assert consent.granted_at in times
        if consent.scope == Consent.Scope.CASE:
            assert (consent.case_id, consent.granted_at) in created[consent.citizen_id]
    assert scopes[Consent.Scope.CASE]
    assert scopes[Consent.Scope.ALL_CASES]


@pytest.mark.django_db
def test_resolved_cases_tell_the_resident_what_was_done(generated):
    for case in ServiceRequest.objects.filter(resolved_at__isnull=False)[:300]:
        events = list(case.events.order_by("created_at", "id"))
        assert events[0].kind == CaseEvent.Kind.CREATED
        assert all(e.created_at >= case.created_at for e in events)
        resolved = [
            e
            for e in events
            if e.kind == CaseEvent.Kind.STATUS and e.created_at == case.resolved_at
        ]
        assert len(resolved) == 1
        assert resolved[0].is_public
        assert resolved[0].message
        to = CaseStatus.objects.get(code=resolved[0].data["to"])
        assert to.state == StateCategory.RESOLVED


@pytest.mark.django_db
def test_contacts_are_logged_for_phone_and_email_reports(generated):
    phoned = ServiceRequest.objects.filter(channel="phone", citizen__isnull=False)
    assert phoned.exists()
    logged = set(
        Interaction.objects.filter(direction=Interaction.Direction.INBOUND).values_list(
            "case_id", flat=True
        )
    )
    assert all(pk in logged for pk in phoned.values_list("pk", flat=True))
    interaction = Interaction.objects.filter(case__channel="phone").first()
    assert interaction.citizen_id == interaction.case.citizen_id
    assert interaction.staff_id is not None


def snapshot() -> list[tuple]:
    rows = ServiceRequest.objects.order_by("reference").values_list(
        "reference",
        "category__code",
        "status__code",
        "latitude",
        "longitude",
        "created_at",
        "citizen__email",
        "description",
        "answers",
        "channel",
        "team__code",
        "assignee__username",
        "sla_due_at",
        "resolved_at",
    )
    events = Counter(CaseEvent.objects.values_list("case__reference", "kind", "created_at"))
    return [*rows, sorted(events.items()), Citizen.objects.count(), Consent.objects.count()]


@pytest.mark.django_db
def test_same_seed_and_now_give_the_same_data(demo_site):
    with transaction.atomic():
        cases_generate(count=300, seed=5, now=NOW, batch_size=120)
        first = snapshot()
        transaction.set_rollback(True)
    with transaction.atomic():
        cases_generate(count=300, seed=6, now=NOW, batch_size=120)
        other = snapshot()
        transaction.set_rollback(True)
    cases_generate(count=300, seed=5, now=NOW, batch_size=300)

    assert snapshot() == first
    assert other != first


# The tests below also pass alongside the module's generated cases (pytest may run them in
# any order, or on another xdist worker): they look only at what they make themselves.


@pytest.mark.django_db
def test_generating_again_continues_the_reference_numbers(demo_site):
    later = datetime(2031, 3, 1, 12, tzinfo=UTC)
    ReferenceCounter.objects.create(prefix="FCC", year=2031, last_value=41)
    cases_generate(count=50, seed=1, now=later, years=1)
    cases_generate(count=50, seed=2, now=later, years=1)

    references = list(
        ServiceRequest.objects.filter(created_at__gt=later - timedelta(days=366)).values_list(
            "reference", flat=True
        )
    )
    assert len(set(references)) == 100
    assert "FCC-31-000041" not in references
    assert "FCC-31-000042" in references
    assert next_reference(year=2031) not in references


@pytest.mark.django_db
def test_command_prints_progress_and_rate(demo_site):
    later = datetime(2032, 6, 15, 12, tzinfo=UTC)
    before = ServiceRequest.objects.count()
    out = StringIO()
    call_command(
        "generate_cases",
        "--count",
        "120",
        "--batch",
        "50",
        "--years",
        "1",
        "--now",
        later.isoformat(),
        stdout=out,
    )
    text = out.getvalue()
    assert "100 / 120 cases" in text
    assert re.search(r"Created 120 cases in [\d.]+ s \([\d,]+ cases/s\)", text)
    assert ServiceRequest.objects.count() == before + 120
    made = ServiceRequest.objects.filter(created_at__gt=later - timedelta(days=366))
    assert made.count() == 120


@pytest.mark.django_db
def test_without_reference_data_it_says_to_load_the_site_first(demo_site):
    before = ServiceRequest.objects.count()
    ServiceCategory.objects.update(active=False)
    with pytest.raises(SyntheticDataError, match="load_site"):
        cases_generate(count=10)
    with pytest.raises(CommandError, match="load_site"):
        call_command("generate_cases", "--count", "10", stdout=StringIO())
    assert ServiceRequest.objects.count() == before


def test_background_writer_commits_batches_in_order_and_reports_errors():
    from apps.council_crm.demo.synthetic.writers import _Batch, _Writer

    written, progress = [], []

    def write(batch):
        written.append(batch.cases[0][0])
        return len(batch.cases)

    writer = _Writer(write, progress.append)
    for n in range(5):
        writer.put(_Batch(cases=[(n,)] * 10))
    assert writer.finish() == 50
    assert written == [0, 1, 2, 3, 4]
    assert progress == [10, 20, 30, 40, 50]

    def fail(batch):
        raise RuntimeError("disk full")

    writer = _Writer(fail, None)
    writer.put(_Batch(cases=[(1,)]))
    writer.put(_Batch(cases=[(2,)]))
    with pytest.raises(RuntimeError, match="disk full"):
        writer.finish()
    with pytest.raises(RuntimeError, match="disk full"):
        writer.put(_Batch(cases=[(3,)]))
    assert not writer.is_alive()

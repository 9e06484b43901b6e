"""Synthetic cases: the site's reference data as the generator draws from it, and the day plan.

Divisions (with point samplers), streets, people, teams, categories (with their statuses,
questions, routing rules and hotspots) are read once; then how many cases fall on each day.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

import shapely
from django.conf import settings
from django.db.models import Q
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from apps.council_crm import routing, sla
from apps.council_crm.calendar import WorkingCalendar
from apps.council_crm.demo.synthetic.errors import SyntheticDataError
from apps.council_crm.demo.synthetic.realism import (
    _CLOSED,
    _NEW,
    _OPEN,
    _PAUSED,
    _RESOLVED,
    BANK_HOLIDAY_FACTOR,
    DEFAULT_FAMILY,
    FAMILIES,
    HOTSPOTS_PER_CATEGORY,
    SEASONS,
    WEEKDAY_FACTOR,
    Family,
)
from apps.council_crm.geo import DivisionIndex, DivisionShape
from apps.council_crm.models import (
    CaseStatus,
    CategoryQuestion,
    Councillor,
    Division,
    GazetteerEntry,
    ServiceCategory,
    StaffMember,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.selectors.routing import routing_rules_active

# --------------------------------------------------------------------------------------
# Precomputed plans
# --------------------------------------------------------------------------------------


class _DivisionSampler:
    """Uniform points inside one division: bbox draws, rejected against the polygon."""

    __slots__ = ("_pool", "bounds", "geometry", "id", "name")

    def __init__(self, division_id: int, name: str, geometry: BaseGeometry) -> None:
        shapely.prepare(geometry)
        self.id = division_id
        self.name = name
        self.geometry = geometry
        self.bounds: tuple[float, float, float, float] = geometry.bounds
        self._pool: list[tuple[float, float]] = []

    def contains(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.geometry, lon, lat))

    def sample(self, rng: random.Random) -> tuple[float, float]:
        """A (lon, lat) point strictly inside the division."""
        while not self._pool:
            min_x, min_y, max_x, max_y = self.bounds
            w, h = max_x - min_x, max_y - min_y
            xs = [min_x + w * rng.random() for _ in range(256)]
            ys = [min_y + h * rng.random() for _ in range(256)]
            inside = shapely.contains_xy(self.geometry, xs, ys)
            self._pool = [(x, y) for x, y, ok in zip(xs, ys, inside, strict=True) if ok]
        return self._pool.pop()


@dataclass(frozen=True)
class _Street:
    name: str
    locality: str
    postcode: str
    lat: float
    lon: float
    address: str


@dataclass
class _Category:
    id: int
    code: str
    name: str
    family: Family
    weight: float
    default_team: tuple[int, str] | None
    priority: str
    sla_kind: str
    sla_value: int
    allow_anonymous: bool
    questions: tuple[tuple[str, str, tuple[Any, ...], bool, str], ...]
    statuses: dict[str, tuple[int, ...]]
    rules: list[routing.Rule]
    hotspots: list[tuple[float, float, _DivisionSampler]] = field(default_factory=list)


@dataclass(frozen=True)
class _Councillor:
    id: int
    user_id: int
    name: str
    term_start: date | None
    term_end: date | None


class _Clock:
    """Due dates from sla.due_at on the site calendar, memoised per (local date, days).

    Times are naive UTC here, as everywhere in the generator (cheap to add and to format).
    """

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.tz = calendar.tzinfo
        self._days: dict[tuple[date, int], tuple[datetime, date]] = {}

    def due(self, created: datetime, day: date, kind: str, value: int) -> tuple[datetime, date]:
        """(due, promised date) for a case created at ``created`` on the local ``day``."""
        if kind == ServiceCategory.SlaKind.WORKING_HOURS:
            aware = sla.due_at(
                created=created.replace(tzinfo=UTC), kind=kind, value=value, calendar=self.calendar
            )
            return aware.astimezone(UTC).replace(tzinfo=None), aware.astimezone(self.tz).date()
        key = (day, value)
        hit = self._days.get(key)
        if hit is None:
            # Working days depend only on the local date: any time that day gives the same due.
            noon = datetime.combine(day, time(12), tzinfo=self.tz)
            aware = sla.due_at(created=noon, kind=kind, value=value, calendar=self.calendar)
            hit = (aware.astimezone(UTC).replace(tzinfo=None), aware.astimezone(self.tz).date())
            self._days[key] = hit
        return hit


def _family_for(code: str, name: str) -> Family:
    text = " " + re.sub(r"[^a-z]+", " ", f"{code} {name}".lower())
    for family in FAMILIES:
        if any(f" {kw}" in text for kw in family.keywords):
            return family
    return DEFAULT_FAMILY


def _choice_values(choices: Any) -> tuple[Any, ...]:
    values = []
    for item in choices or ():
        if isinstance(item, dict):
            values.append(item.get("value", item.get("code", item.get("label"))))
        elif isinstance(item, list | tuple) and item:
            values.append(item[0])
        else:
            values.append(item)
    return tuple(v for v in values if v not in (None, ""))


def _statuses_by_state(
    rows: Sequence[CaseStatus], allowed: set[int] | None
) -> dict[str, tuple[int, ...]]:
    """Status ids per state (the default status first for 'new'), with fallbacks for gaps."""
    by_state: dict[str, list[int]] = {s: [] for s in StateCategory.values}
    for row in sorted(rows, key=lambda r: (not r.is_default, r.order, r.code)):
        if allowed is None or row.pk in allowed:
            by_state[row.state].append(row.pk)
    # "Already reported" needs a duplicate_of link, which synthetic cases do not have.
    codes = {row.pk: row.code for row in rows}
    for state, ids in by_state.items():
        by_state[state] = [pk for pk in ids if "duplicate" not in codes[pk]] or ids
    fallbacks = {
        _NEW: (_OPEN,),
        _OPEN: (_NEW,),
        _PAUSED: (_OPEN, _NEW),
        _RESOLVED: (_CLOSED,),
        _CLOSED: (_RESOLVED,),
    }
    result: dict[str, tuple[int, ...]] = {}
    for state, ids in by_state.items():
        for other in fallbacks[state]:
            ids = ids or by_state[other]
        result[state] = tuple(ids)
    return result


def _day_factors(days: Sequence[date], calendar: WorkingCalendar) -> dict[str, list[float]]:
    """Relative volume per day for each seasonal shape (month x weekday x holidays)."""
    closed = [d.weekday() < 5 and not calendar.is_working_day(d) for d in days]
    factors: dict[str, list[float]] = {}
    for season, months in SEASONS.items():
        values = []
        for i, d in enumerate(days):
            weekday = BANK_HOLIDAY_FACTOR if closed[i] else WEEKDAY_FACTOR[d.weekday()]
            f = months[d.month - 1] * weekday
            if d.month == 12 and d.day in (25, 26):
                f *= 0.5
            if season == "bins":
                # Collections slip after a bank holiday and stop over Christmas: the first
                # working days afterwards bring the missed-bin reports.
                if i and closed[i - 1] and not closed[i] and d.weekday() < 5:
                    f *= 2.4
                elif i > 1 and closed[i - 2] and not closed[i] and d.weekday() < 5:
                    f *= 1.6
                if (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day == 1):
                    f *= 0.6
                elif d.month == 1 and d.day <= 12:
                    f *= 1.9
            values.append(f)
        factors[season] = values
    return factors


def _rules() -> list[routing.Rule]:
    """The site's active routing rules, as the routing engine takes them."""
    return routing_rules_active()


# --------------------------------------------------------------------------------------
# The reference data, read once
# --------------------------------------------------------------------------------------


class _World:
    """The loaded site as the generator sees it; every draw here comes from ``rng`` in order."""

    def __init__(
        self, *, rng: random.Random, now: datetime, years: int, months: int | None = None
    ) -> None:
        site = settings.CRM_SITE
        self.rng = rng
        self.now_aware = now
        self.now = now.astimezone(UTC).replace(tzinfo=None)  # naive UTC, like every time here
        self.prefix = site.reference_prefix
        self.languages = site.languages
        self.irish = site.region == "IE"
        self.auto_close = timedelta(days=getattr(site, "auto_close_days", 14))
        self.calendar = sla.site_calendar()
        self.tz = self.calendar.tzinfo
        self.clock = _Clock(self.calendar)
        self._load_geography()
        self._load_people()
        self._load_catalogue()
        self._plan_days(years, months)

    def _load_geography(self) -> None:
        rows = list(Division.objects.order_by("code").values_list("id", "code", "name", "boundary"))
        if not rows:
            raise SyntheticDataError("The site has no divisions: run `manage.py load_site` first.")
        self.samplers = [_DivisionSampler(pk, name, shape(b)) for pk, _, name, b in rows]
        self.sampler_by_id = {s.id: s for s in self.samplers}
        self.index = DivisionIndex(
            DivisionShape(s.id, row[1], s.geometry)
            for s, row in zip(self.samplers, rows, strict=True)
        )
        # Divisions have roughly equal electorates, so they get roughly equal demand.
        self.division_cum = list(accumulate(0.75 + 0.5 * self.rng.random() for _ in rows))
        entries = GazetteerEntry.objects.order_by("name", "locality").values_list(
            "name", "locality", "postcode", "latitude", "longitude", "division_id", "kind"
        )
        self.streets: list[_Street] = []
        self.streets_by_division: dict[int, list[_Street]] = {}
        fallback: list[_Street] = []
        for name, locality, postcode, lat, lon, division_id, kind in entries:
            parts = [name] + [p for p in (locality, postcode) if p and p != name]
            street = _Street(name, locality, postcode, lat, lon, ", ".join(parts))
            fallback.append(street)
            if kind == GazetteerEntry.Kind.STREET:
                self.streets.append(street)
                if division_id:
                    self.streets_by_division.setdefault(division_id, []).append(street)
        self.streets = self.streets or fallback

    def _load_people(self) -> None:
        users = User.objects.filter(
            Q(councillor__isnull=False) | Q(staff_profile__isnull=False)
        ).distinct()
        self.user_name = {u.pk: u.get_full_name() or u.username for u in users}
        info = {
            c.pk: _Councillor(
                c.pk,
                c.user_id,
                f"{c.title} {self.user_name.get(c.user_id, '')}".strip(),
                c.term_start,
                c.term_end,
            )
            for c in Councillor.objects.all()
        }
        self.councillors: dict[int, list[_Councillor]] = {}
        links = Councillor.divisions.through.objects.order_by("division_id", "councillor_id")
        for division_id, councillor_id in links.values_list("division_id", "councillor_id"):
            self.councillors.setdefault(division_id, []).append(info[councillor_id])
        # Phone and counter contacts are logged by the contact centre (the triage teams).
        staff = StaffMember.objects.filter(user__is_active=True).order_by("user_id")
        triage = staff.filter(memberships__team__is_triage=True).distinct()
        self.staff_users = tuple(triage.values_list("user_id", flat=True)) or tuple(
            staff.values_list("user_id", flat=True)
        )
        self.members: dict[int, list[int]] = {}
        memberships = TeamMembership.objects.filter(staff__user__is_active=True)
        for team_id, user_id in memberships.order_by("team_id", "staff__user_id").values_list(
            "team_id", "staff__user_id"
        ):
            self.members.setdefault(team_id, []).append(user_id)
        self.teams = {t.pk: (t.code, t.name) for t in Team.objects.all()}
        triage_team = Team.objects.filter(is_triage=True, active=True).order_by("id").first()
        self.triage_team = (triage_team.pk, triage_team.name) if triage_team else None

    def _load_catalogue(self) -> None:
        statuses = list(CaseStatus.objects.order_by("order", "code"))
        if not statuses:
            raise SyntheticDataError("The site has no case statuses: run `manage.py load_site`.")
        self.status_code = {s.pk: s.code for s in statuses}
        self.status_name = {s.pk: s.name for s in statuses}
        self.status_public = {s.pk: s.public for s in statuses}
        all_states = _statuses_by_state(statuses, None)
        for state in StateCategory.values:
            if not all_states[state]:
                raise SyntheticDataError(f"The site has no status for the {state!r} state.")
        allowed: dict[int, set[int]] = {}
        for category_id, status_id in ServiceCategory.statuses.through.objects.values_list(
            "servicecategory_id", "casestatus_id"
        ):
            allowed.setdefault(category_id, set()).add(status_id)
        questions: dict[int, list[tuple[str, str, tuple[Any, ...], bool, str]]] = {}
        for q in CategoryQuestion.objects.order_by("category_id", "order", "id"):
            questions.setdefault(q.category_id, []).append(
                (q.code, q.kind, _choice_values(q.choices), q.required, q.label.lower())
            )
        rules = _rules()
        self.categories: list[_Category] = []
        active = ServiceCategory.objects.filter(active=True).select_related("default_team")
        for c in active.order_by("code"):
            family = _family_for(c.code, c.name)
            team = c.default_team
            # Emergencies (hour-based standards) are a small share of any council's demand.
            urgency = 0.3 if c.sla_kind == ServiceCategory.SlaKind.WORKING_HOURS else 1.0
            self.categories.append(
                _Category(
                    id=c.pk,
                    code=c.code,
                    name=c.name,
                    family=family,
                    weight=family.weight * (0.5 + self.rng.random()) * urgency,
                    default_team=(team.pk, team.name) if team.active else None,
                    priority=c.priority,
                    sla_kind=c.sla_kind,
                    sla_value=c.sla_value,
                    allow_anonymous=c.allow_anonymous,
                    questions=tuple(questions.get(c.pk, ())),
                    statuses=_statuses_by_state(statuses, allowed.get(c.pk)),
                    rules=[r for r in rules if r.category_id in (None, c.pk)],
                )
            )
        if not self.categories:
            raise SyntheticDataError("The site has no active service categories: run load_site.")
        for category in self.categories:
            for _ in range(HOTSPOTS_PER_CATEGORY):
                sampler = self._pick_division()
                lon, lat = sampler.sample(self.rng)
                category.hotspots.append((lon, lat, sampler))

    def _plan_days(self, years: int, months: int | None = None) -> None:
        """How many cases fall on each day: seasonal, weekly and holiday shapes combined.
        The span is `years` years back from today, or `months` months if given."""
        today = self.now_aware.astimezone(self.tz).date()
        if months is not None:
            first = today - timedelta(days=round(months * 365.25 / 12))
        else:
            try:
                first = today.replace(year=today.year - years)
            except ValueError:  # 29 February
                first = today.replace(year=today.year - years, day=28)
        self.days = [first + timedelta(days=i) for i in range(1, (today - first).days + 1)]
        factors = _day_factors(self.days, self.calendar)
        midnight = datetime.combine(today, time(), tzinfo=self.tz)
        self.today_elapsed = max(0, int((self.now_aware - midnight).total_seconds()))
        self.day_category_weights: list[list[float]] = []
        totals = []
        for i in range(len(self.days)):
            weights = [c.weight * factors[c.family.season][i] for c in self.categories]
            if i == len(self.days) - 1:
                weights = [w * self.today_elapsed / 86_400 for w in weights]
            self.day_category_weights.append(weights)
            totals.append(sum(weights))
        self.day_cum = list(accumulate(totals))

    def _pick_division(self) -> _DivisionSampler:
        """A division, weighted by demand (for hotspots here, for each case's location later)."""
        i = bisect_right(self.division_cum, self.rng.random() * self.division_cum[-1])
        return self.samplers[min(i, len(self.samplers) - 1)]

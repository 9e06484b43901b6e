"""Synthetic cases: realistic, reproducible demo and load-test data for the loaded site.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same seed, the
same ``now`` and the same reference data give the same rows. Cases are generated day by day in
time order (so reference numbers rise with ``created_at`` within a year) and written in bulk
(executemany on SQLite, COPY on PostgreSQL), one transaction per batch, with no per-case query.
The bulk writes bypass ``save()``, so no simple-history rows are written for generated data.
"""

from __future__ import annotations

import json
import math
import queue
import random
import re
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

import shapely
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from apps.council_crm import routing, sla
from apps.council_crm.calendar import WorkingCalendar
from apps.council_crm.geo import DivisionIndex, DivisionShape
from apps.council_crm.models import (
    AgeBand,
    CaseEvent,
    CaseStatus,
    CategoryQuestion,
    Channel,
    Citizen,
    Consent,
    ContactPreference,
    Councillor,
    Division,
    GazetteerEntry,
    Interaction,
    ReferenceCounter,
    RoutingRule,
    ServiceCategory,
    ServiceRequest,
    StaffMember,
    StateCategory,
    Team,
    TeamMembership,
    User,
)
from apps.council_crm.references import format_reference
from apps.council_crm.selectors.routing import routing_rules_active

__all__ = ["SyntheticDataError", "cases_generate"]


class SyntheticDataError(ValueError):
    """The site's reference data is not enough to generate cases (load the site first)."""


# --------------------------------------------------------------------------------------
# Realism knobs
# --------------------------------------------------------------------------------------

#: Seasonal shape by month (January first); 1.0 is an average month.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1.0,) * 12,
    "summer": (0.25, 0.25, 0.45, 0.9, 1.7, 2.1, 2.1, 1.8, 1.0, 0.55, 0.35, 0.25),
    "summer_slight": (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.3, 1.1, 1.0, 0.85, 0.9),
    "winter": (1.8, 1.9, 1.6, 1.2, 0.85, 0.7, 0.65, 0.65, 0.7, 0.9, 1.25, 1.6),
    "winter_slight": (1.3, 1.3, 1.1, 1.0, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.1, 1.2),
    "dark": (1.4, 1.2, 1.0, 0.8, 0.65, 0.55, 0.6, 0.7, 0.95, 1.25, 1.45, 1.5),
    "flytip": (0.9, 0.9, 1.0, 1.05, 1.1, 1.2, 1.3, 1.3, 1.1, 1.0, 0.9, 0.85),
    "ice": (2.6, 2.4, 1.0, 0.3, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.4, 2.4),
    "wet": (1.4, 1.3, 1.1, 0.9, 0.8, 0.8, 0.9, 0.9, 1.0, 1.2, 1.4, 1.4),
    "bins": (1.0,) * 12,
}
WEEKDAY_FACTOR = (1.25, 1.15, 1.1, 1.05, 1.0, 0.6, 0.5)  # Monday first: weekday > weekend
BANK_HOLIDAY_FACTOR = 0.55

# Hour-of-day shapes: residents report any time (evenings too), offices answer 9 to 5.
HOURS_ANY = (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.2, 2.5, 2.4, 2.2)
HOURS_ANY += (2.1, 2.1, 2.0, 1.9, 1.8, 1.7, 1.7, 1.8, 1.6, 1.2, 0.8, 0.4)
HOURS_OFFICE = (0, 0, 0, 0, 0, 0, 0, 0, 0.3, 2.5, 2.6, 2.4, 1.8, 2.0, 2.3, 2.1, 1.6, 0.3)
HOURS_OFFICE += (0, 0, 0, 0, 0, 0)

CHANNEL_MIX: tuple[tuple[str, float], ...] = (
    (Channel.WEB, 55),
    (Channel.PHONE, 25),
    (Channel.EMAIL, 10),
    (Channel.FACE_TO_FACE, 3),
    (Channel.API, 2.5),
    (Channel.SOCIAL, 2),
    (Channel.SMS, 1.5),
    (Channel.POST, 1),
)
OFFICE_CHANNELS = frozenset(str(c.value) for c in (Channel.PHONE, Channel.FACE_TO_FACE))
CONTACT_CHANNELS = frozenset(
    str(c.value)
    for c in (
        Channel.PHONE,
        Channel.EMAIL,
        Channel.FACE_TO_FACE,
        Channel.POST,
        Channel.SMS,
        Channel.SOCIAL,
    )
)

ANONYMOUS_SHARE = 0.10  # of cases whose category allows anonymous reports
COUNCILLOR_SHARE = 0.08  # raised by a councillor on behalf of a constituent
CONSENT_SHARE = 0.15  # of citizens: share my cases with my councillor
HOTSPOT_SHARE = 0.30  # of cases scattered round a category's hotspots
HOTSPOTS_PER_CATEGORY = 3
HOTSPOT_SIGMA_M = 150.0
LATE_SHARE = 0.03  # resolved after the service standard
STUCK_SHARE = 0.02  # recent cases still waiting (parts, contractors)
PAUSED_SHARE = 0.15  # of open cases, waiting on the resident or a third party
PICKED_UP_SHARE = 0.7  # of team-queue cases an officer takes on (the rest stay with the team)
CLOSED_BY_OFFICER_SHARE = 0.15  # the rest close automatically after the reopen window
FOLLOW_UP_SHARE = 0.08  # resolved cases where an officer calls or writes back
METRES_PER_DEGREE = 111_320.0

# Plain strings for the hot loop (enum member access is comparatively slow).
_NEW, _OPEN, _PAUSED, _RESOLVED, _CLOSED = (
    str(s.value)
    for s in (
        StateCategory.NEW,
        StateCategory.OPEN,
        StateCategory.PAUSED,
        StateCategory.RESOLVED,
        StateCategory.CLOSED,
    )
)
_CREATED, _ASSIGNED, _STATUS, _SLA = (
    str(k.value)
    for k in (
        CaseEvent.Kind.CREATED,
        CaseEvent.Kind.ASSIGNED,
        CaseEvent.Kind.STATUS,
        CaseEvent.Kind.SLA,
    )
)
_WEB, _PHONE, _EMAIL = str(Channel.WEB.value), str(Channel.PHONE.value), str(Channel.EMAIL.value)
_INBOUND = str(Interaction.Direction.INBOUND.value)
_OUTBOUND = str(Interaction.Direction.OUTBOUND.value)
_SHARE_WITH_COUNCILLOR = str(Consent.Purpose.SHARE_WITH_COUNCILLOR.value)
_ALL_CASES, _ONE_CASE = str(Consent.Scope.ALL_CASES.value), str(Consent.Scope.CASE.value)
_RAISED_AS_COUNCILLOR = str(ServiceRequest.RaisedAs.COUNCILLOR.value)
_SECOND = timedelta(seconds=1)
_FIVE_MINUTES = timedelta(minutes=5)
_HOUR = timedelta(hours=1)
_STUCK_AGE = timedelta(days=180)


@dataclass(frozen=True)
class Family:
    """What kind of issue a category is, recognised from its code and name."""

    key: str
    keywords: tuple[str, ...]
    weight: float
    season: str
    descriptions: tuple[str, ...]
    resolution: str
    answer_text: tuple[str, ...] = ("See description.",)


# Checked in order; a keyword matches at the start of a word of the category's code or name.
FAMILIES: tuple[Family, ...] = (
    Family(
        "complaint",
        ("complaint", "compliment", "feedback"),
        1.0,
        "flat",
        (
            "I phoned twice about {street} and nobody called me back as promised.",
            "The crew left {street} in a mess after the works last week.",
            "I am unhappy with how my earlier report about {locality} was handled.",
        ),
        "We have looked into your complaint and written to you with our findings.",
        ("Staff conduct", "Delay", "Quality of work"),
    ),
    Family(
        "asb",
        ("asb", "antisocial", "anti social", "nuisance", "harassment"),
        1.0,
        "summer_slight",
        (
            "Groups gathering at {street} late at night, shouting and leaving bottles.",
            "Repeated nuisance from a property on {street}, {locality}.",
            "Motorbikes being ridden on the footpaths around {locality} in the evenings.",
        ),
        "Our community safety team has visited and is working with the police.",
        ("Most evenings", "Weekends", "Every night this week"),
    ),
    Family(
        "damp",
        ("damp", "mould", "condensation"),
        2.0,
        "winter",
        (
            "Black mould spreading on the bedroom walls at my home on {street}.",
            "Damp coming through the wall in the back room; the wallpaper is peeling.",
            "Condensation and mould round the windows of my flat on {street}, {locality}.",
        ),
        "A surveyor has visited and the mould treatment and repairs are booked in.",
    ),
    Family(
        "housing",
        ("housing", "council home", "repair"),
        3.0,
        "winter_slight",
        (
            "Kitchen tap leaking constantly at my council home on {street}.",
            "No hot water since the weekend at {street}, {locality}.",
            "Back door will not lock properly; the frame is rotten.",
        ),
        "The repair has been completed by our housing repairs team.",
    ),
    Family(
        "bin_repair",
        ("damaged bin", "missing bin", "new bin", "replacement bin"),
        3.0,
        "flat",
        (
            "The lid of my wheelie bin snapped off during collection on {street}.",
            "My recycling bin went missing after collection day on {street}.",
        ),
        "A replacement bin has been delivered.",
    ),
    Family(
        "fallen_tree",
        ("fallen", "dangerous tree"),
        1.5,
        "wet",
        (
            "Tree down across the road on {street} after the wind last night.",
            "Large branch hanging over the pavement on {street}, {locality}, looks ready to fall.",
        ),
        "The tree has been made safe and the road cleared.",
    ),
    Family(
        "garden",
        ("rubbish in", "untidy", "overgrown garden"),
        2.0,
        "summer_slight",
        (
            "Rubbish piling up in the front garden of a house on {street}; rats seen.",
            "The garden of the empty house on {street} is full of bags and old furniture.",
        ),
        "An enforcement officer has visited and served notice on the owner.",
    ),
    Family(
        "litter",
        ("litter", "street clean", "sweeping", "overflowing"),
        4.0,
        "summer_slight",
        (
            "Litter bin on {street} is overflowing and rubbish is blowing about.",
            "A lot of litter along {street}, especially near the bus stop.",
            "Broken glass on the pavement on {street}, {locality}.",
        ),
        "The street cleansing crew has cleared the area.",
    ),
    Family(
        "bins",
        ("missed", "bin", "collection", "recycling", "refuse", "waste"),
        10.0,
        "bins",
        (
            "My bin on {street} was not emptied on collection day.",
            "Recycling not collected on {street}; the whole row was missed.",
            "The lorry skipped {street} again this week.",
            "Garden waste bin missed at my address on {street}, {locality}.",
        ),
        "The crew has returned and emptied the bin. Sorry it was missed.",
        ("Left out by 7am", "Next to the gate", "At the kerb as usual"),
    ),
    Family(
        "flytip",
        ("fly", "dumped", "dumping"),
        8.0,
        "flytip",
        (
            "Fly-tipped mattresses and bags on {street}, {locality}.",
            "Builders' rubble dumped in the lay-by on {street}.",
            "Someone has dumped a fridge and furniture at the end of {street}.",
            "Black bags dumped by the gate on {street} since the weekend.",
        ),
        "The waste has been cleared and the site checked for evidence.",
        ("Household bags", "Builders' rubble", "Furniture"),
    ),
    Family(
        "pothole",
        ("pothole", "road surface", "road defect", "carriageway"),
        10.0,
        "winter",
        (
            "Deep pothole on {street} near {locality}, cars swerving round it.",
            "Several potholes along {street}; one is getting bigger every week.",
            "Pothole at the junction of {street}, nearly came off my bike.",
            "Large hole in the road on {street} filled with water.",
        ),
        "Our highways team has inspected and repaired the pothole.",
        ("In the middle of the road", "Near the kerb", "At the junction"),
    ),
    Family(
        "pavement",
        ("pavement", "footway", "footpath", "kerb", "dropped kerb"),
        4.0,
        "winter_slight",
        (
            "Raised paving slab on {street} is a trip hazard.",
            "Broken kerb stones outside the shops on {street}.",
            "Footpath on {street} is badly cracked and uneven.",
        ),
        "The footway has been made safe and repaired.",
    ),
    Family(
        "gritting",
        ("grit", "gritting", "ice", "icy", "snow", "salt"),
        2.0,
        "ice",
        (
            "{street} has not been gritted and is like an ice rink.",
            "The grit bin on {street} is empty.",
            "Hill on {street}, {locality} is icy and cars are sliding.",
        ),
        "The road has been treated and the grit bin refilled.",
    ),
    Family(
        "lighting_damage",
        ("damaged column", "damaged street light", "exposed wire", "knocked down"),
        1.5,
        "winter_slight",
        (
            "Lamp post on {street} has been hit by a car and is leaning over the pavement.",
            "The door on the street light column on {street} is missing and wires are showing.",
            "Street light bracket hanging loose over {street}, {locality}.",
        ),
        "The column has been made safe and repaired.",
    ),
    Family(
        "lighting",
        ("light", "lamp", "streetlight"),
        7.0,
        "dark",
        (
            "Street light outside my house on {street} has been out for a week.",
            "Lamp post on {street} flickering on and off all night.",
            "Three street lights out along {street}, {locality}; very dark walking home.",
            "Street light on {street} stays on all day.",
        ),
        "Our lighting contractor has repaired the street light.",
        ("Not working at all", "Flickering", "On during the day"),
    ),
    Family(
        "grass",
        ("grass", "verge", "mowing", "weed"),
        4.0,
        "summer",
        (
            "Grass on the verges of {street} is knee high and blocking the view at the junction.",
            "The green on {street}, {locality} has not been cut this year.",
            "Weeds growing through the pavement all along {street}.",
        ),
        "The grounds maintenance team has cut the grass.",
    ),
    Family(
        "trees",
        ("tree", "hedge", "overhang", "vegetation", "branch"),
        3.0,
        "summer",
        (
            "Overhanging branches on {street} are blocking the footpath.",
            "Hedge on {street} is so overgrown we have to walk in the road.",
            "A large branch looks ready to fall on {street}, {locality}.",
        ),
        "The trees team has cut back the vegetation.",
    ),
    Family(
        "graffiti",
        ("graffiti", "fly posting"),
        3.0,
        "flat",
        (
            "Graffiti sprayed on the bus shelter on {street}.",
            "Offensive graffiti on the wall by the shops on {street}, {locality}.",
        ),
        "The graffiti has been removed.",
        ("Offensive", "Not offensive"),
    ),
    Family(
        "dog",
        ("dog",),
        3.0,
        "flat",
        (
            "Dog fouling all along the path on {street}.",
            "Dog mess outside the school on {street}, {locality}, every morning.",
        ),
        "A warden has patrolled the area and the path has been cleaned.",
    ),
    Family(
        "drain",
        ("drain", "gully", "flood", "flooding"),
        3.0,
        "wet",
        (
            "Blocked drain on {street}; the road floods every time it rains.",
            "Gully on {street} is full of leaves and water is pooling.",
        ),
        "The gully has been cleared and is draining again.",
    ),
    Family(
        "vehicle",
        ("abandoned", "vehicle", "car"),
        2.0,
        "flat",
        (
            "Car with flat tyres parked on {street} for over a month.",
            "Van with no tax left on {street}, {locality}.",
        ),
        "The vehicle has been inspected and removed.",
    ),
    Family(
        "noise",
        ("noise",),
        2.0,
        "summer_slight",
        (
            "Loud music from a house on {street} until 3am most weekends.",
            "Constant barking from a property on {street}.",
        ),
        "An officer has investigated and written to the occupier.",
    ),
    Family(
        "signs",
        ("sign", "bollard", "barrier"),
        2.0,
        "flat",
        (
            "Road sign on {street} has been knocked over.",
            "Bollard damaged at the end of {street}, {locality}.",
        ),
        "The sign has been repaired.",
    ),
)
DEFAULT_FAMILY = Family(
    "other",
    (),
    3.0,
    "flat",
    (
        "Problem on {street}, {locality}; please could someone take a look.",
        "Reporting an issue on {street} that has been there for a while.",
    ),
    "This has been dealt with. Thank you for letting us know.",
)

FIRST_NAMES_GB = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "William",
    "James", "David", "Daniel", "Samuel", "Joseph", "Michael", "Peter", "Paul", "Richard",
    "Amelia", "Olivia", "Isla", "Emily", "Poppy", "Ava", "Isabella", "Jessica", "Lily",
    "Sophie", "Grace", "Chloe", "Margaret", "Susan", "Helen", "Sarah", "Rachel", "Ruth",
    "Priya", "Aisha", "Mohammed", "Ali", "Anil", "Yusuf", "Gareth", "Rhys", "Sian", "Megan",
    "Ewan", "Fiona", "Iain", "Morag",
)  # fmt: skip
FIRST_NAMES_IE = (
    "Seán", "Conor", "Cian", "Darragh", "Oisín", "Ciarán", "Pádraig", "Eoin", "Fionn",
    "Liam", "Cillian", "Ronan", "Declan", "Niall", "Aoife", "Saoirse", "Niamh", "Siobhán",
    "Caoimhe", "Róisín", "Gráinne", "Orla", "Clodagh", "Sinéad", "Áine", "Eimear", "Ciara",
    "Maeve", "Bríd", "Deirdre",
)  # fmt: skip
LAST_NAMES_GB = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Khan", "Begum",
    "Campbell", "Stewart", "MacDonald", "Price", "Bennett",
)  # fmt: skip
LAST_NAMES_IE = (
    "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
    "O'Neill", "O'Reilly", "Doyle", "McCarthy", "Gallagher", "O'Doherty", "Kennedy",
    "Lynch", "Murray", "Quinn", "Moore", "McLoughlin", "O'Carroll", "Connolly", "Daly",
    "Brennan", "Fitzgerald", "Nolan", "Ní Bhriain", "Mac Giolla", "Keane", "Whelan",
)  # fmt: skip
# Free-text answers, chosen by words in the question's label.
TEXT_ANSWERS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("lamp post", "column"), ("{n}", "SL{n:04d}", "Can't see one")),
    (("reference",), ("{ref}", "I don't have it")),
    (
        ("get into", "access"),
        (
            "Any weekday morning",
            "Tuesdays or Thursdays after 2pm",
            "Please ring first, I work shifts",
        ),
    ),
    (
        ("when",),
        ("Weekday evenings after 9pm", "Early mornings before 8am", "Most weekends", "School run"),
    ),
    (
        ("put things right", "would you like"),
        ("An apology and the job done properly", "An explanation of what went wrong"),
    ),
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "example.co.uk")
AGE_BANDS: tuple[tuple[str, float], ...] = (
    ("", 30),
    (AgeBand.AGE_18_24, 6),
    (AgeBand.AGE_25_44, 24),
    (AgeBand.AGE_45_64, 24),
    (AgeBand.AGE_65_PLUS, 13),
    (AgeBand.NOT_SAID, 3),
)
_ASCII = str.maketrans("áéíóúÁÉÍÓÚ", "aeiouAEIOU")


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
# Writing
# --------------------------------------------------------------------------------------

# The columns each generated row fills, in the order the generator builds its tuples.
CITIZEN_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "preferred_channel",
    "preferred_language",
    "age_band",
    "created_at",
    "updated_at",
)
CASE_FIELDS = (
    "reference",
    "category_id",
    "status_id",
    "description",
    "answers",
    "latitude",
    "longitude",
    "address",
    "division_id",
    "channel",
    "citizen_id",
    "is_anonymous",
    "raised_by_id",
    "on_behalf_of_id",
    "raised_as",
    "team_id",
    "assignee_id",
    "priority",
    "sla_due_at",
    "promised_date",
    "sla_paused_at",
    "sla_breached_at",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
)
EVENT_FIELDS = (
    "case_id",
    "kind",
    "is_public",
    "message",
    "data",
    "actor_id",
    "on_behalf_of_id",
    "created_at",
)
INTERACTION_FIELDS = (
    "citizen_id",
    "case_id",
    "channel",
    "direction",
    "summary",
    "staff_id",
    "created_at",
)
CONSENT_FIELDS = (
    "citizen_id",
    "purpose",
    "scope",
    "case_id",
    "channel",
    "wording_version",
    "evidence",
    "granted_at",
)


class _Table:
    """Multi-row INSERTs for one model: executemany on SQLite, COPY on PostgreSQL.

    bulk_create runs every value of every row through the field API, which held it to a few
    hundred cases a second here; these rows are built already in the driver's types. The
    generator gives values for ``names``; every other column gets its field's default,
    prepared once, so a column added to the model later is filled (or fails loudly).
    """

    def __init__(self, model: type[models.Model], names: Sequence[str], explicit_id: bool) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise SyntheticDataError(f"{meta.label} has no field {', '.join(unknown)}")
        pk = meta.pk
        assert pk is not None  # noqa: S101 - every concrete model has one
        rest = [f for f in meta.concrete_fields if f.attname not in names and f is not pk]
        self.table = meta.db_table
        self.pk_column = pk.column
        self.constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        columns = ([pk.column] if explicit_id else []) + [fields[n].column for n in names]
        columns += [f.column for f in rest]
        quote = connection.ops.quote_name
        column_sql = ", ".join(quote(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        # Names come from the model's _meta, quoted; values are always parameters.
        table = quote(self.table)
        self.insert_sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({column_sql}) FROM STDIN"

    def write(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        constants = self.constants
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
            else:
                cursor.executemany(self.insert_sql, [row + constants for row in rows])


class _Ids:
    """Primary keys handed out before the rows are written, so children can point at them."""

    def __init__(self, table: _Table, block: int) -> None:
        self.block = max(block, 100)
        self._free: list[int] = []
        self._next = 0
        self._sqlite = connection.vendor == "sqlite"
        with connection.cursor() as cursor:
            if self._sqlite:
                # AUTOINCREMENT never reuses a number: start past the highest ever issued.
                cursor.execute(f"SELECT MAX({table.pk_column}) FROM {table.table}")  # noqa: S608
                top = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.table])
                row = cursor.fetchone()
                self._next = max(top, row[0] if row else 0) + 1
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [table.table, table.pk_column]
                )
                self._sequence = cursor.fetchone()[0]
            else:
                raise SyntheticDataError("Synthetic data needs SQLite or PostgreSQL.")

    def take(self) -> int:
        if self._sqlite:
            self._next += 1
            return self._next - 1
        if not self._free:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, self.block]
                )
                self._free = sorted((r[0] for r in cursor.fetchall()), reverse=True)
        return self._free.pop()


@dataclass
class _Batch:
    citizens: list[tuple[Any, ...]] = field(default_factory=list)
    cases: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    interactions: list[tuple[Any, ...]] = field(default_factory=list)
    consents: list[tuple[Any, ...]] = field(default_factory=list)
    years: dict[int, int] = field(default_factory=dict)


def _sqlite_time(value: datetime | None) -> str | None:
    """A naive UTC datetime as Django stores it in SQLite (adapt_datetimefield_value)."""
    return None if value is None else value.isoformat(" ")


def _aware_time(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _same(value: Any) -> Any:
    return value


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, *, rng: random.Random, now: datetime, years: int, batch_size: int) -> None:
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
        self._plan_days(years)
        self.counters = dict(
            ReferenceCounter.objects.filter(prefix=self.prefix).values_list("year", "last_value")
        )
        self.citizen_ids: list[int] = []
        self.citizen_consents = bytearray()  # 1: will consent, 2: has consented
        self.channels = [str(c) for c, _ in CHANNEL_MIX]
        self.channel_cum = list(accumulate(w for _, w in CHANNEL_MIX))
        self.hours_any = list(accumulate(HOURS_ANY))
        self.hours_office = list(accumulate(HOURS_OFFICE))
        self.age_bands = [a for a, _ in AGE_BANDS]
        self.age_cum = list(accumulate(w for _, w in AGE_BANDS))
        self._memo: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._round_robin: dict[int, int] = {}
        # How values reach the database driver: SQLite keeps datetimes and dates as text.
        sqlite = connection.vendor == "sqlite"
        self.dt: Callable[[datetime | None], Any] = _sqlite_time if sqlite else _aware_time
        self.day: Callable[[date], Any] = str if sqlite else _same
        self.citizens = _Table(Citizen, CITIZEN_FIELDS, explicit_id=True)
        self.cases = _Table(ServiceRequest, CASE_FIELDS, explicit_id=True)
        self.events = _Table(CaseEvent, EVENT_FIELDS, explicit_id=False)
        self.interactions = _Table(Interaction, INTERACTION_FIELDS, explicit_id=False)
        self.consents = _Table(Consent, CONSENT_FIELDS, explicit_id=False)
        self.citizen_pk = _Ids(self.citizens, batch_size // 2)
        self.case_pk = _Ids(self.cases, batch_size)
        self._batch = _Batch()

    # ------------------------------------------------------------------ reference data

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

    def _plan_days(self, years: int) -> None:
        """How many cases fall on each day: seasonal, weekly and holiday shapes combined."""
        today = self.now_aware.astimezone(self.tz).date()
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

    # ------------------------------------------------------------------ drawing

    def _pick_division(self) -> _DivisionSampler:
        i = bisect_right(self.division_cum, self.rng.random() * self.division_cum[-1])
        return self.samplers[min(i, len(self.samplers) - 1)]

    def _location(self, category: _Category) -> tuple[float, float, _DivisionSampler]:
        rng = self.rng
        if rng.random() < HOTSPOT_SHARE:
            lon0, lat0, home = category.hotspots[rng.randrange(len(category.hotspots))]
            sigma_lat = HOTSPOT_SIGMA_M / METRES_PER_DEGREE
            sigma_lon = sigma_lat / max(0.1, math.cos(math.radians(lat0)))
            for _ in range(5):
                lon = lon0 + rng.gauss(0.0, sigma_lon)
                lat = lat0 + rng.gauss(0.0, sigma_lat)
                if home.contains(lon, lat):
                    return lat, lon, home
                # Scattered over a boundary: the point decides the division.
                hit = self.index.lookup(latitude=lat, longitude=lon)
                if hit is not None and self.sampler_by_id[hit.id].contains(lon, lat):
                    return lat, lon, self.sampler_by_id[hit.id]
        sampler = self._pick_division()
        lon, lat = sampler.sample(rng)
        return lat, lon, sampler

    def _nearest_street(self, division_id: int, lat: float, lon: float) -> _Street | None:
        streets = self.streets_by_division.get(division_id) or self.streets
        if not streets:
            return None
        k = math.cos(math.radians(lat)) ** 2
        return min(streets, key=lambda s: (s.lat - lat) ** 2 + k * (s.lon - lon) ** 2)

    def _answers(self, category: _Category) -> dict[str, Any]:
        rng = self.rng
        answers: dict[str, Any] = {}
        for code, kind, choices, required, label in category.questions:
            if not required and rng.random() < 0.6:
                continue
            if kind == CategoryQuestion.Kind.CHOICE and choices:
                answers[code] = choices[rng.randrange(len(choices))]
            elif kind == CategoryQuestion.Kind.YES_NO:
                answers[code] = "Yes" if rng.random() < 0.6 else "No"  # as case_create stores it
            elif kind == CategoryQuestion.Kind.NUMBER:
                if any(w in label for w in ("deep", "depth", "width", "wide", "size", "cm")):
                    answers[code] = rng.randrange(5, 60, 5)
                elif "week" in label or "day" in label:
                    answers[code] = rng.randint(1, 14)
                else:
                    answers[code] = min(rng.randint(1, 4), rng.randint(1, 10))
            else:
                answers[code] = self._text_answer(category, label)
        return answers

    def _text_answer(self, category: _Category, label: str) -> str:
        rng = self.rng
        for keywords, answers in TEXT_ANSWERS:
            if any(k in label for k in keywords):
                answer = answers[rng.randrange(len(answers))]
                return answer.format(
                    n=rng.randint(1, 400),
                    ref=format_reference(self.prefix, self.days[0].year, rng.randint(1, 9000)),
                )
        texts = category.family.answer_text
        return texts[rng.randrange(len(texts))]

    def _new_citizen(self, when: datetime) -> None:
        """Draw a citizen and queue its row; it joins the pool at the end."""
        rng = self.rng
        pk = self.citizen_pk.take()
        irish = rng.random() < (0.8 if self.irish else 0.12)
        firsts = FIRST_NAMES_IE if irish else FIRST_NAMES_GB
        lasts = LAST_NAMES_IE if irish or rng.random() < 0.05 else LAST_NAMES_GB
        first = firsts[rng.randrange(len(firsts))]
        last = lasts[rng.randrange(len(lasts))]
        contact = rng.random()
        email = phone = ""
        if contact < 0.85:
            local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower().translate(_ASCII))
            domain = EMAIL_DOMAINS[rng.randrange(len(EMAIL_DOMAINS))]
            email = f"{local}.{len(self.citizen_ids) + 1}@{domain}"
        mobile = rng.random() < 0.8
        if contact > 0.25:
            tail = rng.randrange(1000)
            # Ofcom's ranges for drama: never a real subscriber's number.
            phone = f"07700 900{tail:03d}" if mobile else f"01632 960{tail:03d}"
        if email:
            preference = ContactPreference.EMAIL
        elif mobile:
            preference = ContactPreference.SMS
        else:
            preference = ContactPreference.PHONE
        if rng.random() < 0.03:
            preference = ContactPreference.NONE
        address = postcode = ""
        if self.streets:
            street = self.streets[rng.randrange(len(self.streets))]
            address = f"{rng.randint(1, 180)} {street.name}\n{street.locality}".strip()
            postcode = street.postcode
        language = self.languages[0]
        if len(self.languages) > 1 and rng.random() < 0.15:
            language = self.languages[1]
        age = bisect_right(self.age_cum, rng.random() * self.age_cum[-1])
        self.citizen_consents.append(1 if rng.random() < CONSENT_SHARE else 0)
        self.citizen_ids.append(pk)
        stamp = self.dt(when)
        self._batch.citizens.append(
            (
                pk,
                first,
                last,
                email,
                phone,
                address,
                postcode,
                str(preference),
                language,
                self.age_bands[min(age, len(self.age_bands) - 1)],
                stamp,
                stamp,
            )
        )

    def _pick_citizen(self, when: datetime, new_share: float, pool: int) -> int:
        """A pool index: a new citizen now and then, otherwise someone who reported before."""
        rng = self.rng
        known = len(self.citizen_ids)
        if known == 0 or (known < pool and rng.random() < new_share):
            self._new_citizen(when)
            return known
        # Some residents report far more than others.
        return int(known * rng.random() ** 1.5)

    def _route(
        self, category: _Category, division: _DivisionSampler, description: str, answers: dict
    ) -> tuple[int, int | None, str, str]:
        """(team, assignee, timeline message, event data) as case_create's routing gives them."""
        try:
            decision = routing.route(
                category.rules,
                category_id=category.id,
                category_name=category.name,
                division_id=division.id,
                division_name=division.name,
                description=description,
                answers=answers,
                default_team=category.default_team,
                triage_team=self.triage_team,
            )
        except LookupError as exc:
            raise SyntheticDataError(f"{category.name}: {exc}") from exc
        team = decision.team_id
        members = self.members.get(team, ())
        assignee = None
        if members and decision.strategy == RoutingRule.Strategy.ROUND_ROBIN:
            cursor = self._round_robin.get(team, 0)
            assignee, self._round_robin[team] = members[cursor % len(members)], cursor + 1
        elif members and decision.strategy == RoutingRule.Strategy.LEAST_OPEN:
            assignee = members[self.rng.randrange(len(members))]
        key = ("routed", decision.reason, decision.rule_id, team, assignee, decision.strategy)
        memo = self._memo.get(key)
        if memo is None:
            message = decision.reason
            if assignee is not None:
                strategy = RoutingRule.Strategy(decision.strategy).label.lower()
                message += f" and to {self.user_name.get(assignee, '')} ({strategy})"
            data = {"team": self.teams[team][0], "rule": decision.rule_id, "assignee": assignee}
            memo = self._memo[key] = (message, json.dumps(data))
        return team, assignee, memo[0], memo[1]

    # ------------------------------------------------------------------ one case

    def _case(
        self,
        category: _Category,
        created: datetime,
        day: date,
        channel: str,
        pool: int,
        new_share: float,
    ) -> None:
        """Draw one case (times are naive UTC; ``day`` is its local date) and queue its rows."""
        rng = self.rng
        batch = self._batch
        dt = self.dt
        now = self.now
        lat, lon, division = self._location(category)
        street = self._nearest_street(division.id, lat, lon)
        year = day.year
        number = self.counters.get(year, 0) + 1
        self.counters[year] = batch.years[year] = number
        pk = self.case_pk.take()

        # Who raised it.
        citizen_index = -1
        raised_by: int | None = None
        councillor: _Councillor | None = None
        if rng.random() < COUNCILLOR_SHARE:
            options = [
                c
                for c in self.councillors.get(division.id, ())
                if (c.term_start is None or c.term_start <= day)
                and (c.term_end is None or day <= c.term_end)
            ]
            if options:
                councillor = options[rng.randrange(len(options))]
                raised_by = councillor.user_id
                channel = _EMAIL if rng.random() < 0.4 else _WEB
        anonymous = (
            councillor is None and category.allow_anonymous and rng.random() < ANONYMOUS_SHARE
        )
        if not anonymous:
            citizen_index = self._pick_citizen(created, new_share, pool)
        citizen_id = self.citizen_ids[citizen_index] if citizen_index >= 0 else None
        if raised_by is None and channel in CONTACT_CHANNELS and self.staff_users:
            raised_by = self.staff_users[rng.randrange(len(self.staff_users))]

        family = category.family
        template = family.descriptions[rng.randrange(len(family.descriptions))]
        description = template.format(
            street=street.name if street else "the road",
            locality=street.locality if street and street.locality else "the village",
        )
        answers = self._answers(category)
        team, assignee, routed_message, routed_data = self._route(
            category, division, description, answers
        )

        # What happens to it: resolution time relative to the service standard.
        due, promised = self.clock.due(created, day, category.sla_kind, category.sla_value)
        span = max(due - created, _HOUR)
        first_touch = created + timedelta(hours=min(rng.expovariate(1 / 6), 72))
        u = rng.random()
        resolved: datetime | None = None
        if u >= STUCK_SHARE or now - created >= _STUCK_AGE:
            if u < STUCK_SHARE + LATE_SHARE:
                delay = span * (1.05 + 2.0 * rng.random())
            else:
                delay = span * (0.2 + 0.8 * rng.random() ** 0.7)
            resolved = created + max(delay, first_touch - created + _FIVE_MINUTES)
            if resolved > now:
                resolved = None
        closed: datetime | None = None
        closer = None
        if resolved is not None:
            if rng.random() < CLOSED_BY_OFFICER_SHARE:
                closed = resolved + timedelta(hours=rng.randint(2, 24 * 10))
                closer = assignee
            else:  # the nightly auto-close, once the resident's reopen window has passed
                closed = resolved + self.auto_close + timedelta(minutes=rng.randint(1, 1440))
            if closed > now:
                closed = None
        paused: datetime | None = None
        if closed:
            state = _CLOSED
        elif resolved:
            state = _RESOLVED
        elif first_touch > now:
            state = _NEW
        elif rng.random() < PAUSED_SHARE:
            state = _PAUSED
            paused = first_touch + (now - first_touch) * rng.random()
        else:
            state = _OPEN
        # The escalation job marks a case breached once it is past due while the clock runs.
        breached = None
        if (resolved or now) > due and (paused is None or paused > due):
            breached = min(due + timedelta(minutes=rng.randint(1, 15)), resolved or now)
        status_id = self._status(category, state)
        if assignee is None and state != _NEW and self.members.get(team):
            if rng.random() < PICKED_UP_SHARE:
                members = self.members[team]
                assignee = members[rng.randrange(len(members))]
                picked_up = True
            else:
                picked_up = False
        else:
            picked_up = False

        at_created = dt(created)
        at_due = dt(due)
        at_touch = dt(first_touch) if state != _NEW else at_created
        at_paused = dt(paused)
        at_breached = dt(breached)
        at_resolved = dt(resolved)
        at_closed = dt(closed)
        batch.cases.append(
            (
                pk,
                format_reference(self.prefix, year, number),
                category.id,
                status_id,
                description,
                json.dumps(answers),
                round(lat, 6),
                round(lon, 6),
                street.address if street else "",
                division.id,
                channel,
                citizen_id,
                anonymous,
                raised_by,
                councillor.id if councillor else None,
                _RAISED_AS_COUNCILLOR if councillor else "",
                team,
                assignee,
                category.priority,
                at_due,
                self.day(promised),
                at_paused,
                at_breached,
                at_created,
                at_closed or at_resolved or at_paused or at_touch,
                at_resolved,
                at_closed,
            )
        )

        # Its timeline, worded as the services word it.
        events = batch.events
        on_behalf_of = councillor.id if councillor else None
        message, data = self._created(channel, councillor)
        events.append((pk, _CREATED, True, message, data, raised_by, on_behalf_of, at_created))
        events.append((pk, _ASSIGNED, False, routed_message, routed_data, None, None, at_created))
        previous = category.statuses[_NEW][0]
        if state != _NEW:
            if picked_up:
                message, data = self._picked_up(team, assignee)
                events.append((pk, _ASSIGNED, False, message, data, assignee, None, at_touch))
            to = status_id if state == _OPEN else category.statuses[_OPEN][0]
            if to != previous:
                events.append(self._status_event(pk, previous, to, at_touch, assignee))
                previous = to
        if breached is not None:
            due_text = due.replace(tzinfo=UTC).astimezone(self.tz).strftime("%d %B %Y %H:%M")
            message = f"Service standard breached: it was due {due_text}"
            events.append((pk, _SLA, False, message, "{}", None, None, at_breached))
        if paused is not None:
            events.append(self._status_event(pk, previous, status_id, at_paused, assignee))
            events.append((pk, _SLA, False, "Clock paused", "{}", assignee, None, at_paused))
            previous = status_id
        if resolved is not None:
            to = status_id if state == _RESOLVED else category.statuses[_RESOLVED][0]
            events.append(
                self._status_event(pk, previous, to, at_resolved, assignee, family.resolution)
            )
            previous = to
        if closed is not None and status_id != previous:
            events.append(self._status_event(pk, previous, status_id, at_closed, closer))

        # Contacts and consent.
        if citizen_id is None:
            return
        if channel in CONTACT_CHANNELS:
            summary = f"Reported {category.name.lower()}: {description}"
            staff = raised_by if councillor is None else None
            batch.interactions.append(
                (citizen_id, pk, channel, _INBOUND, summary, staff, at_created)
            )
        if resolved is not None and rng.random() < FOLLOW_UP_SHARE:
            how = _PHONE if rng.random() < 0.5 else _EMAIL
            summary = f"Told the resident: {family.resolution}"
            batch.interactions.append(
                (citizen_id, pk, how, _OUTBOUND, summary, assignee, at_resolved)
            )
        if self.citizen_consents[citizen_index] == 1:
            self.citizen_consents[citizen_index] = 2
            whole = rng.random() < 0.5
            batch.consents.append(
                (
                    citizen_id,
                    _SHARE_WITH_COUNCILLOR,
                    _ALL_CASES if whole else _ONE_CASE,
                    None if whole else pk,
                    _WEB,
                    "v1",
                    "Ticked the consent box on the report form.",
                    at_created,
                )
            )

    def _status(self, category: _Category, state: str) -> int:
        """A status in the state: mostly the main one (Completed, In progress), some others."""
        rng = self.rng
        candidates = category.statuses[state]
        if len(candidates) == 1 or rng.random() < 0.7:
            return candidates[0]
        return candidates[rng.randrange(len(candidates))]

    def _created(self, channel: str, councillor: _Councillor | None) -> tuple[str, str]:
        key = ("created", channel, councillor)
        memo = self._memo.get(key)
        if memo is None:
            how = str(Channel(channel).label).lower()
            if councillor is None:
                message = f"Reported by {how}"
            else:
                role = str(ServiceRequest.RaisedAs.COUNCILLOR.label).lower()
                message = f"Raised by {councillor.name} ({role}), by {how}"
            memo = self._memo[key] = (message, json.dumps({"channel": channel}))
        return memo[0], memo[1]

    def _picked_up(self, team: int, assignee: int | None) -> tuple[str, str]:
        key = ("picked", team, assignee)
        memo = self._memo.get(key)
        if memo is None:
            code, name = self.teams[team]
            message = f"Reassigned to {name}, {self.user_name.get(assignee or 0, '')}"
            memo = self._memo[key] = (message, json.dumps({"team": code, "assignee": assignee}))
        return memo[0], memo[1]

    def _status_event(
        self, pk: int, old: int, new: int, when: Any, actor: int | None, public_message: str = ""
    ) -> tuple[Any, ...]:
        key = ("status", old, new)
        memo = self._memo.get(key)
        if memo is None:
            names = self.status_name
            message = f"Status changed from {names[old]} to {names[new]}"
            data = json.dumps({"from": self.status_code[old], "to": self.status_code[new]})
            memo = self._memo[key] = (message, data, self.status_public[new])
        message = public_message or memo[0]
        return (pk, _STATUS, memo[2], message, memo[1], actor, None, when)

    # ------------------------------------------------------------------ the run

    def run(self, *, count: int, batch_size: int, progress: Callable[[int], None] | None) -> int:
        rng = self.rng
        if count <= 0 or not self.day_cum or self.day_cum[-1] <= 0:
            return 0
        pool = max(1, count // 3)
        named_share = 0.9  # roughly: the rest are anonymous
        new_share = min(1.0, pool / (count * named_share))
        total = self.day_cum[-1]
        per_day = Counter(bisect_right(self.day_cum, rng.random() * total) for _ in range(count))
        writer = _Writer(self._write, progress) if _can_write_in_background() else None
        done = 0

        def emit() -> None:
            nonlocal done
            batch, self._batch = self._batch, _Batch()
            if writer is not None:
                writer.put(batch)
                return
            done += self._write(batch)
            if progress:
                progress(done)

        last_day = len(self.days) - 1
        latest = self.now - _SECOND
        try:
            for i, day in enumerate(self.days):
                n = per_day.get(i, 0)
                if not n:
                    continue
                weights = list(accumulate(self.day_category_weights[i]))
                cats = rng.choices(self.categories, cum_weights=weights, k=n)
                open_today = self.calendar.is_working_day(day)
                drafts = []
                for category in cats:
                    pick = bisect_right(self.channel_cum, rng.random() * self.channel_cum[-1])
                    channel = self.channels[pick]
                    if channel in OFFICE_CHANNELS and not open_today:
                        channel = _WEB
                    hours = self.hours_office if channel in OFFICE_CHANNELS else self.hours_any
                    hour = bisect_right(hours, rng.random() * hours[-1])
                    seconds = hour * 3600 + rng.randrange(3600)
                    if i == last_day and seconds >= self.today_elapsed:
                        seconds = int(rng.random() * self.today_elapsed)
                    drafts.append((seconds, category, channel))
                drafts.sort(key=lambda d: d[0])
                midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
                for seconds, category, channel in drafts:
                    local = midnight + timedelta(seconds=seconds)
                    created = min(local.astimezone(UTC).replace(tzinfo=None), latest)
                    self._case(category, created, day, channel, pool, new_share)
                    if len(self._batch.cases) >= batch_size:
                        emit()
            if self._batch.cases:
                emit()
        except BaseException:
            if writer is not None:
                writer.abandon()
            raise
        return writer.finish() if writer is not None else done

    def _write(self, batch: _Batch) -> int:
        """Write one batch in one transaction (on the calling thread's connection)."""
        with transaction.atomic():
            self.citizens.write(batch.citizens)
            self.cases.write(batch.cases)
            self.events.write(batch.events)
            self.interactions.write(batch.interactions)
            self.consents.write(batch.consents)
            for year, value in sorted(batch.years.items()):
                counter, _ = ReferenceCounter.objects.get_or_create(
                    prefix=self.prefix, year=year, defaults={"last_value": value}
                )
                if counter.last_value < value:
                    ReferenceCounter.objects.filter(pk=counter.pk).update(
                        last_value=Greatest(F("last_value"), value)
                    )
        return len(batch.cases)


def _can_write_in_background() -> bool:
    """A second connection sees the reference data only outside a transaction, on a real file."""
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        return not connection.is_in_memory_db()
    return connection.vendor == "postgresql"


class _Writer(threading.Thread):
    """Writes batches on its own connection while the next batch is drawn.

    The database does its share of the work (indexes, constraint checks) on the other core;
    batches are committed in the order they were drawn, one transaction each.
    """

    def __init__(
        self, write: Callable[[_Batch], int], progress: Callable[[int], None] | None
    ) -> None:
        super().__init__(name="synthetic-cases-writer", daemon=True)
        self._write = write
        self._progress = progress
        self._queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._done = 0
        self.start()

    def run(self) -> None:
        try:
            while (batch := self._queue.get()) is not None:
                if self._error is not None:
                    continue  # drain, so that the producer never blocks
                try:
                    self._done += self._write(batch)
                    if self._progress:
                        self._progress(self._done)
                except BaseException as exc:  # handed to the producer by put() / finish()
                    self._error = exc
        finally:
            connection.close()

    def put(self, batch: _Batch) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(batch)

    def finish(self) -> int:
        self._queue.put(None)
        self.join()
        if self._error is not None:
            raise self._error
        return self._done

    def abandon(self) -> None:
        self._queue.put(None)
        self.join()


def cases_generate(
    *,
    count: int,
    seed: int = 0,
    years: int = 4,
    batch_size: int = 5000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Generate ``count`` realistic cases (with citizens, timelines, contacts and consents).

    Cases spread over the ``years`` years before ``now``; the same seed and ``now`` on the same
    reference data give the same cases. Returns the number of cases created. Reference
    counters are moved past every number used, so later ``next_reference()`` calls never
    collide. For demo and load-test databases only: rows are written in bulk, without history,
    audit rows or notifications, and nothing else may write cases while it runs.
    """
    if count < 0 or years < 1 or batch_size < 1:
        raise ValueError("count must be >= 0, years and batch_size >= 1")
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    generator = _Generator(rng=rng, now=now, years=years, batch_size=batch_size)
    return generator.run(count=count, batch_size=batch_size, progress=progress)

"""Synthetic cases: drawing each case (citizen, route, life, timeline, contacts) and the run.

Cases are drawn day by day in time order and handed to the writers in batches. ``_Generator``
is one pipeline over shared state (the rng, the citizen pool, the memo) and draws in a fixed
order for reproducibility, which is why its steps stay together here (about 560 lines past the
imports); the reference data it reads comes from ``world._World``.
"""

from __future__ import annotations

import json
import math
import random
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.council_crm import routing
from apps.council_crm.demo.synthetic.errors import SyntheticDataError
from apps.council_crm.demo.synthetic.realism import (
    _ALL_CASES,
    _ASCII,
    _ASSIGNED,
    _CLOSED,
    _CREATED,
    _EMAIL,
    _FIVE_MINUTES,
    _HOUR,
    _INBOUND,
    _NEW,
    _ONE_CASE,
    _OPEN,
    _OUTBOUND,
    _PAUSED,
    _PHONE,
    _RAISED_AS_COUNCILLOR,
    _RESOLVED,
    _SECOND,
    _SHARE_WITH_COUNCILLOR,
    _SLA,
    _STATUS,
    _STUCK_AGE,
    _WEB,
    AGE_BANDS,
    ANONYMOUS_SHARE,
    CHANNEL_MIX,
    CLOSED_BY_OFFICER_SHARE,
    CONSENT_SHARE,
    CONTACT_CHANNELS,
    COUNCILLOR_SHARE,
    EMAIL_DOMAINS,
    FIRST_NAMES_GB,
    FIRST_NAMES_IE,
    FOLLOW_UP_SHARE,
    HOTSPOT_SHARE,
    HOTSPOT_SIGMA_M,
    HOURS_ANY,
    HOURS_OFFICE,
    LAST_NAMES_GB,
    LAST_NAMES_IE,
    LATE_SHARE,
    METRES_PER_DEGREE,
    OFFICE_CHANNELS,
    PAUSED_SHARE,
    PICKED_UP_SHARE,
    STUCK_SHARE,
    TEXT_ANSWERS,
)
from apps.council_crm.demo.synthetic.world import (
    _Category,
    _Councillor,
    _DivisionSampler,
    _Street,
    _World,
)
from apps.council_crm.demo.synthetic.writers import (
    CASE_FIELDS,
    CITIZEN_FIELDS,
    CONSENT_FIELDS,
    EVENT_FIELDS,
    INTERACTION_FIELDS,
    _aware_time,
    _Batch,
    _can_write_in_background,
    _Ids,
    _same,
    _sqlite_time,
    _Table,
    _Writer,
)
from apps.council_crm.models import (
    CaseEvent,
    CategoryQuestion,
    Channel,
    Citizen,
    Consent,
    ContactPreference,
    Interaction,
    ReferenceCounter,
    RoutingRule,
    ServiceRequest,
)
from apps.council_crm.references import format_reference


class _Generator(_World):
    """One run: draws every case in time order and hands the rows to the writers by batch."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        years: int,
        batch_size: int,
        months: int | None = None,
    ) -> None:
        super().__init__(rng=rng, now=now, years=years, months=months)
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
        self,
        category: _Category,
        division: _DivisionSampler,
        description: str,
        answers: dict[str, Any],
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


def cases_generate(
    *,
    count: int,
    seed: int = 0,
    years: int = 4,
    batch_size: int = 5000,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
    months: int | None = None,
) -> int:
    """Generate ``count`` realistic cases (with citizens, timelines, contacts and consents).

    Cases spread over the ``years`` years before ``now`` (or ``months`` months if given); the
    same seed and ``now`` on the same reference data give the same cases. Returns the number of
    cases created. Reference counters are moved past every number used, so later
    ``next_reference()`` calls never collide. For demo and load-test databases only: rows are
    written in bulk, without history, audit rows or notifications, and nothing else may write
    cases while it runs.
    """
    if count < 0 or years < 1 or batch_size < 1 or (months is not None and months < 1):
        raise ValueError("count must be >= 0, years, months and batch_size >= 1")
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    generator = _Generator(rng=rng, now=now, years=years, batch_size=batch_size, months=months)
    return generator.run(count=count, batch_size=batch_size, progress=progress)

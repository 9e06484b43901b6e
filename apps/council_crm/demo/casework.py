"""A demo with work in it: about 2,000 cases over the last 18 months, and recent casework.

Two parts, both deterministic (one seed):
- the history: 1,800 cases over 18 months from the synthetic generator (bulk writes: timelines,
  contacts and consents as the services word them, no history rows or notifications);
- the last five weeks: about 220 cases logged and worked through the real services
  (`case_create`, `case_assign`, `case_transition`, `case_add_update`, `case_merge`,
  `case_reopen`, `survey_answer`, `consent_grant`, `interaction_log`), so their timelines, audit
  rows and outbox messages are the real ones: calls, visits, letters, emails, texts and social
  media messages logged by the contact centre (some left with Customer Contact Triage to sort
  out), cases raised by councillors and their support officers, updates and internal notes,
  pauses, merges, resolutions with satisfaction answers, closures and reopenings, and cases
  passed to the teams no category routes to (road safety, passenger transport, libraries ...).

Idempotent: the recent casework is marked by its idempotency keys (`demo-workload:<n>`); once
it is there nothing is added. The history is generated only into a site with no cases yet.
The outbox: the messages this load writes (acknowledgements, updates, completions, staff
alerts) are marked sent, as a worker would have done at the time; nothing is left pending, so a
demo worker does not send hundreds of old emails when it starts.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.demo.synthetic import cases_generate
from apps.council_crm.demo.synthetic.realism import FIRST_NAMES_GB, LAST_NAMES_GB
from apps.council_crm.demo.workload import DEMO_RESIDENT_EMAIL
from apps.council_crm.services.cases import (
    CaseRequest,
    case_add_update,
    case_assign,
    case_create,
    case_merge,
    case_reopen,
    case_transition,
)
from apps.council_crm.services.cases.scheduled import cases_escalate
from apps.council_crm.services.cases.surveys import survey_answer
from apps.council_crm.services.citizens import interaction_log
from apps.council_crm.services.consent import consent_grant
from apps.council_crm.services.member import member_case_log, member_preferences_update

MARKER = "demo-workload:"
DEMO_COUNCILLOR = "cllr.andrew.moffat"  # the README's demo accounts
DEMO_SUPPORT_OFFICER = "mso.bethany.clarke"
SEED = 2026
HISTORY_CASES = 1800
HISTORY_MONTHS = 18
RECENT_CASES = 220
RECENT_DAYS = 35

# How the recent cases reached the council: every channel, the contact centre's most of all.
CHANNELS = (
    "phone",
    "web",
    "phone",
    "email",
    "face_to_face",
    "web",
    "social",
    "phone",
    "sms",
    "post",
    "web",
    "email",
)
CONTACT_CENTRE = {"phone", "face_to_face", "email", "post", "social", "sms"}
TRIAGE_REASONS = {
    "phone": "The caller described more than one problem; triage to split it",
    "face_to_face": "Not clear which service this is for; triage to decide",
    "social": "Message on social media with no exact location yet; triage to follow up",
    "post": "Letter about several streets; triage to check the details",
    "email": "Email with photos but no location; triage to ask where",
    "sms": "Text message with little detail; triage to call back",
}
# Teams no category routes to get their work passed on by another team.
HANDOVER_REASONS = {
    "HWY-RS": "Speeding and poor sight lines reported here: road safety to assess",
    "HWY-TRIAGE": "Needs an inspector to decide who repairs it",
    "PLC-PT": "The problem is at a bus stop, which passenger transport looks after",
    "PLC-LIB": "Reported outside the library: the building and its grounds are ours",
    "PLC-CLIM": "Part of the community energy scheme: the climate team replies",
    "GOV-DEM": "The resident asks how the council decided this: democratic services",
    "CUS-COMP": "The resident is unhappy with how we handled it: logged as a complaint",
    "WST-REC": "About the recycling round, not general waste",
    "WST-GW": "Garden waste subscription round",
    "HSG-TEN": "Council tenancy: tenancy management to contact the tenant",
    "ENV-HAZ": "Possible asbestos: hazardous waste team to collect",
    "ENV-ENF": "Evidence found: enforcement to investigate",
    "ENV-DW": "Dog wardens to patrol the area",
    "CSF-ASB": "Repeated anti-social behaviour at this spot",
}
NOTES = (
    "Inspector booked for this week.",
    "Checked the history: reported twice before at this spot.",
    "Contractor asked for a price; waiting to hear.",
    "Spoke to the resident, who is happy to wait for the inspection.",
    "Photos look worse than the description; raised priority with the gang.",
)
UPDATES = (
    "An officer has looked at your report and will visit within the next few days.",
    "We have asked our contractor to carry out the work.",
    "Thank you for your patience: the work is scheduled.",
)
RESOLUTIONS = (
    "The repair has been carried out. Thank you for letting us know.",
    "We inspected the site and cleared the problem.",
    "Our crew attended and the issue has been dealt with.",
)
COMMENTS = ("", "", "Quick and polite, thank you.", "Took too long.", "Fixed properly this time.")


@dataclass(frozen=True)
class WorkloadReport:
    loaded: bool  # False: it was there already, nothing added
    history: int
    recent: int
    marked_sent: int
    seconds: float


def demo_workload_present() -> bool:
    return m.ServiceRequest.objects.filter(idempotency_key__startswith=MARKER).exists()


def demo_workload_ensure(*, now: datetime | None = None) -> WorkloadReport:
    """Load the demo workload unless it is there already (see the module docstring)."""
    started = time.monotonic()
    if demo_workload_present():
        return WorkloadReport(False, 0, 0, 0, time.monotonic() - started)
    now = now or timezone.now()
    history = 0
    if not m.ServiceRequest.objects.exists():
        history = cases_generate(
            count=HISTORY_CASES, seed=SEED, months=HISTORY_MONTHS, now=now - timedelta(days=1)
        )
    with transaction.atomic():
        recent, sent = _Casework(now).run()
    return WorkloadReport(True, history, recent, sent, time.monotonic() - started)


@dataclass(frozen=True)
class _Template:
    category: m.ServiceCategory
    description: str
    answers: dict[str, Any]
    latitude: float
    longitude: float
    division_id: int


class _Casework:
    """The recent cases, worked through the services in time order."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not security
        self.templates = self._templates()
        self.categories = sorted(self.templates, key=lambda c: c.code)
        members = m.TeamMembership.objects.select_related("staff__user", "team")
        self.members: dict[int, list[m.User]] = {}
        self.leaders: dict[int, m.User] = {}
        for ms in members.order_by("staff__user__username"):
            self.members.setdefault(ms.team_id, []).append(ms.staff.user)
            if ms.role == m.TeamMembership.TeamRole.LEADER:
                self.leaders.setdefault(ms.team_id, ms.staff.user)
        self.triage = m.Team.objects.filter(is_triage=True, active=True).order_by("pk").first()
        self.call_handlers = self.members.get(self.triage.pk, []) if self.triage else []
        if not self.call_handlers:
            self.call_handlers = [u for us in self.members.values() for u in us][:3]
        self.councillors = list(
            m.Councillor.objects.select_related("user")
            .prefetch_related("divisions")
            .order_by("user__username")
        )
        self.support = {
            d.councillor_id: d.officer
            for d in m.MemberSupportDelegation.objects.select_related("officer").order_by("pk")
        }
        self.resident = m.Citizen.objects.filter(email=DEMO_RESIDENT_EMAIL).first()
        self.made: list[m.ServiceRequest] = []
        self.demo_officer: m.User | None = None

    def _templates(self) -> dict[m.ServiceCategory, list[_Template]]:
        """What residents report, taken from the history: descriptions, answers, places."""
        out: dict[m.ServiceCategory, list[_Template]] = {}
        categories = {c.pk: c for c in m.ServiceCategory.objects.filter(active=True)}
        rows = (
            m.ServiceRequest.objects.filter(
                category_id__in=list(categories),
                latitude__isnull=False,
                division__isnull=False,
                is_anonymous=False,
            )
            .exclude(description="")
            .order_by("-created_at")
            .values_list(
                "category_id", "description", "answers", "latitude", "longitude", "division_id"
            )[:3000]
        )
        for cat, description, answers, lat, lon, division in rows:
            bucket = out.setdefault(categories[cat], [])
            if len(bucket) < 30:
                bucket.append(
                    _Template(
                        categories[cat],
                        description,
                        answers,
                        float(lat or 0),
                        float(lon or 0),
                        division,
                    )
                )
        return out

    # ------------------------------------------------------------------ helpers

    def _at(self, when: datetime, event: m.CaseEvent | None = None, case: Any = None) -> None:
        """Date a step the service recorded 'now' at the time it happened in the story."""
        if event is not None:
            m.CaseEvent.objects.filter(pk=event.pk).update(created_at=when)
        elif case is not None:
            latest = case.events.order_by("-id").first()
            if latest is not None:
                m.CaseEvent.objects.filter(pk=latest.pk).update(created_at=when)

    def _next(self, case: m.ServiceRequest, state: str, *prefer: str) -> m.CaseStatus | None:
        """A status the workflow allows next for this case, in this state (preferred codes
        first), or None."""
        options = case.status.allowed_next.filter(state=state)
        limited = case.category.statuses.all()
        if limited.exists():
            options = options.filter(pk__in=limited.values("pk"))
        found = list(options.order_by("order"))
        for code in prefer:
            for status in found:
                if status.code == code:
                    return status
        return found[0] if found else None

    def _move(
        self,
        case: m.ServiceRequest,
        state: str,
        *prefer: str,
        actor: m.User | None,
        now: datetime,
        message: str = "",
    ) -> m.ServiceRequest:
        status = self._next(case, state, *prefer)
        if status is None:
            return case
        return case_transition(
            case=case, status=status, actor=actor, now=now, public_message=message
        )

    def _contact(self, i: int) -> ContactDetails:
        rng = self.rng
        if self.resident is not None and i % 25 == 3:
            return ContactDetails(
                first_name=self.resident.first_name,
                last_name=self.resident.last_name,
                email=DEMO_RESIDENT_EMAIL,
            )
        first = FIRST_NAMES_GB[rng.randrange(len(FIRST_NAMES_GB))]
        last = LAST_NAMES_GB[rng.randrange(len(LAST_NAMES_GB))]
        email = f"{first}.{last}.{i}@example.com".lower().replace("'", "")
        phone = f"07700 900{i % 1000:03d}" if rng.random() < 0.6 else ""
        return ContactDetails(first_name=first, last_name=last, email=email, phone=phone)

    # ------------------------------------------------------------------ the run

    def run(self) -> tuple[int, int]:
        if not self.templates:
            return 0, 0
        rng = self.rng
        ages = sorted(
            (rng.random() ** 1.4 * RECENT_DAYS for _ in range(RECENT_CASES)), reverse=True
        )
        for i, age in enumerate(ages):
            created = self.now - timedelta(days=age)
            self._one(i, created)
        self._demo_officer_work()
        self._demo_member_work()
        self._hand_over()
        cases_escalate(now=self.now)  # the breaches the scheduler would have marked by now
        sent = m.OutboxMessage.objects.filter(
            # and whatever the escalation just queued on the generated cases, whose service
            # standards run out at different times of day
            Q(case__idempotency_key__startswith=MARKER) | Q(created_at__gte=self.now),
            status=m.OutboxMessage.Status.PENDING,
        ).update(
            status=m.OutboxMessage.Status.SENT,
            sent_at=timezone.now(),
            attempts=1,
            provider_reference="demo-load",
        )
        return len(self.made), sent

    def _one(self, i: int, created: datetime) -> None:
        rng = self.rng
        channel = CHANNELS[i % len(CHANNELS)]
        category = self.categories[i % len(self.categories)]
        template = self.templates[category][rng.randrange(len(self.templates[category]))]
        actor: m.User | None = None
        on_behalf: m.Councillor | None = None
        if channel in CONTACT_CENTRE:
            actor = self.call_handlers[i % len(self.call_handlers)]
        if i % 9 == 4 and self.councillors:  # a councillor raises it for a constituent
            councillor = self.councillors[(i // 9) % len(self.councillors)]
            divisions = [d.pk for d in councillor.divisions.all()]
            local = [t for ts in self.templates.values() for t in ts if t.division_id in divisions]
            if local:
                template = local[rng.randrange(len(local))]
                category = template.category
            on_behalf = councillor
            actor = councillor.user
            if councillor.pk in self.support and i % 2:
                actor = self.support[councillor.pk]
            channel = "email" if i % 3 else "web"
        jitter = 0.0004
        request = CaseRequest(
            channel=channel,
            category=category,
            description=template.description,
            answers=template.answers,
            latitude=template.latitude + rng.uniform(-jitter, jitter),
            longitude=template.longitude + rng.uniform(-jitter, jitter),
            contact=self._contact(i),
            on_behalf_of=on_behalf,
            raised_as=m.ServiceRequest.RaisedAs.COUNCILLOR if on_behalf else "",
        )
        try:
            case = case_create(
                request=request, actor=actor, idempotency_key=f"{MARKER}{i:04d}", now=created
            ).case
        except ValidationError:  # jittered out of the area, or a question changed: skip it
            return
        self.made.append(case)
        self._work(i, case, created, actor)

    def _work(
        self, i: int, case: m.ServiceRequest, created: datetime, logger: m.User | None
    ) -> None:
        rng = self.rng
        age = self.now - created
        step = created + min(age / 6, timedelta(hours=rng.uniform(1, 20)))

        # one in seven residents agrees to share their cases with their councillor
        if case.citizen is not None and i % 7 == 0:
            consent_grant(
                citizen=case.citizen,
                purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
                actor=logger if logger and logger.is_staff_member else None,
                channel=case.channel,
                scope=m.Consent.Scope.ALL_CASES if i % 2 else m.Consent.Scope.CASE,
                case=None if i % 2 else case,
                evidence="Agreed when reporting" if logger else "",
                now=created,
            )

        leader = self.leaders.get(case.team_id or 0)
        members = self.members.get(case.team_id or 0, [])
        if (
            self.triage
            and logger is not None
            and logger in self.call_handlers
            and case.team_id != self.triage.pk
            and i % 6 == 1
        ):  # logged by the contact centre for triage
            case = case_assign(
                case=case,
                team=self.triage,
                assignee=None,
                actor=logger,
                reason=TRIAGE_REASONS.get(case.channel, "Needs triage"),
            )
            self._at(created + timedelta(minutes=3), case=case)
            if age < timedelta(days=2) or (i // 6) % 3 == 0:
                return  # still waiting for triage
            handler = self.members.get(self.triage.pk, [logger])[-1]
            case = case_assign(
                case=case, team=self.triage, assignee=handler, actor=handler, reason=""
            )
            self._at(step, case=case)
            if (i // 6) % 3 == 1:  # still with triage: details being gathered
                case = self._move(case, "open", "under_review", actor=handler, now=step)
                note = case_add_update(
                    case=case,
                    actor=handler,
                    message="Called the resident back for the details; will pass it on today.",
                    public=False,
                )
                self._at(step + timedelta(minutes=10), note)
                return
            members = [handler]

        if case.channel == "web" and case.citizen is not None and i % 5 == 1:
            interaction_log(
                citizen=case.citizen,
                channel="web",
                direction=m.Interaction.Direction.INBOUND,
                summary="Asked for an update through the website's contact form.",
                actor=None,
                case=case,
            )
        if age < timedelta(hours=18):
            return  # too new to have been looked at
        officer = case.assignee or (members[i % len(members)] if members else leader)
        if officer is None:
            return
        if case.assignee is None and case.team is not None and i % 5:
            case = case_assign(case=case, team=case.team, assignee=officer, actor=officer)
            self._at(step, case=case)
        actor = officer
        case = self._move(case, "open", "under_review", "in_progress", actor=actor, now=step)
        if i % 3 == 0:
            note = case_add_update(
                case=case, actor=actor, message=NOTES[i % len(NOTES)], public=False
            )
            self._at(step + timedelta(minutes=20), note)
        u = rng.random()
        later = step + (self.now - step) * rng.uniform(0.3, 0.8)
        if u < 0.12:  # paused: waiting for the resident or a contractor
            prefer = ("awaiting_info", "awaiting_contractor")
            case = self._move(case, "paused", *prefer[i % 2 :], actor=actor, now=later)
            if case.status.code == "awaiting_info":
                update = case_add_update(
                    case=case,
                    actor=actor,
                    message="We need a little more information: we will call you.",
                    public=True,
                )
                self._at(later + timedelta(minutes=5), update)
            return
        if u < 0.45 or age < timedelta(days=3):  # in progress, maybe overdue by now
            case = self._move(case, "open", "in_progress", actor=actor, now=later)
            if i % 4 == 1:
                update = case_add_update(
                    case=case, actor=actor, message=UPDATES[i % len(UPDATES)], public=True
                )
                self._at(later + timedelta(minutes=5), update)
            if i % 10 == 7 and len(self.made) > 1:  # a second report of the same thing
                self._merge_into(case, i, later)
            return
        resolution = RESOLUTIONS[i % len(RESOLUTIONS)]
        case = self._move(case, "resolved", "completed", actor=actor, now=later, message=resolution)
        if case.status.state != m.StateCategory.RESOLVED:
            return
        survey = m.SatisfactionSurvey.objects.filter(case=case).first()
        if survey is not None and i % 2 == 0:
            survey_answer(
                token=survey.token, score=1 + (i * 7) % 5, comment=COMMENTS[i % len(COMMENTS)]
            )
        citizen = case.citizen
        if u > 0.93 and citizen is not None:  # "not fixed"
            reopened = later + (self.now - later) * 0.5
            case = case_reopen(
                case=case,
                actor=None,
                reason="It has broken again in the same place.",
                by_resident=True,
                now=reopened,
            )
            interaction_log(
                citizen=citizen,
                channel="phone",
                direction=m.Interaction.Direction.INBOUND,
                summary="Rang to say the problem is back; case reopened.",
                actor=self.call_handlers[0],
                case=case,
            )
            return
        if u > 0.75:
            closed_at = later + (self.now - later) * 0.6
            case = self._move(case, "closed", "closed", actor=actor, now=closed_at)
        if case.citizen is not None and i % 4 == 2:
            interaction_log(
                citizen=case.citizen,
                channel="phone" if i % 8 == 2 else "email",
                direction=m.Interaction.Direction.OUTBOUND,
                summary="Told the resident the work is done.",
                actor=actor,
                case=case,
            )

    def _merge_into(self, master: m.ServiceRequest, i: int, when: datetime) -> None:
        """A neighbour reports the same problem; the officer merges it into the first case."""
        request = CaseRequest(
            channel="web",
            category=master.category,
            description=master.description,
            answers=master.answers,
            latitude=master.latitude,
            longitude=master.longitude,
            contact=self._contact(10_000 + i),
        )
        duplicate = case_create(
            request=request, actor=None, idempotency_key=f"{MARKER}dup-{i:04d}", now=when
        ).case
        self.made.append(duplicate)
        officer = master.assignee or self.leaders.get(master.team_id or 0)
        if officer is not None:
            case_merge(duplicate=duplicate, master=master, actor=officer)
            self._at(when + timedelta(hours=1), case=duplicate)

    def _hand_over(self) -> None:
        """Every team has open work: a few cases passed on to the teams nothing routes to."""
        open_by_team = dict(
            m.ServiceRequest.objects.filter(status__state__in=m.OPEN_STATES)
            .values_list("team_id")
            .annotate(n=Count("id"))
            .values_list("team_id", "n")
        )
        candidates = [
            c
            for c in self.made
            if c.duplicate_of_id is None and c.team_id != (self.triage.pk if self.triage else None)
        ]
        candidates = list(
            m.ServiceRequest.objects.filter(
                pk__in=[c.pk for c in candidates], status__state__in=m.OPEN_STATES
            )
            .exclude(assignee__isnull=False, assignee=self.demo_officer)
            .order_by("created_at")
        )
        for team in m.Team.objects.filter(active=True).order_by("code"):
            if open_by_team.get(team.pk, 0) >= 3 or not candidates:
                continue
            members = self.members.get(team.pk, [])
            for k in range(3 - open_by_team.get(team.pk, 0)):
                if not candidates:
                    break
                case = candidates.pop(k % len(candidates))
                from_team = self.leaders.get(case.team_id or 0) or self.call_handlers[0]
                case_assign(
                    case=case,
                    team=team,
                    assignee=members[k % len(members)] if members and k else None,
                    actor=from_team,
                    reason=HANDOVER_REASONS.get(team.code, f"This is for {team.name}"),
                )

    def _demo_member_work(self) -> None:
        """The demo councillor and support officer (README) have casework of their own: cases
        logged for constituents through the member area (with their consent), one as an
        individual, updates on some; the councillor gets the weekly digest."""
        rng = self.rng
        councillor = m.Councillor.objects.filter(user__username=DEMO_COUNCILLOR).first()
        officer = m.User.objects.filter(username=DEMO_SUPPORT_OFFICER).first()
        work: list[tuple[m.Councillor, m.User]] = []
        if councillor is not None:
            work += [(councillor, councillor.user)] * 4
            member_preferences_update(
                user=councillor.user,
                actor=councillor.user,
                choices={
                    "email_logged": True,
                    "email_assigned": True,
                    "email_delayed": True,
                    "email_updated": True,
                    "email_completed": True,
                    "weekly_digest": True,
                },
            )
        if officer is not None:
            supported = m.Councillor.objects.filter(delegations__officer=officer).order_by(
                "user__username"
            )
            for c in supported[:2]:
                work += [(c, officer)] * 3
        for n, (cllr, actor) in enumerate(work):
            divisions = set(cllr.divisions.values_list("pk", flat=True))
            local = [t for ts in self.templates.values() for t in ts if t.division_id in divisions]
            if not local:
                continue
            template = local[rng.randrange(len(local))]
            individual = n % 4 == 3
            i = 900 + n
            contact = self._contact(i)
            if individual:
                contact = ContactDetails(
                    first_name=cllr.user.first_name,
                    last_name=cllr.user.last_name,
                    email=cllr.user.email,
                )
            request = CaseRequest(
                channel="web",
                category=template.category,
                description=template.description,
                answers=template.answers,
                latitude=template.latitude,
                longitude=template.longitude,
                contact=contact,
                on_behalf_of=cllr,
                raised_as=m.ServiceRequest.RaisedAs.INDIVIDUAL
                if individual
                else m.ServiceRequest.RaisedAs.COUNCILLOR,
            )
            created = self.now - timedelta(days=rng.uniform(1, 20))
            try:
                case = member_case_log(
                    request=request,
                    councillor=cllr,
                    actor=actor,
                    key=f"{MARKER}member-{n:03d}",
                    consent_how=["in_person", "phone", "email", "letter"][n % 4],
                    consent_evidence=f"Agreed on {created:%-d %B}",
                ).case
            except ValidationError:
                continue
            self.made.append(case)
            if n % 2 == 0 and case.team_id:
                leader = self.leaders.get(case.team_id)
                if leader is not None:
                    case_add_update(
                        case=case,
                        actor=leader,
                        message="We have inspected this and booked the work.",
                        public=True,
                    )

    def _demo_officer_work(self) -> None:
        """The demo case officer (README) has cases of their own to work."""
        officer = (
            m.User.objects.filter(
                role=m.Role.CASE_OFFICER, staff_profile__memberships__role="member"
            )
            .order_by("username")
            .first()
        )
        self.demo_officer = officer
        if officer is None:
            return
        team_ids = list(
            m.TeamMembership.objects.filter(staff__user=officer).values_list("team_id", flat=True)
        )
        mine = m.ServiceRequest.objects.filter(assignee=officer, status__state__in=m.OPEN_STATES)
        wanted = 8 - mine.count()
        if wanted <= 0:
            return
        team = m.Team.objects.filter(pk__in=team_ids).order_by("pk").first()
        if team is None:
            return
        # the team's own unassigned cases first, then open cases of its department's other teams
        spare = list(
            m.ServiceRequest.objects.filter(
                team_id__in=team_ids, assignee__isnull=True, status__state__in=m.OPEN_STATES
            ).order_by("created_at")[:wanted]
        )
        spare += list(
            m.ServiceRequest.objects.filter(
                team__department=team.department,
                status__state__in=m.OPEN_STATES,
                idempotency_key__startswith=MARKER,
            )
            .exclude(team_id__in=team_ids)
            .exclude(team__is_triage=True)
            .order_by("created_at")[: wanted - len(spare)]
        )
        for case in spare:
            reason = (
                "" if case.team_id in team_ids else f"{officer.get_full_name()} covers this area"
            )
            case_assign(case=case, team=team, assignee=officer, actor=officer, reason=reason)

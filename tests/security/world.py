"""The security suite's world: the demo council, its demo sign-ins, and one object of every
kind the sweep asks about, each citizen with personal data no page should show to the wrong
person. Built once per test package (tests/security/conftest.py) and rolled back at its end.

Cases (all on the demo council; their teams set so that the demo staff stand in known places):

- `mine`: the demo resident's own, FE05, team HWY-N (the case officer's); a consent for this
  case naming the support officer's first councillor (outside FE05).
- `shared`: another citizen, FE05, HWY-N; consent for all their cases, naming no councillor
  (so the councillors of FE05, the demo councillor among them).
- `private`: another citizen, FE05, CUS-TRIAGE (the team leader's); no consent.
- `raised`: raised by the demo support officer for her first councillor, elsewhere, HWY-N.
- `lapsed`: raised for the demo councillor by a support officer whose delegation has since
  ended, FE05, HWY-N: the councillor sees it, that officer no longer does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from apps.council_crm import models as m
from apps.council_crm.contacts import ContactDetails
from apps.council_crm.demo.workload import DEMO_PASSWORD, demo_users_ensure
from tests.factories.cases import report_pothole
from tests.factories.files import jpeg

# The roles of the sweep: every demo sign-in (README), the signed-out visitor, and one extra:
# a support officer whose delegation ended (issue 15's first leak).
ANON, RESIDENT, OFFICER, LEADER, MANAGER = "anon", "resident", "officer", "leader", "manager"
DPO, ADMIN, CLLR, MSO, LAPSED = "dpo", "admin", "cllr", "mso", "mso_lapsed"
ROLES = (ANON, RESIDENT, OFFICER, LEADER, MANAGER, DPO, ADMIN, CLLR, MSO, LAPSED)
DEMO_USERNAMES = {
    RESIDENT: "resident",
    OFFICER: "aisha.okafor",
    LEADER: "chris.obrien",
    MANAGER: "manager",
    DPO: "dpo",
    ADMIN: "admin",
    CLLR: "cllr.andrew.moffat",
    MSO: "mso.bethany.clarke",
}

CASES = ("mine", "shared", "private", "raised", "lapsed")


@dataclass
class Person:
    """A citizen's personal data, as strings that must appear only where they may."""

    first_name: str
    last_name: str
    email: str
    phone: str
    address: str
    description: str

    @property
    def strings(self) -> tuple[str, ...]:
        return (self.last_name, self.email, self.phone, self.address, self.description)

    def contact(self) -> ContactDetails:
        return ContactDetails(
            first_name=self.first_name,
            last_name=self.last_name,
            email=self.email,
            phone=self.phone,
            address=self.address,
        )


def _person(kind: str, email: str | None = None) -> Person:
    word = kind.capitalize()
    return Person(
        first_name="Ottoline" if kind == "shared" else f"Zed{word}",
        last_name=f"Quillfeather{word}",
        email=email or f"{kind}.person@private.example",
        # as the citizen record keeps it (normalised: no spaces), so the pages show it so
        phone=f"0770090{sum(map(ord, kind)):04d}",
        address=f"{len(kind)} {word} Mews, Fernbridge",
        description=f"Loose paving stone reported by the {kind} person, gate code 4{len(kind)}19",
    )


@dataclass
class World:
    users: dict[str, m.User]
    cases: dict[str, m.ServiceRequest]
    people: dict[str, Person]
    objects: dict[str, dict[str, object]] = field(default_factory=dict)
    # which citizens' personal data each role may see somewhere (beyond the denied pages)
    may_know: dict[str, frozenset[str]] = field(default_factory=dict)

    def forbidden(self, role: str, *, denied: bool) -> list[str]:
        """The personal data this role's response must not contain."""
        allowed = {"mine"} if role == RESIDENT else set()
        if not denied:
            allowed |= self.may_know[role]
        return [s for kind, p in self.people.items() if kind not in allowed for s in p.strings]


def build() -> World:
    """Everything the sweep asks about, through the real services where they exist."""
    demo_users_ensure()
    users = {role: m.User.objects.get(username=name) for role, name in DEMO_USERNAMES.items()}
    hwy = m.Team.objects.get(code="HWY-N")
    triage = m.Team.objects.get(code="CUS-TRIAGE")
    # the department manager manages the officer's department (as well as the first one)
    m.Department.objects.filter(pk=hwy.department_id).update(manager=users[MANAGER])
    assert not triage.memberships.filter(staff__user=users[OFFICER]).exists()
    assert triage.department.manager_id != users[MANAGER].pk, "the leader's team is elsewhere"
    assert not hwy.memberships.filter(staff__user=users[LEADER]).exists()

    cllr = m.Councillor.objects.get(user=users[CLLR])
    fe05 = cllr.divisions.get()
    supported = m.Councillor.objects.filter(delegations__officer=users[MSO]).order_by("pk")
    mso_cllr = supported.first()
    assert mso_cllr is not None
    assert not supported.filter(divisions=fe05).exists(), "the support officer's are elsewhere"
    lapsed = m.User.objects.create_user(
        username="mso.lapsed",
        password=DEMO_PASSWORD,
        role=m.Role.SUPPORT_OFFICER,
        email="mso.lapsed@demo.invalid",
    )
    delegation = m.MemberSupportDelegation.objects.create(officer=lapsed, councillor=cllr)
    users[LAPSED] = lapsed

    people = {kind: _person(kind) for kind in CASES}
    people["mine"] = _person("mine", email=users[RESIDENT].email)
    other_code = m.Division.objects.exclude(pk=fe05.pk).order_by("code").first().code
    cases: dict[str, m.ServiceRequest] = {}
    for kind in CASES:
        by = {"raised": (users[MSO], mso_cllr), "lapsed": (lapsed, cllr)}.get(kind)
        extra = (
            {"actor": by[0], "channel": "phone", "on_behalf_of": by[1], "raised_as": "councillor"}
            if by
            else {}
        )
        cases[kind] = report_pothole(
            division=other_code if kind == "raised" else fe05.code,
            contact=people[kind].contact(),
            description=people[kind].description,
            **extra,
        ).case
    delegation.ends_on = timezone.localdate() - timedelta(days=1)
    delegation.save()
    assert cases["mine"].citizen.user_id == users[RESIDENT].pk
    for kind, case in cases.items():
        case.team = triage if kind == "private" else hwy
        case.save(update_fields=["team"])

    consent = m.Consent.objects.create(
        citizen=cases["shared"].citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=m.Consent.Scope.ALL_CASES,
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=5),
    )
    own_consent = m.Consent.objects.create(
        citizen=cases["mine"].citizen,
        purpose=m.Consent.Purpose.SHARE_WITH_COUNCILLOR,
        scope=m.Consent.Scope.CASE,
        case=cases["mine"],
        councillor=mso_cllr,  # outside the case's division: the councillor of the sweep may not
        channel="web",
        wording_version="v1",
        granted_at=timezone.now() - timedelta(minutes=5),
    )
    attachments = {
        kind: m.Attachment.objects.create(
            case=cases[kind],
            file=ContentFile(jpeg(), name=f"{kind}.jpg"),
            original_name=f"{kind}.jpg",
            content_type="image/jpeg",
            size=100,
        )
        for kind in ("mine", "private")
    }
    survey = m.SatisfactionSurvey.objects.create(
        case=cases["private"], token=secrets.token_urlsafe(30)
    )
    view = m.SavedView.objects.create(
        user=users[OFFICER], name="Officer's view", query="state=open"
    )
    motion = m.Motion.objects.filter(status=m.Motion.Status.SUBMITTED).order_by("pk").first()
    motion = motion or m.Motion.objects.order_by("pk").first()
    action = m.FollowUpAction.objects.order_by("pk").first()
    topic = m.Topic.objects.order_by("pk").first()

    objects: dict[str, dict[str, object]] = {}
    for kind, case in cases.items():
        objects[f"case:{kind}"] = {"reference": case.reference}
        objects[f"citizen:{kind}"] = {"pk": case.citizen_id}
    objects["case:missing"] = {"reference": "FCC-00-999999"}
    objects["citizen:missing"] = {"pk": 999_999_999}
    for kind, att in attachments.items():
        objects[f"attachment:{kind}"] = {"reference": cases[kind].reference, "pk": att.pk}
    objects["consent:shared"] = {"pk": consent.pk}
    objects["consent:mine"] = {"pk": own_consent.pk}
    objects["view:officer"] = {"pk": view.pk}
    objects["motion"] = {"reference": motion.reference}
    objects["action"] = {"pk": action.pk if action else 1}
    objects["topic"] = {"slug": topic.slug if topic else "roads"}
    objects["month"] = {"month": date(2026, 1, 1)}
    objects["division:own"] = {"code": fe05.code}
    objects["division:other"] = {"code": other_code}
    category = m.ServiceCategory.objects.filter(active=True).order_by("code").first()
    objects["category"] = {"code": category.code if category else "POT"}
    objects["mi-export"] = {"slug": "volumes", "fmt": "csv"}
    objects["journey"] = {"journey_id": secrets.token_urlsafe(16), "step": "where"}
    objects["survey:real"] = {"token": survey.token}
    objects["survey:guess"] = {"token": secrets.token_urlsafe(30)}
    objects["email-key"] = {"key": "MQ:1tGuess:abcdefgh"}
    objects["reset-key"] = {"uidb36": "1", "key": "set-password"}

    everyone = frozenset(CASES)
    may_know = {
        ANON: frozenset(),
        RESIDENT: frozenset({"mine"}),
        OFFICER: everyone,  # staff see citizens (ADR 0017)
        LEADER: everyone,
        MANAGER: everyone,
        DPO: everyone,
        ADMIN: everyone,  # sees every case at the desk (configuration, yet not citizen pages)
        CLLR: frozenset({"shared", "lapsed"}),
        MSO: frozenset({"raised", "mine"}),  # "mine": consent names her councillor
        LAPSED: frozenset(),
    }
    return World(users=users, cases=cases, people=people, objects=objects, may_know=may_know)

"""Citizens for staff: finding one, their page, and their whole history (cases and contacts)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from apps.council_crm.contacts import normalise_phone
from apps.council_crm.models import Citizen, Consent, Interaction, ServiceRequest, User
from apps.council_crm.permissions import can_see_citizens, cases_visible_to


@dataclass(frozen=True)
class HistoryItem:
    when: datetime
    kind: str  # "case" or "interaction"
    case: ServiceRequest | None = None
    interaction: Interaction | None = None


def citizen_history(*, citizen: Citizen, limit: int = 200) -> list[HistoryItem]:
    """Cases they raised or follow, and logged contacts, in one list (newest first).

    Callers are staff screens; who may open a citizen record is decided by permissions.py.
    """
    cases = (
        ServiceRequest.objects.filter(citizen=citizen)
        .select_related("category", "status", "team")
        .order_by("-created_at")[:limit]
    )
    contacts = (
        Interaction.objects.filter(citizen=citizen)
        .select_related("case", "staff")
        .order_by("-created_at")[:limit]
    )
    items = [HistoryItem(c.created_at, "case", case=c) for c in cases]
    items += [HistoryItem(i.created_at, "interaction", interaction=i) for i in contacts]
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]


# --- the desk: finding a citizen, and their page (who may: permissions.can_see_citizens) ------

MAX_MATCHES = 20
# A repeat reporter: this many cases or more in the last year (a flag for staff, not a rule)
REPEAT_REPORTER_CASES = 5
REPEAT_REPORTER_DAYS = 365
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
EIRCODE = re.compile(r"^[A-Z]\d[\dW][A-Z\d]{4}$")
PHONE = re.compile(r"^\+?\d{6,15}$")


def postcode_forms(text: str) -> list[str]:
    """A postcode as people type it and as it is stored: 'so171bj' → ['SO171BJ', 'SO17 1BJ']."""
    compact = re.sub(r"\s+", "", text).upper()
    if UK_POSTCODE.match(compact):
        return [compact, f"{compact[:-3]} {compact[-3:]}"]
    if EIRCODE.match(compact):
        return [compact, f"{compact[:3]} {compact[3:]}"]
    return []


def _search(text: str) -> Q | None:
    text = text.strip()
    if len(text) < 2:
        return None
    if "@" in text:
        return Q(email=text.lower())
    phone = normalise_phone(text)
    if PHONE.match(phone) and not re.search(r"[A-Za-z]", text):
        return Q(phone=phone)
    postcodes = postcode_forms(text)
    if postcodes:
        return Q(postcode__in=postcodes)
    words = text.replace(",", " ").split()
    if len(words) == 1:
        return Q(last_name__istartswith=words[0]) | Q(first_name__istartswith=words[0])
    first, last = words[0], " ".join(words[1:])
    return Q(first_name__istartswith=first, last_name__istartswith=last) | Q(last_name__iexact=text)


@dataclass(frozen=True)
class CitizenMatch:
    citizen: Citizen
    duplicates: list[Citizen]  # other records that are likely the same person


def citizens_matching(*, user: User, text: str, limit: int = MAX_MATCHES) -> list[CitizenMatch]:
    """Citizens found by name, email, phone (any common form) or postcode, each with its likely
    duplicates: another record with the same email, the same phone, or the same postcode and
    surname. Two queries, whatever the page holds."""
    if not can_see_citizens(user):
        return []
    query = _search(text)
    if query is None:
        return []
    found = list(
        Citizen.objects.active().filter(query).order_by("last_name", "first_name", "id")[:limit]
    )
    alike = Q(pk__in=[])
    for c in found:
        if c.email:
            alike |= Q(email=c.email)
        if c.phone:
            alike |= Q(phone=c.phone)
        if c.postcode and c.last_name:
            alike |= Q(postcode__iexact=c.postcode, last_name__iexact=c.last_name)
    others = list(Citizen.objects.active().filter(alike).order_by("id")) if found else []

    def same(a: Citizen, b: Citizen) -> bool:
        return a.pk != b.pk and (
            (bool(a.email) and a.email == b.email)
            or (bool(a.phone) and a.phone == b.phone)
            or (
                bool(a.postcode and a.last_name)
                and a.postcode.upper() == b.postcode.upper()
                and a.last_name.casefold() == b.last_name.casefold()
            )
        )

    return [CitizenMatch(c, [o for o in others if same(c, o)]) for c in found]


def citizen_for_staff(*, user: User, pk: object) -> Citizen:
    """The citizen, if this user may open citizen pages; otherwise 404, as if none."""
    if not can_see_citizens(user):
        raise Http404("No such citizen")
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404("No such citizen") from None
    citizen = Citizen.objects.filter(pk=number).first()
    if citizen is None:
        raise Http404("No such citizen")
    return citizen


@dataclass(frozen=True)
class CitizenCase:
    """One of the citizen's cases: in full if the user may see it, else only whose it is."""

    case: ServiceRequest
    visible: bool

    @property
    def category_shown(self) -> bool:
        return self.visible or not self.case.category.is_sensitive


@dataclass(frozen=True)
class CitizenContact:
    interaction: Interaction
    case_visible: bool

    @property
    def summary_shown(self) -> bool:
        """A contact about a sensitive case the user may not see says no more than the case."""
        case = self.interaction.case
        return case is None or self.case_visible or not case.category.is_sensitive


@dataclass(frozen=True)
class CitizenRecord:
    citizen: Citizen
    cases: list[CitizenCase]
    contacts: list[CitizenContact]
    consents: list[Consent]
    cases_last_year: int

    @property
    def repeat_reporter(self) -> bool:
        return self.cases_last_year >= REPEAT_REPORTER_CASES


def citizen_record(*, user: User, citizen: Citizen, limit: int = 200) -> CitizenRecord:
    """What staff see on a citizen's page: contact details, consents, every case (in full only
    those `cases_visible_to` the user), every contact, and whether they report often."""
    if not can_see_citizens(user):
        raise Http404("No such citizen")
    cases = list(
        ServiceRequest.objects.filter(citizen=citizen)
        .select_related("category", "status", "team")
        .order_by("-created_at", "-id")[:limit]
    )
    visible = set(cases_visible_to(user=user).filter(citizen=citizen).values_list("pk", flat=True))
    contacts = list(
        Interaction.objects.filter(citizen=citizen)
        .select_related("staff", "case__category", "case__team")
        .order_by("-created_at", "-id")[:limit]
    )
    case_ids = {i.case_id for i in contacts if i.case_id} - {c.pk for c in cases}
    if case_ids:  # contacts about other people's cases
        visible |= set(
            cases_visible_to(user=user).filter(pk__in=case_ids).values_list("pk", flat=True)
        )
    consents = list(
        citizen.consents.select_related("councillor__user", "case").order_by("-granted_at")
    )
    since = timezone.now() - timedelta(days=REPEAT_REPORTER_DAYS)
    return CitizenRecord(
        citizen=citizen,
        cases=[CitizenCase(c, c.pk in visible) for c in cases],
        contacts=[CitizenContact(i, i.case_id in visible) for i in contacts],
        consents=consents,
        cases_last_year=ServiceRequest.objects.filter(
            citizen=citizen, created_at__gte=since
        ).count(),
    )


def case_by_reference_for(*, user: User, text: str) -> ServiceRequest | None:
    """A case this user may see, by its reference typed in any case."""
    text = text.strip().upper()
    if not text or len(text) > 32:
        return None
    return (
        cases_visible_to(user=user)
        .select_related("category", "status", "team")
        .filter(reference=text)
        .first()
    )


def open_cases_of(*, user: User, citizen: Citizen) -> list[ServiceRequest]:
    """The citizen's cases this user may see, open ones first, newest first (add a contact)."""
    return list(
        cases_visible_to(user=user)
        .filter(citizen=citizen)
        .select_related("category", "status")
        .order_by(F("resolved_at").asc(nulls_first=True), "-created_at")[:20]
    )

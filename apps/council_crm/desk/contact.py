"""Log a contact: the first point of contact's journey, one step per page, within a call.

Find the caller (or add them, or note that they gave no details), say how they got in touch,
then either add the contact to a case, log a new case (the portal's checks, the consent wording
read aloud, the reference and promised date to read back), or record it as resolved there and
then. The journey lives in the session under its own key (two calls in two tabs do not mix);
the key is also the idempotency key of what it writes, so a double click logs once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.council_crm.contacts import ContactDetails
from apps.council_crm.journeys import SessionJourney
from apps.council_crm.models import (
    Channel,
    Citizen,
    GazetteerEntry,
    Interaction,
    ServiceCategory,
    ServiceRequest,
)
from apps.council_crm.permissions import (
    Action,
    AuthenticatedRequest,
    area_required,
    can,
    can_see_citizens,
)
from apps.council_crm.selectors import portal as catalogue
from apps.council_crm.selectors.catalogue import question_field
from apps.council_crm.selectors.citizens import (
    CitizenMatch,
    case_by_reference_for,
    citizen_for_staff,
    citizens_matching,
    open_cases_of,
)
from apps.council_crm.selectors.interactions import DESK_CHANNELS, first_contact_counts
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import (
    CaseRequest,
    IdempotencyConflict,
    case_check,
    case_preview,
    gazetteer_find,
)
from apps.council_crm.services.citizens import citizen_create
from apps.council_crm.services.first_contact import contact_case_create
from apps.council_crm.services.interactions import interaction_log

SESSION_KEY = "desk_contacts"
MAX_JOURNEYS = 10
CHANNEL_LABELS = {Channel.POST: gettext_lazy("Letter")}
STEPS = {
    "channel": gettext_lazy("How did they get in touch?"),
    "what": gettext_lazy("What is the contact about?"),
    "add": gettext_lazy("Add the contact to a case"),
    "resolved": gettext_lazy("Record the enquiry"),
    "category": gettext_lazy("What is the problem?"),
    "questions": gettext_lazy("Ask about the problem"),
    "where": gettext_lazy("Where is the problem?"),
    "details": gettext_lazy("Describe the problem"),
    "consent": gettext_lazy("Check and log the case"),
}
WHAT = [
    ("case", gettext_lazy("Log a new case"), gettext_lazy("Report a problem or request a service")),
    (
        "add",
        gettext_lazy("Add it to an existing case"),
        gettext_lazy("Chasing or adding to a case"),
    ),
    (
        "resolved",
        gettext_lazy("Resolved there and then"),
        gettext_lazy("An enquiry answered, or referred elsewhere"),
    ),
]
# The step a case check's error belongs to, by the error's key (answers.* go to "questions").
CHECK_STEP = {
    "category": "category",
    "anonymous": "category",
    "location": "where",
    "address": "where",
    "description": "details",
}


class Journey(SessionJourney):
    """One contact's state in the session, under its own random key."""

    request: AuthenticatedRequest  # the desk's views are for signed-in staff only
    session_key = SESSION_KEY
    max_journeys = MAX_JOURNEYS
    not_found = "No such contact"

    @classmethod
    def start(cls, request: AuthenticatedRequest, *, citizen: Citizen | None) -> Journey:
        return cls.begin(request, {"citizen": citizen.pk if citizen else None})

    def url(self, step: str) -> str:
        return reverse("desk:contact-step", args=[self.id, step])

    @property
    def key(self) -> str:
        return f"desk-contact-{self.id}"

    @property
    def citizen(self) -> Citizen | None:
        pk = self.data.get("citizen")
        return citizen_for_staff(user=self.request.user, pk=pk) if pk else None

    @property
    def category(self) -> ServiceCategory | None:
        code = self.data.get("category")
        return catalogue.portal_category(code=code) if code else None

    def case_request(self) -> CaseRequest:
        citizen = self.citizen
        contact = ContactDetails()
        if citizen is not None:
            contact = ContactDetails(
                first_name=citizen.first_name,
                last_name=citizen.last_name,
                email=citizen.email,
                phone=citizen.phone,
                address=citizen.address,
                postcode=citizen.postcode,
            )
        location = self.data.get("location", {})
        return CaseRequest(
            channel=self.data.get("channel", ""),
            category=self.data.get("category", ""),
            description=self.data.get("description", ""),
            answers=self.data.get("answers", {}),
            latitude=location.get("latitude"),
            longitude=location.get("longitude"),
            address=location.get("address", ""),
            contact=contact,
            anonymous=citizen is None,
        )

    def check_errors(self, step: str) -> dict[str, list[str]]:
        """What the portal's checks (case_check) say of this step's answers."""
        try:
            case_check(request=self.case_request(), actor=self.request.user)
        except ValidationError as exc:
            return {
                key: messages
                for key, messages in exc.message_dict.items()
                if CHECK_STEP.get(key, "questions" if key.startswith("answers.") else "") == step
            }
        return {}


def _page(
    request: AuthenticatedRequest,
    journey: Journey,
    step: str,
    context: dict[str, Any],
    *,
    errors: dict[str, list[str]] | None = None,
    back: str = "",
) -> HttpResponse:
    return render(
        request,
        f"council_crm/desk/contact/{step}.html",
        {
            "journey": journey,
            "citizen": journey.citizen,
            "title": STEPS[step],
            "errors": errors or {},
            "back_url": back,
            "channel_label": _channel_label(journey.data.get("channel", "")),
            **context,
        },
        status=400 if errors else 200,
    )


def log_shown(request: AuthenticatedRequest, matches: list[CitizenMatch]) -> None:
    """One access-log row per citizen a result list shows (ADR 0016: searchable by citizen).
    The page's path without the words searched for, which are personal data themselves."""
    shown = {m.citizen.pk: m.citizen for m in matches}
    shown.update({d.pk: d for m in matches for d in m.duplicates})
    for citizen in shown.values():
        access_log_record(user=request.user, obj=citizen, via=request.path, action="list")


def _channel_label(channel: str) -> str:
    if channel not in Channel.values:
        return ""
    return str(CHANNEL_LABELS.get(Channel(channel), Channel(channel).label))


# --- step 1: who is it -----------------------------------------------------------------------


@area_required(can_see_citizens)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_start(request: AuthenticatedRequest) -> HttpResponse:
    """Find the caller; choosing one (or 'no details given') starts a journey."""
    user = request.user
    if request.method == "POST":
        if request.POST.get("anonymous"):
            journey = Journey.start(request, citizen=None)
            return redirect(journey.url("channel"))
        citizen = citizen_for_staff(user=user, pk=request.POST.get("citizen", ""))
        if citizen.anonymised_at:
            raise Http404("No such citizen")
        journey = Journey.start(request, citizen=citizen)
        return redirect(journey.url("channel"))
    q = request.GET.get("q", "").strip()
    matches = citizens_matching(user=user, text=q) if q else []
    log_shown(request, matches)
    today = timezone.localdate()
    return render(
        request,
        "council_crm/desk/contact/start.html",
        {
            "q": q,
            "matches": matches,
            "searched": bool(q),
            "counts": first_contact_counts(since=today, until=today),
            "errors": {"q": [_("Enter at least 2 characters to search")]}
            if "q" in request.GET and len(q) < 2
            else {},
        },
        status=400 if "q" in request.GET and len(q) < 2 else 200,
    )


CITIZEN_FIELDS = ["first_name", "last_name", "email", "phone", "address", "postcode"]


@area_required(can_see_citizens)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_new_citizen(request: AuthenticatedRequest) -> HttpResponse:
    """Add the caller as a new citizen (the same email or phone finds their record instead)."""
    values = {f: request.POST.get(f, "").strip() for f in CITIZEN_FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            citizen = citizen_create(details=ContactDetails(**values))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault("first_name" if key == "name" else key, []).extend(messages)
        else:
            journey = Journey.start(request, citizen=citizen)
            return redirect(journey.url("channel"))
    else:
        q = request.GET.get("q", "").strip()
        if "@" in q:
            values["email"] = q
        elif q and not re.search(r"[A-Za-z]", q):
            values["phone"] = q
        elif q:
            first, _sep, last = q.partition(" ")
            values.update(first_name=first, last_name=last) if last else values.update(last_name=q)
    return render(
        request,
        "council_crm/desk/contact/new_citizen.html",
        {"values": values, "errors": errors},
        status=400 if errors else 200,
    )


# --- the journey's steps ---------------------------------------------------------------------


@area_required(can_see_citizens)
@never_cache
@require_http_methods(["GET", "POST"])
def contact_step(request: AuthenticatedRequest, journey_id: str, step: str) -> HttpResponse:
    journey = Journey(request, journey_id)
    if journey.data.get("done"):
        return redirect("desk:contact-done", journey.id)
    if step not in STEP_VIEWS:
        raise Http404("No such step")
    if step != "channel" and "channel" not in journey.data:
        return redirect(journey.url("channel"))
    return STEP_VIEWS[step](request, journey)


def _channel(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    data = journey.data
    channel = request.POST.get("channel", data.get("channel", ""))
    direction = request.POST.get("direction", data.get("direction", "inbound"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if channel not in {c.value for c in DESK_CHANNELS}:
            errors["channel"] = [_("Select how they got in touch")]
        if direction not in Interaction.Direction.values:
            errors["direction"] = [_("Select whether they contacted us or we contacted them")]
        if not errors:
            data.update(channel=channel, direction=direction)
            journey.save()
            return redirect(journey.url("what"))
    channels = [(c.value, _channel_label(c.value), "") for c in DESK_CHANNELS]
    directions = [(d.value, d.label, "") for d in Interaction.Direction]
    return _page(
        request,
        journey,
        "channel",
        {
            "channels": channels,
            "directions": directions,
            "channel": channel,
            "direction": direction,
        },
        errors=errors,
        back=reverse("desk:contact"),
    )


def _what(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    what = request.POST.get("what", journey.data.get("what", ""))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if what not in {w for w, _label, _hint in WHAT}:
            errors["what"] = [_("Select what the contact is about")]
        else:
            journey.data["what"] = what
            journey.save()
            return redirect(journey.url("category" if what == "case" else what))
    return _page(
        request,
        journey,
        "what",
        {"options": WHAT, "what": what},
        errors=errors,
        back=journey.url("channel"),
    )


def _add(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    user = request.user
    citizen = journey.citizen
    cases = open_cases_of(user=user, citizen=citizen) if citizen else []
    chosen = request.POST.get("case", "")
    reference = request.POST.get("reference", "").strip()
    summary = request.POST.get("summary", "").strip()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        case: ServiceRequest | None = None
        if reference:
            case = case_by_reference_for(user=user, text=reference)
            if case is None:
                errors["reference"] = [
                    _("Enter the reference of a case you can see, like %(example)s")
                    % {"example": "FCC-2026-000123"}
                ]
        elif chosen:
            case = next((c for c in cases if c.reference == chosen), None)
        if case is None and not errors:
            errors["case"] = [_("Select the case, or enter its reference")]
        if case is not None and not can(user, Action.ADD_NOTE, case):
            # seeing a case (the DPO sees them all) is not leave to write on its timeline
            errors["case"] = [_("You cannot add to %(ref)s") % {"ref": case.reference}]
        if not summary:
            errors["summary"] = [_("Enter a summary of the contact")]
        if not errors:
            try:
                interaction = interaction_log(
                    citizen=citizen,
                    channel=journey.data["channel"],
                    direction=journey.data["direction"],
                    summary=summary,
                    actor=user,
                    case=case,
                    outcome=Interaction.Outcome.ADDED_TO_CASE,
                    key=journey.key,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return _finish(journey, interaction=interaction)
    return _page(
        request,
        journey,
        "add",
        {"cases": cases, "chosen": chosen, "reference": reference, "summary": summary},
        errors=errors,
        back=journey.url("what"),
    )


def _resolved(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    outcome = request.POST.get("outcome", Interaction.Outcome.RESOLVED)
    summary = request.POST.get("summary", "").strip()
    errors: dict[str, list[str]] = {}
    outcomes = [
        (Interaction.Outcome.RESOLVED.value, _("Resolved: the enquiry was answered"), ""),
        (Interaction.Outcome.REFERRED.value, _("Referred elsewhere"), ""),
    ]
    if request.method == "POST":
        if outcome not in {o for o, _label, _hint in outcomes}:
            errors["outcome"] = [_("Select how the contact ended")]
        if not summary:
            errors["summary"] = [_("Enter a summary of the enquiry and the answer given")]
        if not errors:
            try:
                interaction = interaction_log(
                    citizen=journey.citizen,
                    channel=journey.data["channel"],
                    direction=journey.data["direction"],
                    summary=summary,
                    actor=request.user,
                    outcome=outcome,
                    key=journey.key,
                )
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return _finish(journey, interaction=interaction)
    return _page(
        request,
        journey,
        "resolved",
        {"outcomes": outcomes, "outcome": outcome, "summary": summary},
        errors=errors,
        back=journey.url("what"),
    )


def _finish(
    journey: Journey, *, interaction: Interaction, case: ServiceRequest | None = None
) -> HttpResponse:
    case = case or interaction.case
    journey.data["done"] = {
        "interaction": interaction.pk,
        "outcome": interaction.outcome,
        "case": case.reference if case else "",
        # read back even if the case went to a team whose cases this officer cannot open
        "promised": case.promised_date.isoformat() if case and case.promised_date else "",
        "category": case.category.name if case and interaction.outcome == "case_created" else "",
        "citizen": interaction.citizen_id,
    }
    journey.save()
    return redirect("desk:contact-done", journey.id)


# --- a new case ------------------------------------------------------------------------------


def _category(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    code = request.POST.get("category", journey.data.get("category", ""))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if catalogue.portal_category(code=code) is None:
            errors["category"] = [_("Select what the problem is")]
        else:
            if code != journey.data.get("category"):
                journey.data.pop("answers", None)
            journey.data["category"] = code
            errors = journey.check_errors("category")
            if not errors:
                journey.save()
                return redirect(journey.url("questions"))
    groups = [(g, catalogue.portal_categories(group=g)) for g in catalogue.portal_groups()]
    return _page(
        request,
        journey,
        "category",
        {"groups": groups, "category": code},
        errors=errors,
        back=journey.url("what"),
    )


def _questions(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    category = journey.category
    if category is None:
        return redirect(journey.url("category"))
    questions = list(category.questions.all())
    if not questions:
        journey.data["answers"] = {}
        journey.save()
        return redirect(journey.url("where"))
    answers: dict[str, str] = journey.data.get("answers", {})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = {
            q.code: request.POST.get(f"answers.{q.code}", "").strip()
            for q in questions
            if request.POST.get(f"answers.{q.code}", "").strip()
        }
        journey.data["answers"] = answers
        errors = journey.check_errors("questions")
        if not errors:
            journey.save()
            return redirect(journey.url("where"))
    return _page(
        request,
        journey,
        "questions",
        {"category": category, "fields": [question_field(q, answers, errors) for q in questions]},
        errors=errors,
        back=journey.url("category"),
    )


def _location_of(entry: GazetteerEntry) -> dict[str, Any]:
    """As the portal sends a chosen street or place: its point and name (by name alone if the
    gazetteer has it outside every division)."""
    if entry.division_id is None:
        return {"address": str(entry)}
    return {"latitude": entry.latitude, "longitude": entry.longitude, "address": str(entry)}


def _where(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    if journey.category is None:
        return redirect(journey.url("category"))
    q = request.POST.get("q", journey.data.get("location", {}).get("address", "")).strip()
    places: list[GazetteerEntry] = []
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        entry = catalogue.gazetteer_entry(pk=request.POST.get("place", "")) or (
            gazetteer_find(q) if q else None
        )
        if entry is None and q:
            places = catalogue.gazetteer_search(text=q)
            if len(places) == 1:
                entry = places[0]
        if entry is not None:
            journey.data["location"] = _location_of(entry)
            errors = journey.check_errors("where")
            if not errors:
                journey.save()
                return redirect(journey.url("details"))
        elif not q:
            errors["q"] = [_("Enter the street or place where the problem is")]
        elif not places:
            errors["q"] = [
                _("We could not find a street or place called ‘%(q)s’. Check the spelling")
                % {"q": q}
            ]
        elif "place" in request.POST:
            errors["place"] = [_("Select the street or place where the problem is")]
    return _page(
        request,
        journey,
        "where",
        {"q": q, "places": places},
        errors=errors,
        back=journey.url("questions"),
    )


def _details(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    if "location" not in journey.data:
        return redirect(journey.url("where"))
    description = request.POST.get("description", journey.data.get("description", "")).strip()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        journey.data["description"] = description
        errors = journey.check_errors("details")
        if not description:
            errors["description"] = [_("Describe the problem")]
        if not errors:
            journey.save()
            return redirect(journey.url("consent"))
    return _page(
        request,
        journey,
        "details",
        {"description": description},
        errors=errors,
        back=journey.url("where"),
    )


def _consent(request: AuthenticatedRequest, journey: Journey) -> HttpResponse:
    """The consent wording read aloud, what will happen, and the button that logs the case."""
    data = journey.data
    if not data.get("description"):
        return redirect(journey.url("details"))
    citizen = journey.citizen
    share = request.POST.get("share", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if citizen is not None and share not in ("yes", "no"):
            errors["share"] = [
                _("Select whether they agree to share the case with their councillor")
            ]
        if not errors:
            try:
                made = contact_case_create(
                    request=journey.case_request(),
                    citizen=citizen,
                    actor=request.user,
                    key=journey.key,
                    share_with_councillor=share == "yes",
                )
            except IdempotencyConflict:
                errors = {"": [_("This contact was already logged as a case with other answers")]}
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return _finish(journey, interaction=made.interaction, case=made.case)
    try:
        checked = case_check(request=journey.case_request(), actor=request.user)
    except ValidationError as exc:
        errors = errors or exc.message_dict
        team, due = None, None
    else:
        team, due = case_preview(checked, description=data["description"], now=timezone.now())
    category = journey.category
    labels = {q.code: q.label for q in category.questions.all()} if category else {}
    return _page(
        request,
        journey,
        "consent",
        {
            "category": category,
            "answers": [(labels.get(k, k), v) for k, v in data.get("answers", {}).items()],
            "address": data.get("location", {}).get("address", ""),
            "description": data["description"],
            "team": team,
            "due": due,
            "share": share,
            "share_options": [("yes", _("Yes, they agree"), ""), ("no", _("No"), "")],
        },
        errors=errors,
        back=journey.url("details"),
    )


STEP_VIEWS = {
    "channel": _channel,
    "what": _what,
    "add": _add,
    "resolved": _resolved,
    "category": _category,
    "questions": _questions,
    "where": _where,
    "details": _details,
    "consent": _consent,
}


@area_required(can_see_citizens)
@never_cache
@require_http_methods(["GET"])
def contact_done(request: AuthenticatedRequest, journey_id: str) -> HttpResponse:
    """What to read back: the reference and promised date of a new case, or what was logged."""
    journey = Journey(request, journey_id)
    done = journey.data.get("done")
    if not done:
        return redirect(journey.url("channel"))
    case = case_by_reference_for(user=request.user, text=done["case"]) if done["case"] else None
    promised = date.fromisoformat(done["promised"]) if done.get("promised") else None
    return render(
        request,
        "council_crm/desk/contact/done.html",
        {
            "journey": journey,
            "done": done,
            "case": case,
            "promised": promised,
            "citizen": journey.citizen,
            "outcome": Interaction.Outcome(done["outcome"]).label,
            "channel_label": _channel_label(journey.data.get("channel", "")),
        },
    )

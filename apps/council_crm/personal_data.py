"""Personal data: the registry of which models hold it, how each row links to a citizen,
and how erasure and retention treat each one.

`PERSONAL_DATA` is the one declaration that subject access exports (services.privacy.export),
erasure and retention (services.privacy) and the reads behind them (selectors.privacy) work
from; `NOT_PERSONAL` lists every other model with the reason it holds nothing about residents.
A test fails when a model is in neither, so a new model needs a decision. This module only
declares: the scrub functions that write are in services/privacy/scrub.py, one per `Scrub`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from apps.council_crm.contacts import normalise_phone
from apps.council_crm.models import Citizen, ServiceRequest

# A link ties a row to a citizen: an ORM lookup whose value is the citizen's id, or a function
# giving the condition for lookups that are not a plain foreign key.
Link = str | Callable[[Citizen], Q]


def _audit_about(citizen: Citizen) -> Q:
    """Audit events about the citizen (exports, erasure) or naming them (consent changes)."""
    return Q(object_type="citizen", object_id=str(citizen.pk)) | Q(data__citizen=citizen.pk)


def _access_log_of_cases(case_ids: list[int]) -> Q:
    """The access log names a case by its reference (services.audit.access_log_record)."""
    references = ServiceRequest.objects.filter(pk__in=case_ids).values("reference")
    return Q(object_type="servicerequest", object_id__in=references)


def _admin_log_about(citizen: Citizen) -> Q:
    """Django admin's log names the object it changed (for a citizen: their name)."""
    about = Q(content_type=ContentType.objects.get_for_model(Citizen), object_id=str(citizen.pk))
    if citizen.user_id:
        user_type = ContentType.objects.get_for_model(apps.get_model(settings.AUTH_USER_MODEL))
        about |= Q(content_type=user_type, object_id=str(citizen.user_id))
    return about


def _web_reports_of(citizen: Citizen) -> Q:
    """Web reports not yet logged as cases carry the contact given, not a citizen."""
    about = Q(pk__in=[])
    if citizen.email:
        about |= Q(email__iexact=citizen.email)
    # A phone number typed into an account is not proof it is theirs (services.citizens does
    # not match reports to an account by phone either)
    if citizen.phone and citizen.user_id is None:
        about |= Q(phone=normalise_phone(citizen.phone))
    return about


class Scrub(StrEnum):
    """How erasure (and retention, for the rows of a case) treats a model's rows."""

    CITIZEN = "citizen"  # blank the person's details; mark the record anonymised
    CITIZEN_HISTORY = "citizen_history"  # blank the details in every past version
    ACCOUNT = "account"  # free the sign-in: anonymous username, inactive, no password
    ACCOUNT_HISTORY = "account_history"  # the same names gone from every past version
    DELETE = "delete"  # the rows go
    CASE = "case"  # keep for statistics: free text out, location coarse, answers chosen only
    TIMELINE = "timeline"  # messages removed, only the system's codes kept in the data
    FILES = "files"  # the rows go, and their files once the transaction commits
    CONTACTS = "contacts"  # summary removed; retention deletes them
    CONSENTS = "consents"  # evidence cleared and withdrawn; retention deletes them
    CONSENT_HISTORY = "consent_history"  # evidence cleared; retention deletes them
    SURVEYS = "surveys"  # the comment cleared, the scores kept
    MESSAGES = "messages"  # recipient and text removed; unsent ones are not sent
    WEB_REPORTS = "web_reports"  # not logged yet: the report and its photos go
    ACCESS_LOG = "access_log"  # who looked is kept; query strings (or the citizen) dropped
    KEEP = "keep"  # the tombstones: ids and counts, never personal details
    ADMIN_LOG = "admin_log"  # the admin's description of the change removed


@dataclass(frozen=True)
class Holder:
    """A model that holds personal data about residents, and how its rows reach a citizen."""

    model: str  # "app_label.ModelName"
    about: str  # one line for the export's README
    scrub: Scrub  # how erasure and retention treat its rows
    links: tuple[Link, ...] = ()
    # A simple-history table: also every past version of the rows `links` of that model finds.
    history_of: str = ""
    # Lookups to a case (ServiceRequest), or a function of case ids giving the condition: the
    # rows retention scrubs with a closed case.
    case_links: tuple[str | Callable[[list[int]], Q], ...] = ()
    # Columns where people type anything: erasure also looks there for the person's name,
    # email address and phone number in rows that are not linked to them.
    free_text: tuple[str, ...] = ()
    # Lookups to a citizen: a row that points at someone else is that person's, not part of
    # this citizen's export (a follower's copy of an update about the case, for example).
    third_parties: tuple[str, ...] = ()
    # Never exported (a password hash is no one's business, not even its owner's).
    export_exclude: tuple[str, ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


PERSONAL_DATA: tuple[Holder, ...] = (
    Holder(
        "council_crm.Citizen",
        "Your record: name, contact details, address, preferences, age band.",
        scrub=Scrub.CITIZEN,
        links=("pk",),
    ),
    Holder(
        "council_crm.HistoricalCitizen",
        "Every earlier version of your record, with when it changed.",
        scrub=Scrub.CITIZEN_HISTORY,
        links=("id",),
    ),
    Holder(
        "council_crm.User",
        "Your account for signing in to the website (without the password).",
        scrub=Scrub.ACCOUNT,
        links=("citizen",),
        export_exclude=("password",),
    ),
    Holder(
        "council_crm.HistoricalUser",
        "Every earlier version of your account.",
        scrub=Scrub.ACCOUNT_HISTORY,
        history_of="council_crm.User",
    ),
    Holder(
        "account.EmailAddress",
        "The email address you sign in with, and whether you confirmed it.",
        scrub=Scrub.DELETE,  # the address is freed for a new account
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.User_groups",
        "The groups your account belongs to.",
        scrub=Scrub.DELETE,
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.User_user_permissions",
        "Permissions given to your account.",
        scrub=Scrub.DELETE,
        links=("user__citizen",),
    ),
    Holder(
        "council_crm.ServiceRequest",
        "Your requests for service (cases): what, where, when, status, who dealt with it.",
        scrub=Scrub.CASE,
        links=("citizen", "raised_by__citizen"),
        case_links=("pk",),
        free_text=("description", "address"),
    ),
    Holder(
        "council_crm.HistoricalServiceRequest",
        "Every earlier version of your cases.",
        scrub=Scrub.CASE,
        links=("citizen", "raised_by__citizen"),
        history_of="council_crm.ServiceRequest",
        case_links=("id",),
        free_text=("description", "address"),
    ),
    Holder(
        "council_crm.CaseEvent",
        "The timeline of your cases: updates shown to you and internal notes by staff.",
        scrub=Scrub.TIMELINE,
        links=("case__citizen", "actor__citizen"),
        case_links=("case",),
        free_text=("message",),
    ),
    Holder(
        "council_crm.Attachment",
        "Files (photos, documents) added to your cases; the files are in attachments/.",
        scrub=Scrub.FILES,
        links=("case__citizen", "uploaded_by__citizen"),
        case_links=("case",),
        free_text=("original_name",),
    ),
    Holder(
        "council_crm.CaseFollower",
        "Cases you follow to get their updates.",
        scrub=Scrub.DELETE,
        links=("citizen", "user__citizen"),
        case_links=("case",),
    ),
    Holder(
        "council_crm.Interaction",
        "Your contacts with the council (calls, emails, visits) and what they were about.",
        scrub=Scrub.CONTACTS,
        links=("citizen",),
        case_links=("case",),
        free_text=("summary",),
    ),
    Holder(
        "council_crm.HistoricalInteraction",
        "Every earlier version of those contact records.",
        scrub=Scrub.CONTACTS,
        links=("citizen",),
        history_of="council_crm.Interaction",
        case_links=("case",),
        free_text=("summary",),
    ),
    Holder(
        "council_crm.Consent",
        "What you agreed to (sharing with your councillor, contact, surveys) and withdrawals.",
        scrub=Scrub.CONSENTS,
        links=("citizen",),
        case_links=("case",),
        free_text=("evidence",),
    ),
    Holder(
        "council_crm.HistoricalConsent",
        "Every earlier version of your consents.",
        scrub=Scrub.CONSENT_HISTORY,
        links=("citizen",),
        history_of="council_crm.Consent",
        case_links=("case",),
        free_text=("evidence",),
    ),
    Holder(
        "council_crm.SatisfactionSurvey",
        "Satisfaction surveys about your cases and your answers.",
        scrub=Scrub.SURVEYS,
        links=("case__citizen",),
        case_links=("case",),
        free_text=("comment",),
    ),
    Holder(
        "council_crm.HistoricalSatisfactionSurvey",
        "Every earlier version of those surveys.",
        scrub=Scrub.SURVEYS,
        links=("case__citizen",),
        history_of="council_crm.SatisfactionSurvey",
        case_links=("case",),
        free_text=("comment",),
    ),
    Holder(
        "council_crm.OutboxMessage",
        "Emails and text messages sent to you, and messages to staff about your cases.",
        scrub=Scrub.MESSAGES,
        links=("citizen", "user__citizen", "case__citizen"),
        case_links=("case",),
        free_text=("recipient", "subject", "body", "last_error"),
        third_parties=("citizen", "user__citizen"),
    ),
    Holder(
        "council_crm.ReportSubmission",
        "Reports you sent from the website that were not yet logged as cases: what you told "
        "us, where, and how to contact you.",
        scrub=Scrub.WEB_REPORTS,
        links=(_web_reports_of,),
        free_text=("address",),
    ),
    Holder(
        "council_crm.AccessLog",
        "Who looked at your record or your cases, when, and from which page.",
        scrub=Scrub.ACCESS_LOG,
        links=("citizen_id", "user__citizen"),
        case_links=(_access_log_of_cases,),
        free_text=("user_label", "via"),
    ),
    Holder(
        "council_crm.AuditEvent",
        "Exports and erasures of your data (no personal details are kept in them).",
        scrub=Scrub.KEEP,
        links=(_audit_about, "actor__citizen"),
    ),
    Holder(
        "admin.LogEntry",
        "Changes made to your record through the administration pages.",
        scrub=Scrub.ADMIN_LOG,
        links=(_admin_log_about, "user__citizen"),
        free_text=("object_repr", "change_message"),
    ),
)

_STAFF = (
    "Council staff's own records (role, teams): personal data about employees, handled by "
    "the council's HR processes, not about residents."
)
_MEMBERS = "Elected councillors' public office: divisions, party, term; not about residents."
_MOTIONS = (
    "Notices of Motion: the public record of councillors' motions, replies and follow-up "
    "actions; not about residents."
)
_CONFIG = "Configuration edited by the service administrator; no people in it."

NOT_PERSONAL: dict[str, str] = {
    "auth.Permission": "Django's permission names: configuration.",
    "auth.Group": "Names of roles: configuration.",
    "auth.Group_permissions": "Which permissions a role has: configuration.",
    "contenttypes.ContentType": "The names of the models: configuration.",
    "account.EmailConfirmation": (
        "Unused: email confirmation links are signed (allauth's HMAC confirmations), so no "
        "rows are stored; any would go with their EmailAddress."
    ),
    "sessions.Session": (
        "Opaque sign-in sessions keyed by user id; an erased account's sessions stop working "
        "(inactive, password changed) and expire."
    ),
    "council_crm.SignInSession": (
        "Which session keys a user signed in with (no address, no browser): like the sessions "
        "themselves; an erased account signs in no more and its sessions end."
    ),
    "mfa.Authenticator": (
        "A user's second factors (authenticator app secret, recovery codes, security keys' "
        "public keys): credentials, not information about a citizen; an erased account is "
        "deactivated and cannot sign in with them."
    ),
    "django_tasks_database.DBTaskResult": (
        "Background task results: our tasks take no arguments and return counts."
    ),
    "council_crm.Division": "Electoral divisions and their boundaries: public geography.",
    "council_crm.GazetteerEntry": "Streets and places with their postcodes: public geography.",
    "council_crm.Department": "Council departments and their shared mailboxes.",
    "council_crm.Team": "Council teams and their shared mailboxes.",
    "council_crm.StaffMember": _STAFF,
    "council_crm.HistoricalStaffMember": _STAFF,
    "council_crm.TeamMembership": _STAFF,
    "council_crm.MemberSupportDelegation": _STAFF,
    "council_crm.HistoricalMemberSupportDelegation": _STAFF,
    "council_crm.Councillor": _MEMBERS,
    "council_crm.HistoricalCouncillor": _MEMBERS,
    "council_crm.Councillor_divisions": _MEMBERS,
    "council_crm.HistoricalCouncillor_divisions": _MEMBERS,
    "council_crm.CaseStatus": _CONFIG,
    "council_crm.CaseStatus_allowed_next": _CONFIG,
    "council_crm.CategoryGroup": _CONFIG,
    "council_crm.ServiceCategory": _CONFIG,
    "council_crm.ServiceCategory_statuses": _CONFIG,
    "council_crm.CategoryQuestion": _CONFIG,
    "council_crm.RoutingRule": _CONFIG,
    "council_crm.RoutingRule_divisions": _CONFIG,
    "council_crm.ClosureDay": _CONFIG,
    "council_crm.NotificationTemplate": "Message templates (the messages are in OutboxMessage).",
    "council_crm.ReferenceCounter": "The last case number issued per prefix and year.",
    "council_crm.MemberRollup": (
        "Counts of cases per day or month, division, category and key (state, channel, age "
        "band, 1 km square, score): aggregates, never a case or a person (ADR 0026)."
    ),
    "council_crm.MemberRollupRun": "When the management information roll-ups were rebuilt.",
    "council_crm.ResponseTemplate": _CONFIG,
    "council_crm.ServiceRequest_linked_cases": (
        "Which two cases an officer linked: ids only; the cases hold the personal data."
    ),
    "council_crm.SavedView": (
        "A staff member's saved queue filters under their own account (configuration of their "
        "work; the search words are an officer's query, deleted with the account)."
    ),
    "council_crm.MemberPreferences": (
        "Which case emails a councillor or support officer chose, under their own staff-like "
        "account (no resident's data; deleted with the account)."
    ),
    "council_crm.Meeting": _MOTIONS,
    "council_crm.Topic": _MOTIONS,
    "council_crm.Topic_categories": _MOTIONS,
    "council_crm.Motion": _MOTIONS,
    "council_crm.Motion_topics": _MOTIONS,
    "council_crm.MotionReply": _MOTIONS,
    "council_crm.FollowUpAction": _MOTIONS,
    "council_crm.ActionProgressNote": _MOTIONS,
    "council_crm.MotionEvent": _MOTIONS,
    "council_crm.MotionReport": _MOTIONS,
}

# What makes a model look like it holds personal data (the completeness test and
# `unclassified_models` use it): a link to these models, or a field named like these words.
PERSONAL_LINK_TARGETS = (
    "council_crm.Citizen",
    "council_crm.ServiceRequest",
    "council_crm.CaseEvent",
    "council_crm.Interaction",
    settings.AUTH_USER_MODEL,  # any account may be a resident's
)
PERSONAL_FIELD_WORDS = (
    "email",
    "phone",
    "first_name",
    "last_name",
    "address",
    "postcode",
    "description",
    "summary",
    "comment",
    "message",
    "body",
    "recipient",
    "evidence",
    "text",
)


def holder(label: str) -> Holder:
    return next(h for h in PERSONAL_DATA if h.model == label)


def personal_data_reasons(model: type[models.Model]) -> list[str]:
    """Why a model looks like it holds personal data; empty when nothing suggests it does."""
    reasons = []
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False):
            continue
        # A loaded model's relations point at classes (the stubs also allow the string "self").
        target = f.related_model if f.is_relation else None
        label = None if target is None or isinstance(target, str) else target._meta.label
        if label in PERSONAL_LINK_TARGETS:
            reasons.append(f"{f.name} links to {label}")
        elif any(word in f.name.lower() for word in PERSONAL_FIELD_WORDS):
            reasons.append(f"field {f.name}")
    return reasons


def unclassified_models(candidates: Iterable[type[models.Model]]) -> dict[str, list[str]]:
    """Models that are neither in PERSONAL_DATA nor in NOT_PERSONAL, with why they look
    personal (an empty list: nothing suggests it, but a decision is still needed)."""
    declared = {h.model for h in PERSONAL_DATA} | set(NOT_PERSONAL)
    return {
        m._meta.label: personal_data_reasons(m) for m in candidates if m._meta.label not in declared
    }


# Rows that are a reason to keep a citizen's record: retention anonymises a citizen who has none
# of these left. (Their own record and its history, and the logs about it, are not a reason.)
KEEPS_THE_RECORD = (
    "council_crm.User",
    "council_crm.ServiceRequest",
    "council_crm.CaseEvent",
    "council_crm.Attachment",
    "council_crm.CaseFollower",
    "council_crm.Interaction",
    "council_crm.Consent",
    "council_crm.SatisfactionSurvey",
    "council_crm.OutboxMessage",
)

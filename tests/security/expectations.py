"""The access sweep's oracle: what every URL answers to every role (ADR 0022).

One line per URL name (as `reverse()` knows it). A URL pattern with no line here, and no group
below that covers its name, fails `test_every_url_is_classified`: a new page must say who may
see it before it ships. A line says who may use the page and what they get; everyone else
signed in gets `no` (404: a page or object they may not see does not exist for them, ADR 0007),
and the signed-out visitor gets `anon` (302: to sign in). Where the answer depends on the
object, `who` maps each kind of object the sweep tries (tests/security/world.py) to the roles
that may see it.

    "desk:case": see(CASE_AT_DESK),            # per object: the roles that see each case
    "desk:team": area(TEAM_LEADS),             # an area: these roles 200, others 404
    "desk:case-note": post_only(DESK, CASES),  # GET is 405 to those with the area, 404 otherwise
    "portal:home": public(),                   # everyone, signed out too

To add a URL: add its line. Every response is also checked for personal data: a denied or
public one must hold none, an allowed one none of the citizens the role may not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .world import (
    ADMIN,
    ANON,
    CASES,
    CLLR,
    DPO,
    LAPSED,
    LEADER,
    MANAGER,
    MSO,
    OFFICER,
    RESIDENT,
    ROLES,
)

Audience = frozenset[str]

EVERYONE: Audience = frozenset(ROLES)
SIGNED_IN: Audience = EVERYONE - {ANON}
NOBODY: Audience = frozenset()
STAFF: Audience = frozenset({OFFICER, LEADER, MANAGER})
DESK: Audience = STAFF | {DPO, ADMIN}  # can_use_desk
CITIZEN_PAGES: Audience = STAFF | {DPO}  # can_see_citizens (ADR 0017): not the superuser
SUBJECT_ACCESS: Audience = frozenset({DPO})  # can_handle_subject_access
MEMBERS: Audience = frozenset({CLLR, MSO, LAPSED})
COUNCILLOR: Audience = frozenset({CLLR})
TEAM_LEADS: Audience = frozenset({LEADER, MANAGER, ADMIN})  # can_lead_teams
LIST_EXPORT: Audience = frozenset({LEADER, MANAGER, ADMIN})  # can_export_lists
ACCESS_LOG: Audience = frozenset({DPO, ADMIN})
RESIDENTS: Audience = frozenset({RESIDENT})
ACTING: Audience = frozenset({CLLR, MSO})  # a councillor, or acting for one today
MI_READERS: Audience = ACTING | TEAM_LEADS  # can_read_mi: anonymised figures only

# Who sees each case of the world in full at the desk: its team (the officer and their
# department manager for HWY-N, the team leader for CUS-TRIAGE), the DPO and the administrator.
CASE_AT_DESK: Mapping[str, Audience] = {
    "case:mine": frozenset({OFFICER, MANAGER, DPO, ADMIN}),
    "case:shared": frozenset({OFFICER, MANAGER, DPO, ADMIN}),
    "case:private": frozenset({LEADER, DPO, ADMIN}),
    "case:raised": frozenset({OFFICER, MANAGER, DPO, ADMIN}),
    "case:lapsed": frozenset({OFFICER, MANAGER, DPO, ADMIN}),
    "case:missing": NOBODY,
}
# ... and may export one: not the case officer.
CASE_EXPORT_AT_DESK = {k: v - {OFFICER} for k, v in CASE_AT_DESK.items()}
# ... and may merge it (the data protection officer reads and exports, changes nothing).
CASE_MERGE = {k: v - {DPO} for k, v in CASE_AT_DESK.items()}
# In the member area: consent or casework raised for the councillor (while the delegation is on).
CASE_AT_MEMBER: Mapping[str, Audience] = {
    # the resident's consent names the support officer's councillor (outside the division):
    # a named councillor sees it wherever it is, and so do those acting for them (ADR 0007)
    "case:mine": frozenset({MSO}),
    "case:shared": COUNCILLOR,
    "case:private": NOBODY,  # no consent: an anonymised summary only
    "case:raised": frozenset({MSO}),
    "case:lapsed": COUNCILLOR,  # not the officer who raised it: their delegation ended
    "case:missing": NOBODY,
}
CASE_AT_ACCOUNT: Mapping[str, Audience] = {k: NOBODY for k in CASE_AT_DESK} | {
    "case:mine": RESIDENTS
}
ATTACHMENTS: Mapping[str, Audience] = {
    "attachment:mine": CASE_AT_DESK["case:mine"] | RESIDENTS | {MSO},
    "attachment:private": CASE_AT_DESK["case:private"],
}
CITIZENS: Mapping[str, Audience] = {f"citizen:{k}": CITIZEN_PAGES for k in CASES} | {
    "citizen:missing": NOBODY
}
ALL_CASES = tuple(CASE_AT_DESK)
ALL_CITIZENS = tuple(CITIZENS)


@dataclass(frozen=True)
class Rule:
    """What one URL answers: `ok` to the roles in `who` (for each object kind in `on`), `no` to
    the other signed-in roles and `anon` to the signed-out visitor."""

    who: Mapping[str | None, Audience]
    ok: frozenset[int] = frozenset({200})
    no: frozenset[int] = frozenset({404})
    anon: frozenset[int] = frozenset({302})
    csrf_exempt: bool = False
    why: str = ""

    def expected(self, role: str, kind: str | None) -> tuple[bool, frozenset[int]]:
        allowed = role in self.who[kind]
        if allowed:
            return True, self.ok
        return False, self.anon if role == ANON else self.no


def _codes(value: int | set[int] | frozenset[int]) -> frozenset[int]:
    return frozenset({value}) if isinstance(value, int) else frozenset(value)


def _rule(who, on, ok, no=404, anon=302, **kw) -> Rule:
    if isinstance(who, Mapping):
        mapping = dict(who)
    else:
        mapping = {kind: frozenset(who) for kind in (on or (None,))}
    return Rule(who=mapping, ok=_codes(ok), no=_codes(no), anon=_codes(anon), **kw)


def public(on: tuple[str, ...] = (), ok: int | set[int] = 200, **kw) -> Rule:
    """Anyone, signed out too."""
    return _rule(EVERYONE, on, ok, anon=ok, **kw)


def area(who: Audience, on: tuple[str, ...] = (), ok: int | set[int] = 200, **kw) -> Rule:
    """A page of an area: these roles get `ok`, other signed-in roles 404, signed out 302."""
    return _rule(who, on, ok, **kw)


def see(who: Mapping[str, Audience], ok: int | set[int] = 200, **kw) -> Rule:
    """A page about one object: per object kind, the roles that may see it."""
    return _rule(who, (), ok, **kw)


def post_only(who: Audience, on: tuple[str, ...] = (), **kw) -> Rule:
    """A form's target: GET answers 405 to those with the area (for any object), 404 else."""
    return _rule(who, on, 405, **kw)


@dataclass(frozen=True)
class Group:
    """URLs classified by their name's prefix (a third party's own, such as allauth's or the
    admin's): any answer in `statuses`, and no personal data anywhere it is not allowed."""

    prefix: str
    statuses: frozenset[int]
    may_know: Audience = NOBODY  # roles whose answers may show personal data they may know
    why: str = ""
    by_role: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def expected(self, role: str) -> tuple[bool, frozenset[int]]:
        return role in self.may_know, self.by_role.get(role, self.statuses)


URLS: dict[str, Rule] = {
    # --- wiring and public pages -----------------------------------------------------------
    "healthz": public(),
    "readyz": public(),
    "favicon": public(ok={200, 301, 302}),
    "portal:home": public(),
    "portal:privacy": public(),
    "portal:accessibility": public(),
    "portal:report": public(ok={200, 302}),
    "portal:report-map-divisions": public(),
    "portal:report-done": public(on=("journey",), ok={302, 404}, why="nobody's journey"),
    "portal:report-step": public(on=("journey",), ok={302, 404}, why="nobody's journey"),
    "portal:track": public(),
    # the reference alone shows nothing: tracking asks for the email or phone first
    "portal:track-detail": public(on=ALL_CASES, ok=302),
    "portal:track-reopen": public(on=ALL_CASES, ok=405),
    "portal:survey": see(
        {"survey:real": EVERYONE, "survey:guess": NOBODY}, anon=404, why="the token is the key"
    ),
    "motions:register": public(),
    "motions:feed": public(),
    "motions:topics": public(),
    "motions:topic": public(on=("topic",)),
    "motions:reports": public(),
    "motions:report": public(on=("month",), ok={200, 404}),
    "motions:report_csv": public(on=("month",), ok={200, 404}),
    "motions:motion_feed": public(on=("motion",)),
    "motions:detail": public(on=("motion",)),
    # --- a resident's account (portal/account.py: residents only) --------------------------
    "portal:login": public(ok={200, 302}),
    "portal:logout": public(ok={200, 302}),
    "portal:account": area(RESIDENTS, ok=200, no={302, 404}),
    "portal:my-requests": area(RESIDENTS, no={302, 404}),
    "portal:my-request": see(CASE_AT_ACCOUNT),
    "portal:my-consents": area(RESIDENTS, no={302, 404}),
    "portal:consent-withdraw": post_only(SIGNED_IN, on=("consent:mine", "consent:shared")),
    "portal:my-preferences": area(RESIDENTS, no={302, 404}),
    # the sweep signs in as if the password had just been confirmed, which these ask for
    "portal:my-data": area(RESIDENTS),
    "portal:account-delete": area(RESIDENTS),
    "portal:account-deleted": public(),
    "portal:attachment": see(ATTACHMENTS),
    # --- the staff desk ----------------------------------------------------------------------
    "desk:cases": area(DESK),
    "desk:cases-export": area(LIST_EXPORT),
    "desk:saved-view-create": post_only(DESK),
    "desk:saved-view-delete": post_only(DESK, on=("view:officer",)),
    "desk:bulk-assign": area(DESK, ok={200, 302, 400}, why="400: no cases chosen"),
    "desk:bulk-status": area(DESK, ok={200, 302, 400}, why="400: no cases chosen"),
    "desk:bulk-done": area(DESK, ok={200, 302}),
    "desk:case": see(CASE_AT_DESK),
    "desk:case-note": post_only(DESK, on=ALL_CASES),
    "desk:case-status": post_only(DESK, on=ALL_CASES),
    "desk:case-clock": post_only(DESK, on=ALL_CASES),
    "desk:case-assign": post_only(DESK, on=ALL_CASES),
    "desk:case-priority": post_only(DESK, on=ALL_CASES),
    "desk:case-link": post_only(DESK, on=ALL_CASES),
    "desk:case-attach": post_only(DESK, on=ALL_CASES),
    "desk:case-reopen": post_only(DESK, on=ALL_CASES),
    "desk:case-merge": see(CASE_MERGE),
    "desk:case-export": see(CASE_EXPORT_AT_DESK),
    "desk:contact": area(CITIZEN_PAGES),
    "desk:contact-new": area(CITIZEN_PAGES, ok={200, 302}),
    "desk:contact-done": area(CITIZEN_PAGES, on=("journey",), ok={302, 404}),
    "desk:contact-step": area(CITIZEN_PAGES, on=("journey",), ok={302, 404}),
    "desk:search": area(CITIZEN_PAGES),
    "desk:team": area(TEAM_LEADS),
    "desk:access-log": area(ACCESS_LOG),
    "desk:citizen": see(CITIZENS),
    "desk:citizen-export": post_only(SUBJECT_ACCESS, on=ALL_CITIZENS),
    "desk:citizen-erase": post_only(SUBJECT_ACCESS, on=ALL_CITIZENS),
    # --- the motions desk (can_manage_motions: staff, DPO and administrator) ----------------
    "motions_desk:list": area(DESK),
    "motions_desk:new": area(DESK),
    "motions_desk:overdue": area(DESK),
    "motions_desk:import": area(DESK),
    "motions_desk:action_update": post_only(DESK, on=("action",)),
    "motions_desk:edit": area(DESK, on=("motion",)),
    "motions_desk:schedule": post_only(DESK, on=("motion",)),
    "motions_desk:decision": post_only(DESK, on=("motion",)),
    "motions_desk:reply": post_only(DESK, on=("motion",)),
    "motions_desk:action_add": post_only(DESK, on=("motion",)),
    "motions_desk:manage": area(DESK, on=("motion",)),
    # --- the member area ---------------------------------------------------------------------
    "member:home": area(MEMBERS),
    "member:case": see(CASE_AT_MEMBER),
    "member:case-export": see(CASE_AT_MEMBER),
    "member:division": see({"division:own": COUNCILLOR, "division:other": NOBODY}),
    "member:motions": area(COUNCILLOR),
    "member:switch": post_only(MEMBERS),
    "member:log": area(ACTING),
    "member:log-case": area(ACTING, on=("category",)),
    "member:case-follow": post_only(MEMBERS, on=ALL_CASES),
    "member:case-information": post_only(MEMBERS, on=ALL_CASES),
    "member:divisions": area(ACTING, ok={200, 302}, why="302: straight to an only division"),
    "member:preferences": area(ACTING),
    "member:mi": area(MI_READERS),
    "member:mi-export": area(MI_READERS, on=("mi-export",)),
    # --- the Django admin's own pages (the rest: the "admin:" group below) -------------------
    # signed in without the staff flag, allauth's admin sign-in refuses (403): no second form
    "admin:login": public(ok={200, 302, 403}),
    "admin:logout": public(ok={302, 405}),
}

# Third parties' URLs, by name prefix: django-allauth's sign-in pages (`account_...`; its MFA
# pages, `mfa_...`, when installed) and the Django admin (`admin:...`, ADR 0016).
GROUPS: tuple[Group, ...] = (
    Group(
        "account_",
        statuses=frozenset({200, 302, 400, 404, 405}),
        why="allauth's sign-in, sign-up, reset and e-mail pages: forms, no one's records",
    ),
    Group(
        "mfa_",
        statuses=frozenset({200, 302, 400, 404, 405}),
        why="allauth's two-step verification pages: the user's own authenticators only",
    ),
    Group(
        "admin:",
        statuses=frozenset({302}),  # signed out or not staff: to the admin's sign in
        may_know=frozenset({ADMIN}),
        by_role={
            DPO: frozenset({200, 302, 403, 404, 405}),  # staff flag, no model permissions
            # the superuser configures everything; 403 where no one may add or delete (the
            # append-only access log, web reports, published monthly reports)
            ADMIN: frozenset({200, 302, 403, 404, 405}),
        },
        why="Django's admin: staff flag and model permissions; personal data audited",
    ),
)


def rule_for(name: str) -> Rule | Group | None:
    if name in URLS:
        return URLS[name]
    return next((g for g in GROUPS if name.startswith(g.prefix)), None)

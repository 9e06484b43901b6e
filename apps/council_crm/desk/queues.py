"""Staff desk: the queues of cases to work, their saved views, bulk changes and CSV export."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.council_crm.models import (
    Channel,
    Priority,
    ServiceRequest,
    StateCategory,
    User,
)
from apps.council_crm.models.cases import ServiceRequestQuerySet
from apps.council_crm.params import id_param
from apps.council_crm.permissions import (
    AuthenticatedRequest,
    area_required,
    can_export_lists,
    can_use_desk,
)
from apps.council_crm.selectors.cases import web_reports_held_up
from apps.council_crm.selectors.desk_queues import (
    SLA_STATES,
    VIEWS,
    QueueQuery,
    StatusStates,
    assignable_teams,
    cases_by_reference,
    count_text,
    exact_reference_hit,
    filter_options,
    officer_in_team,
    query_string_clean,
    queue_cases,
    queue_csv_rows,
    queue_page,
    queue_query_parse,
    saved_view_for,
    saved_views_for,
    status_states,
    statuses_in_order,
    team_officers,
    transition_blocker,
    view_counts,
    visible_cases,
)
from apps.council_crm.services.audit import access_log_list_record
from apps.council_crm.services.cases import BulkOutcome, cases_bulk_assign, cases_bulk_transition
from apps.council_crm.services.saved_views import saved_view_delete, saved_view_save

COLUMNS = [
    ("reference", gettext_lazy("Reference")),
    ("category", gettext_lazy("Category")),
    ("received", gettext_lazy("Received")),
    ("due", gettext_lazy("Due")),
    ("status", gettext_lazy("Status")),
    ("officer", gettext_lazy("Officer")),
    ("division", gettext_lazy("Division")),
]
DATE_FIELDS = [
    ("received_from", gettext_lazy("Received from")),
    ("received_to", gettext_lazy("Received to")),
    ("due_from", gettext_lazy("Due from")),
    ("due_to", gettext_lazy("Due to")),
]
BULK_SESSION_KEY = "desk_bulk_outcome"


def _with(query: QueryDict, **changes: str | None) -> str:
    """The query string with some parameters replaced (None removes one) and no page."""
    new = query.copy()
    new.pop("page", None)
    for key, value in changes.items():
        new.pop(key, None)
        if value is not None:
            new[key] = value
    return new.urlencode()


def _columns(query: QueryDict, current: str) -> list[dict[str, str]]:
    """The sortable headers: a link that sorts by the column (or reverses it) and aria-sort."""
    columns = []
    for key, label in COLUMNS:
        if current.lstrip("-") == key:
            descending = current.startswith("-")
            aria = "descending" if descending else "ascending"
            target = key if descending else f"-{key}"
        else:
            aria, target = "none", key
        columns.append(
            {"key": key, "label": str(label), "aria": aria, "href": "?" + _with(query, sort=target)}
        )
    return columns


FILTER_LABELS = {
    "q": gettext_lazy("Search"),
    "status": gettext_lazy("Status"),
    "category": gettext_lazy("Category"),
    "team": gettext_lazy("Team"),
    "officer": gettext_lazy("Officer"),
    "division": gettext_lazy("Division"),
    "channel": gettext_lazy("Channel"),
    "priority": gettext_lazy("Priority"),
    "received_from": gettext_lazy("Received from"),
    "received_to": gettext_lazy("Received to"),
    "due_from": gettext_lazy("Due from"),
    "due_to": gettext_lazy("Due to"),
    "sla": gettext_lazy("Service standard"),
    "consent": gettext_lazy("Consent"),
}


def _selected_filters(query: QueryDict, names: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """MOJ filter's "selected filters": one tag per value, a link that removes just that one."""
    groups = []
    for key, heading in FILTER_LABELS.items():
        tags = []
        for value in query.getlist(key):
            if not value.strip():
                continue
            rest = query.copy()
            rest.pop("page", None)
            rest.setlist(key, [v for v in query.getlist(key) if v != value])
            tags.append(
                {"text": names.get(key, {}).get(value, value), "href": "?" + rest.urlencode()}
            )
        if tags:
            groups.append({"heading": str(heading), "tags": tags})
    return groups


def _queue_context(
    request: AuthenticatedRequest,
    query: QueueQuery,
    now: datetime,
    *,
    statuses: StatusStates | None = None,
    visible: ServiceRequestQuerySet | None = None,
    params: QueryDict | None = None,
) -> dict[str, Any]:
    user = request.user
    statuses = statuses or status_states()
    visible = visible if visible is not None else visible_cases(user=user)
    params = params if params is not None else request.GET
    counts = view_counts(user=user, statuses=statuses, now=now, visible=visible)
    cases = queue_cases(user=user, query=query, statuses=statuses, now=now, visible=visible)
    page = queue_page(
        cases=cases,
        number=id_param(params.get("page", "")) or 1,
        statuses=statuses,
        now=now,
        total=None if query.filtered else counts[query.view],
    )
    # a saved view's or a view link's target keeps the filters but not the page nor the view
    views = [
        {
            "key": key,
            "label": str(label),
            "count": counts[key],
            "count_text": count_text(counts[key]),
            "href": "?" + _with(params, view=key, sort=None),
            "current": key == query.view,
        }
        for key, label in VIEWS
    ]
    options = filter_options(user=user)
    names = {
        "status": {k: str(v) for k, v in StateCategory.choices},
        "category": {str(pk): n for pk, n in options.categories},
        "team": {str(pk): n for pk, n in options.teams},
        "officer": {str(pk): n for pk, n in options.officers} | {"none": _("Unassigned")},
        "division": {str(pk): n for pk, n in options.divisions},
        "channel": {k: str(v) for k, v in Channel.choices},
        "priority": {k: str(v) for k, v in Priority.choices},
        "sla": {k: str(v) for k, v in SLA_STATES},
        "consent": {"yes": _("Shared with councillors")},
    }
    return {
        # a page of 50 rows: the case link's start and the checkbox label once, not per row
        "case_href": reverse("desk:case", kwargs={"reference": "-"}).removesuffix("-/"),
        "select_label": _("Select"),
        "query": query,
        "params": params,
        "selected": _selected_filters(params, names),
        "clear_href": "?" + _with(QueryDict(), view=query.view),
        "views": views,
        "page": page,
        "columns": _columns(params, query.sort),
        "sort": query.sort,
        "page_query": _with(params),
        "options": options,
        "states": StateCategory.choices,
        "sla_states": SLA_STATES,
        "date_fields": DATE_FIELDS,
        "channels": Channel.choices,
        "priorities": Priority.choices,
        "saved_views": saved_views_for(user=user),
        "saved_query": query_string_clean(params),
        "can_export": can_export_lists(user),
        "web_reports": web_reports_held_up(),
        "errors": query.errors,
    }


@area_required(can_use_desk)
@require_GET
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    query = queue_query_parse(user=user, data=request.GET)
    statuses = status_states()
    visible = visible_cases(user=user)
    if query.q and not query.errors:
        hit = exact_reference_hit(user=user, q=query.q, statuses=statuses, visible=visible)
        if hit:
            return redirect("desk:case", reference=hit)
    context = _queue_context(request, query, now, statuses=statuses, visible=visible)
    return render(
        request,
        "council_crm/desk/case_list.html",
        context,
        status=400 if query.errors else 200,
    )


@area_required(can_export_lists)
@require_GET
@reauthentication_required  # a list of residents' cases: the password again, within 5 minutes
def cases_export(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    query = queue_query_parse(user=user, data=request.GET)
    if query.errors:  # a hand-edited link: the queue page shows what is wrong
        return HttpResponseBadRequest(
            "; ".join(m for messages in query.errors.values() for m in messages)
        )
    statuses = status_states()
    cases = queue_cases(user=user, query=query, statuses=statuses, now=now)
    # the filters say what was exported; the search words may name a resident: left out
    filters = request.GET.copy()
    searched = bool(filters.pop("q", None))
    via = f"{request.path}?{filters.urlencode()}" if filters else request.path
    rows = f"{query.view} queue" + (", searched" if searched else "")
    access_log_list_record(user=user, via=via, rows=rows)
    response = StreamingHttpResponse(
        queue_csv_rows(cases=cases, statuses=statuses, now=now),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cases-{now:%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "private, no-store"
    # area_required is typed for HttpResponse; Django serves a streaming response the same way
    return cast(HttpResponse, response)


# --- saved views ------------------------------------------------------------------------------


@area_required(can_use_desk)
@require_POST
def saved_view_create(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    saved = QueryDict(request.POST.get("query", ""))
    query_text = query_string_clean(saved)
    try:
        saved_view_save(user=user, name=request.POST.get("name", ""), query=query_text)
    except ValidationError as exc:
        # the queue the officer was looking at, with the error beside it
        query = queue_query_parse(user=user, data=saved)
        context = _queue_context(request, query, timezone.now(), params=saved)
        messages = exc.message_dict.get("name", [])
        context["errors"] = {"saved-view-name": messages}
        context["saved_view_error"] = messages[0] if messages else ""
        context["saved_view_name"] = request.POST.get("name", "")
        return render(request, "council_crm/desk/case_list.html", context, status=400)
    return redirect(reverse("desk:cases") + (f"?{query_text}" if query_text else ""))


@area_required(can_use_desk)
@require_POST
def saved_view_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    view = saved_view_for(user=user, pk=pk)
    saved_view_delete(user=user, view=view)
    return redirect("desk:cases")


# --- bulk changes -----------------------------------------------------------------------------


def _selected(request: AuthenticatedRequest) -> tuple[list[str], list[ServiceRequest]]:
    data = request.POST if request.method == "POST" else request.GET
    references = [r for r in data.getlist("case") if r]
    cases = cases_by_reference(user=request.user, references=references)
    if len(cases) != len(set(references)):
        raise Http404("No such case")  # one of them this user may not see: none of them change
    return references, cases


def _bulk_done(
    request: AuthenticatedRequest, title: str, outcomes: list[BulkOutcome], back: str
) -> HttpResponse:
    request.session[BULK_SESSION_KEY] = {
        "title": title,
        "back": back,
        "outcomes": [[o.reference, o.changed, o.reason] for o in outcomes],
    }
    return redirect("desk:bulk-done")


@area_required(can_use_desk)
@require_http_methods(["GET", "POST"])
def bulk_assign(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _references, cases = _selected(request)
    data = request.POST if request.method == "POST" else request.GET
    back = query_string_clean(QueryDict(data.get("back", "")))
    teams = list(assignable_teams(user=user))
    officers = team_officers(teams=[t.pk for t in teams])
    errors: dict[str, list[str]] = {}
    if not cases:
        errors["case"] = [_("Select at least one case")]
    team_id, officer_id = data.get("team", ""), data.get("officer", "")
    reason = data.get("reason", "").strip()
    team = next((t for t in teams if str(t.pk) == team_id), None)
    assignee: User | None = None
    if request.method == "POST":
        if team is None:
            errors["team"] = [_("Select the team to assign the cases to")]
        if officer_id:
            if team is not None and id_param(officer_id) is not None:
                assignee = officer_in_team(team=team, pk=int(officer_id))
            if assignee is None:
                errors["officer"] = [_("Select an officer of that team, or the team's queue")]
        if not reason:
            errors["reason"] = [_("Enter the reason for the reassignment")]
    context: dict[str, Any] = {
        "cases": cases,
        "teams": teams,
        "officers": officers,
        "team": team,
        "assignee": assignee,
        "officer_id": officer_id,
        "reason": reason,
        "back": back,
        "errors": errors,
    }
    if request.method == "GET" or errors:
        status = 400 if errors else 200
        return render(request, "council_crm/desk/bulk_assign.html", context, status=status)
    assert team is not None  # noqa: S101 - no errors, so a team was chosen
    if data.get("step") != "confirm":
        return render(request, "council_crm/desk/bulk_assign.html", {**context, "confirm": True})
    try:
        outcomes = cases_bulk_assign(
            cases=cases, team=team, assignee=assignee, actor=user, reason=reason
        )
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "council_crm/desk/bulk_assign.html", context, status=400)
    return _bulk_done(request, _("Cases assigned"), outcomes, back)


@area_required(can_use_desk)
@require_http_methods(["GET", "POST"])
def bulk_status(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    _references, cases = _selected(request)
    data = request.POST if request.method == "POST" else request.GET
    back = query_string_clean(QueryDict(data.get("back", "")))
    statuses = statuses_in_order()
    errors: dict[str, list[str]] = {}
    if not cases:
        errors["case"] = [_("Select at least one case")]
    status_id = data.get("status", "")
    status = next((s for s in statuses if str(s.pk) == status_id), None)
    message = data.get("public_message", "").strip()
    if request.method == "POST":
        if status is None:
            errors["status"] = [_("Select the new status")]
        elif status.state == StateCategory.RESOLVED and not message:
            errors["public_message"] = [_("Tell the residents what was done")]
    rows = [{"case": c, "blocker": transition_blocker(c, status) if status else ""} for c in cases]
    context: dict[str, Any] = {
        "cases": cases,
        "rows": rows,
        "statuses": statuses,
        "status": status,
        "public_message": message,
        "back": back,
        "errors": errors,
        "changeable": sum(1 for r in rows if not r["blocker"]),
    }
    if request.method == "GET" or errors:
        code = 400 if errors else 200
        return render(request, "council_crm/desk/bulk_status.html", context, status=code)
    assert status is not None  # noqa: S101 - no errors, so a status was chosen
    if data.get("step") != "confirm":
        return render(request, "council_crm/desk/bulk_status.html", {**context, "confirm": True})
    try:
        outcomes = cases_bulk_transition(
            cases=cases, status=status, actor=user, public_message=message
        )
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "council_crm/desk/bulk_status.html", context, status=400)
    return _bulk_done(request, _("Statuses changed"), outcomes, back)


@area_required(can_use_desk)
@require_GET
def bulk_done(request: AuthenticatedRequest) -> HttpResponse:
    outcome = request.session.pop(BULK_SESSION_KEY, None)
    if outcome is None:
        return redirect("desk:cases")
    rows = [{"reference": r, "changed": c, "reason": why} for r, c, why in outcome["outcomes"]]
    return render(
        request,
        "council_crm/desk/bulk_done.html",
        {
            "title": outcome["title"],
            "rows": rows,
            "changed": sum(1 for r in rows if r["changed"]),
            "failed": [r for r in rows if not r["changed"]],
            "back": outcome["back"],
        },
    )

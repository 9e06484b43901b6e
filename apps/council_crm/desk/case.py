"""Staff desk: one case, what staff see of it and do to it.

Every action is a plain form: POST, then a redirect back to the case with a success alert; bad
input re-renders the page with the GOV.UK error summary (status 400) and changes nothing. Each
form carries the case's `updated_at` as `seen`, which the service checks under the row lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.council_crm.models import Priority, ServiceRequest, User
from apps.council_crm.permissions import (
    Action,
    AuthenticatedRequest,
    area_required,
    can,
    can_use_desk,
)
from apps.council_crm.selectors.desk_case import (
    case_page_for,
    clock_moves,
    desk_case_for,
    merge_candidates,
    other_case_for,
    status_for,
    team_and_officer,
    template_fill,
    template_for,
)
from apps.council_crm.selectors.exports import case_csv_for
from apps.council_crm.services.attachments import attachment_add
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.cases import (
    case_add_update,
    case_assign,
    case_change_priority,
    case_clock,
    case_link,
    case_merge,
    case_reopen,
    case_transition,
    case_unlink,
)

PAGE = "council_crm/desk/case_detail.html"


def _seen(request: AuthenticatedRequest) -> datetime:
    """The case's `updated_at` as the officer's page showed it. Every desk form carries it: a
    post without it (or with it mangled) is refused rather than written unchecked."""
    raw = request.POST.get("seen", "")
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {"seen": [_("This form is out of date: open the case again and repeat the change")]}
        ) from None


def _errors(form: str, exc: ValidationError) -> dict[str, list[str]]:
    """A service's errors keyed by the ids of the page's fields (`<form>-<field>`)."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"seen": exc.messages}
    return {
        f"{form}-{'seen' if key == '__all__' else key}": list(msgs) for key, msgs in found.items()
    }


def _page(
    request: AuthenticatedRequest,
    reference: str,
    *,
    form: str = "",
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    page = case_page_for(user=user, reference=reference)
    access_log_record(user=user, obj=page.case, via=request.path)
    values = dict(request.POST.items()) if form else {}
    template_id = request.GET.get("template", "")
    if template_id and not form:
        chosen = template_for(case=page.case, template_id=template_id)
        if chosen is not None:
            form = "update"
            values = {
                "message": template_fill(chosen, case=page.case, officer=user),
                "visibility": "public",
                "template": str(chosen.pk),
            }
    return render(
        request,
        PAGE,
        {
            "case": page.case,
            "page": page,
            "can_note": Action.ADD_NOTE in page.allowed,
            "can_update": Action.UPDATE in page.allowed,
            "can_reassign": Action.REASSIGN in page.allowed,
            "can_merge": Action.MERGE in page.allowed,
            "can_export": Action.EXPORT in page.allowed,
            "form": form,
            "values": values,
            "errors": errors or {},
        },
        status=status,
    )


@area_required(can_use_desk)
@require_GET
def case_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _page(request, reference)


Do = Callable[[ServiceRequest, User, datetime | None], str]


def _act(
    request: AuthenticatedRequest, reference: str, *, action: Action, form: str, do: Do
) -> HttpResponse:
    """Run one action's service: success alert and redirect, or the page again with errors."""
    user = request.user
    case = desk_case_for(user=user, reference=reference)
    if not can(user, action, case):
        raise Http404
    try:
        done = do(case, user, _seen(request))
    except ValidationError as exc:  # the seen check, or the service's
        return _page(request, reference, form=form, errors=_errors(form, exc), status=400)
    messages.success(request, done)
    return redirect("desk:case", reference=case.reference)


def _text(request: AuthenticatedRequest, name: str) -> str:
    return request.POST.get(name, "")


@area_required(can_use_desk)
@require_POST
def case_note(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """A public update (often from a response template, edited) or an internal note."""
    public = request.POST.get("visibility") == "public"

    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        case_add_update(
            case=case, actor=user, message=_text(request, "message"), public=public, seen=seen
        )
        return _("Update sent to the resident") if public else _("Internal note added")

    return _act(request, reference, action=Action.ADD_NOTE, form="update", do=do)


@area_required(can_use_desk)
@require_POST
def case_status(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Change status (also used to close with a resolution: form `close`)."""
    form = "close" if request.POST.get("form") == "close" else "status"

    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        status = status_for(_text(request, "status"))
        if status is None:
            raise ValidationError({"status": [_("Choose the new status")]})
        if clock_moves(case, status):
            # the clock pauses and restarts with a reason, on its own form
            raise ValidationError({"status": [_("Pause or restart the clock with its own form")]})
        case_transition(
            case=case,
            status=status,
            actor=user,
            public_message=_text(request, "public_message"),
            reason=_text(request, "reason"),
            seen=seen,
        )
        return _("Status changed to %(status)s") % {"status": status.name}

    return _act(request, reference, action=Action.UPDATE, form=form, do=do)


@area_required(can_use_desk)
@require_POST
def case_clock_view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Pause the clock (to a paused status) or resume it (to an open one), with a reason."""
    pause = request.POST.get("pause") == "1"

    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        case_clock(
            case=case,
            status=status_for(_text(request, "status")),
            pause=pause,
            actor=user,
            reason=_text(request, "reason"),
            seen=seen,
        )
        return _("Clock paused") if pause else _("Clock restarted")

    return _act(request, reference, action=Action.UPDATE, form="clock", do=do)


@area_required(can_use_desk)
@require_POST
def case_assign_view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        team, officer = team_and_officer(_text(request, "team"), _text(request, "assignee"))
        if team is None:
            raise ValidationError({"team": [_("Choose a team")]})
        if _text(request, "assignee") and officer is None:
            raise ValidationError({"assignee": [_("Choose an officer in the team")]})
        case_assign(
            case=case,
            team=team,
            assignee=officer,
            actor=user,
            reason=_text(request, "reason"),
            reason_required=True,
            seen=seen,
        )
        who = officer.get_full_name() if officer else _("the team queue")
        return _("Reassigned to %(team)s, %(who)s") % {"team": team.name, "who": who}

    return _act(request, reference, action=Action.REASSIGN, form="assign", do=do)


@area_required(can_use_desk)
@require_POST
def case_priority(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        priority = _text(request, "priority")
        case_change_priority(
            case=case, priority=priority, actor=user, reason=_text(request, "reason"), seen=seen
        )
        return _("Priority changed to %(p)s") % {"p": Priority(priority).label}

    return _act(request, reference, action=Action.UPDATE, form="priority", do=do)


@area_required(can_use_desk)
@require_POST
def case_link_view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    remove = request.POST.get("remove") == "1"

    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        other = other_case_for(user=user, reference=_text(request, "reference"))
        if other is None or not can(user, Action.UPDATE, other):  # its timeline is written too
            raise ValidationError(
                {"reference": [_("Enter the reference of a case you can see, like this one's")]}
            )
        if remove:
            case_unlink(case=case, other=other, actor=user, seen=seen)
            return _("%(ref)s is no longer linked") % {"ref": other.reference}
        case_link(case=case, other=other, actor=user, seen=seen)
        return _("Linked to %(ref)s") % {"ref": other.reference}

    return _act(request, reference, action=Action.UPDATE, form="link", do=do)


@area_required(can_use_desk)
@require_POST
def case_attach(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Choose a photo to attach")]})
        attachment_add(case=case, upload=upload, actor=user, seen=seen)
        return _("Photo attached")

    return _act(request, reference, action=Action.UPDATE, form="attach", do=do)


@area_required(can_use_desk)
@require_POST
def case_reopen_view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    def do(case: ServiceRequest, user: User, seen: datetime | None) -> str:
        case_reopen(
            case=case, actor=user, reason=_text(request, "reason"), by_resident=False, seen=seen
        )
        return _("Case reopened")

    return _act(request, reference, action=Action.UPDATE, form="reopen", do=do)


@area_required(can_use_desk)
@require_http_methods(["GET", "POST"])
def case_merge_view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Merge this case into another: choose (candidates or a reference), confirm, merge."""
    user = request.user
    case = desk_case_for(user=user, reference=reference)
    if not can(user, Action.MERGE, case):
        raise Http404
    access_log_record(user=user, obj=case, via=request.path)
    chosen = request.POST.get("master", "") or request.POST.get("reference", "")
    context = {
        "case": case,
        "seen": request.POST.get("seen") or case.updated_at.isoformat(),
        "candidates": merge_candidates(user=user, case=case),
        "values": dict(request.POST.items()),
    }
    if request.method == "GET":
        return render(request, "council_crm/desk/case_merge.html", context)
    master = other_case_for(user=user, reference=chosen)
    if master is None or master.pk == case.pk or not can(user, Action.MERGE, master):
        errors = {
            "merge-reference": [
                _("Choose the case this one repeats, or enter its reference")
                if not chosen.strip()
                else _("Enter the reference of another case you can see")
            ]
        }
        return render(
            request,
            "council_crm/desk/case_merge.html",
            {**context, "errors": errors},
            status=400,
        )
    if request.POST.get("confirm") != "yes":
        return render(
            request, "council_crm/desk/case_merge_confirm.html", {**context, "master": master}
        )
    try:
        case_merge(duplicate=case, master=master, actor=user, seen=_seen(request))
    except ValidationError as exc:
        found = exc.message_dict
        errors = {
            "merge-reference": [m for key, msgs in found.items() if key != "seen" for m in msgs],
            "merge-seen": found.get("seen", []),
        }
        errors = {k: v for k, v in errors.items() if v}
        return render(
            request,
            "council_crm/desk/case_merge.html",
            {**context, "errors": errors},
            status=400,
        )
    messages.success(
        request,
        _("%(dup)s merged into %(master)s; its resident has been told")
        % {"dup": case.reference, "master": master.reference},
    )
    return redirect("desk:case", reference=case.reference)


@area_required(can_use_desk)
@require_GET
def case_export(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    user = request.user
    case = desk_case_for(user=user, reference=reference)
    if not can(user, Action.EXPORT, case):
        raise Http404
    return _case_csv(request, case)


@reauthentication_required  # asked once the case is known to be theirs to export
def _case_csv(request: AuthenticatedRequest, case: ServiceRequest) -> HttpResponse:
    user = request.user
    access_log_record(user=user, obj=case, via=request.path, action="export")
    response = HttpResponse(
        case_csv_for(user=user, case=case), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.csv"'
    return response

"""Staff desk for the register: record motions, decisions, replies and actions; import; the
overdue list. Thin: every write is a service in services/motions/."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.council_crm.models import FollowUpAction, Motion
from apps.council_crm.selectors.motions import (
    actions_overdue,
    motion_for_desk,
    motions_similar,
)
from apps.council_crm.services.motions import (
    motion_action_add,
    motion_action_update,
    motion_edit,
    motion_record,
    motion_record_decision,
    motion_reply_add,
    motion_schedule,
)

from .access import AuthenticatedRequest, staff_required
from .csv_import import CSV_COLUMNS, import_rows
from .forms import (
    ActionForm,
    ActionUpdateForm,
    DecisionForm,
    ImportForm,
    MotionEditForm,
    MotionForm,
    MotionSearchForm,
    ReplyForm,
    ScheduleForm,
)
from .views import search_page


def _posted(request: HttpRequest) -> Any:
    """The form data when posted (even an empty form, which must show its errors)."""
    return request.POST if request.method == "POST" else None


def _motion(reference: str) -> Motion:
    motion = motion_for_desk(reference=reference)
    if motion is None:
        raise Http404
    return motion


@staff_required
def desk_list(request: AuthenticatedRequest) -> HttpResponse:
    form = MotionSearchForm(request.GET or None)
    page, query = search_page(request, form)
    overdue = actions_overdue().count()
    return render(
        request,
        "council_crm/motions/desk/list.html",
        {"form": form, "page": page, "query": query, "overdue": overdue},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def desk_new(request: AuthenticatedRequest) -> HttpResponse:
    form = MotionForm(_posted(request))
    similar = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "check":
            similar = motions_similar(title=data["title"], text=data["text"], limit=8)
        else:
            try:
                motion = motion_record(actor=request.user, **data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Motion %(ref)s recorded") % {"ref": motion.reference})
                return redirect("motions_desk:manage", motion.reference)
    return render(request, "council_crm/motions/desk/new.html", {"form": form, "similar": similar})


def _manage(request: HttpRequest, motion: Motion, **bound: Any) -> HttpResponse:
    initial_decision = {
        "status": motion.status if motion.status in Motion.DECIDED else None,
        "decision_date": motion.decision_date,
        "decision_text": motion.decision_text,
    }
    forms: dict[str, Any] = {
        "schedule_form": ScheduleForm(prefix="schedule", initial={"meeting": motion.meeting_id}),
        "decision_form": DecisionForm(prefix="decision", initial=initial_decision),
        "reply_form": ReplyForm(prefix="reply"),
        "action_form": ActionForm(prefix="action"),
    }
    forms.update({k: v for k, v in bound.items() if k.endswith("_form")})
    updating = bound.get("update_form")
    action_forms = [
        (
            a.pk,
            updating
            if updating is not None and updating.prefix == f"upd-{a.pk}"
            else ActionUpdateForm(prefix=f"upd-{a.pk}"),
        )
        for a in motion.actions.all()
    ]
    failed = next((f for f in [*forms.values(), updating] if f is not None and f.errors), None)
    similar = motions_similar(title=motion.title, text=motion.text, exclude=motion)
    return render(
        request,
        "council_crm/motions/desk/manage.html",
        {
            "motion": motion,
            "similar": similar,
            "desk_forms": action_forms,
            "errors": failed.error_summary() if failed else [],
            "today": timezone.localdate(),
            **forms,
        },
        status=400 if failed else 200,
    )


@staff_required
def desk_manage(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _manage(request, _motion(reference))


def _done(request: HttpRequest, motion: Motion, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("motions_desk:manage", motion.reference)


def _post_on_manage(
    request: AuthenticatedRequest,
    reference: str,
    *,
    form_class: type[Any],
    prefix: str,
    write: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """One of the manage page's forms, posted: the service writes, or the page shows the form's
    errors (and the service's) with what was typed."""
    motion = _motion(reference)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            write(motion=motion, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, motion, done)
    return _manage(request, motion, **{f"{prefix}_form": form})


@staff_required
@require_POST
def desk_schedule(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _post_on_manage(
        request,
        reference,
        form_class=ScheduleForm,
        prefix="schedule",
        write=motion_schedule,
        done=_("Motion put on the agenda"),
    )


@staff_required
@require_POST
def desk_decision(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _post_on_manage(
        request,
        reference,
        form_class=DecisionForm,
        prefix="decision",
        write=motion_record_decision,
        done=_("Decision recorded"),
    )


@staff_required
@require_POST
def desk_reply(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _post_on_manage(
        request,
        reference,
        form_class=ReplyForm,
        prefix="reply",
        write=motion_reply_add,
        done=_("Reply added"),
    )


@staff_required
@require_POST
def desk_action_add(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    return _post_on_manage(
        request,
        reference,
        form_class=ActionForm,
        prefix="action",
        write=motion_action_add,
        done=_("Follow-up action added"),
    )


@staff_required
@require_POST
def desk_action_update(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(FollowUpAction.objects.select_related("motion"), pk=pk)
    motion = _motion(action.motion.reference)
    form = ActionUpdateForm(request.POST, prefix=f"upd-{pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            motion_action_update(
                action=action,
                actor=request.user,
                status=data["status"] or None,
                due_date=data["due_date"],
                note=data["note"],
                noted_on=data["noted_on"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, motion, _("Action updated"))
    return _manage(request, motion, update_form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def desk_edit(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    motion = _motion(reference)
    initial = {
        "title": motion.title,
        "text": motion.text,
        "seconder": motion.seconder_id,
        "topics": [t.pk for t in motion.topics.all()],
    }
    form = MotionEditForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            motion_edit(motion=motion, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _done(request, motion, _("Motion updated"))
    return render(request, "council_crm/motions/desk/edit.html", {"form": form, "motion": motion})


@staff_required
def desk_overdue(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [(a, (today - a.due_date).days) for a in actions_overdue(today=today)]
    return render(request, "council_crm/motions/desk/overdue.html", {"rows": rows})


@staff_required
@require_http_methods(["GET", "POST"])
def desk_import(request: AuthenticatedRequest) -> HttpResponse:
    form = ImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file must be a CSV saved as UTF-8"))
        else:
            reader = csv.DictReader(io.StringIO(text))
            missing = {"reference"} - {(c or "").strip().lower() for c in reader.fieldnames or []}
            if missing:
                form.add_error("file", _("The first row must name the columns, with reference"))
            else:
                report = import_rows(
                    rows=reader, actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
    totals = {
        f"report_{outcome}": report.total(outcome.rstrip("s")) if report else 0
        for outcome in ("created", "updated", "unchanged", "errors")
    }
    totals["report_errors"] = len(report.errors) if report else 0
    return render(
        request,
        "council_crm/motions/desk/import.html",
        {"form": form, "report": report, "columns": CSV_COLUMNS, **totals},
    )

"""Django admin: the council's configuration, without code.

Models holding residents' personal data are admin'd through `PersonalDataAdmin`: every change
page and every record on a change list shown writes the access log (ADR 0016).
"""

from __future__ import annotations

import json
from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.council_crm import config_cache
from apps.council_crm import models as m
from apps.council_crm.geo import InvalidBoundary, boundary_svg_path, parse_boundary
from apps.council_crm.permissions import AuthenticatedRequest
from apps.council_crm.services.audit import access_log_record
from apps.council_crm.services.geography import division_save
from apps.council_crm.services.intake import report_retry

admin.site.site_header = _("Council CRM administration")


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin (the History button), typed once here."""


def _log_shown(request: HttpRequest, objects: list[models.Model], action: str) -> None:
    """One access-log row per record the admin showed, in one transaction (one commit)."""
    user = request.user
    if not isinstance(user, m.User):  # the admin lets only signed-in staff in
        return
    with transaction.atomic():
        for obj in objects:
            access_log_record(user=user, obj=obj, via=request.get_full_path(), action=action)


class PersonalDataAdmin(admin.ModelAdmin[Any]):
    """The admin of a model holding residents' personal data (`personal_data`'s
    PERSONAL_DATA): a change page shown writes one access-log row, a change list one row per
    record on the page (ADR 0016); so do the pages that name the record without being its
    change page: the delete confirmation and the admin's own change history (ADR 0023)."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is not None and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                _log_shown(request, [obj], "view")
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if isinstance(response, TemplateResponse) and response.context_data:
            changelist = response.context_data.get("cl")
            if changelist is not None:
                _log_shown(request, list(changelist.result_list), "list")
        return response

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().delete_view(request, object_id, extra_context)
        if request.method == "GET":  # the confirmation names the record and what goes with it
            self._log_object(request, object_id, response, "view")
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response: HttpResponse = super().history_view(request, object_id, extra_context)
        self._log_object(request, object_id, response, "history")
        return response

    def _log_object(
        self, request: HttpRequest, object_id: str, response: HttpResponse, action: str
    ) -> None:
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                _log_shown(request, [obj], action)


class PersonalHistoryAdmin(PersonalDataAdmin, HistoryAdmin):
    """Personal data with django-simple-history: its history pages show earlier versions of the
    record, so they write the access log too (the list of versions through
    `PersonalDataAdmin.history_view`, each past version here)."""

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        self._log_object(request, object_id, response, "history")
        return response


class CouncilUsersOnly(admin.ModelAdmin[Any]):
    """A form that picks a user (a staff member, councillor, support officer, manager) offers
    council users only: a select of every account would put residents' names and addresses on
    a configuration page, unlogged (ADR 0023)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is m.User:
            kwargs.setdefault("queryset", m.User.objects.exclude(role=m.Role.RESIDENT))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ConfigAdmin(admin.ModelAdmin[Any]):
    """Configuration read on every case: this process forgets its cached copy on a change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        config_cache.clear()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        config_cache.clear()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        config_cache.clear()


admin.site.site_title = _("Council CRM")


@admin.register(m.User)
class CrmUserAdmin(PersonalHistoryAdmin, UserAdmin[m.User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*(UserAdmin.fieldsets or ()), (_("Council CRM"), {"fields": ("role",)}))


class TeamMembershipInline(admin.TabularInline[Any, Any]):
    model = m.TeamMembership
    extra = 0
    autocomplete_fields = ("team",)


# allauth's own admin of sign-in addresses (residents' among them), logged like ours. Importing
# its admin module registers it first, whatever the order of INSTALLED_APPS.
admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class CrmEmailAddressAdmin(PersonalDataAdmin, EmailAddressAdmin):
    """allauth's admin of sign-in addresses (allauth ships no type hints), with the log."""


@admin.register(m.StaffMember)
class StaffMemberAdmin(CouncilUsersOnly, HistoryAdmin):
    list_display = ("user", "job_title")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    inlines = (TeamMembershipInline,)


@admin.register(m.Department)
class DepartmentAdmin(CouncilUsersOnly):
    list_display = ("name", "code", "email")
    search_fields = ("name", "code")


@admin.register(m.Team)
class TeamAdmin(ConfigAdmin):
    list_display = ("name", "code", "department", "is_triage", "active")
    list_filter = ("department", "is_triage", "active")
    search_fields = ("name", "code")


@admin.register(m.Councillor)
class CouncillorAdmin(CouncilUsersOnly, HistoryAdmin):
    list_display = ("__str__", "party", "term_start", "term_end")
    list_filter = ("party", "divisions")
    search_fields = ("user__first_name", "user__last_name")
    filter_horizontal = ("divisions",)


@admin.register(m.MemberSupportDelegation)
class DelegationAdmin(CouncilUsersOnly, HistoryAdmin):
    list_display = ("officer", "councillor", "starts_on", "ends_on")


@admin.register(m.Citizen)
class CitizenAdmin(PersonalHistoryAdmin):
    list_display = ("__str__", "email", "phone", "postcode", "anonymised_at")
    search_fields = ("first_name", "last_name", "email", "phone", "postcode")
    readonly_fields = ("created_at", "updated_at", "anonymised_at")
    raw_id_fields = ("user",)  # not a select of every account


class DivisionForm(forms.ModelForm[m.Division]):
    boundary = forms.JSONField(
        label=_("Boundary (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    upload = forms.FileField(
        label=_("Or upload a GeoJSON file"),
        required=False,
        help_text=_("A Polygon or MultiPolygon, or a Feature or FeatureCollection of one feature."),
    )

    class Meta:
        model = m.Division
        fields = ("code", "name", "boundary")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("upload")
        geojson = data.get("boundary")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                raise forms.ValidationError(_("The GeoJSON file must be smaller than 5 MB."))
            try:
                geojson = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                self.add_error(
                    "upload", _("The file is not valid GeoJSON (JSON could not be read).")
                )
                return data
        if not geojson:
            self.add_error("boundary", _("Enter a boundary or upload a GeoJSON file."))
            return data
        try:
            parse_boundary(geojson)
        except InvalidBoundary as exc:
            self.add_error("upload" if upload else "boundary", str(exc))
        data["boundary"] = geojson
        return data


@admin.register(m.Division)
class DivisionAdmin(ConfigAdmin):
    form = DivisionForm
    list_display = ("name", "code", "councillor_names")
    search_fields = ("name", "code")
    readonly_fields = ("preview",)

    @admin.display(description=_("Councillors"))
    def councillor_names(self, obj: m.Division) -> str:
        return ", ".join(str(c) for c in obj.councillors.all())

    @admin.display(description=_("Map preview"))
    def preview(self, obj: m.Division) -> str:
        if not obj.boundary:
            return "–"
        return format_html(
            '<svg width="400" height="300" viewBox="-5 -5 410 310" role="img" aria-label="{}">'
            '<path d="{}" fill="#1d70b8" fill-opacity="0.25" stroke="#1d70b8" stroke-width="2"'
            ' fill-rule="evenodd"/></svg>',
            _("Boundary of %(name)s") % {"name": obj.name},
            boundary_svg_path(obj.boundary),
        )

    def save_model(self, request: HttpRequest, obj: m.Division, form: Any, change: bool) -> None:
        saved = division_save(
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            boundary=form.cleaned_data["boundary"],
            division=obj if obj.pk else None,
        )
        obj.pk = saved.pk


@admin.register(m.GazetteerEntry)
class GazetteerAdmin(admin.ModelAdmin[m.GazetteerEntry]):
    list_display = ("name", "kind", "locality", "postcode", "division")
    list_filter = ("kind", "division")
    search_fields = ("name", "locality", "postcode")


class CategoryQuestionInline(admin.StackedInline[Any, Any]):
    model = m.CategoryQuestion
    extra = 0
    fields = (("code", "kind", "required", "order"), "label", "hint", "choices")


@admin.register(m.CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin[m.CategoryGroup]):
    list_display = ("name", "code", "order")


@admin.register(m.ServiceCategory)
class ServiceCategoryAdmin(ConfigAdmin):
    list_display = ("name", "group", "default_team", "sla_value", "sla_kind", "priority", "active")
    list_filter = ("group", "department", "priority", "is_sensitive", "allow_anonymous", "active")
    search_fields = ("name", "code", "open311_code")
    filter_horizontal = ("statuses",)
    inlines = (CategoryQuestionInline,)
    fieldsets = (
        (None, {"fields": ("code", "name", "group", "description", "notice", "active")}),
        (_("Who deals with it"), {"fields": ("department", "default_team", "priority")}),
        (_("Service standard"), {"fields": ("sla_kind", "sla_value", "statuses")}),
        (
            _("Reporting"),
            {"fields": ("allow_anonymous", "is_sensitive", "open311_code")},
        ),
        (
            _("Duplicates, recurring issues and retention"),
            {
                "fields": (
                    "duplicate_radius_m",
                    "duplicate_window_days",
                    "recurring_threshold",
                    "retention_days",
                )
            },
        ),
    )


@admin.register(m.RoutingRule)
class RoutingRuleAdmin(ConfigAdmin):
    list_display = ("order", "name", "category", "team", "strategy", "active")
    list_display_links = ("name",)
    list_editable = ("order", "active")
    list_filter = ("team", "strategy", "active")
    filter_horizontal = ("divisions",)


@admin.register(m.CaseStatus)
class CaseStatusAdmin(ConfigAdmin):
    list_display = ("name", "code", "state", "order", "is_default", "public")
    list_filter = ("state",)
    filter_horizontal = ("allowed_next",)


@admin.register(m.ClosureDay)
class ClosureDayAdmin(ConfigAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(m.NotificationTemplate)
class NotificationTemplateAdmin(ConfigAdmin):
    list_display = ("event", "channel", "language", "subject", "active")
    list_filter = ("event", "channel", "language", "active")


class CaseEventInline(admin.TabularInline[Any, Any]):
    model = m.CaseEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "is_public", "message", "actor")
    readonly_fields = fields


@admin.register(m.ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin[m.ResponseTemplate]):
    """Replies staff start a public update from (desk case page); configuration, no one's data."""

    list_display = ("name", "category", "order", "active")
    list_filter = ("active", "category")
    list_editable = ("order", "active")
    search_fields = ("name", "body")


@admin.register(m.ServiceRequest)
class ServiceRequestAdmin(PersonalHistoryAdmin):
    """Read-only here: cases change through the desk and its services."""

    list_display = ("reference", "category", "status", "division", "team", "created_at")
    list_filter = ("status", "category", "division", "channel")
    search_fields = ("reference",)
    date_hierarchy = "created_at"
    list_select_related = ("category", "status", "division", "team")
    inlines = (CaseEventInline,)
    show_full_result_count = False
    # a past version's page is a form: ids, not a select of every citizen and account
    raw_id_fields = ("citizen", "raised_by", "assignee", "on_behalf_of", "duplicate_of")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Meeting)
class MeetingAdmin(admin.ModelAdmin[m.Meeting]):
    list_display = ("title", "body", "date")
    search_fields = ("title", "body")
    date_hierarchy = "date"


@admin.register(m.Topic)
class TopicAdmin(admin.ModelAdmin[m.Topic]):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("categories",)
    search_fields = ("name",)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """The register's records change only through the motions desk (/desk/motions/), whose
    services write the public timeline; here they can be looked at, not edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.ReportSubmission)
class ReportSubmissionAdmin(PersonalDataAdmin, ReadOnlyAdmin):
    """Web reports received but not logged as cases yet: pending for seconds, or failed (the
    reason is shown). Fix what stopped one (a category switched off, say), then send it again."""

    list_display = ("reference", "state", "category", "received_at", "attempts", "last_error")
    list_filter = ("state",)
    search_fields = ("reference",)
    fields = (
        "reference",
        "state",
        "category",
        "address",
        "division",
        "team",
        "promised_date",
        "received_at",
        "attempts",
        "last_error",
    )
    actions = ("send_again",)

    @admin.action(description=_("Send the selected failed reports to be logged again"))
    def send_again(  # the admin lets only signed-in staff in, so the request's user is ours
        self, request: AuthenticatedRequest, queryset: QuerySet[m.ReportSubmission]
    ) -> None:
        failed = list(queryset.filter(state=m.ReportSubmission.State.FAILED))
        for submission in failed:
            report_retry(submission=submission, actor=request.user)
        self.message_user(
            request, _("%(n)s report(s) sent to be logged again.") % {"n": len(failed)}
        )


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MotionReplyInline(ReadOnlyInline):
    model = m.MotionReply
    fields = ("replied_on", "department", "officer_name", "text")


class FollowUpActionInline(ReadOnlyInline):
    model = m.FollowUpAction
    fields = ("description", "owner_team", "due_date", "status", "completed_on")
    show_change_link = True


class MotionEventInline(ReadOnlyInline):
    model = m.MotionEvent
    fields = ("created_at", "kind", "text", "actor")


@admin.register(m.Motion)
class MotionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title", "proposer", "status", "submitted_on", "decision_date")
    list_filter = ("status", "topics", "meeting")
    search_fields = ("reference", "title")
    date_hierarchy = "submitted_on"
    list_select_related = ("proposer__user",)
    exclude = ("search_vector",)
    readonly_fields = ("desk_link",)
    inlines = (MotionReplyInline, FollowUpActionInline, MotionEventInline)
    show_full_result_count = False

    @admin.display(description=_("Change it"))
    def desk_link(self, obj: m.Motion) -> str:
        return format_html(
            '<a href="/desk/motions/{}/">{}</a>', obj.reference, _("Open it in the motions desk")
        )


class ActionProgressNoteInline(ReadOnlyInline):
    model = m.ActionProgressNote
    fields = ("date", "text")


@admin.register(m.FollowUpAction)
class FollowUpActionAdmin(ReadOnlyAdmin):
    list_display = ("description", "motion", "owner_team", "due_date", "status", "completed_on")
    list_filter = ("status", "owner_team")
    search_fields = ("description", "motion__reference")
    date_hierarchy = "due_date"
    list_select_related = ("motion", "owner_team")
    inlines = (ActionProgressNoteInline,)


@admin.register(m.MotionReply)
class MotionReplyAdmin(ReadOnlyAdmin):
    list_display = ("motion", "replied_on", "department", "officer_name")
    list_filter = ("department",)
    search_fields = ("motion__reference", "text")
    list_select_related = ("motion", "department")


@admin.register(m.MotionReport)
class MotionReportAdmin(ReadOnlyAdmin):
    list_display = ("month", "final", "generated_at")
    exclude = ("html",)


@admin.register(m.OutboxMessage)
class OutboxMessageAdmin(PersonalDataAdmin):
    """Read-only: messages are written by the services that send them (ADR 0005). Adding one
    by hand would also list every citizen, case and account in the form's choices."""

    list_display = ("event", "channel", "recipient", "status", "attempts", "created_at")
    list_filter = ("status", "event", "channel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.AccessLog)
class AccessLogAdmin(admin.ModelAdmin[Any]):
    list_display = ("created_at", "user_label", "action", "object_type", "object_id", "via")
    list_filter = ("action", "object_type")
    search_fields = ("user_label", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The member portal's management information (/member/mi/): tables, charts and maps of
anonymised, suppressed counts for a division or the whole council, and their exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from django import forms
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from apps.council_crm.member.views import page
from apps.council_crm.models import Division
from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_read_mi
from apps.council_crm.selectors.member_mi import (
    PERIODS,
    Mi,
    Period,
    freshness,
    mi_divisions_for,
    mi_for,
    months_back,
)

COUNCIL = "council"
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


class MiForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Area"), required=False)
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("month", gettext_lazy("Last month")),
            ("quarter", gettext_lazy("Last 3 months")),
            ("year", gettext_lazy("Last 12 months")),
            ("custom", gettext_lazy("Dates I choose")),
        ],
    )
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=gettext_lazy("For example, 1/4/2026"),
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=gettext_lazy("For example, 31/3/2027"),
    )

    def __init__(self, *args: object, divisions: list[Division], up_to: date, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.up_to = up_to
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)  # noqa: S101 - declared above
        scope.choices = [
            *((d.code, d.name) for d in divisions),
            (COUNCIL, _("The whole council")),
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Enter the first day"))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Enter the last day"))
            if isinstance(start, date) and isinstance(end, date):
                if end < start:
                    self.add_error("end", _("The last day must be on or after the first day"))
                elif end > self.up_to:
                    self.add_error(
                        "end",
                        _("The last day must be on or before %(day)s: figures go up to then")
                        % {"day": f"{self.up_to:%-d %B %Y}"},
                    )
        return data


def _choose(request: AuthenticatedRequest) -> tuple[MiForm, Division | None, Period | None]:
    """The form, the division (None: the council) and the period; 404 for another division."""
    run = freshness()
    up_to = run.up_to if run else date.today()  # noqa: DTZ011 - no figures yet: any day will do
    divisions = mi_divisions_for(request.user)
    params = request.GET.copy()
    params.setdefault("scope", divisions[0].code if divisions else COUNCIL)
    params.setdefault("period", "year")
    code = params.get("scope")
    if code != COUNCIL and code not in {d.code for d in divisions}:
        raise Http404("No such division")
    form = MiForm(params, divisions=divisions, up_to=up_to)
    if not form.is_valid():
        return form, None, None
    division = next((d for d in divisions if d.code == code), None)
    choice = form.cleaned_data["period"] or "year"
    if choice == "custom":
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
    else:
        period = months_back(up_to, PERIODS[choice])
    return form, division, period


@area_required(can_read_mi)
@require_GET
def mi(request: AuthenticatedRequest) -> HttpResponse:
    form, division, period = _choose(request)
    result: Mi | None = None
    if period is not None:
        result = mi_for(user=request.user, division=division, period=period)
    status = 200 if result is not None else 400
    return page(
        request,
        "council_crm/member/mi.html",
        {
            "form": form,
            "mi": result,
            "run": freshness(),
            "query": request.GET.urlencode(),
        },
        status,
    )


@area_required(can_read_mi)
@require_GET
def mi_export(request: AuthenticatedRequest, slug: str, fmt: str) -> HttpResponse:
    _form, division, period = _choose(request)
    if period is None:
        raise Http404("Choose a valid period first")
    table = mi_for(user=request.user, division=division, period=period).table(slug)
    lines = table.export_rows()
    scope = division.code if division else COUNCIL
    name = f"{slug}-{scope}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([[table.caption], *lines])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook  # type: ignore[import-untyped]

        book = Workbook()
        sheet = book.active
        assert sheet is not None  # noqa: S101 - a new workbook has one sheet
        sheet.title = slug[:31]
        sheet.append([table.caption])
        for line in lines:
            sheet.append([int(v) if v.isdigit() else v for v in line])
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(
            data.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("No such format")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response

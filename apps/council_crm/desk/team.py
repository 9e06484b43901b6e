"""Staff desk: the team page for team leaders and managers (workload per officer, breaches).

Every number links to the queue (/desk/) filtered to those cases, where bulk reassignment
happens: `view=teams`, `team=<id>`, `officer=<user id>` or `none`, `sla=overdue|due_soon|paused`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.council_crm.params import id_param
from apps.council_crm.permissions import AuthenticatedRequest, area_required, can_lead_teams
from apps.council_crm.selectors.desk_team import Workload, team_overview


@dataclass(frozen=True)
class Cell:
    value: int
    href: str
    label: str  # what the number counts, for screen readers


@dataclass(frozen=True)
class Row:
    label: str
    note: str
    cells: list[Cell]


def _queue(team: int, officer: str | None, sla: str | None) -> str:
    params: dict[str, str | int] = {"view": "teams", "team": team}
    if officer is not None:
        params["officer"] = officer
    if sla is not None:
        params["sla"] = sla
    return f"{reverse('desk:cases')}?{urlencode(params)}"


def _cells(load: Workload, team: int, officer: str | None) -> list[Cell]:
    return [
        Cell(load.open, _queue(team, officer, None), _("open")),
        Cell(load.overdue, _queue(team, officer, "overdue"), _("overdue")),
        Cell(load.due_this_week, _queue(team, officer, "due_week"), _("due this week")),
        Cell(load.paused, _queue(team, officer, "paused"), _("paused")),
    ]


@area_required(can_lead_teams)
@require_GET
def team_overview_page(request: AuthenticatedRequest) -> HttpResponse:
    chosen = request.GET.get("team", "")
    overview = team_overview(
        user=request.user,
        team_id=id_param(chosen),
        page=request.GET.get("page"),
    )
    summary = [
        (
            w,
            _cells(w.total, w.team.pk, None),
            Cell(w.unassigned.open, _queue(w.team.pk, "none", None), _("unassigned")),
        )
        for w in overview.teams
    ]
    sections = []
    for w in overview.shown:
        rows = [
            Row(
                o.name,
                "leader" if o.is_leader else ("" if o.is_member else "left"),
                _cells(o.load, w.team.pk, str(o.user_id)),
            )
            for o in w.officers
        ]
        sections.append(
            {
                "workload": w,
                "rows": rows,
                "unassigned": _cells(w.unassigned, w.team.pk, "none"),
                "total": _cells(w.total, w.team.pk, None),
            }
        )
    page_query = {"team": overview.selected.pk} if overview.selected else {}
    return render(
        request,
        "council_crm/desk/team.html",
        {
            "overview": overview,
            "summary": summary,
            "sections": sections,
            "page_prefix": "?" + urlencode({**page_query, "page": ""}),
        },
    )

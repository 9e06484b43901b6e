"""Loading a council's reference data from fixtures/<set>/, idempotently."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction

from apps.council_crm import models as m
from apps.council_crm.geo import division_index
from apps.council_crm.services.geography import division_save
from config.site import SiteConfig

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=models.Model)


class FixtureError(ValueError):
    """Reference data that refers to something that does not exist, or is malformed."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool) -> None:
        bucket = self.created if created else self.updated
        name = model._meta.verbose_name_plural
        bucket[str(name)] = bucket.get(str(name), 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(
    model: type[M], lookup: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> M:
    """Create, or update only the fields that differ: an unchanged row is not saved at all."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.count(model, created=True)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.count(model, created=False)
    return obj


def _set_m2m(manager: Any, objs: Sequence[models.Model], report: LoadReport) -> None:
    if {o.pk for o in manager.all()} != {o.pk for o in objs}:
        manager.set(objs)
        report.updated["links"] = report.updated.get("links", 0) + 1


def fixture_read(path: Path) -> Any:
    """A fixture file's JSON, or a FixtureError saying what is wrong with it."""
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError as exc:
        raise FixtureError(f"{path} is missing") from exc
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path} is not valid JSON: {exc}") from exc


def _get(mapping: dict[str, M], key: str, what: str, where: str) -> M:
    try:
        return mapping[key]
    except KeyError:
        raise FixtureError(f"{where} refers to unknown {what} {key!r}") from None


@transaction.atomic
def site_load(*, site: SiteConfig) -> LoadReport:
    """Load (or bring up to date) the site's divisions, gazetteer and catalogue.

    The demo's register of motions is demo data: demo.motions.demo_register_load loads it.
    """
    directory = site.fixtures_dir
    report = LoadReport()
    divisions = _load_divisions(fixture_read(directory / "divisions.geojson"), report)
    council = fixture_read(directory / "council.json")
    teams = _load_departments(council.get("departments", []), report)
    statuses = _load_statuses(council.get("statuses", []), report)
    categories = _load_categories(council.get("category_groups", []), teams, statuses, report)
    _load_routing(council.get("routing_rules", []), categories, divisions, teams, report)
    _load_people(council, divisions, teams, report)
    _load_templates(council.get("templates", []), report)
    _load_response_templates(council.get("response_templates", []), categories, report)
    for row in council.get("closure_days", []):
        _upsert(
            m.ClosureDay, {"date": date.fromisoformat(row["date"])}, {"name": row["name"]}, report
        )
    _load_gazetteer(fixture_read(directory / "gazetteer.json"), report)
    return report


def _load_divisions(collection: dict[str, Any], report: LoadReport) -> dict[str, m.Division]:
    divisions = {}
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        code, name = props.get("code"), props.get("name")
        if not code or not name:
            raise FixtureError("every division feature needs properties code and name")
        before = m.Division.objects.filter(code=code).values_list("updated_at", flat=True).first()
        division = division_save(code=code, name=name, boundary=feature["geometry"])
        if before != division.updated_at:
            report.count(m.Division, created=before is None)
        divisions[code] = division
    return divisions


def _load_departments(rows: list[dict[str, Any]], report: LoadReport) -> dict[str, m.Team]:
    teams = {}
    for row in rows:
        department = _upsert(
            m.Department,
            {"code": row["code"]},
            {"name": row["name"], "email": row.get("email", "")},
            report,
        )
        for t in row.get("teams", []):
            teams[t["code"]] = _upsert(
                m.Team,
                {"code": t["code"]},
                {
                    "name": t["name"],
                    "department": department,
                    "email": t.get("email", ""),
                    "is_triage": bool(t.get("is_triage", False)),
                },
                report,
            )
    return teams


def _load_statuses(rows: list[dict[str, Any]], report: LoadReport) -> dict[str, m.CaseStatus]:
    statuses = {}
    for row in rows:
        if row["state"] not in m.StateCategory.values:
            raise FixtureError(f"status {row['code']} has unknown state {row['state']!r}")
        statuses[row["code"]] = _upsert(
            m.CaseStatus,
            {"code": row["code"]},
            {
                "name": row["name"],
                "state": row["state"],
                "order": row.get("order", 0),
                "is_default": bool(row.get("is_default", False)),
                "public": bool(row.get("public", True)),
            },
            report,
        )
    for row in rows:
        nxt = [_get(statuses, c, "status", f"status {row['code']}") for c in row.get("next", [])]
        _set_m2m(statuses[row["code"]].allowed_next, nxt, report)
    return statuses


def _load_categories(
    groups: list[dict[str, Any]],
    teams: dict[str, m.Team],
    statuses: dict[str, m.CaseStatus],
    report: LoadReport,
) -> dict[str, m.ServiceCategory]:
    departments = {d.code: d for d in m.Department.objects.all()}
    categories = {}
    for g in groups:
        group = _upsert(
            m.CategoryGroup,
            {"code": g["code"]},
            {"name": g["name"], "order": g.get("order", 0)},
            report,
        )
        for c in g.get("categories", []):
            where = f"category {c['code']}"
            category = _upsert(
                m.ServiceCategory,
                {"code": c["code"]},
                {
                    "name": c["name"],
                    "group": group,
                    "description": c.get("description", ""),
                    "notice": c.get("notice", ""),
                    "department": _get(departments, c["department"], "department", where),
                    "default_team": _get(teams, c["default_team"], "team", where),
                    "sla_kind": c.get("sla_kind", "working_days"),
                    "sla_value": c.get("sla_value", 10),
                    "priority": c.get("priority", "normal"),
                    "allow_anonymous": bool(c.get("allow_anonymous", True)),
                    "is_sensitive": bool(c.get("is_sensitive", False)),
                    "duplicate_radius_m": c.get("duplicate_radius_m", 50),
                    "duplicate_window_days": c.get("duplicate_window_days", 30),
                    "recurring_threshold": c.get("recurring_threshold", 3),
                    "retention_days": c.get("retention_days", 2190),
                    "open311_code": c.get("open311_code", ""),
                },
                report,
            )
            wanted = [_get(statuses, s, "status", where) for s in c.get("statuses", [])]
            _set_m2m(category.statuses, wanted, report)
            for order, q in enumerate(c.get("questions", []), start=1):
                if q["kind"] not in m.CategoryQuestion.Kind.values:
                    raise FixtureError(f"{where} question {q['code']} has unknown kind")
                _upsert(
                    m.CategoryQuestion,
                    {"category": category, "code": q["code"]},
                    {
                        "label": q["label"],
                        "hint": q.get("hint", ""),
                        "kind": q["kind"],
                        "required": bool(q.get("required", False)),
                        "choices": q.get("choices", []),
                        "order": order,
                    },
                    report,
                )
            categories[c["code"]] = category
    return categories


def _load_routing(
    rows: list[dict[str, Any]],
    categories: dict[str, m.ServiceCategory],
    divisions: dict[str, m.Division],
    teams: dict[str, m.Team],
    report: LoadReport,
) -> None:
    for row in rows:
        where = f"routing rule {row['name']!r}"
        category = (
            _get(categories, row["category"], "category", where) if row.get("category") else None
        )
        codes = list(row.get("divisions") or [])
        if row.get("division"):
            codes.append(row["division"])
        rule = _upsert(
            m.RoutingRule,
            {"name": row["name"]},
            {
                "order": row["order"],
                "category": category,
                "keywords": row.get("keywords", ""),
                "answers": row.get("answers", {}),
                "team": _get(teams, row["team"], "team", where),
                "strategy": row.get("strategy", "team_queue"),
            },
            report,
        )
        _set_m2m(rule.divisions, [_get(divisions, c, "division", where) for c in codes], report)


def _user(row: dict[str, Any], role: str, report: LoadReport) -> m.User:
    user = _upsert(
        m.User,
        {"username": row["username"]},
        {
            "first_name": row.get("first_name", ""),
            "last_name": row.get("last_name", ""),
            "email": row.get("email", ""),
            "role": role,
        },
        report,
    )
    if not user.password:  # new: may sign in only once someone sets a password
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _load_people(
    council: dict[str, Any],
    divisions: dict[str, m.Division],
    teams: dict[str, m.Team],
    report: LoadReport,
) -> None:
    councillors = {}
    for row in council.get("councillors", []):
        where = f"councillor {row['username']}"
        user = _user(row, m.Role.COUNCILLOR, report)
        councillor = _upsert(
            m.Councillor,
            {"user": user},
            {
                "title": row.get("title", "Cllr"),
                "party": row.get("party", ""),
                "term_start": date.fromisoformat(row["term_start"])
                if row.get("term_start")
                else None,
                "term_end": date.fromisoformat(row["term_end"]) if row.get("term_end") else None,
            },
            report,
        )
        wanted = [_get(divisions, c, "division", where) for c in row.get("divisions", [])]
        _set_m2m(councillor.divisions, wanted, report)
        councillors[row["username"]] = councillor
    for row in council.get("support_officers", []):
        user = _user(row, m.Role.SUPPORT_OFFICER, report)
        for username in row.get("supports", []):
            councillor = _get(councillors, username, "councillor", f"officer {row['username']}")
            _upsert(
                m.MemberSupportDelegation, {"officer": user, "councillor": councillor}, {}, report
            )
    for row in council.get("staff", []):
        memberships = row.get("teams", [])
        leads = any(t.get("role") == "leader" for t in memberships)
        user = _user(row, m.Role.TEAM_LEADER if leads else m.Role.CASE_OFFICER, report)
        staff = _upsert(
            m.StaffMember, {"user": user}, {"job_title": row.get("job_title", "")}, report
        )
        for t in memberships:
            team = _get(teams, t["team"], "team", f"staff {row['username']}")
            _upsert(
                m.TeamMembership,
                {"staff": staff, "team": team},
                {"role": t.get("role", "member")},
                report,
            )


def _load_templates(rows: list[dict[str, Any]], report: LoadReport) -> None:
    for row in rows:
        if row["event"] not in m.NotificationEvent.values:
            raise FixtureError(f"template for unknown event {row['event']!r}")
        _upsert(
            m.NotificationTemplate,
            {
                "event": row["event"],
                "channel": row["channel"],
                "language": row.get("language", "en"),
            },
            {"subject": row.get("subject", ""), "body": row["body"]},
            report,
        )


def _load_response_templates(
    rows: list[dict[str, Any]], categories: dict[str, m.ServiceCategory], report: LoadReport
) -> None:
    """Replies staff start a public update from (the desk's case page), by name."""
    for row in rows:
        where = f"response template {row['name']!r}"
        category = (
            _get(categories, row["category"], "category", where) if row.get("category") else None
        )
        _upsert(
            m.ResponseTemplate,
            {"name": row["name"]},
            {
                "body": row["body"],
                "category": category,
                "order": row.get("order", 0),
                "active": bool(row.get("active", True)),
            },
            report,
        )


def _load_gazetteer(rows: list[dict[str, Any]], report: LoadReport) -> None:
    index = division_index()
    by_id = {d.pk: d for d in m.Division.objects.all()}
    for row in rows:
        hit = index.lookup(latitude=row["lat"], longitude=row["lon"])
        _upsert(
            m.GazetteerEntry,
            {"name": row["name"], "locality": row.get("locality", "")},
            {
                "kind": row["kind"],
                "postcode": row.get("postcode", ""),
                "latitude": row["lat"],
                "longitude": row["lon"],
                "division": by_id.get(hit.id) if hit else None,
            },
            report,
        )

"""The demo council's register of notices of motion (fixtures/<site>/motions.json): years of
motions with their replies, actions and progress notes, loaded through the import's write
path (services.motions.motion_upsert) so the history reads as if the council had kept it."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.council_crm.models import (
    Councillor,
    Department,
    FollowUpAction,
    Meeting,
    Motion,
    ServiceCategory,
    Team,
    Topic,
    User,
)
from apps.council_crm.services.motions import (
    ActionRecord,
    MotionRecord,
    ReplyRecord,
    motion_upsert,
)
from apps.council_crm.services.site_setup import FixtureError, LoadReport, fixture_read
from config.site import SiteConfig

M = TypeVar("M")
ActionStatus = FollowUpAction.Status


@transaction.atomic
def demo_register_load(*, site: SiteConfig, report: LoadReport) -> None:
    """Load (or bring up to date) the site's register, where it has one (the demo does), and
    count what changed in `report`. Safe to run again: an unchanged register writes nothing."""
    path = site.fixtures_dir / "motions.json"
    if not path.exists():
        return
    try:
        created, updated = motions_register_load(data=fixture_read(path))
    except ValueError as exc:  # an unknown councillor, team or topic
        raise FixtureError(str(exc)) from exc
    except ValidationError as exc:
        raise FixtureError(f"{path.name}: {exc.messages}") from exc
    for bucket, counts in ((report.created, created), (report.updated, updated)):
        for name, n in counts.items():
            bucket[name] = bucket.get(name, 0) + n


def motions_register_load(
    *, data: dict[str, Any], actor: User | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Load a register held as JSON (fixtures/<site>/motions.json): topics, meetings, motions
    with their replies, actions and progress notes. Idempotent. Returns (created, updated)
    counts by kind."""
    created: dict[str, int] = {}
    updated: dict[str, int] = {}

    def count(bucket: dict[str, int], what: str, n: int = 1) -> None:
        bucket[what] = bucket.get(what, 0) + n

    categories = {c.code: c for c in ServiceCategory.objects.all()}
    topics: dict[str, Topic] = {}
    for row in data.get("topics", []):
        topic = Topic.objects.filter(slug=row["slug"]).first()
        values = {"name": row["name"], "description": row.get("description", "")}
        if topic is None:
            topic = Topic.objects.create(slug=row["slug"], **values)
            count(created, "topics")
        elif any(getattr(topic, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(topic, k, v)
            topic.save(update_fields=list(values))
            count(updated, "topics")
        wanted = {
            _known(categories, code, "category", row["slug"]).pk
            for code in row.get("categories", [])
        }
        if wanted != set(topic.categories.values_list("pk", flat=True)):
            topic.categories.set(wanted)
            count(updated, "links")
        topics[row["slug"]] = topic
    meetings: dict[str, Meeting] = {}
    for row in data.get("meetings", []):
        day = date.fromisoformat(row["date"])
        body = row.get("body", "Full Council")
        meeting = Meeting.objects.filter(body=body, date=day).first()
        if meeting is None:
            meeting = Meeting.objects.create(body=body, date=day, title=row["title"])
            count(created, "meetings")
        elif meeting.title != row["title"]:
            meeting.title = row["title"]
            meeting.save(update_fields=["title"])
            count(updated, "meetings")
        meetings[row["date"]] = meeting
    councillors = {c.user.username: c for c in Councillor.objects.select_related("user")}
    teams = {t.code: t for t in Team.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    recorded = {
        m.reference: m
        for m in Motion.objects.filter(
            reference__in=[row["reference"] for row in data.get("motions", [])]
        ).prefetch_related("topics", "replies", "actions__notes")
    }
    for row in data.get("motions", []):
        ref = row["reference"]

        def opt_date(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        record = MotionRecord(
            reference=ref,
            title=row["title"],
            text=row["text"],
            proposer=_known(councillors, row["proposer"], "councillor", ref),
            seconder=_known(councillors, row["seconder"], "councillor", ref)
            if row.get("seconder")
            else None,
            submitted_on=date.fromisoformat(row["submitted_on"]),
            meeting=_known(meetings, row["meeting"], "meeting", ref)
            if row.get("meeting")
            else None,
            status=row["status"],
            decision_date=opt_date(row.get("decision_date")),
            decision_text=row.get("decision_text", ""),
            topics=[_known(topics, slug, "topic", ref) for slug in row.get("topics", [])],
            replies=[
                ReplyRecord(
                    replied_on=date.fromisoformat(r["date"]),
                    text=r["text"],
                    department=_known(departments, r["department"], "department", ref)
                    if r.get("department")
                    else None,
                    officer_name=r.get("officer", ""),
                )
                for r in row.get("replies", [])
            ],
            actions=[
                ActionRecord(
                    description=a["description"],
                    owner_team=_known(teams, a["team"], "team", ref),
                    due_date=date.fromisoformat(a["due"]),
                    status=a["status"],
                    created_on=opt_date(a.get("agreed")),
                    completed_on=opt_date(a.get("completed")),
                    notes=[(date.fromisoformat(n["date"]), n["text"]) for n in a.get("notes", [])],
                )
                for a in row.get("actions", [])
            ],
        )
        if _holds(recorded.get(ref), record):
            continue  # the usual case on a reload: nothing to lock or compare row by row
        result = motion_upsert(record=record, actor=actor)
        for what, n in result.created.items():
            count(created, what, n)
        for what, n in result.updated.items():
            count(updated, what, n)
    return created, updated


def _holds(motion: Motion | None, record: MotionRecord) -> bool:
    """Whether the register already holds everything in the record (then upsert is a no-op)."""
    if motion is None:
        return False
    for name in ("title", "text", "submitted_on", "status", "decision_date", "decision_text"):
        value = getattr(record, name)
        if value is not None and (value.strip() if isinstance(value, str) else value) != getattr(
            motion, name
        ):
            return False
    for name in ("proposer", "seconder", "meeting"):
        value = getattr(record, name)
        if value is not None and value.pk != getattr(motion, f"{name}_id"):
            return False
    if record.topics is not None and {t.pk for t in record.topics} != {
        t.pk for t in motion.topics.all()
    }:
        return False
    replies = {(r.replied_on, r.text) for r in motion.replies.all()}
    if any((r.replied_on, r.text.strip()) not in replies for r in record.replies):
        return False
    actions = {a.description: a for a in motion.actions.all()}
    for want in record.actions:
        have = actions.get(want.description.strip())
        completed = want.completed_on if want.status == ActionStatus.DONE else None
        if have is None or (have.owner_team_id, have.due_date, have.status, have.completed_on) != (
            want.owner_team.pk,
            want.due_date,
            want.status,
            completed,
        ):
            return False
        notes = {(n.date, n.text) for n in have.notes.all()}
        if any((day, text.strip()) not in notes for day, text in want.notes):
            return False
    return True


def _known(mapping: dict[str, M], key: str, what: str, where: str) -> M:
    try:
        return mapping[key]
    except KeyError:
        raise ValueError(f"motions register: {where} refers to unknown {what} {key!r}") from None

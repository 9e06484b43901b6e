"""Routing engine: which team a case goes to, and why (pure; the rules come in as data)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Rule:
    id: int
    order: int
    name: str
    team_id: int
    team_name: str
    strategy: str
    category_id: int | None = None
    category_name: str = ""
    division_ids: frozenset[int] = frozenset()
    division_names: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    answers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def _keyword_pattern(self) -> re.Pattern[str] | None:
        words = [re.escape(k) for k in self.keywords if k]
        if not words:
            return None
        return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)

    def matched_keyword(self, description: str) -> str | None:
        pattern = self._keyword_pattern
        if pattern is None:
            return None
        found = pattern.search(description)
        return found.group(0).lower() if found else None

    def matches(
        self,
        *,
        category_id: int,
        division_id: int | None,
        description: str,
        answers: Mapping[str, object],
    ) -> bool:
        if self.category_id is not None and self.category_id != category_id:
            return False
        if self.division_ids and division_id not in self.division_ids:
            return False
        if self.keywords and self.matched_keyword(description) is None:
            return False
        return all(_same_answer(answers.get(k), v) for k, v in self.answers.items())


def _same_answer(given: object, wanted: object) -> bool:
    if given is None:
        return False
    return str(given).strip().casefold() == str(wanted).strip().casefold()


def parse_keywords(text: str) -> tuple[str, ...]:
    return tuple(k.strip().casefold() for k in text.split(",") if k.strip())


@dataclass(frozen=True)
class Decision:
    team_id: int
    strategy: str
    rule_id: int | None
    reason: str


def route(
    rules: Sequence[Rule],
    *,
    category_id: int,
    category_name: str,
    division_id: int | None,
    division_name: str | None,
    description: str,
    answers: Mapping[str, object],
    default_team: tuple[int, str] | None,
    triage_team: tuple[int, str] | None,
) -> Decision:
    """The first rule in order that matches; else the category's team; else triage.

    The reason reads like the timeline entry residents' caseworkers expect:
    "Assigned to Highways North by rule 50 (Potholes in the north area): category Pothole,
    division Fernbridge North".
    """
    for rule in sorted(rules, key=lambda r: (r.order, r.id)):
        if rule.matches(
            category_id=category_id,
            division_id=division_id,
            description=description,
            answers=answers,
        ):
            return Decision(
                rule.team_id, rule.strategy, rule.id, _reason(rule, division_name, description)
            )
    if default_team is not None:
        team_id, team_name = default_team
        return Decision(
            team_id,
            "team_queue",
            None,
            f"Assigned to {team_name}: the default team for {category_name} "
            "(no routing rule matched)",
        )
    if triage_team is None:
        raise LookupError(
            "No routing rule matched, the category has no team and there is no triage team"
        )
    team_id, team_name = triage_team
    return Decision(
        team_id, "team_queue", None, f"Assigned to {team_name} for triage (no rule matched)"
    )


def _reason(rule: Rule, division_name: str | None, description: str) -> str:
    parts = []
    if rule.category_id is not None:
        parts.append(f"category {rule.category_name}")
    if rule.division_ids and division_name:
        parts.append(f"division {division_name}")
    if keyword := rule.matched_keyword(description):
        parts.append(f'keyword "{keyword}"')
    parts.extend(f"{k} is {v}" for k, v in rule.answers.items())
    why = ": " + ", ".join(parts) if parts else ""
    return f"Assigned to {rule.team_name} by rule {rule.order} ({rule.name}){why}"


def choose_member(
    strategy: str,
    *,
    member_ids: Sequence[int],
    cursor: int,
    open_counts: Mapping[int, int] | None = None,
) -> tuple[int | None, int]:
    """Pick an assignee for a strategy. Returns (user id or None, the new round-robin cursor)."""
    if strategy == "team_queue" or not member_ids:
        return None, cursor
    ordered = sorted(member_ids)
    if strategy == "round_robin":
        return ordered[cursor % len(ordered)], cursor + 1
    if strategy == "least_open":
        counts = open_counts or {}
        return min(ordered, key=lambda uid: (counts.get(uid, 0), uid)), cursor
    raise ValueError(f"unknown assignment strategy {strategy!r}")


def rules_from_rows(rows: Iterable[Mapping[str, object]]) -> list[Rule]:
    """Build engine rules from plain rows (see services.routing.active_rules)."""
    # the rows are the routing rule columns by name (selectors.routing); Rule checks nothing
    return [Rule(**row) for row in rows]  # type: ignore[arg-type]  # Mapping[str, object] rows

"""Routing engine: ordered rules, fallbacks and assignment strategies (pure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apps.council_crm.routing import Rule, choose_member, parse_keywords, route

POTHOLES_NORTH = Rule(
    id=3,
    order=3,
    name="Potholes in the north",
    team_id=10,
    team_name="Highways North",
    strategy="round_robin",
    category_id=1,
    category_name="Pothole",
    division_ids=frozenset({100}),
    division_names=("Ennis East",),
)
NEEDLES = Rule(
    id=1,
    order=1,
    name="Needles",
    team_id=20,
    team_name="Hazardous Waste",
    strategy="team_queue",
    keywords=parse_keywords("needle, syringe, sharps"),
)
RECYCLING = Rule(
    id=5,
    order=5,
    name="Missed recycling",
    team_id=30,
    team_name="Recycling",
    strategy="team_queue",
    category_id=2,
    category_name="Missed bin",
    answers={"bin_type": "Recycling"},
)
RULES = [RECYCLING, POTHOLES_NORTH, NEEDLES]


def _route(**kw):
    base = dict(
        category_id=1,
        category_name="Pothole",
        division_id=100,
        division_name="Ennis East",
        description="",
        answers={},
        default_team=(99, "Highways Triage"),
        triage_team=(98, "Customer Contact Triage"),
    )
    return route(RULES, **{**base, **kw})


def test_reason_names_the_rule_and_what_matched():
    decision = _route()
    assert decision.team_id == 10
    assert decision.reason == (
        "Assigned to Highways North by rule 3 (Potholes in the north): "
        "category Pothole, division Ennis East"
    )


def test_rules_apply_in_order_whatever_order_they_are_given():
    decision = _route(description="There is a used Syringe in the pothole")
    assert decision.team_id == 20
    assert 'keyword "syringe"' in decision.reason


def test_keywords_match_whole_words_only():
    assert _route(description="the needlework shop").team_id == 10


def test_answers_match_case_insensitively():
    decision = _route(category_id=2, category_name="Missed bin", answers={"bin_type": "recycling"})
    assert decision.team_id == 30
    assert "bin_type is Recycling" in decision.reason


def test_no_rule_falls_back_to_the_category_team_then_triage():
    decision = _route(division_id=200, division_name="Elsewhere")
    assert decision.team_id == 99
    assert decision.rule_id is None
    assert "default team for Pothole" in decision.reason
    triage = _route(division_id=200, division_name="Elsewhere", default_team=None)
    assert triage.team_id == 98
    assert "for triage" in triage.reason


def test_round_robin_cycles_and_least_open_picks_the_quietest():
    members = [7, 3, 5]
    picks = []
    cursor = 0
    for _ in range(6):
        uid, cursor = choose_member("round_robin", member_ids=members, cursor=cursor)
        picks.append(uid)
    assert picks == [3, 5, 7, 3, 5, 7]
    uid, _ = choose_member(
        "least_open", member_ids=members, cursor=0, open_counts={3: 4, 5: 1, 7: 1}
    )
    assert uid == 5
    assert choose_member("team_queue", member_ids=members, cursor=0) == (None, 0)
    assert choose_member("round_robin", member_ids=[], cursor=0) == (None, 0)


rule_strategy = st.builds(
    Rule,
    id=st.integers(1, 50),
    order=st.integers(0, 20),
    name=st.just("r"),
    team_id=st.integers(1, 5),
    team_name=st.just("T"),
    strategy=st.sampled_from(["round_robin", "least_open", "team_queue"]),
    category_id=st.one_of(st.none(), st.integers(1, 3)),
    division_ids=st.frozensets(st.integers(1, 4), max_size=2),
    keywords=st.lists(st.sampled_from(["needle", "asbestos", "oil"]), max_size=2).map(tuple),
    answers=st.dictionaries(
        st.sampled_from(["a", "b"]), st.sampled_from(["Yes", "No"]), max_size=1
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    rules=st.lists(rule_strategy, max_size=8),
    category_id=st.integers(1, 3),
    division_id=st.one_of(st.none(), st.integers(1, 4)),
    words=st.lists(st.sampled_from(["needle", "asbestos", "oil", "bin", "road"]), max_size=4),
    answers=st.dictionaries(
        st.sampled_from(["a", "b"]), st.sampled_from(["yes", "no"]), max_size=2
    ),
)
def test_property_the_first_matching_rule_decides_and_every_case_gets_a_team(
    rules, category_id, division_id, words, answers
):
    description = " ".join(words)
    decision = route(
        rules,
        category_id=category_id,
        category_name="C",
        division_id=division_id,
        division_name="D",
        description=description,
        answers=answers,
        default_team=(1000, "Default"),
        triage_team=(2000, "Triage"),
    )
    matching = [
        r
        for r in sorted(rules, key=lambda r: (r.order, r.id))
        if r.matches(
            category_id=category_id,
            division_id=division_id,
            description=description,
            answers=answers,
        )
    ]
    if matching:
        assert decision.rule_id == matching[0].id
        assert decision.team_id == matching[0].team_id
        assert decision.strategy == matching[0].strategy
        # a rule only matches when every condition it sets holds
        first = matching[0]
        assert first.category_id in (None, category_id)
        assert not first.division_ids or division_id in first.division_ids
    else:
        assert (decision.rule_id, decision.team_id) == (None, 1000)
    assert decision.reason.startswith("Assigned to ")


@settings(max_examples=100, deadline=None)
@given(
    members=st.lists(st.integers(1, 100), min_size=1, max_size=8, unique=True), n=st.integers(1, 40)
)
def test_property_round_robin_is_fair(members, n):
    cursor, counts = 0, {}
    for _ in range(n):
        uid, cursor = choose_member("round_robin", member_ids=members, cursor=cursor)
        counts[uid] = counts.get(uid, 0) + 1
    assert max(counts.values()) - min(counts.get(m, 0) for m in members) <= 1

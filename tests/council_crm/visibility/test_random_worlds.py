"""Random worlds of citizens, consents, councillors and cases: nothing leaks.

The oracle below restates the rule from the issue in plain Python, case by case; the policy
under test is one SQL queryset. They must agree for every member in every world.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.council_crm import models as m
from apps.council_crm.permissions import cases_visible_to
from apps.council_crm.selectors.cases import anonymised_summaries
from tests.factories.cases import POTHOLE_ANSWERS, point_in

DIVISIONS = ["FE01", "FE02", "FE03"]

world_strategy = st.fixed_dictionaries(
    {
        "cases": st.lists(
            st.tuples(
                st.integers(0, 3),  # citizen
                st.sampled_from(DIVISIONS),
                st.one_of(st.none(), st.integers(0, 2)),  # raised on behalf of councillor i
            ),
            min_size=1,
            max_size=8,
        ),
        "consents": st.lists(
            st.tuples(
                st.integers(0, 3),  # citizen
                st.sampled_from(["all_cases", "case"]),
                st.integers(0, 7),  # which case, for scope "case"
                st.one_of(st.none(), st.integers(0, 2)),  # named councillor
                st.booleans(),  # withdrawn
            ),
            max_size=6,
        ),
    }
)


def _oracle(case, councillor, consents) -> bool:
    if case.on_behalf_of_id == councillor.pk or case.raised_by_id == councillor.user_id:
        return True
    divisions = set(councillor.divisions.values_list("pk", flat=True))
    for c in consents:
        if c.withdrawn_at or c.citizen_id != case.citizen_id:
            continue
        if c.purpose != "share_with_councillor":
            continue
        if c.scope == "case" and c.case_id != case.pk:
            continue
        if c.councillor_id == councillor.pk:
            return True
        if c.councillor_id is None and case.division_id in divisions:
            return True
    return False


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=world_strategy)
def test_property_members_see_exactly_what_the_rule_allows(demo_site, world):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        _check(world)
    finally:
        transaction.savepoint_rollback(sid)


def _check(world) -> None:
    councillors = [
        m.Councillor.objects.filter(divisions__code=code).order_by("pk").first()
        for code in DIVISIONS
    ]
    category = m.ServiceCategory.objects.get(code="pothole")
    status = m.CaseStatus.objects.get(is_default=True)
    citizens = [
        m.Citizen.objects.create(first_name=f"Person{i}", email=f"p{i}@example.com")
        for i in range(4)
    ]
    cases = []
    for n, (who, code, cllr) in enumerate(world["cases"]):
        lat, lon = point_in(code)
        on_behalf = councillors[cllr] if cllr is not None else None
        cases.append(
            m.ServiceRequest.objects.create(
                reference=f"RW-{n}",
                category=category,
                status=status,
                channel="web",
                citizen=citizens[who],
                division=m.Division.objects.get(code=code),
                latitude=lat,
                longitude=lon,
                answers=POTHOLE_ANSWERS,
                on_behalf_of=on_behalf,
                raised_by=on_behalf.user if on_behalf else None,
                raised_as="councillor" if on_behalf else "",
            )
        )
    consents = []
    for who, scope, case_n, named, withdrawn in world["consents"]:
        case = cases[case_n % len(cases)] if scope == "case" else None
        if case is not None and case.citizen_id != citizens[who].pk:
            continue  # a consent for a case is always the reporter's own
        consents.append(
            m.Consent.objects.create(
                citizen=citizens[who],
                purpose="share_with_councillor",
                scope=scope,
                case=case,
                councillor=councillors[named] if named is not None else None,
                channel="web",
                wording_version="v1",
                granted_at=timezone.now() - timedelta(minutes=1),
                withdrawn_at=timezone.now() if withdrawn else None,
            )
        )
    ours = {c.pk for c in cases}
    for councillor in councillors:
        visible = set(
            cases_visible_to(user=councillor.user).filter(pk__in=ours).values_list("pk", flat=True)
        )
        expected = {c.pk for c in cases if _oracle(c, councillor, consents)}
        assert visible == expected
        # the anonymised view covers exactly the rest of their divisions, with nothing personal
        for code in councillor.divisions.values_list("code", flat=True):
            division = m.Division.objects.get(code=code)
            summaries = anonymised_summaries(user=councillor.user, division=division)
            rest = [c for c in cases if c.division_id == division.pk and c.pk not in visible]
            assert len(summaries) == len(rest)
            for summary in summaries:
                text = repr(summary)
                assert "@example.com" not in text
                assert "Person" not in text
                assert "RW-" not in text

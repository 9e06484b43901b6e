"""Benchmark: the first page of cases_visible_to for a councillor over 1,000,000 cases.

    make bench-visibility   # = .venv/bin/python tests/bench/visible_cases.py --cases 1000000

Times the member portal's list query (the councillor's casework and consented cases, newest
first, 25 a page) and the anonymised division summary. Target: under 100 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import ensure_cases, report, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    setup_django(args.database_url)
    print(f"database holds {ensure_cases(args.cases):,} cases")

    from apps.council_crm.models import Councillor
    from apps.council_crm.permissions import cases_visible_to
    from apps.council_crm.selectors.cases import case_list_for, division_summary

    councillors = list(Councillor.objects.select_related("user").order_by("pk"))
    visible = cases_visible_to(user=councillors[0].user).count()
    print(f"{councillors[0]} may see {visible:,} cases in full")
    turn = iter(range(10**9))

    def first_page() -> None:
        user = councillors[next(turn) % len(councillors)].user
        rows = list(case_list_for(user=user)[:25])
        assert len(rows) <= 25

    timings, wall = timed(first_page, args.n, warmup=len(councillors))
    report("first page of cases_visible_to (councillor)", timings, wall)

    def summary() -> None:
        councillor = councillors[next(turn) % len(councillors)]
        division = councillor.divisions.first()
        division_summary(user=councillor.user, division=division)

    timings, wall = timed(summary, max(20, args.n // 5), warmup=5)
    report("division summary (12 months, suppressed)", timings, wall)


if __name__ == "__main__":
    main()

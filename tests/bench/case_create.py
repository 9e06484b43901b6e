"""Benchmark: case_create in-process on PostgreSQL with 1,000,000 existing cases.

    make bench-case-create   # = .venv/bin/python tests/bench/case_create.py --cases 1000000

Each create is the whole use case: validation, division lookup, citizen matching, routing and
assignment, service standard, timeline, outbox messages and the duplicate search. Target:
p95 under 25 ms on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import ensure_cases, report, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000, help="existing cases to have")
    parser.add_argument("-n", type=int, default=2000, help="creates to time")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    setup_django(args.database_url)
    total = ensure_cases(args.cases)
    print(f"database holds {total:,} cases")

    from shapely.geometry import shape

    from apps.council_crm.models import Division, ServiceCategory
    from apps.council_crm.services.cases import CaseRequest, case_create
    from apps.council_crm.services.citizens import ContactDetails

    rng = random.Random(42)
    categories = list(ServiceCategory.objects.filter(active=True).prefetch_related("questions"))
    divisions = [shape(d.boundary) for d in Division.objects.all()]

    def point() -> tuple[float, float]:
        poly = rng.choice(divisions)
        min_x, min_y, max_x, max_y = poly.bounds
        from shapely.geometry import Point

        while True:
            x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
            if poly.contains(Point(x, y)):
                return y, x

    def answers(category: ServiceCategory) -> dict[str, str]:
        out = {}
        for q in category.questions.all():
            if q.kind == "choice":
                out[q.code] = rng.choice(q.choices)
            elif q.kind == "yes_no":
                out[q.code] = rng.choice(["yes", "no"])
            elif q.kind == "number":
                out[q.code] = str(rng.randint(1, 9))
            elif q.required:
                out[q.code] = "Outside the shop"
        return out

    counter = iter(range(10**9))

    def one() -> None:
        category = rng.choice(categories)
        lat, lon = point()
        n = next(counter)
        case_create(
            request=CaseRequest(
                channel="web",
                category=category,
                description="Reported during the benchmark near the bus stop",
                answers=answers(category),
                latitude=lat,
                longitude=lon,
                contact=ContactDetails(
                    first_name="Bench", last_name=str(n), email=f"bench{n % 5000}@example.com"
                ),
            ),
            actor=None,
        )

    timings, wall = timed(one, args.n)
    report("case_create", timings, wall)


if __name__ == "__main__":
    main()

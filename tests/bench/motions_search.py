"""Benchmark: searching the public register of notices of motion, 50,000 motions, PostgreSQL.

    make bench-motions   # = .venv/bin/python tests/bench/motions_search.py --motions 50000

Tops the database up to --motions synthetic motions (bulk inserts, search vectors in one
UPDATE), then times the register page for 500 realistic searches: words, words and a status,
a councillor and a date range, a topic. Each search is the whole page a resident waits for:
the filtered count, the first page of 20 with action summaries, and the template. The query
part alone (count, page, summaries) is reported too. Target: p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import ROOT, report, setup_django, timed

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ccrm_bench_motions"
WORDS = [
    "potholes",
    "flooding",
    "bus",
    "library",
    "fly-tipping",
    "climate emergency",
    "speed limit",
    "street lighting",
    "recycling",
    "damp mould",
    "school",
    "parking",
    "trees",
    "dog fouling",
    "warm spaces",
    "gully cleaning",
    "solar panels",
    "20 mph",
    "sewage",
    "verges",
]
STATUSES = ["passed", "passed_amended", "defeated", "withdrawn", "deferred", "on_agenda"]


def _themes() -> ModuleType:
    """The demo register's issues (fixtures/_build/motions_themes.py), for realistic text."""
    path = ROOT / "fixtures" / "_build" / "motions_themes.py"
    spec = importlib.util.spec_from_file_location("motions_themes", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ensure_motions(count: int, rng: random.Random) -> int:
    """Load the demo site (and its register) and top the database up to `count` motions."""
    from django.conf import settings
    from django.db import connection, transaction

    from apps.council_crm.demo.motions import demo_register_load
    from apps.council_crm.models import Councillor, GazetteerEntry, Motion, Topic
    from apps.council_crm.services.motions import search_refresh
    from apps.council_crm.services.site_setup import site_load

    themes = _themes()
    demo_register_load(site=settings.CRM_SITE, report=site_load(site=settings.CRM_SITE))
    have = Motion.objects.count()
    if have >= count:
        return have
    print(f"generating {count - have:,} motions (have {have:,}) ...", flush=True)
    start = time.perf_counter()
    councillors = list(Councillor.objects.values_list("pk", flat=True))
    topics = {t.slug: t.pk for t in Topic.objects.all()}
    places = list(GazetteerEntry.objects.filter(kind="place").values_list("name", flat=True))
    roads = list(GazetteerEntry.objects.filter(kind="street").values_list("name", flat=True))
    schools = [n for n in GazetteerEntry.objects.values_list("name", flat=True) if "School" in n]
    libraries = [n for n in GazetteerEntry.objects.values_list("name", flat=True) if "Library" in n]
    first_day = date(2005, 1, 1)
    span = (date(2026, 11, 1) - first_day).days
    through = Motion.topics.through
    batch: list[Motion] = []
    links: list[tuple[str, int]] = []

    def flush() -> None:
        with transaction.atomic():
            Motion.objects.bulk_create(batch, batch_size=2000)
            ids = dict(
                Motion.objects.filter(reference__in=[r for r, _ in links]).values_list(
                    "reference", "pk"
                )
            )
            through.objects.bulk_create(
                [through(motion_id=ids[r], topic_id=t) for r, t in links], batch_size=5000
            )
        batch.clear()
        links.clear()

    for n in range(have, count):
        theme = rng.choice(themes.THEMES)
        where = {
            "place": rng.choice(places),
            "road": rng.choice(roads),
            "school": rng.choice(schools),
            "library": rng.choice(libraries),
            "division": rng.choice(places),
            "reply_day": "",
        }
        notes = rng.sample(theme["notes"], k=2)
        resolves = rng.sample(theme["resolves"], k=min(3, len(theme["resolves"])))
        text = (
            f"This Council notes {notes[0]}.\n\nThis Council also notes {notes[1]}.\n\n"
            f"This Council believes {rng.choice(theme['believes'])}.\n\nThis Council resolves "
            "to:\n\n" + "\n".join(f"{i}. {r}." for i, r in enumerate(resolves, 1))
        ).format(**where)
        submitted = first_day + timedelta(days=rng.randrange(span))
        status = rng.choices(STATUSES, weights=[45, 12, 30, 6, 3, 4])[0]
        decided = status not in ("on_agenda",)
        proposer, seconder = rng.sample(councillors, 2)
        reference = f"BENCH-{n:06d}"
        batch.append(
            Motion(
                reference=reference,
                title=rng.choice(theme["titles"]).format(**where),
                text=text,
                proposer_id=proposer,
                seconder_id=seconder,
                submitted_on=submitted,
                status=status,
                decision_date=submitted + timedelta(days=rng.randint(10, 40)) if decided else None,
                decision_text="Carried." if status == "passed" else "",
            )
        )
        links.append((reference, topics[theme["topic"]]))
        if len(batch) >= 5000:
            flush()
    if batch:
        flush()
    print(f"  inserted in {time.perf_counter() - start:.0f} s; computing search vectors ...")
    start = time.perf_counter()
    search_refresh(
        list(Motion.objects.filter(search_vector__isnull=True).values_list("pk", flat=True))
    )
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would, soon after a bulk load
    print(f"  search vectors in {time.perf_counter() - start:.0f} s")
    return Motion.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--motions", type=int, default=50_000, help="motions to have")
    parser.add_argument("-n", type=int, default=500, help="searches to time")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    import os

    setup_django(args.database_url or os.environ.get("BENCH_MOTIONS_DATABASE_URL", DEFAULT_URL))
    rng = random.Random(42)
    total = ensure_motions(args.motions, rng)
    print(f"database holds {total:,} motions")

    from django.db import connection
    from django.test import RequestFactory

    from apps.council_crm.models import Councillor, Motion, Topic
    from apps.council_crm.motions.views import register
    from apps.council_crm.selectors.motions import motions_page, motions_search

    assert connection.vendor == "postgresql", "the benchmark is for PostgreSQL"
    councillors = list(Councillor.objects.all())
    topics = list(Topic.objects.all())
    factory = RequestFactory()

    def a_search() -> dict[str, object]:
        kind = rng.randrange(4)
        if kind == 0:
            return {"q": rng.choice(WORDS)}
        if kind == 1:
            return {"q": rng.choice(WORDS), "status": rng.choice(STATUSES)}
        if kind == 2:
            start = date(rng.randint(2005, 2025), rng.randint(1, 12), 1)
            return {
                "councillor": rng.choice(councillors),
                "date_from": start,
                "date_to": start + timedelta(days=365),
            }
        return {"topic": rng.choice(topics)}

    def as_query(filters: dict[str, object]) -> dict[str, str]:
        query: dict[str, str] = {}
        for key, value in filters.items():
            if isinstance(value, date):
                query.update(
                    {
                        f"{key}_0": str(value.day),
                        f"{key}_1": str(value.month),
                        f"{key}_2": str(value.year),
                    }
                )
            elif isinstance(value, Councillor):
                query[key] = str(value.pk)
            elif isinstance(value, Topic):
                query[key] = value.slug
            else:
                query[key] = str(value)
        return query

    sizes: list[int] = []

    def query_part() -> None:
        page = motions_page(motions_search(**a_search()), 1)
        sizes.append(page.paginator.count)

    def whole_page() -> None:
        response = register(factory.get("/motions/", as_query(a_search())))
        assert response.status_code == 200

    timings, wall = timed(query_part, args.n)
    report("register search, queries (count + first page + action summaries)", timings, wall)
    sizes.sort()
    print(f"  matches per search: median {sizes[len(sizes) // 2]:,}, max {sizes[-1]:,}")
    timings, wall = timed(whole_page, args.n)
    report("register search, whole page (view + template)", timings, wall)
    print(f"({Motion.objects.count():,} motions)")


if __name__ == "__main__":
    main()

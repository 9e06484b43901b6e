"""Load benchmark: the staff desk under wrk, gunicorn on PostgreSQL with 1,000,000 cases.

    make bench-desk   # = .venv/bin/python tests/bench/desk_load.py --cases 1000000

Starts gunicorn (config.wsgi, 3 sync workers, DEBUG off, plain http; the same server as
bench-portal) on the benchmark database, signs a case officer of the busiest team (the team
with the most open cases) in through the sign-in page, and drives wrk with that session cookie
at 2 and 8 connections against
  - the queue, first page, default view:        /desk/
  - the queue with filter + sort + search:      /desk/?view=teams&status=open&sort=due&q=<word>
    (<word>: the commonest long word of the team's recent descriptions)
  - the case page of a recent open case of that team: /desk/cases/<reference>/
Prints p50, p95 and requests a second for each; every response must be a 200.
Targets: queue p50 <= 40 ms at 2 connections, case page p50 <= 15 ms.
`--app-dir` serves another checkout (e.g. an older commit) on the same database, to compare.
Writes JSON to tests/bench/results/desk-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote_plus, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import (
    ROOT,
    Gunicorn,
    ensure_cases,
    parse_setting,
    run_wrk_script,
    setup_django,
)

RESULTS = ROOT / "tests" / "bench" / "results"
LUA = Path(__file__).with_name("desk_get.lua")
PASSWORD = "bench-desk-officer-2026"
TARGETS = {"queue": 40.0, "queue_filtered": 40.0, "case": 15.0}  # p50 ms at 2 connections


def busiest_team_officer() -> tuple[object, object]:
    """The team with the most open cases, and a case officer of it (made if it has none)."""
    from django.db.models import Count

    from apps.council_crm.models import (
        OPEN_STATES,
        Role,
        ServiceRequest,
        StaffMember,
        Team,
        TeamMembership,
        User,
    )

    row = (
        ServiceRequest.objects.filter(status__state__in=OPEN_STATES, team__isnull=False)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is None:
        raise SystemExit("no open case in the database")
    team = Team.objects.get(pk=row["team_id"])
    officer = (
        User.objects.filter(
            role=Role.CASE_OFFICER,
            is_active=True,
            staff_profile__memberships__team=team,
            staff_profile__memberships__role=TeamMembership.TeamRole.MEMBER,
        )
        .order_by("username")
        .first()
    )
    if officer is None:
        officer, _ = User.objects.get_or_create(
            username="bench.officer",
            defaults={"role": Role.CASE_OFFICER, "first_name": "Bench", "last_name": "Officer"},
        )
        staff, _ = StaffMember.objects.get_or_create(user=officer)
        TeamMembership.objects.get_or_create(staff=staff, team=team)
    officer.set_password(PASSWORD)
    officer.save(update_fields=["password"])
    print(f"busiest team: {team} ({row['n']:,} open cases); signed in as {officer.username}")
    return team, officer


def search_word(team: object) -> str:
    """The commonest word of 6 letters or more in the team's recent descriptions."""
    from apps.council_crm.models import ServiceRequest

    texts = (
        ServiceRequest.objects.filter(team=team)
        .order_by("-created_at")
        .values_list("description", flat=True)[:2000]
    )
    words = Counter(w for t in texts for w in set(re.findall(r"[a-z]{6,}", t.lower())))
    return words.most_common(1)[0][0] if words else "pothole"


def team_case(team: object) -> str:
    from apps.council_crm.models import OPEN_STATES, ServiceRequest

    case = (
        ServiceRequest.objects.filter(team=team, status__state__in=OPEN_STATES)
        .exclude(citizen=None)
        .order_by("-created_at")
        .first()
    )
    if case is None:
        raise SystemExit(f"{team} has no open case")
    return case.reference


def sign_in(port: int, username: str) -> str:
    """Sign in through the sign-in page as a browser would: the Cookie header of the session."""
    cookies: dict[str, str] = {}

    def request(method: str, path: str, body: str = "") -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        for header in response.msg.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                cookies[key] = morsel.value
        text = response.read().decode()
        conn.close()
        return response.status, response.getheader("Location") or "", text

    status, _, page = request("GET", "/account/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit(f"sign-in page: {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "login": username, "password": PASSWORD}
    )
    status, location, _ = request("POST", "/account/login/", form)
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"signing in failed: {status} {location}")
    status, _, _ = request("GET", "/desk/")
    if status != 200:
        raise SystemExit(f"/desk/ after signing in: {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def check_pages(port: int, pages: dict[str, str], cookie: str) -> None:
    """Each page once before wrk: a page that is not a 200 for the officer stops the run here,
    saying which (a parameter the queue does not take, a case the officer may not see)."""
    for name, path in pages.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(
                f"{name} {path} answered {response.status} "
                f"{response.getheader('Location') or ''}: see --filtered to change its query"
            )


def measure(url: str, path: str, cookie: str, connections: int, seconds: int) -> dict:
    threads = min(2, connections)
    run_wrk_script(url, LUA, [path, cookie], connections=connections, threads=threads, seconds=2)
    wrk = run_wrk_script(
        url, LUA, [path, cookie], connections=connections, threads=threads, seconds=seconds
    )
    duration = wrk["duration_us"] / 1e6
    return {
        "path": path,
        "connections": connections,
        "seconds": round(duration, 1),
        "requests": wrk["responses"],
        "per_second": round(wrk["responses"] / duration, 1),
        "p50_ms": wrk["p50_us"] / 1000,
        "p95_ms": wrk["p95_us"] / 1000,
        "p99_ms": wrk["p99_us"] / 1000,
        "max_ms": wrk["max_us"] / 1000,
        "non_200": wrk["non_200"],
        "non_200_statuses": sorted(set(wrk["non_200_statuses"].split())),
        "socket_errors": sum(wrk["socket_errors"].values()),
        "load_average": round(os.getloadavg()[0], 2),  # the machine is shared: for context
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="existing cases to have")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--gunicorn", default=os.environ.get("BENCH_GUNICORN", "sync:3"))
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--seconds", type=int, default=20, help="per page and connection count")
    parser.add_argument("--connections", default="2,8")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout gunicorn serves")
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    parser.add_argument(
        "--filtered",
        default="view=teams&status=open&sort=due&q={word}",
        help="the filtered queue's query string; {word} is the search word (default %(default)s)",
    )
    args = parser.parse_args()

    os.environ.setdefault("CRM_SECRET_KEY", "bench-" + "k" * 50)  # shared with gunicorn
    setup_django(args.database_url)
    total = ensure_cases(args.cases)
    print(f"database holds {total:,} cases")
    team, officer = busiest_team_officer()
    word = search_word(team)
    reference = team_case(team)
    filtered = "/desk/?" + args.filtered.replace("{word}", quote_plus(word))
    pages = {"queue": "/desk/", "queue_filtered": filtered, "case": f"/desk/cases/{reference}/"}
    from django.db import connection

    connection.close()
    server = Gunicorn(
        parse_setting(args.gunicorn), args.port, os.environ["DATABASE_URL"], app_dir=args.app_dir
    )
    results: list[dict] = []
    try:
        server.wait_ready()
        cookie = sign_in(args.port, officer.username)  # type: ignore[attr-defined]
        check_pages(args.port, pages, cookie)
        for name, path in pages.items():
            for connections in (int(c) for c in args.connections.split(",")):
                print(f"{name} {path} at {connections} connections, {args.seconds} s", flush=True)
                results.append(
                    {"page": name, **measure(server.url, path, cookie, connections, args.seconds)}
                )
    finally:
        server.stop()

    print(f"\nthe desk, gunicorn {args.gunicorn}, {total:,} cases, served from {args.app_dir}")
    print(
        f"{'page':<16}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'load':>7}  non-200"
    )
    for r in results:
        target = TARGETS[r["page"]] if r["connections"] == 2 else None
        verdict = ""
        if target is not None:
            verdict = (
                f"  target p50 <= {target:.0f} ms: {'met' if r['p50_ms'] <= target else 'MISSED'}"
            )
        errors = r["non_200"] + r["socket_errors"]
        print(
            f"{r['page']:<16}{r['connections']:>6}{r['per_second']:>9.1f}{r['p50_ms']:>9.1f}"
            f"{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['load_average']:>7.2f}  {errors} "
            f"{' '.join(r['non_200_statuses'])}{verdict}"
        )
    for name, path in pages.items():
        print(f"  {name}: {path}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"desk-{datetime.now(tz=UTC):%Y%m%dT%H%M%S}.json"
    meta = {"cases": total, "cpus": os.cpu_count(), "gunicorn": args.gunicorn}
    meta |= {"app_dir": str(args.app_dir), "label": args.label, "team": str(team)}
    out.write_text(json.dumps({**meta, "pages": pages, "results": results}, indent=2))
    print(f"\nresults: {out.relative_to(ROOT)}")
    if any(r["non_200"] or r["socket_errors"] for r in results):
        raise SystemExit("some responses were not 200: see the table")


if __name__ == "__main__":
    main()

"""Load benchmark: the member portal under wrk, gunicorn on PostgreSQL with 1,000,000 cases.

    make bench-member   # = .venv/bin/python tests/bench/member_load.py --cases 1000000

Tops the benchmark database up to --cases, rebuilds the management information roll-ups
(timed: `rollups_rebuild`, as the worker and `manage.py member_rollups` do) and works out the
standard periods into the cache (`mi_warm`, timed, as the worker does after a rebuild), takes the
councillor of the division with the most cases (password set for the run), starts gunicorn
as bench-desk does, signs the councillor in through the sign-in page and drives wrk with that
session cookie on:
  - the division page, first view:                /member/divisions/<code>/
  - the management information, their division:  /member/mi/?scope=<code>&period=year
  - the management information, the council:     /member/mi/?scope=council&period=year
Targets (p95): division page < 150 ms; each MI page < 500 ms.
Writes JSON to tests/bench/results/member-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import ROOT, Gunicorn, ensure_cases, parse_setting, setup_django
from tests.bench.desk_load import check_pages, measure

RESULTS = ROOT / "tests" / "bench" / "results"
PASSWORD = "bench-member-councillor-2026"
TARGETS = {"division": 150.0, "mi_division": 500.0, "mi_council": 500.0}  # p95 ms


def busiest_councillor() -> tuple[object, object]:
    from django.db.models import Count

    from apps.council_crm.models import Councillor, ServiceRequest

    for row in (
        ServiceRequest.objects.filter(division__isnull=False)
        .values("division_id")
        .annotate(n=Count("id"))
        .order_by("-n")
    ):
        councillor = Councillor.objects.filter(divisions=row["division_id"]).first()
        if councillor is not None:
            user = councillor.user
            user.set_password(PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
            return councillor, councillor.divisions.get(pk=row["division_id"])
    raise SystemExit("no councillor with a division")


def sign_in(port: int, username: str) -> str:
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
        raise SystemExit(f"signing in failed: {status} {location} (MFA required?)")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--gunicorn", default=os.environ.get("BENCH_GUNICORN", "sync:3"))
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", default="2")
    parser.add_argument("--skip-rebuild", action="store_true", help="keep the roll-ups as they are")
    parser.add_argument("--division-path", default="/member/divisions/{code}/")
    args = parser.parse_args()

    os.environ.setdefault("CRM_SECRET_KEY", "bench-" + "k" * 50)
    setup_django(args.database_url)
    total = ensure_cases(args.cases)
    print(f"database holds {total:,} cases")
    rebuild_s = None
    if not args.skip_rebuild:
        from apps.council_crm.services.rollups import rollups_rebuild

        start = time.perf_counter()
        run = rollups_rebuild()
        rebuild_s = time.perf_counter() - start
        print(f"roll-ups rebuilt in {rebuild_s:.1f} s: {run.rows:,} rows up to {run.up_to}")
    from apps.council_crm.selectors.member_mi import mi_warm

    start = time.perf_counter()
    warmed = mi_warm()
    warm_s = time.perf_counter() - start
    print(f"{warmed} standard pages worked out into the cache in {warm_s:.1f} s")
    councillor, division = busiest_councillor()
    code = division.code  # type: ignore[attr-defined]
    # The division page last: while it was slow (main, 2026-12-07) its requests held every
    # worker for seconds and the next page's figures measured the queue behind them.
    pages = {
        "mi_division": f"/member/mi/?scope={code}&period=year",
        "mi_council": "/member/mi/?scope=council&period=year",
        "division": args.division_path.replace("{code}", code),
    }
    from django.db import connection

    connection.close()
    server = Gunicorn(parse_setting(args.gunicorn), args.port, os.environ["DATABASE_URL"])
    results: list[dict] = []
    try:
        server.wait_ready()
        cookie = sign_in(args.port, councillor.user.username)  # type: ignore[attr-defined]
        check_pages(args.port, pages, cookie)
        for name, path in pages.items():
            for connections in (int(c) for c in args.connections.split(",")):
                print(f"{name} {path} at {connections} connections", flush=True)
                results.append(
                    {"page": name, **measure(server.url, path, cookie, connections, args.seconds)}
                )
    finally:
        server.stop()
    print(f"\nthe member portal, gunicorn {args.gunicorn}, {total:,} cases")
    for r in results:
        target = TARGETS[r["page"]]
        timed_out = r["socket_errors"] or r["requests"] < 10
        verdict = "MISSED" if timed_out or r["p95_ms"] >= target else "met"
        print(
            f"{r['page']:<13}{r['connections']:>4}{r['per_second']:>8.1f}/s "
            f"n {r['requests']} p50 {r['p50_ms']:.1f} ms p95 {r['p95_ms']:.1f} ms "
            f"(target p95 < {target:.0f} ms: {verdict}) non-200 {r['non_200']} "
            f"timeouts/socket errors {r['socket_errors']} load {r['load_average']}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"member-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(
        json.dumps(
            {"cases": total, "rebuild_s": rebuild_s, "warm_s": warm_s, "results": results},
            indent=2,
        )
    )
    print(f"wrote {out.relative_to(ROOT)}")
    if any(r["non_200"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Load benchmark: the resident report journey against gunicorn on PostgreSQL, 1,000,000 cases.

    make bench-portal   # = .venv/bin/python tests/bench/portal_load.py --cases 1000000

Starts gunicorn (config.wsgi, DEBUG off, plain http) on the benchmark database, waits for
/readyz, then measures
  (a) the final POST ("Send report") alone at 8 concurrent connections with wrk: every
      request sends a different journey waiting at its check step. The journeys are copies of
      journeys made through the real pages (the session rows report.py wrote, with a new
      journey id, session, CSRF token and contact each), so each POST makes a new case;
      afterwards the database must hold exactly one case per 302. Target: >= 360/s, p95 < 60 ms.
  (b) the whole journey (14-20 requests: every GET and POST, redirects followed) by 20
      simulated residents for 60 s (threads with keep-alive http.client connections). Target:
      p95 < 300 ms on every page, no errors.
Prints a table and writes JSON to tests/bench/results/portal-<time>.json. `--gunicorn`
takes several settings (comma separated, "sync:3", "gthread:2x4") to compare them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.common import (
    ROOT,
    Gunicorn,
    ensure_cases,
    parse_setting,
    run_wrk_script,
    setup_django,
    stop_process,
)
from tests.bench.portal_journey import Deadline, Resident, UnexpectedResponse

RESULTS = ROOT / "tests" / "bench" / "results"
LUA = Path(__file__).with_name("portal_submit.lua")
# Measured on the 2-core machine (README): sync:3 did as well as sync:4 and better than sync:2
# and gthread:2x4. The requests are CPU-bound Python (templates, forms, ORM): threads queue on
# the GIL, a third process keeps both cores busy while another waits on PostgreSQL, a fourth
# only adds switching. Persistent database connections come from settings (CONN_MAX_AGE=60
# whenever DATABASE_URL is set).
DEFAULT_GUNICORN = "sync:3"


# --- the server -----------------------------------------------------------------------------


class Worker:
    """The background worker (`manage.py db_worker`), as deployed: it logs the reports the
    final POST received as cases. Started at a lower CPU priority (nice), as the README
    advises, so that residents' pages come first when both want the CPU."""

    def __init__(self, database_url: str, nice: int) -> None:
        env = {**os.environ, "DATABASE_URL": database_url, "CRM_DEBUG": "0"}
        cmd = [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "-v", "0"]
        self.log = tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )

    def pause(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.resume()
        stop_process(self.proc)


def waiting_reports() -> int:
    from apps.council_crm.models import ReportSubmission

    return ReportSubmission.objects.exclude(state=ReportSubmission.State.FAILED).count()


def failed_reports() -> int:
    from apps.council_crm.models import ReportSubmission

    return ReportSubmission.objects.filter(state=ReportSubmission.State.FAILED).count()


def wait_until_logged(timeout: float) -> tuple[float, int]:
    """Seconds until no report waits to be logged (or the timeout), and how many still wait."""
    from django.db import connection

    start = time.perf_counter()
    while True:
        left = waiting_reports()
        if left == 0 or time.perf_counter() - start > timeout:
            connection.close()
            return time.perf_counter() - start, left
        time.sleep(1)


# --- CPU accounting -------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _postgres_pids() -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/comm"):
        try:
            if stat.read_text().strip() == "postgres":
                pids.append(int(stat.parent.name))
        except OSError:
            pass
    return pids


class CpuMeter:
    """CPU seconds of gunicorn, of every postgres process and of this generator over a run."""

    def __init__(self, server: Gunicorn, worker: Worker | None = None) -> None:
        self.server = server
        self.worker = worker

    def __enter__(self) -> CpuMeter:
        from apps.council_crm.contention import cpu_stall_us

        self.stall_start = cpu_stall_us()
        self._pg_first = {pid: _cpu_seconds(pid) for pid in _postgres_pids()}
        self._pg_last = dict(self._pg_first)
        self._stop = threading.Event()
        # Backends come and go during a run (gunicorn's connections are renewed every 60 s):
        # a poll keeps each one's last reading, so one that ends loses at most a poll's CPU.
        self._poller = threading.Thread(target=self._poll_postgres, daemon=True)
        self._poller.start()
        self.start = self._sample()
        self.t0 = time.perf_counter()
        self.load_before = os.getloadavg()
        return self

    def _sample(self) -> dict[str, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._read_postgres()
        used = sum(t - self._pg_first.get(pid, 0.0) for pid, t in self._pg_last.items())
        return {
            "gunicorn": sum(_cpu_seconds(p) for p in self.server.pids()),
            "worker": _cpu_seconds(self.worker.proc.pid) if self.worker else 0.0,
            "postgres": used,
            "generator": own.ru_utime + own.ru_stime,
            "children": kids.ru_utime + kids.ru_stime,  # wrk, once it has exited
        }

    def _read_postgres(self) -> None:
        for pid in _postgres_pids():
            seconds = _cpu_seconds(pid)
            if seconds:  # 0.0: it ended between the listing and the reading
                self._pg_last[pid] = seconds

    def _poll_postgres(self) -> None:
        while not self._stop.wait(0.25):
            self._read_postgres()

    def snapshot_top(self) -> str:
        out = subprocess.run(
            [shutil.which("top") or "top", "-b", "-n", "1", "-w", "120"],
            capture_output=True,
            text=True,
        )
        return "\n".join(out.stdout.splitlines()[:22])

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        end = self._sample()
        self._stop.set()
        self._poller.join()
        self.cores = {k: round((end[k] - self.start[k]) / wall, 2) for k in end}
        self.server_cpu_s = end["gunicorn"] - self.start["gunicorn"] + end["postgres"]
        self.worker_cpu_s = end["worker"] - self.start["worker"]
        self.load = [round(x, 2) for x in os.getloadavg()]
        from apps.council_crm.contention import cpu_stall_us

        stall_end = cpu_stall_us()
        # the share of the run in which some runnable task waited for a CPU (Linux PSI)
        self.pressure = (
            round((stall_end - self.stall_start) / 1e6 / wall, 2)
            if stall_end is not None and self.stall_start is not None
            else None
        )


# --- (a) the final POST alone ---------------------------------------------------------------


def make_templates(base_url: str, count: int, streets: list[str]) -> list[tuple[str, dict]]:
    """Journeys made through the real pages up to the check step: (journey id, session data)."""
    from django.contrib.sessions.backends.db import SessionStore

    from apps.council_crm.portal.journey import SESSION_KEY

    out: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def work(seed: int) -> None:
        while True:
            with lock:
                if len(out) >= count:
                    return
            resident = Resident(base_url, random.Random(seed), seed)
            resident.streets = streets
            path = resident.journey(stop_at_check=True)
            journey_id = path.split("/")[2]
            data = SessionStore(session_key=resident.cookies["sessionid"]).load()
            with lock:
                out.append((journey_id, data))
            seed += 1000

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for journey_id, data in out:
        assert list(data) == [SESSION_KEY], data
        assert list(data[SESSION_KEY]) == [journey_id], data
    return out[:count]


def prepare_journeys(templates: list[tuple[str, dict]], count: int, seed: int) -> list[dict]:
    """Session rows for `count` new journeys at the check step, each a copy of a real one."""
    from django.conf import settings
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from apps.council_crm.portal.journey import SESSION_KEY

    rng = random.Random(seed)
    encoder = SessionStore()
    expire = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, journeys = [], []
    for n in range(count):
        template_id, template = rng.choice(templates)
        data = json.loads(json.dumps(template[SESSION_KEY][template_id]))
        if data.get("contact"):
            data["contact"].update(
                last_name=f"Submitter {seed}-{n}",
                email=f"bench.resident{rng.randrange(20000)}@example.com",
            )
        journey_id = secrets.token_urlsafe(16)  # as Journey.start makes them
        session_key = get_random_string(32, VALID_KEY_CHARS)
        secret = _get_new_csrf_string()
        rows.append(
            Session(
                session_key=session_key,
                session_data=encoder.encode({SESSION_KEY: {journey_id: data}}),
                expire_date=expire,
            )
        )
        journeys.append(
            {
                "journey_id": journey_id,
                "path": f"/report/{journey_id}/check/",
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
                f"{settings.CSRF_COOKIE_NAME}={secret}",
                "token": _mask_cipher_secret(secret),
            }
        )
    Session.objects.bulk_create(rows, batch_size=2000)
    return journeys


def write_lists(journeys: list[dict], threads: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="portal-journeys-"))
    for t in range(threads):
        with open(folder / f"journeys-{t}.tsv", "w") as fh:
            for j in journeys[t::threads]:
                fh.write(f"{j['path']}\t{j['cookie']}\t{j['token']}\n")
    return folder


def run_wrk(url: str, folder: Path, *, connections: int, threads: int, seconds: int) -> dict:
    return run_wrk_script(
        url, LUA, [str(folder)], connections=connections, threads=threads, seconds=seconds
    )


def cases_made(journeys: list[dict]) -> int:
    from apps.council_crm.models import ServiceRequest

    keys = [f"portal-report:{j['journey_id']}" for j in journeys]
    return sum(
        ServiceRequest.objects.filter(idempotency_key__in=keys[i : i + 5000]).count()
        for i in range(0, len(keys), 5000)
    )


# The tables each report and each logging churns. Autovacuum is off on the machine these
# figures were taken on; on any other server it keeps them small, so each run starts as it
# would (without it, the queue's index fills with dead entries and every run is slower than
# the one before).
CHURNED = [
    "django_session",
    "council_crm_reportsubmission",
    "django_tasks_database_dbtaskresult",
    "council_crm_outboxmessage",
    "council_crm_referencecounter",
    "council_crm_team",
]


def vacuum_churned() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in CHURNED:
                cursor.execute(f"VACUUM ANALYZE {table}")


def scenario_submit(server: Gunicorn, worker: Worker, templates, args) -> dict:
    threads = 2
    warm = prepare_journeys(templates, 8 * 20, seed=1)
    run_wrk(server.url, write_lists(warm, threads), connections=8, threads=threads, seconds=3)
    wait_until_logged(args.log_timeout)
    vacuum_churned()
    if args.worker == "after":  # the web tier alone: the worker is held back until wrk is done
        worker.pause()
    journeys = prepare_journeys(templates, args.submit_journeys, seed=random.randrange(10**6))
    folder = write_lists(journeys, threads)
    with CpuMeter(server, worker) as cpu:
        timer = threading.Timer(
            args.submit_seconds / 2, lambda: setattr(cpu, "top", cpu.snapshot_top())
        )
        timer.start()
        wrk = run_wrk(
            server.url, folder, connections=8, threads=threads, seconds=args.submit_seconds
        )
        timer.join()
    logged_during_run = cases_made(journeys)
    worker.resume()
    # every report received must become a case: wait for the worker to log them all (with
    # --drain-workers more worker processes to help it, so that the check does not take long)
    helpers = [Worker(os.environ["DATABASE_URL"], 0) for _ in range(args.drain_workers)]
    try:
        drain_s, still_waiting = wait_until_logged(args.log_timeout)
    finally:
        for helper in helpers:
            helper.stop()
    made = cases_made(journeys)
    seconds = wrk["duration_us"] / 1e6
    # POSTs handed to wrk but unanswered when it stopped may or may not have made their case
    in_flight = wrk["sent"] - wrk["responses"]
    result = {
        "connections": 8,
        "seconds": round(seconds, 1),
        "submissions": wrk["redirects"],
        "per_second": round(wrk["redirects"] / seconds, 1),
        "p50_ms": wrk["p50_us"] / 1000,
        "p95_ms": wrk["p95_us"] / 1000,
        "p99_ms": wrk["p99_us"] / 1000,
        "max_ms": wrk["max_us"] / 1000,
        "non_3xx": wrk["non_3xx"],
        "non_3xx_statuses": wrk["non_3xx_statuses"].split(),
        "socket_errors": wrk["socket_errors"],
        "prepared": len(journeys),
        "ran_out_of_journeys": wrk["exhausted"] > 0,
        "in_flight_at_end": in_flight,
        "new_cases": made,
        "cases_match_302s": wrk["redirects"] <= made <= wrk["redirects"] + in_flight,
        "logged_during_run": logged_during_run,
        "all_logged_after_s": round(drain_s, 1),
        "still_waiting": still_waiting,
        "failed_to_log": failed_reports(),
        "logging_per_second_after_run": round((made - logged_during_run) / max(drain_s, 1e-9), 1),
        "drain_workers": args.drain_workers,
        "worker_cpu_cores_during_run": round(cpu.worker_cpu_s / seconds, 2),
        "server_cpu_ms_per_submission": round(1000 * cpu.server_cpu_s / max(1, made), 1),
        # what every core of the machine would give if gunicorn and postgres had them alone
        "cpu_bound_ceiling_per_second": round(
            (os.cpu_count() or 1) * max(1, made) / max(cpu.server_cpu_s, 1e-9), 1
        ),
        "cpu_cores": cpu.cores,
        "cpu_pressure": cpu.pressure,
        "load_average": cpu.load,
        "top": getattr(cpu, "top", ""),
    }
    return result


# --- (b) the whole journey ------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ms = sorted(v * 1000 for v in values)
    return round(ms[min(len(ms) - 1, round(p / 100 * (len(ms) - 1)))], 1) if ms else 0.0


def _page_order(label: str) -> int:
    from apps.council_crm.portal.journey import STEPS

    order = ["GET /report/", "GET where?q="]
    order += [f"{m} {step}" for step in STEPS for m in ("GET", "POST")] + ["GET done"]
    return order.index(label) if label in order else len(order)


def scenario_journey(server: Gunicorn, args) -> dict:
    users = [Resident(server.url, random.Random(100 + i), 100 + i) for i in range(args.users)]
    for r in users:
        r.streets = args.streets
    errors: dict[str, int] = {}
    examples: list[str] = []
    lock = threading.Lock()

    def loop(resident: Resident) -> None:
        while True:
            try:
                resident.journey()
            except Deadline:
                return
            except (UnexpectedResponse, OSError) as exc:
                label = getattr(exc, "label", type(exc).__name__)
                with lock:
                    errors[label] = errors.get(label, 0) + 1
                    if len(examples) < 10:
                        examples.append(str(exc))
                resident.cookies.clear()
                resident.conn.close()

    vacuum_churned()
    with CpuMeter(server) as cpu:
        deadline = time.perf_counter() + args.journey_seconds
        for r in users:
            r.deadline = deadline
        threads = [threading.Thread(target=loop, args=(r,)) for r in users]
        for t in threads:
            t.start()
        time.sleep(args.journey_seconds / 2)
        cpu.top = cpu.snapshot_top()
        for t in threads:
            t.join()
    seconds = args.journey_seconds
    pages: dict[str, list[float]] = {}
    for r in users:
        for label, values in r.timings.items():
            pages.setdefault(label, []).extend(values)
    every = [v for values in pages.values() for v in values]
    return {
        "users": args.users,
        "seconds": seconds,
        "requests": len(every),
        "pages_per_second": round(len(every) / seconds, 1),
        "journeys": sum(r.journeys for r in users),
        "journeys_per_second": round(sum(r.journeys for r in users) / seconds, 2),
        "p50_ms": pct(every, 50),
        "p95_ms": pct(every, 95),
        "p99_ms": pct(every, 99),
        "worst_page_p95_ms": max((pct(v, 95) for v in pages.values()), default=0.0),
        "errors": sum(errors.values()),
        "errors_by_page": errors,
        "error_examples": examples,
        "per_page": {
            label: {"n": len(v), "p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "p99_ms": pct(v, 99)}
            for label, v in sorted(pages.items(), key=lambda item: _page_order(item[0]))
        },
        "cpu_cores": cpu.cores,
        "cpu_pressure": cpu.pressure,
        "server_cpu_ms_per_page": round(1000 * cpu.server_cpu_s / max(1, len(every)), 1),
        "cpu_bound_ceiling_pages_per_second": round(
            (os.cpu_count() or 1) * len(every) / max(cpu.server_cpu_s, 1e-9), 1
        ),
        "load_average": cpu.load,
        "top": cpu.top,
    }


# --- the run --------------------------------------------------------------------------------


def print_tables(runs: list[dict]) -> None:
    print()
    print("(a) final POST, 8 connections (target >= 360/s, p95 < 60 ms, no errors)")
    print("    the worker: " + ", ".join(f"{r['gunicorn']} {r.get('worker_in_a')}" for r in runs))
    print(
        f"{'gunicorn':<14}{'subm/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}"
        "  new cases = 302s"
    )
    for run in runs:
        a = run.get("submit")
        if a:
            errors = a["non_3xx"] + sum(a["socket_errors"].values())
            print(
                f"{run['gunicorn']:<14}{a['per_second']:>8.1f}{a['p50_ms']:>8.1f}"
                f"{a['p95_ms']:>8.1f}{a['p99_ms']:>8.1f}{errors:>8}  "
                f"{a['new_cases']} = {a['submissions']} (+ <= {a['in_flight_at_end']} in flight): "
                f"{a['cases_match_302s']}\n{'':<14}all logged as cases "
                f"{a['all_logged_after_s']} s after the run ({a['logged_during_run']} during it, "
                f"then {a['logging_per_second_after_run']}/s with "
                f"{a['drain_workers'] + 1} workers; "
                f"{a['still_waiting']} still waiting, "
                f"{a['failed_to_log']} failed)\n{'':<14}server cpu/subm "
                f"{a['server_cpu_ms_per_submission']} ms (CPU-bound ceiling "
                f"{a['cpu_bound_ceiling_per_second']}/s)"
                f"  cpu {a['cpu_cores']}  cpu pressure {a['cpu_pressure']}"
                f"  load {a['load_average']}"
            )
    print()
    print("(b) whole journey, 20 users (target p95 < 300 ms on every page, no errors)")
    print(
        f"{'gunicorn':<14}{'pages/s':>8}{'journ/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"
        f"{'worst95':>9}{'errors':>8}"
    )
    for run in runs:
        b = run.get("journey")
        if b:
            print(
                f"{run['gunicorn']:<14}{b['pages_per_second']:>8.1f}{b['journeys_per_second']:>8.2f}"
                f"{b['p50_ms']:>8.1f}{b['p95_ms']:>8.1f}{b['p99_ms']:>8.1f}"
                f"{b['worst_page_p95_ms']:>9.1f}{b['errors']:>8}"
                f"\n{'':<14}server cpu/page {b['server_cpu_ms_per_page']} ms (CPU-bound ceiling "
                f"{b['cpu_bound_ceiling_pages_per_second']} pages/s)"
                f"  cpu {b['cpu_cores']}  cpu pressure {b['cpu_pressure']}"
                f"  load {b['load_average']}"
            )
    for run in runs:
        b = run.get("journey")
        if b:
            print(f"\nper page, gunicorn {run['gunicorn']} (ms):")
            for label, s in b["per_page"].items():
                print(f"  {label:<18}{s['n']:>7}  p50 {s['p50_ms']:>7.1f}  p95 {s['p95_ms']:>7.1f}")
            if b["error_examples"]:
                print("  errors:", *b["error_examples"], sep="\n    ")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="existing cases to have")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--gunicorn",
        default=os.environ.get("BENCH_GUNICORN", DEFAULT_GUNICORN),
        help="worker class:workers[xthreads], comma separated to compare (default %(default)s)",
    )
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--submit-seconds", type=int, default=30)
    parser.add_argument(
        "--submit-journeys", type=int, default=24000, help="prepared for (a): 800/s for 30 s"
    )
    parser.add_argument("--journey-seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--templates", type=int, default=24, help="real journeys to copy")
    parser.add_argument("--only", choices=["submit", "journey"], default=None)
    parser.add_argument(
        "--worker-nice", type=int, default=10, help="the worker's nice value (README: 10)"
    )
    parser.add_argument(
        "--worker",
        choices=["during", "after"],
        default="during",
        help="(a): the worker runs during the burst, as deployed (default), or is held back "
        "until it is over (what the web tier alone takes)",
    )
    parser.add_argument(
        "--drain-workers",
        type=int,
        default=2,
        help="extra worker processes started after (a) to log what it received sooner",
    )
    parser.add_argument(
        "--log-timeout", type=int, default=900, help="seconds to wait for the worker to log all"
    )
    args = parser.parse_args()

    os.environ.setdefault("CRM_SECRET_KEY", "bench-" + "k" * 50)  # shared with gunicorn
    setup_django(args.database_url)
    total = ensure_cases(args.cases)
    print(f"database holds {total:,} cases")
    from django.db import connection

    database_url = os.environ["DATABASE_URL"]
    from apps.council_crm.models import GazetteerEntry

    args.streets = sorted(
        set(GazetteerEntry.objects.filter(kind="street").values_list("name", flat=True))
    )
    print(f"residents search for one of {len(args.streets)} streets of the gazetteer")
    runs = []
    for text in args.gunicorn.split(","):
        setting = parse_setting(text.strip())
        server = Gunicorn(setting, args.port, database_url)
        worker = Worker(database_url, args.worker_nice)
        run: dict = {
            "gunicorn": text.strip(),
            "setting": setting,
            "worker_nice": args.worker_nice,
            "worker_in_a": args.worker,
        }
        try:
            server.wait_ready()
            print(f"gunicorn {text}: making {args.templates} real journeys to the check step")
            templates = make_templates(server.url, args.templates, args.streets)
            if args.only != "journey":
                print(f"gunicorn {text}: (a) final POST, 8 connections, {args.submit_seconds} s")
                run["submit"] = scenario_submit(server, worker, templates, args)
            connection.close()
            if args.only != "submit":
                print(f"gunicorn {text}: (b) {args.users} users, {args.journey_seconds} s")
                run["journey"] = scenario_journey(server, args)
        finally:
            server.stop()
            worker.stop()
        runs.append(run)
    print_tables(runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"portal-{datetime.now(tz=UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps({"cases": total, "cpus": os.cpu_count(), "runs": runs}, indent=2))
    print(f"\nresults: {out.relative_to(ROOT)}")
    for run in runs:
        for a in [run.get("submit")]:
            if a and a["ran_out_of_journeys"]:
                print(
                    f"warning: {run['gunicorn']} ran out of prepared journeys;"
                    " raise --submit-journeys"
                )


if __name__ == "__main__":
    main()

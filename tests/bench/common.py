"""Shared set-up for benchmarks: a PostgreSQL database with the demo site and N cases."""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ccrm_bench"


def setup_django(database_url: str | None = None) -> None:
    """Point Django at the benchmark database (created if missing) and migrate it."""
    sys.path.insert(0, str(ROOT))
    url = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable")


def _create_database(url: str) -> None:
    import psycopg
    from dj_database_url import parse

    cfg = parse(url)
    conninfo = dict(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres")
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def ensure_cases(count: int) -> int:
    """Load the demo site and top the database up to `count` synthetic cases."""
    from django.conf import settings

    from apps.council_crm.demo.synthetic import cases_generate
    from apps.council_crm.models import ServiceRequest
    from apps.council_crm.services.site_setup import site_load

    site_load(site=settings.CRM_SITE)
    have = ServiceRequest.objects.count()
    if have < count:
        print(f"generating {count - have:,} cases (have {have:,}) ...", flush=True)
        start = time.perf_counter()
        cases_generate(count=count - have, seed=have + 1)
        took = time.perf_counter() - start
        print(f"  {count - have:,} cases in {took:.0f} s ({(count - have) / took:,.0f}/s)")
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    return ServiceRequest.objects.count()


def report(name: str, timings_s: list[float], wall_s: float) -> dict[str, float]:
    ms = sorted(t * 1000 for t in timings_s)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, round(p / 100 * (len(ms) - 1)))]

    result = {
        "n": len(ms),
        "per_second": len(ms) / wall_s,
        "p50_ms": statistics.median(ms),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": ms[-1],
    }
    print(
        f"{name}: n={result['n']} {result['per_second']:.0f}/s "
        f"p50={result['p50_ms']:.1f} ms p95={result['p95_ms']:.1f} ms "
        f"p99={result['p99_ms']:.1f} ms max={result['max_ms']:.1f} ms"
    )
    return result


def timed(fn: Callable[[], object], n: int, warmup: int = 20) -> tuple[list[float], float]:
    for _ in range(warmup):
        fn()
    timings = []
    start = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - t0)
    return timings, time.perf_counter() - start


# --- gunicorn and wrk, for the load benchmarks (bench-portal, bench-desk) -------------------


def parse_setting(text: str) -> dict[str, object]:
    kind, _, size = text.partition(":")
    workers, _, threads = size.partition("x")
    return {"worker_class": kind, "workers": int(workers), "threads": int(threads or 1)}


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Gunicorn:
    """gunicorn serving config.wsgi from `app_dir` (this checkout by default; another checkout
    measures an older version on the same database), DEBUG off, plain http."""

    def __init__(
        self, setting: dict[str, object], port: int, database_url: str, app_dir: Path = ROOT
    ) -> None:
        self.setting = setting
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,  # settings: persistent connections, CONN_MAX_AGE=60
            "CRM_DEBUG": "0",
            "CRM_HTTPS": "0",  # plain http here: cookies must not be Secure-only
            "CRM_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CRM_LOG_LEVEL": "WARNING",
        }
        cmd = [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={setting['workers']}",
            f"--worker-class={setting['worker_class']}",
            f"--threads={setting['threads']}",
            "--backlog=512",
            "--timeout=60",
            "--log-level=warning",
        ]
        self.log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=app_dir, env=env, stdout=self.log, stderr=self.log)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn not ready after {timeout} s; see {self.log.name}")

    def pids(self) -> list[int]:
        out = [self.proc.pid]
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            out += [int(p) for p in task.read_text().split()]
        return out

    def stop(self) -> None:
        stop_process(self.proc)


def run_wrk_script(
    url: str, lua: Path, script_args: list[str], *, connections: int, threads: int, seconds: int
) -> dict:
    """Run wrk with a Lua script whose done() prints one line "RESULT {json}"; return it."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout=10s",
        "-s",
        str(lua),
        url,
        "--",
        *script_args,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))

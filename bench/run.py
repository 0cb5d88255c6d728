"""`make bench`: throughput, latency, server CPU and SQL queries of a lesson page.

Prepares scratch databases (SQLite in a temp dir, PostgreSQL `klartankt_bench`),
serves each configuration with gunicorn (2 sync workers, production settings)
on a free loopback port, drives anonymous GETs with wrk (or a Python client),
reads the server's CPU time from /proc, counts SQL queries in-process and
profiles one configuration. Results: stdout and bench/results/latest.md.
Method and today's figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
PYTHON = str(BIN / "python")
GUNICORN = str(BIN / "gunicorn")

LESSON_PATH = "/kurser/grunder/sa-fungerar-chattbotar/"
PG_DB = "klartankt_bench"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
REDIS_URL = "redis://127.0.0.1:6379/5"
PRODUCTION = "lms.settings.production"
PAGECACHE = "bench.settings_pagecache"
WORKERS = 2
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The issue's reference figures (stock Wagtail StreamField page) and targets.
REFERENCE = {
    "cpu_ms": 30.0,
    "queries": 22,
    "rps_sqlite": 60,
    "rps_postgres": 40,
    "cached_cpu_ms": 0.7,
    "target_cpu_ms": 10.0,
    "target_queries": 15,
}


@dataclass
class Scenario:
    name: str
    db: str  # "sqlite" | "postgres"
    cache: str  # "locmem" | "redis"
    settings: str = PRODUCTION
    path: str = LESSON_PATH
    inprocess: bool = True
    note: str = ""


SCENARIOS = [
    Scenario("lesson, SQLite, locmem", "sqlite", "locmem"),
    Scenario("lesson, PostgreSQL, locmem", "postgres", "locmem"),
    Scenario("lesson, PostgreSQL, Redis", "postgres", "redis"),
    Scenario(
        "lesson, full page cache (locmem)",
        "postgres",
        "locmem",
        settings=PAGECACHE,
        note="estimate: cached HttpResponse",
    ),
    Scenario(
        "lesson, full page cache (Redis)",
        "postgres",
        "redis",
        settings=PAGECACHE,
        note="estimate: cached HttpResponse",
    ),
    Scenario(
        "/healthz, PostgreSQL, locmem",
        "postgres",
        "locmem",
        path="/healthz",
        inprocess=False,
        note="trivial view: 1 SQL + cache set/get",
    ),
]


class Bench:
    """Owns every resource the run creates, and releases them in reverse order."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="klartankt-bench-"))
        self.secret_key = secrets.token_urlsafe(48)  # 64 characters
        self._cleanups: list[tuple[str, object]] = []
        self.on_cleanup("remove temp dir", lambda: shutil.rmtree(self.tmp, ignore_errors=True))

    def on_cleanup(self, label: str, func) -> None:
        self._cleanups.append((label, func))

    def cleanup(self) -> None:
        while self._cleanups:
            label, func = self._cleanups.pop()
            try:
                func()
            except Exception as error:  # noqa: BLE001 - clean up the rest regardless
                log(f"cleanup '{label}' failed: {error}")

    def log_path(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    # -- environment ---------------------------------------------------------

    def database_url(self, db: str) -> str:
        return f"sqlite:///{self.tmp / 'db.sqlite3'}" if db == "sqlite" else PG_URL

    def env(self, db: str, cache: str, settings: str = PRODUCTION) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CACHE_URL", "REDIS_URL", "DATABASE_URL", "DEBUG", "PYTHONPATH"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE=settings,
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            STATIC_ROOT=str(self.tmp / "static"),
            MEDIA_ROOT=str(self.tmp / "media"),  # load_demo writes images here
            DATABASE_URL=self.database_url(db),
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
            PYTHONDONTWRITEBYTECODE="1",
        )
        if cache == "redis":
            env["CACHE_URL"] = REDIS_URL
        return env

    def manage(self, env: dict[str, str], *command: str, timeout: float = 180) -> None:
        name = "-".join(["manage", command[0], env["DATABASE_URL"].split(":")[0]])
        with open(self.log_path(name), "ab") as out:
            proc = subprocess.run(
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if proc.returncode != 0:
            tail = self.log_path(name).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"manage.py {' '.join(command)} failed:\n{tail}")

    # -- preparation -----------------------------------------------------------

    def prepare(self) -> None:
        log(f"scratch dir {self.tmp}")
        env = self.env("sqlite", "locmem")
        self.manage(env, "collectstatic", "--noinput", "-v", "0")
        for db in ("sqlite", "postgres"):
            if db == "postgres":
                reset_postgres()
                if not self.args.keep_db:
                    self.on_cleanup("drop PostgreSQL database", drop_postgres)
            t0 = time.monotonic()
            env = self.env(db, "locmem")
            self.manage(env, "migrate", "--noinput", "-v", "0")
            self.manage(env, "load_demo", "--no-users")
            log(f"{db}: migrated and loaded the demo catalogue in {time.monotonic() - t0:.1f}s")
        self.on_cleanup("flush Redis db 5", flush_redis)

    # -- one scenario ----------------------------------------------------------

    def run_scenario(self, scenario: Scenario) -> dict:
        env = self.env(scenario.db, scenario.cache, scenario.settings)
        if scenario.cache == "redis":
            flush_redis()
        result: dict = {"scenario": scenario.name, "db": scenario.db, "cache": scenario.cache}
        result["note"] = scenario.note
        if scenario.inprocess:
            result.update(self.inprocess(scenario, env))
        server = Server(env, self.log_path(f"gunicorn-{slug(scenario.name)}"))
        self.on_cleanup(f"stop gunicorn ({scenario.name})", server.stop)
        try:
            for attempt in range(3):  # another process may take the free port first
                try:
                    server.start()
                    break
                except RuntimeError:
                    server.stop()
                    if attempt == 2:
                        raise
            headers: dict[str, str] = {}
            status, size = server.get(scenario.path, headers)
            if status != 200:
                raise RuntimeError(f"{scenario.path} answered {status} on {scenario.name}")
            result["page_bytes"] = size
            # Warm-up: enough concurrent requests to reach both workers.
            loadgen.run_python(
                server.port,
                scenario.path,
                connections=4,
                duration=self.args.warmup,
                headers=headers,
                max_requests=200,
            )
            pids_before = server.pids()
            backends = backend_pids(scenario)
            cpu0, sys0, client0 = server.cpu_seconds(), machine_busy(), client_cpu_seconds()
            backend0 = cpu_seconds_of(backends)
            load = loadgen.run_load(
                server.port,
                scenario.path,
                tool=self.args.tool,
                connections=self.args.connections,
                duration=self.args.duration,
                headers=headers,
            )
            cpu1, sys1, client1 = server.cpu_seconds(), machine_busy(), client_cpu_seconds()
            backend_cpu = cpu_seconds_of(backends) - backend0
            if server.pids() != pids_before:
                result["warning"] = "a gunicorn worker was replaced during the run"
            server_cpu = cpu1 - cpu0
            result.update(load)
            result["server_cpu_s"] = server_cpu
            result["server_cpu_ms_per_req"] = (
                server_cpu * 1000 / load["requests"] if load["requests"] else float("nan")
            )
            result["backend_cpu_ms_per_req"] = (
                backend_cpu * 1000 / load["requests"] if load["requests"] and backends else None
            )
            client_cpu = client1 - client0
            machine = sys1 - sys0
            result["client_cpu_s"] = client_cpu
            result["machine_cpu_s"] = machine
            other = machine - server_cpu - backend_cpu
            other -= client_cpu
            result["other_cpu_share"] = max(0.0, other) / (load["duration_s"] * os.cpu_count())
        finally:
            server.stop()
        return result

    def inprocess(self, scenario: Scenario, env: dict[str, str]) -> dict:
        name = slug(scenario.name)
        cmd = [
            PYTHON,
            str(BENCH / "inprocess.py"),
            "--path",
            scenario.path,
            "--repeat",
            str(self.args.repeat),
            "--sql-out",
            str(RESULTS / f"queries-{name}.txt"),
        ]
        if self.args.profile and scenario.name == SCENARIOS[1].name:
            cmd += [
                "--profile",
                str(self.args.profile),
                "--profile-out",
                str(RESULTS / "profile.txt"),
            ]
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"in-process measurement failed:\n{proc.stderr[-3000:]}")
        return {f"inproc_{k}": v for k, v in json.loads(proc.stdout).items()}


class Server:
    """gunicorn on a free loopback port, in its own session so it can be stopped
    (with its workers) without touching anything else."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        self.port = free_port()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--chdir",
                str(ROOT),
                "--log-level",
                "warning",
                "--timeout",
                "30",
                "lms.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                conn.close()
                server = response.getheader("Server") or ""
                if response.status == 200 and "gunicorn" in server:
                    if len(self.pids()) == WORKERS + 1:
                        return
                elif "gunicorn" not in server:
                    raise RuntimeError(f"port {self.port} is served by {server!r}, not by us")
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready within 40 s")

    def get(self, path: str, headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            body = response.read()
            return response.status, len(body)
        finally:
            conn.close()

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        master = self.proc.pid
        found = [master]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = read_stat(int(entry.name))
                if stat and int(stat[1]) == master:  # ppid
                    found.append(int(entry.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """utime + stime of the master and its workers, from /proc/<pid>/stat."""
        total = 0
        for pid in self.pids():
            stat = read_stat(pid)
            if stat:
                total += int(stat[11]) + int(stat[12])  # utime, stime (fields 14, 15)
        return total / CLK_TCK

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()  # graceful: the master stops its workers
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # our own session only
                proc.wait(timeout=5)
        self._log.close()


# -- helpers -------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def slug(text: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in keep.split("-") if part)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, ...]."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        stat = read_stat(pid)
        if stat:
            total += int(stat[11]) + int(stat[12])
    return total / CLK_TCK


def backend_pids(scenario: Scenario) -> list[int]:
    """PostgreSQL backends serving the bench database (persistent: CONN_MAX_AGE=60),
    plus redis-server when the cache is Redis (shared with anything else using it)."""
    pids: list[int] = []
    if scenario.db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (PG_DB,)
            ).fetchall()
            pids += [row[0] for row in rows]
    if scenario.cache == "redis":
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if (entry / "comm").read_text().strip() == "redis-server":
                        pids.append(int(entry.name))
    return pids


def machine_busy() -> float:
    """CPU seconds all processes on the machine spent busy (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def client_cpu_seconds() -> float:
    """CPU of the load generator: reaped children (wrk) plus this process (the
    Python client's threads). Gunicorn is reaped only when stopped."""
    total = 0.0
    for who in (resource.RUSAGE_CHILDREN, resource.RUSAGE_SELF):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def reset_postgres() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(PG_DB)
            )
        )


def drop_postgres() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DB))
        )


def flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


def versions() -> dict[str, str]:
    import django
    import gunicorn
    import wagtail

    info = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "gunicorn": gunicorn.__version__,
        "cores": str(os.cpu_count()),
        "cpu": cpu_model(),
        "loadavg_at_start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
    with contextlib.suppress(Exception):
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0].split()[0] if row else "?"
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        info["redis"] = client.info("server")["redis_version"]
        client.close()
    return info


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


# -- report --------------------------------------------------------------------


def fmt(value, spec: str = ".1f") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return format(value, spec)


def ops_total(ops: dict | None) -> str:
    return "–" if ops is None else str(sum(ops.values()))


def render_report(info: dict, args: argparse.Namespace, results: list[dict]) -> str:
    lines = [
        f"# Klartänkt benchmark — {info['date']}",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), load average at start "
        f"{info['loadavg_at_start']}. Python {info['python']}, Django {info['django']}, "
        f"Wagtail {info['wagtail']}, gunicorn {info['gunicorn']} ({WORKERS} sync workers), "
        f"PostgreSQL {info.get('postgresql', '?')}, Redis {info.get('redis', '?')}.",
        f"Load: {results[0].get('tool', args.tool) if results else args.tool}, "
        f"after {args.warmup:g} s warm-up; page `{LESSON_PATH}`; production settings, DEBUG off.",
        "",
        "| Scenario | req/s | p50 ms | p99 ms | non-2xx | errors | server CPU ms/req "
        "| DB+cache server CPU ms/req | SQL warm | SQL cold | in-process ms (wall / CPU) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        inproc = (
            f"{fmt(r.get('inproc_wall_ms'))} / {fmt(r.get('inproc_cpu_ms'))}"
            if "inproc_wall_ms" in r
            else "–"
        )
        name = r["scenario"] + (f" ({r['note']})" if r.get("note") else "")
        lines.append(
            f"| {name} | {fmt(r.get('rps'), '.0f')} | {fmt(r.get('p50_ms'))} | "
            f"{fmt(r.get('p99_ms'))} | {r.get('non2xx', '–')} | {r.get('errors', '–')} | "
            f"{fmt(r.get('server_cpu_ms_per_req'), '.2f')} | "
            f"{fmt(r.get('backend_cpu_ms_per_req'), '.2f')} | "
            f"{r.get('inproc_queries_warm', '–')} | "
            f"{r.get('inproc_queries_cold', '–')} | {inproc} |"
        )
    lines += [
        "",
        "Details: requests completed, cache operations of one warm / cold in-process request, "
        "CPU of the load generator, and CPU used by other processes on the machine during the "
        "run (share of all cores; the machine is shared, so high values mean noisy figures):",
        "",
        "| Scenario | requests | cache ops warm / cold | load-generator CPU s | other CPU |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        ops = (
            f"{ops_total(r.get('inproc_cache_ops_warm'))} / "
            f"{ops_total(r.get('inproc_cache_ops_cold'))}"
        )
        lines.append(
            f"| {r['scenario']} | {r.get('requests', '–')} | {ops} | "
            f"{fmt(r.get('client_cpu_s'))} | "
            f"{fmt(r.get('other_cpu_share', float('nan')) * 100, '.0f')} % |"
        )
        if r.get("warning"):
            lines.append(f"| ⚠ {r['warning']} | | | | |")
    shares = [r["other_cpu_share"] for r in results if "other_cpu_share" in r]
    if shares and sum(shares) / len(shares) > 0.25:
        lines += [
            "",
            f"⚠ Other processes used {sum(shares) / len(shares) * 100:.0f} % of the machine's "
            "CPU on average during the load runs: req/s and latency are depressed and CPU per "
            "request is inflated. Rerun on a quiet machine for comparable figures.",
        ]
    by_name = {r["scenario"]: r for r in results}
    sqlite = by_name.get(SCENARIOS[0].name, {})
    pg = by_name.get(SCENARIOS[1].name, {})
    cached = by_name.get(SCENARIOS[3].name, {})
    lines += [
        "",
        "Against the issue's reference (stock Wagtail StreamField page) and targets:",
        "",
        "| Figure | Reference | Target | Measured |",
        "|---|---:|---:|---:|",
        f"| Server CPU per uncached lesson page, SQLite | ~{REFERENCE['cpu_ms']:.0f} ms | "
        f"< {REFERENCE['target_cpu_ms']:.0f} ms | "
        f"{fmt(sqlite.get('server_cpu_ms_per_req'))} ms |",
        f"| Server CPU per uncached lesson page, PostgreSQL | ~{REFERENCE['cpu_ms']:.0f} ms | "
        f"< {REFERENCE['target_cpu_ms']:.0f} ms | {fmt(pg.get('server_cpu_ms_per_req'))} ms |",
        f"| SQL queries per lesson page (warm / cold cache), SQLite | {REFERENCE['queries']} | "
        f"≤ {REFERENCE['target_queries']} | {sqlite.get('inproc_queries_warm', '–')} / "
        f"{sqlite.get('inproc_queries_cold', '–')} |",
        f"| SQL queries per lesson page (warm / cold cache), PostgreSQL | "
        f"{REFERENCE['queries']} | ≤ {REFERENCE['target_queries']} | "
        f"{pg.get('inproc_queries_warm', '–')} / {pg.get('inproc_queries_cold', '–')} |",
        f"| req/s, 2 workers, SQLite | ~{REFERENCE['rps_sqlite']} | | "
        f"{fmt(sqlite.get('rps'), '.0f')} |",
        f"| req/s, 2 workers, PostgreSQL | ~{REFERENCE['rps_postgres']} | | "
        f"{fmt(pg.get('rps'), '.0f')} |",
        f"| Server CPU per cached page | ~{REFERENCE['cached_cpu_ms']} ms | | "
        f"{fmt(cached.get('server_cpu_ms_per_req'), '.2f')} ms (cached HttpResponse, locmem) |",
    ]
    profile = pg.get("inproc_profile")
    if profile:
        lines += [
            "",
            f"Profile (cProfile with a CPU-time timer, {profile['requests']} requests "
            "in-process, PostgreSQL, locmem; "
            f"{profile['profiled_ms_per_request']:.1f} ms CPU/request under the profiler, "
            "which inflates call-heavy code). Own CPU time by area:",
            "",
        ]
        for label, share in list(profile["own_time_share"].items())[:10]:
            lines.append(f"- {share * 100:.1f} % {label}")
        lines += ["", "Cumulative CPU share of entry points:", ""]
        for label, share in profile["entry_point_share"].items():
            lines.append(f"- {share * 100:.1f} % {label}")
        lines += ["", "Full listing: bench/results/profile.txt; SQL: bench/results/queries-*.txt."]
    lines.append("")
    lines.append(f"Total bench time: {args.total_s:.0f} s.")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server")
    parser.add_argument("--repeat", type=int, default=40, help="in-process timed requests")
    parser.add_argument("--profile", type=int, default=30, help="profiled requests (0: skip)")
    parser.add_argument(
        "--tool", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--budget", type=float, default=285, help="seconds; later scenarios are skipped"
    )
    args = parser.parse_args()
    if args.tool == "auto":
        args.tool = "wrk" if loadgen.wrk_path() else "python"
        if args.tool == "python":
            log("wrk not found (apt-get install wrk); using the Python client")
    if not 1 <= args.duration <= 60 or not 1 <= args.connections <= 64:
        parser.error("--duration must be 1..60 s and --connections 1..64")

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    RESULTS.mkdir(parents=True, exist_ok=True)
    bench = Bench(args)
    results: list[dict] = []
    skipped: list[str] = []
    try:
        info = versions()
        bench.prepare()
        for scenario in SCENARIOS:
            if args.only and args.only.lower() not in scenario.name.lower():
                continue
            if bench.elapsed() > args.budget - (args.duration + args.warmup + 15):
                log(f"time budget of {args.budget:.0f}s reached: skipping '{scenario.name}'")
                skipped.append(scenario.name)
                continue
            t0 = time.monotonic()
            result = bench.run_scenario(scenario)
            results.append(result)
            log(
                f"{scenario.name}: {fmt(result.get('rps'), '.0f')} req/s, "
                f"{fmt(result.get('server_cpu_ms_per_req'), '.2f')} ms CPU/req, "
                f"SQL {result.get('inproc_queries_warm', '–')}/"
                f"{result.get('inproc_queries_cold', '–')} "
                f"({time.monotonic() - t0:.0f}s)"
            )
        args.total_s = bench.elapsed()
        report = render_report(info, args, results)
        if skipped:
            report += f"\nSkipped (time budget): {', '.join(skipped)}.\n"
        (RESULTS / "latest.md").write_text(report, encoding="utf-8")
        (RESULTS / "latest.json").write_text(
            json.dumps({"info": info, "results": results}, indent=2), encoding="utf-8"
        )
        print(report)
        log(f"written {RESULTS / 'latest.md'} in {bench.elapsed():.0f}s")
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        log(f"failed: {error}")
        return 1
    finally:
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: lesson pages, answer submissions and editions at scale.

Parts (all by default; choose with --only pages,answers,editions,h5p):

- pages: throughput, latency, server CPU and SQL queries of a lesson page
  (anonymous GETs with wrk or a Python client), a page-cache estimate and a
  profile;
- answers: quiz answer submissions per second with 1, 8 and 32 learners, each
  with its own cookies (bench/answers.py), on SQLite and PostgreSQL, with
  failed and lost writes counted against the rows in the database;
- editions: creating N editions (290: every municipality), publishing a
  national lesson to N aliases, and a lesson page on one edition with 1 vs N
  editions (bench/edition_scale.py, bench/inprocess.py);
- h5p: bench/h5p_memory.py (peak memory while refusing zip bombs), if present.

Prepares scratch databases (SQLite in a temp dir, PostgreSQL `klartankt_bench`
and, for --editions-db postgres, `klartankt_bench_editions`), serves each
configuration with gunicorn (sync workers, production settings) on a free
loopback port and reads CPU times from /proc. Everything it starts or creates
is removed when it ends, also on errors, Ctrl-C and SIGTERM. Results: stdout,
bench/results/latest.md and latest.json. Method and figures: docs/benchmarks.md.
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
import sqlite3
import statistics
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
PG_EDITIONS_DB = "klartankt_bench_editions"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
PG_EDITIONS_URL = f"postgres://postgres@127.0.0.1:5432/{PG_EDITIONS_DB}"
ALLOWED_HOSTS = "127.0.0.1,localhost,.localhost"  # .localhost: the editions' hostnames
EDITION_HOST = "ankeby0.localhost"  # the first edition the editions part creates
PUBLISH_SLUG = "vad-ar-ai"  # the national lesson the editions part publishes
PARTS = ("pages", "answers", "editions", "h5p")
DEFAULT_PARTS = ("pages", "answers", "editions", "h5p")
REDIS_URL = "redis://127.0.0.1:6379/5"
PRODUCTION = "lms.settings.production"
PAGECACHE = "bench.settings_pagecache"
SQLITE_DEFAULTS = "bench.settings_sqlite_defaults"
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
# Issue 4: a bare Django view doing only the writes, 8 clients, on these machines.
ANSWER_REFERENCE = {"sqlite": 340, "postgres": 300, "sqlite_defaults_refused": 0.45}
ANSWER_DB_LABELS = {
    "sqlite": "SQLite (WAL, IMMEDIATE, busy timeout)",
    "postgres": "PostgreSQL",
    "sqlite-defaults": "SQLite with Django's defaults",
}
ANSWER_TABLES = (
    "learning_learner",
    "learning_quizsubmission",
    "learning_questionresponse",
    "learning_lessonprogress",
)


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
        self.redis_used = False
        self.answer_profiles: dict[str, dict] = {}

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
        """db: sqlite | postgres (pages, answers), sqlite-editions | postgres-editions,
        sqlite-defaults (a copy in rollback-journal mode for Django's default settings)."""
        urls = {
            "sqlite": f"sqlite:///{self.tmp / 'db.sqlite3'}",
            "sqlite-editions": f"sqlite:///{self.tmp / 'editions.sqlite3'}",
            "sqlite-defaults": f"sqlite:///{self.tmp / 'defaults.sqlite3'}",
            "postgres": PG_URL,
            "postgres-editions": PG_EDITIONS_URL,
        }
        return urls[db]

    def env(self, db: str, cache: str, settings: str = PRODUCTION) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CACHE_URL", "REDIS_URL", "DATABASE_URL", "DEBUG", "PYTHONPATH"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE=settings,
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS=ALLOWED_HOSTS,
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
            if not self.redis_used:
                self.redis_used = True
                self.on_cleanup("flush Redis db 5", flush_redis)
        return env

    def manage(self, env: dict[str, str], *command: str, timeout: float = 240) -> None:
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

    def script(
        self, env: dict[str, str], script: str, *arguments: str, timeout: float = 240
    ) -> dict:
        """Run a bench/ script that prints one JSON object; its stderr (progress) passes
        through to ours."""
        proc = subprocess.run(
            [PYTHON, str(BENCH / script), *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{script} {' '.join(arguments)} failed ({proc.returncode})")
        return json.loads(proc.stdout)

    def start_server(self, env: dict[str, str], name: str, workers: int = WORKERS) -> Server:
        server = Server(env, self.log_path(f"gunicorn-{slug(name)}"), workers=workers)
        self.on_cleanup(f"stop gunicorn ({name})", server.stop)
        for attempt in range(3):  # another process may take the free port first
            try:
                server.start()
                return server
            except RuntimeError:
                server.stop()
                if attempt == 2:
                    raise
        return server

    # -- preparation -----------------------------------------------------------

    def prepare(self, main_dbs: set[str], edition_dbs: set[str]) -> None:
        """Migrate and load the catalogue once per backend. The editions part gets a copy
        taken before the demo editions are added (catalogue only); the pages and answers
        parts get the full demo (`load_demo --no-users`), as before."""
        log(f"scratch dir {self.tmp}")
        env = self.env("sqlite", "locmem")
        self.manage(env, "collectstatic", "--noinput", "-v", "0")
        for db in ("sqlite", "postgres"):
            if db not in main_dbs and db not in edition_dbs:
                continue
            if db == "postgres":
                reset_postgres(PG_DB)
                if not self.args.keep_db:
                    self.on_cleanup("drop PostgreSQL database", lambda: drop_postgres(PG_DB))
            t0 = time.monotonic()
            env = self.env(db, "locmem")
            self.manage(env, "migrate", "--noinput", "-v", "0")
            self.manage(env, "load_demo", "--no-users", "--no-editions")
            if db in edition_dbs:
                self.copy_catalogue(db)
            if db in main_dbs:
                self.manage(env, "load_demo", "--no-users")
            log(f"{db}: migrated and loaded the demo catalogue in {time.monotonic() - t0:.1f}s")

    def copy_catalogue(self, db: str) -> None:
        if db == "sqlite":
            source = self.tmp / "db.sqlite3"
            for suffix in ("", "-wal"):  # manage.py has exited: the WAL is checkpointed
                if Path(f"{source}{suffix}").exists():
                    shutil.copyfile(f"{source}{suffix}", self.tmp / f"editions.sqlite3{suffix}")
        else:
            reset_postgres(PG_EDITIONS_DB, template=PG_DB)
            if not self.args.keep_db:
                self.on_cleanup(
                    "drop PostgreSQL editions database", lambda: drop_postgres(PG_EDITIONS_DB)
                )

    # -- pages: one scenario ---------------------------------------------------

    def run_scenario(self, scenario: Scenario) -> dict:
        env = self.env(scenario.db, scenario.cache, scenario.settings)
        if scenario.cache == "redis":
            flush_redis()
        result: dict = {"scenario": scenario.name, "db": scenario.db, "cache": scenario.cache}
        result["note"] = scenario.note
        if scenario.inprocess:
            result.update(self.inprocess(scenario, env))
        server = self.start_server(env, scenario.name)
        try:
            headers: dict[str, str] = {}
            status, size = server.get(scenario.path, headers)
            if status != 200:
                raise RuntimeError(f"{scenario.path} answered {status} on {scenario.name}")
            result["page_bytes"] = size
            result.update(
                self.load(
                    server, scenario.path, headers, backend_pids(scenario.db, scenario.cache)
                )
            )
        finally:
            server.stop()
        return result

    def load(self, server: Server, path: str, headers: dict, backends_of) -> dict:
        """Warm-up, then the timed load with CPU accounting (server, database, client)."""
        result: dict = {}
        # Warm-up: enough concurrent requests to reach both workers.
        loadgen.run_python(
            server.port,
            path,
            connections=4,
            duration=self.args.warmup,
            headers=headers,
            max_requests=200,
        )
        pids_before = server.pids()
        backends = backends_of() if callable(backends_of) else backends_of
        cpu0, sys0, client0 = server.cpu_seconds(), machine_busy(), client_cpu_seconds()
        backend0 = cpu_seconds_of(backends)
        load = loadgen.run_load(
            server.port,
            path,
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

    # -- answers ---------------------------------------------------------------

    def run_answers(self, db: str) -> list[dict]:
        """Answer submissions at each client count against one server on this database.

        db "sqlite-defaults": a copy of the SQLite database in rollback-journal mode,
        served with Django's default SQLite settings (bench/settings_sqlite_defaults.py),
        to show what WAL, IMMEDIATE transactions and the busy timeout buy."""
        if db == "sqlite-defaults":
            copy_sqlite_without_wal(self.tmp / "db.sqlite3", self.tmp / "defaults.sqlite3")
            env = self.env(db, "locmem", SQLITE_DEFAULTS)
            levels = [self.args.defaults_clients]
        else:
            env = self.env(db, "locmem")
            levels = self.args.answer_clients
        label = ANSWER_DB_LABELS[db]
        server = self.start_server(env, f"answers {db}")
        rows: list[dict] = []
        try:
            warm = self.answer_load(server, clients=2, duration=self.args.warmup, db=db)
            if warm["successes"] == 0:
                raise RuntimeError(f"answers warm-up on {label}: no answer was accepted")
            for clients in levels:
                before = count_rows(self.database_url(db))
                row = self.answer_load(server, clients=clients, duration=None, db=db)
                after = count_rows(self.database_url(db))
                delta = {table: after[table] - before[table] for table in ANSWER_TABLES}
                expected_responses = row["successes"] * row["questions"]
                row.update(
                    db=db,
                    db_label=label,
                    rows=delta,
                    lost_submissions=row["successes"] - delta["learning_quizsubmission"],
                    lost_responses=expected_responses - delta["learning_questionresponse"],
                    new_learners=delta["learning_learner"],
                )
                row["server_cpu_ms_per_answer"] = (
                    row["server_cpu_s"] * 1000 / row["successes"] if row["successes"] else None
                )
                row["backend_cpu_ms_per_answer"] = (
                    row["backend_cpu_s"] * 1000 / row["successes"]
                    if row["successes"] and db.startswith("postgres")
                    else None
                )
                cores = os.cpu_count() or 1
                other = row["machine_cpu_s"] - row["server_cpu_s"] - row["backend_cpu_s"]
                other -= row["client_cpu_s"]
                row["other_cpu_share"] = max(0.0, other) / (row["duration_s"] * cores)
                if server.pids() != row.pop("pids_before"):
                    row["warning"] = "a gunicorn worker was replaced during the run"
                rows.append(row)
                log(
                    f"answers, {label}, {clients} clients: "
                    f"{row['answers_per_s']:.0f}/s, p50 {row['p50_ms']:.0f} ms, "
                    f"p99 {row['p99_ms']:.0f} ms, failed {row['failed']}, "
                    f"lost {row['lost_submissions']}/{row['lost_responses']}, "
                    f"server CPU {fmt(row['server_cpu_ms_per_answer'])} ms/answer, "
                    f"client CPU {row['client_cores'] * 100:.0f} % of a core"
                )
        finally:
            server.stop()
        if db != "sqlite-defaults" and self.args.profile:
            arguments = ["--profile-out", str(RESULTS / f"answer-profile-{db}.txt")]
            if self.args.answer_full_page:
                arguments.append("--full-page")
            self.answer_profiles[db] = self.script(env, "answer_profile.py", *arguments)
            log(
                f"answers, {label}: {self.answer_profiles[db]['queries']} SQL queries and "
                f"{self.answer_profiles[db]['cpu_median_ms']:.1f} ms CPU per answer in-process"
            )
        return rows

    def answer_load(self, server: Server, clients: int, duration: float | None, db: str) -> dict:
        duration = duration or self.args.answer_duration
        pids_before = server.pids()
        backends = backend_pids("postgres" if db.startswith("postgres") else "sqlite", "locmem")
        arguments = [
            "--port",
            str(server.port),
            "--clients",
            str(clients),
            "--duration",
            f"{duration:g}",
            "--server-pids",
            ",".join(str(p) for p in pids_before),
            "--backend-pids",
            ",".join(str(p) for p in backends),
        ]
        if self.args.answer_full_page:
            arguments.append("--full-page")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        result = self.script(env, "answers.py", *arguments, timeout=duration + clients * 3 + 120)
        result["pids_before"] = pids_before
        return result

    # -- editions --------------------------------------------------------------

    def run_editions(self, db: str) -> dict:
        """Create N editions one by one, measuring the lesson page and a national publish
        with 1 edition and with N."""
        key = f"{db}-editions"
        env = self.env(key, "locmem")
        target = self.args.editions
        out: dict = {"db": db, "target": target}
        log(f"editions on {db}: creating edition 1 of {target}")
        first = self.script(env, "edition_scale.py", "create", "--start", "0", "--count", "1")
        out["created"] = [first]
        out["at_1"] = self.edition_page(key, sites=first["sites"], label="1")
        out["publish_1"] = self.script(
            env, "edition_scale.py", "publish", "--slug", PUBLISH_SLUG, timeout=300
        )
        log(
            f"editions on {db}: publish to {out['publish_1']['aliases']} alias "
            f"{out['publish_1']['total_s']:.2f} s"
        )
        if target > 1:
            limit = self.args.editions_max_seconds
            log(f"editions on {db}: creating editions 2..{target} (at most {limit:.0f} s)")
            more = self.script(
                env,
                "edition_scale.py",
                "create",
                "--start",
                "1",
                "--count",
                str(target - 1),
                "--max-seconds",
                f"{limit:g}",
                timeout=limit + 300,
            )
            out["created"].append(more)
            count = 1 + more["created"]
            out["at_n"] = self.edition_page(key, sites=more["sites"], label=str(count))
            profile_out = RESULTS / f"publish-profile-{db}.txt"
            log(f"editions on {db}: publishing '{PUBLISH_SLUG}' to {count} aliases (twice)")
            out["publish_n"] = self.script(
                env,
                "edition_scale.py",
                "publish",
                "--slug",
                PUBLISH_SLUG,
                "--profile-out",
                str(profile_out),
                timeout=1200,
            )
            log(
                f"editions on {db}: publish to {out['publish_n']['aliases']} aliases "
                f"{out['publish_n']['total_s']:.1f} s, {out['publish_n']['queries']} queries"
            )
        rows = [r for c in out["created"] for r in c["rows"]]
        out["editions"] = len(rows)
        # After every measurement (they would see the extra sites): one more edition
        # under cProfile, and one through manage.py.
        n = len(rows)
        log(f"editions on {db}: profiling the creation of edition {n + 1}")
        out["create_profiled"] = self.script(
            env,
            "edition_scale.py",
            "create",
            "--start",
            str(n),
            "--count",
            "1",
            "--profile-out",
            str(RESULTS / f"create-profile-{db}.txt"),
        )
        out["manage_py_s"] = self.time_create_edition_command(env, n + 1)
        return out

    def time_create_edition_command(self, env: dict[str, str], n: int) -> float:
        """One `manage.py create_edition` call (Django start-up included), after all else."""
        t0 = time.monotonic()
        self.manage(
            env,
            "create_edition",
            "--name",
            f"Ankeby {n}",
            "--hostname",
            f"ankeby{n}.localhost",
            timeout=120,
        )
        return time.monotonic() - t0

    def edition_page(self, key: str, sites: int, label: str) -> dict:
        """The lesson page on the first edition's hostname: in-process SQL and timings
        (fresh process with an empty cache, with a warm shared Redis cache, warm, cold),
        then req/s on gunicorn, and the first request of freshly started servers."""
        db = key.split("-")[0]
        headers = {"Host": EDITION_HOST}
        out: dict = {"sites": sites}
        sql_out = RESULTS / f"queries-editions-{db}-{label}.txt"
        common = ["--path", LESSON_PATH, "--host", EDITION_HOST, "--repeat", "20"]
        env = self.env(key, "locmem")
        local = self.script(
            env,
            "inprocess.py",
            *common,
            "--site-root-paths",
            "--slowest",
            "3",
            "--sql-out",
            str(sql_out),
        )
        out["inproc"] = local
        redis_env = self.env(key, "redis")
        flush_redis()
        self.script(redis_env, "inprocess.py", *common)  # fills the shared cache
        warm_redis = self.script(redis_env, "inprocess.py", *common, "--keep-shared-cache")
        out["inproc_redis_warm"] = warm_redis
        flush_redis()
        server = self.start_server(env, f"editions {db} {label}")
        try:
            status, size = server.get(LESSON_PATH, headers)
            if status != 200:
                raise RuntimeError(f"{EDITION_HOST}{LESSON_PATH} answered {status}")
            out["served"] = self.load(
                server, LESSON_PATH, headers, lambda: backend_pids(db, "locmem", PG_EDITIONS_DB)
            )
        finally:
            server.stop()
        out["first_request_ms"] = self.first_requests(env, headers, f"{db} {label}")
        log(
            f"editions on {db}, {label} edition(s): lesson page "
            f"{fmt(out['served'].get('rps'), '.0f')} req/s, "
            f"{fmt(out['served'].get('server_cpu_ms_per_req'), '.2f')} ms CPU/req, "
            f"SQL warm {local['queries_warm']} / cold {local['queries_cold']} / "
            f"fresh worker {local['queries_first']} "
            f"(warm Redis {warm_redis['queries_first']}); "
            f"site root paths: {local['site_root_paths_queries']} queries"
        )
        return out

    def first_requests(self, env: dict[str, str], headers: dict, label: str) -> list[float]:
        """Wall time of the first lesson request of a freshly started 1-worker server
        (after gunicorn's readiness check on /healthz), repeated."""
        times = []
        for i in range(self.args.cold_starts):
            server = self.start_server(env, f"cold {label} {i}", workers=1)
            try:
                t0 = time.perf_counter()
                status, _size = server.get(LESSON_PATH, headers, timeout=60)
                times.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    raise RuntimeError(f"first request answered {status}")
            finally:
                server.stop()
        return times

    # -- h5p -------------------------------------------------------------------

    def run_h5p(self) -> dict:
        script = BENCH / "h5p_memory.py"
        if not script.exists():
            return {"skipped": "bench/h5p_memory.py does not exist"}
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"CACHE_URL", "REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # Its scratch files go into our temp dir, which cleanup removes.
        env["TMPDIR"] = str(self.tmp / "h5p")
        (self.tmp / "h5p").mkdir(exist_ok=True)
        t0 = time.monotonic()
        proc = subprocess.run(
            [PYTHON, str(script)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        return {
            "returncode": proc.returncode,
            "seconds": time.monotonic() - t0,
            "output": proc.stdout.strip().splitlines(),
            "stderr_tail": proc.stderr[-1500:] if proc.returncode else "",
        }


class Server:
    """gunicorn on a free loopback port, in its own session so it can be stopped
    (with its workers) without touching anything else."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = WORKERS):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        self.port = free_port()
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "--workers",
                str(self.workers),
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
                    if len(self.pids()) == self.workers + 1:
                        return
                elif "gunicorn" not in server:
                    raise RuntimeError(f"port {self.port} is served by {server!r}, not by us")
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready within 40 s")

    def get(self, path: str, headers: dict[str, str] | None = None, timeout: float = 10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
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


def backend_pids(db: str, cache: str, dbname: str = PG_DB) -> list[int]:
    """PostgreSQL backends serving the bench database (persistent: CONN_MAX_AGE=60),
    plus redis-server when the cache is Redis (shared with anything else using it)."""
    pids: list[int] = []
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,)
            ).fetchall()
            pids += [row[0] for row in rows]
    if cache == "redis":
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


def reset_postgres(name: str, template: str = "template0") -> None:
    """(Re)create a bench database, empty or as a copy of another bench database."""
    import psycopg
    from psycopg import sql

    assert name.startswith("klartankt_bench")  # never anything else
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )


def drop_postgres(name: str) -> None:
    import psycopg
    from psycopg import sql

    assert name.startswith("klartankt_bench")
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def count_rows(database_url: str) -> dict[str, int]:
    """Rows of the learner tables, read directly from the bench database."""
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=30)
        try:
            return {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ANSWER_TABLES
            }
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(
        database_url.replace("postgres://", "postgresql://"), connect_timeout=5
    ) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
            for t in ANSWER_TABLES
        }


def copy_sqlite_without_wal(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup API) switched back to Django's default
    rollback journal."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


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


def render_header(info: dict, args: argparse.Namespace) -> list[str]:
    return [
        f"# Klartänkt benchmark — {info['date']}",
        "",
        f"Machine: {info['cores']} cores ({info['cpu']}), load average at start "
        f"{info['loadavg_at_start']}. Python {info['python']}, Django {info['django']}, "
        f"Wagtail {info['wagtail']}, gunicorn {info['gunicorn']} ({WORKERS} sync workers), "
        f"PostgreSQL {info.get('postgresql', '?')}, Redis {info.get('redis', '?')}. "
        f"Parts: {', '.join(args.parts)}.",
        "",
    ]


def render_pages(info: dict, args: argparse.Namespace, results: list[dict]) -> list[str]:
    lines = [
        "## Lesson page",
        "",
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
    return lines


def render_answers(args: argparse.Namespace, rows: list[dict], profiles: dict) -> list[str]:
    mode = rows[0]["mode"] if rows else ""
    lines = [
        "## Answer submissions",
        "",
        f"Each client is a learner with its own cookies: it GETs `{LESSON_PATH}`, takes the "
        "csrf token and the quiz form, then POSTs answers (a fresh uuid4 `submission_key` "
        f"each time, {mode}) for {args.answer_duration:g} s. Success: 200 with the graded "
        "quiz. Failed: any other status, a connection error or a 200 without the result. "
        "Lost: successes minus new rows in `learning_quizsubmission` (and responses: "
        "successes × questions minus new rows in `learning_questionresponse`). gunicorn "
        f"{WORKERS} sync workers, production settings, locmem cache.",
        "",
        "| Database | clients | answers/s | p50 ms | p99 ms | failed | lost submissions "
        "/ responses | new learners | server CPU ms/answer | DB server CPU ms/answer "
        "| client CPU (cores) | other CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        failed = str(r["failed"])
        if r["failed"]:
            kinds = [f"{n}×{code}" for code, n in sorted(r["non200"].items())]
            if r["errors"]:
                kinds.append(f"{r['errors']} connection errors")
            if r["bad_body"]:
                kinds.append(f"{r['bad_body']} without result")
            failed += f" ({', '.join(kinds)}; {r['failed'] / max(1, r['sent']) * 100:.0f} %)"
        lines.append(
            f"| {r['db_label']} | {r['clients']} | {r['answers_per_s']:.0f} | "
            f"{fmt(r['p50_ms'], '.0f')} | {fmt(r['p99_ms'], '.0f')} | {failed} | "
            f"{r['lost_submissions']} / {r['lost_responses']} | {r['new_learners']} | "
            f"{fmt(r['server_cpu_ms_per_answer'])} | {fmt(r['backend_cpu_ms_per_answer'])} | "
            f"{r['client_cores']:.2f} | {r['other_cpu_share'] * 100:.0f} % |"
        )
    lost = sum(abs(r["lost_submissions"]) + abs(r["lost_responses"]) for r in rows)
    project = [r for r in rows if r["db"] != "sqlite-defaults"]
    failed = sum(r["failed"] for r in project)
    lines += [
        "",
        f"Failed writes with the project's settings: {failed}; lost or extra rows: {lost} "
        f"({'OK' if failed == 0 and lost == 0 else 'NOT ZERO'}; must be 0). New learners "
        "must equal the clients (each keeps its session).",
    ]
    by = {(r["db"], r["clients"]): r for r in rows}
    ref = []
    for db, label in (("sqlite", "SQLite (WAL)"), ("postgres", "PostgreSQL")):
        r = by.get((db, 8))
        if r:
            ceiling = (os.cpu_count() or 1) * 1000 / r["server_cpu_ms_per_answer"]
            ref.append(
                f"| {label}, 8 clients | ~{ANSWER_REFERENCE[db]}/s | {r['answers_per_s']:.0f}/s "
                f"| {fmt(r['server_cpu_ms_per_answer'])} ms → at most ~{ceiling:.0f}/s |"
            )
    d = next((r for r in rows if r["db"] == "sqlite-defaults"), None)
    if d:
        ref.append(
            f"| SQLite, Django defaults, {d['clients']} clients | "
            f"{ANSWER_REFERENCE['sqlite_defaults_refused'] * 100:.0f} % refused | "
            f"{d['failed'] / max(1, d['sent']) * 100:.0f} % failed, "
            f"{d['answers_per_s']:.0f}/s | |"
        )
    if ref:
        lines += [
            "",
            "Against the issue's reference (a bare write view):",
            "",
            "| Figure | Bare write view | Full answer view | Server CPU per answer → "
            "ceiling on these cores |",
            "|---|---:|---:|---:|",
            *ref,
        ]
    if profiles:
        dbs = list(profiles)
        lines += [
            "",
            "One answer in-process (django.test.Client with CSRF checks, the same settings, "
            "no HTTP; bench/answer_profile.py), and where its CPU goes (cProfile, CPU-time "
            "timer, cumulative shares; listings in bench/results/answer-profile-*.txt):",
            "",
            "| Figure | " + " | ".join(ANSWER_DB_LABELS[db] for db in dbs) + " |",
            "|---|" + "---:|" * len(dbs),
            "| SQL queries per later answer | "
            + " | ".join(
                f"{profiles[db]['queries']} ("
                + ", ".join(f"{n} {k}" for k, n in profiles[db]["queries_by_statement"].items())
                + ")"
                for db in dbs
            )
            + " |",
            "| first answer of a new learner: SQL queries / ms wall | "
            + " | ".join(
                f"{profiles[db].get('first_answer_queries', '–')} / "
                f"{fmt(profiles[db].get('first_answer_ms'))}"
                for db in dbs
            )
            + " |",
            "| ms per later answer (median wall / median CPU) | "
            + " | ".join(
                f"{profiles[db]['wall_ms']:.1f} / {profiles[db]['cpu_median_ms']:.1f}"
                for db in dbs
            )
            + " |",
        ]
        labels = list(next(iter(profiles.values())).get("profile", {}).get("share", {}))
        for label in labels:
            lines.append(
                f"| {label} | "
                + " | ".join(
                    f"{profiles[db]['profile']['share'].get(label, 0) * 100:.0f} %" for db in dbs
                )
                + " |"
            )
    busiest = max((r["client_cores"] for r in rows), default=0)
    lines += [
        "",
        f"The clients (up to {max((r['processes'] for r in rows), default=0)} processes) "
        "used at most "
        f"{busiest:.2f} cores of {os.cpu_count()}: "
        + (
            "they take a visible share of the machine and depress the figures."
            if busiest > 0.3
            else "not what limits the answers per second."
        ),
        "",
    ]
    return lines


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p90(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered) + 0.5) - 1))]


def render_editions(args: argparse.Namespace, results: list[dict]) -> list[str]:
    lines = ["## Editions at scale", ""]
    for e in results:
        rows = [r for c in e["created"] for r in c["rows"]]
        walls = [r["wall_s"] for r in rows]
        n = len(rows)
        stopped = any(c.get("stopped_early") for c in e["created"])
        lines += [
            f"### {e['db']}: {n} editions" + (" (stopped early: time limit)" if stopped else ""),
            "",
            "Creating editions one by one with `editions.services.create_edition` in one "
            "process (`manage.py create_edition` adds Django's start-up to each call):",
            "",
            "| Figure | Value |",
            "|---|---:|",
            f"| editions created | {n} |",
            f"| total | {sum(walls):.0f} s |",
            f"| per edition, median / p90 / max | {_median(walls):.2f} / {_p90(walls):.2f} / "
            f"{max(walls, default=float('nan')):.2f} s |",
            f"| per edition, CPU of the process (median) | "
            f"{_median([r['cpu_s'] for r in rows]):.2f} s |",
            f"| per edition, first 10 / last 10 (median) | {_median(walls[:10]):.2f} / "
            f"{_median(walls[-10:]):.2f} s |",
            f"| SQL queries per edition (median) | {_median([r['queries'] for r in rows]):.0f} |",
            f"| SQL time per edition, first 10 / last 10 (median) | "
            f"{_median([r['sql_ms'] for r in rows[:10]]):.0f} / "
            f"{_median([r['sql_ms'] for r in rows[-10:]]):.0f} ms |",
            f"| one `manage.py create_edition` call (edition {n + 2}) | "
            f"{e['manage_py_s']:.1f} s |",
            "",
        ]
        first_kinds = e["created"][0].get("first_by_kind") or {}
        last_kinds = e["created"][-1].get("last_by_kind") or {}
        if len(e["created"]) > 1 and last_kinds:
            lines += [
                f"SQL time of the first and the {n}th edition by statement (count, ms), the "
                f"slowest at {n} first:",
                "",
                f"| Statement | first edition | edition {n} |",
                "|---|---:|---:|",
            ]
            for kind, (count, ms) in list(last_kinds.items())[:8]:
                before = first_kinds.get(kind)
                cell = f"{before[0]} / {before[1]:.0f} ms" if before else "–"
                lines.append(f"| `{kind}` | {cell} | {count} / {ms:.0f} ms |")
            lines.append("")
        prof = (e.get("create_profiled") or {}).get("profile")
        if prof:
            lines += [
                f"Where the time of creating edition {n + 1} goes (cProfile, wall-clock "
                f"timer, {prof['profiled_total_s']:.1f} s; "
                f"bench/results/create-profile-{e['db']}.txt):",
                "",
                "| Part | share | calls |",
                "|---|---:|---:|",
                *[
                    f"| {label} | {share * 100:.0f} % | {prof['entry_point_calls'][label]} |"
                    for label, share in prof["entry_point_share"].items()
                ],
                "",
            ]
        pubs = [("1 edition", e.get("publish_1")), (f"{n} editions", e.get("publish_n"))]
        pubs = [(label, p) for label, p in pubs if p]
        lines += [
            f'Publishing the national lesson `{PUBLISH_SLUG}` (`title += " ."; '
            "save_revision().publish()`), which updates every alias:",
            "",
            "| Editions | aliases updated | save_revision s | publish s | total s | CPU s "
            "| SQL queries (time) | cache operations |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, p in pubs:
            lines.append(
                f"| {label} | {p['aliases_updated']} | {p['save_revision_s']:.2f} | "
                f"{p['publish_s']:.2f} | {p['total_s']:.2f} | {p['cpu_s']:.2f} | "
                f"{p['queries']} ({p['sql_ms'] / 1000:.1f} s) | {ops_total(p['cache_ops'])} "
                f"({', '.join(f'{k} {v}' for k, v in p['cache_ops'].items()) or '–'}) |"
            )
        big = e.get("publish_n")
        if big:
            per = big["total_s"] / max(1, big["aliases"])
            lines += [
                "",
                f"Per alias: {per * 1000:.0f} ms and "
                f"{big['queries'] / max(1, big['aliases']):.0f} SQL queries. "
                "Statements of the publish, the most time-consuming first:",
                "",
                "| Statement | count | ms |",
                "|---|---:|---:|",
                *[
                    f"| `{k}` | {count} | {ms:.0f} |"
                    for k, (count, ms) in list(big["queries_by_kind"].items())[:12]
                ],
            ]
            prof = big.get("profile")
            if prof:
                lines += [
                    "",
                    f"Where the time of a publish to {prof['aliases']} aliases goes (a second "
                    f"publish under cProfile, wall-clock timer, {prof['profiled_total_s']:.1f} s; "
                    f"bench/results/publish-profile-{e['db']}.txt):",
                    "",
                    "| Part | share | calls |",
                    "|---|---:|---:|",
                    *[
                        f"| {label} | {share * 100:.0f} % | {prof['entry_point_calls'][label]} |"
                        for label, share in prof["entry_point_share"].items()
                    ],
                ]
        pages = [("1", e.get("at_1")), (str(n), e.get("at_n"))]
        pages = [(label, pg) for label, pg in pages if pg]
        lines += [
            "",
            f"Lesson page `{LESSON_PATH}` on `{EDITION_HOST}` (Host header), gunicorn "
            f"{WORKERS} sync workers, locmem cache unless noted:",
            "",
            "| Figure | " + " | ".join(f"{label} edition(s)" for label, _ in pages) + " |",
            "|---|" + "---:|" * len(pages),
        ]

        def row(title: str, getter, pages=pages) -> str:
            cells = []
            for _label, pg in pages:
                try:
                    cells.append(getter(pg))
                except (KeyError, TypeError, ValueError):
                    cells.append("–")
            return f"| {title} | " + " | ".join(cells) + " |"

        lines += [
            row("Sites", lambda pg: str(pg["sites"])),
            row("req/s (warm)", lambda pg: fmt(pg["served"]["rps"], ".0f")),
            row(
                "p50 / p99 ms",
                lambda pg: f"{fmt(pg['served']['p50_ms'])} / {fmt(pg['served']['p99_ms'])}",
            ),
            row("server CPU ms/req", lambda pg: fmt(pg["served"]["server_cpu_ms_per_req"], ".2f")),
            row("SQL queries, warm", lambda pg: str(pg["inproc"]["queries_warm"])),
            row("SQL queries, cache cleared", lambda pg: str(pg["inproc"]["queries_cold"])),
            row(
                "SQL queries, fresh worker's first request (empty cache)",
                lambda pg: str(pg["inproc"]["queries_first"]),
            ),
            row(
                "SQL queries, fresh worker's first request, Redis already warm",
                lambda pg: str(pg["inproc_redis_warm"]["queries_first"]),
            ),
            row(
                "fresh worker's first request, in-process ms (wall / CPU), empty cache",
                lambda pg: (
                    f"{pg['inproc']['first_wall_ms']:.0f} / {pg['inproc']['first_cpu_ms']:.0f}"
                ),
            ),
            row(
                "the same with Redis already warm",
                lambda pg: (
                    f"{pg['inproc_redis_warm']['first_wall_ms']:.0f} / "
                    f"{pg['inproc_redis_warm']['first_cpu_ms']:.0f}"
                ),
            ),
            row(
                "first request of a fresh gunicorn worker, ms (median of starts)",
                lambda pg: (
                    f"{_median(pg['first_request_ms']):.0f} "
                    f"({', '.join(f'{v:.0f}' for v in pg['first_request_ms'])})"
                ),
            ),
            row(
                "warm request in-process, ms CPU (median / mean)",
                lambda pg: f"{pg['inproc']['cpu_median_ms']:.1f} / {pg['inproc']['cpu_ms']:.1f}",
            ),
            row(
                "cache operations, warm request",
                lambda pg: ops_total(pg["inproc"]["cache_ops_warm"]),
            ),
            row(
                "site root paths: entries / queries to build",
                lambda pg: (
                    f"{pg['inproc']['site_root_paths']} / "
                    f"{pg['inproc']['site_root_paths_queries']}"
                ),
            ),
            row(
                "site root paths: ms to build (CPU) / pickled bytes",
                lambda pg: (
                    f"{pg['inproc']['site_root_paths_wall_ms']:.0f} "
                    f"({pg['inproc']['site_root_paths_cpu_ms']:.0f}) / "
                    f"{pg['inproc']['site_root_paths_pickled_bytes']}"
                ),
            ),
            row(
                "other processes' CPU during the load",
                lambda pg: f"{pg['served']['other_cpu_share'] * 100:.0f} %",
            ),
        ]
        slow_at = {label: pg["inproc"].get("slowest_queries") or [] for label, pg in pages}
        if pages and slow_at.get(pages[-1][0]):
            label_n = pages[-1][0]
            before = pages[0][1]["inproc"].get("query_ms") or {}
            lines += [
                "",
                f"Slowest SQL statements of a warm request with {label_n} editions (mean of 10 "
                "requests) and their query plans:",
                "",
            ]
            for q in slow_at[label_n]:
                was = before.get(q["sql"])
                lines.append(
                    f"- {q['ms']:.2f} ms"
                    + (f" (with {pages[0][0]} edition: {was:.2f} ms)" if was is not None else "")
                    + f": `{shorten_sql(q['sql'])}` — plan: {q['plan']}"
                )
        lines += [
            "",
            f"SQL of each request: bench/results/queries-editions-{e['db']}-*.txt.",
            "",
        ]
    return lines


def shorten_sql(sql: str, limit: int = 160) -> str:
    """The statement without its column list: `SELECT … FROM … WHERE …`."""
    text = " ".join(sql.replace('"', "").split())
    if text.upper().startswith("SELECT ") and " FROM " in text:
        text = "SELECT … FROM " + text.split(" FROM ", 1)[1]  # noqa: S608 - display only
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_h5p(result: dict) -> list[str]:
    lines = ["## H5P import: peak memory (bench/h5p_memory.py)", ""]
    if "skipped" in result:
        return [*lines, f"Skipped: {result['skipped']}.", ""]
    lines += [f"    {line}" for line in result["output"]]
    if result["returncode"]:
        lines += ["", f"Exit status {result['returncode']}.", ""]
        lines += [f"    {line}" for line in result["stderr_tail"].splitlines()[-8:]]
    lines += ["", f"({result['seconds']:.0f} s)", ""]
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Examples: bench/run.py --only answers; bench/run.py --only editions "
        "--editions 50; bench/run.py --editions-db both. Method: docs/benchmarks.md.",
    )
    parser.add_argument(
        "--only",
        help="comma-separated parts: pages, answers, editions, h5p (default: all). "
        "Any other text selects the page scenarios whose name contains it (pages only).",
    )
    group = parser.add_argument_group("pages")
    group.add_argument("--duration", type=float, default=10, help="seconds of load per run")
    group.add_argument("--connections", type=int, default=8)
    group.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per server")
    group.add_argument("--repeat", type=int, default=40, help="in-process timed requests")
    group.add_argument("--profile", type=int, default=30, help="profiled requests (0: skip)")
    group.add_argument(
        "--tool", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    group.add_argument(
        "--budget",
        type=float,
        default=285,
        help="seconds for the page scenarios; later ones are skipped past it",
    )
    group = parser.add_argument_group("answers")
    group.add_argument("--answer-duration", type=float, default=8, help="seconds per level")
    group.add_argument(
        "--answer-clients", default="1,8,32", help="concurrent learners, comma-separated"
    )
    group.add_argument("--answer-dbs", default="sqlite,postgres", help="sqlite and/or postgres")
    group.add_argument(
        "--defaults-clients",
        type=int,
        default=8,
        help="learners for the SQLite-with-Django-defaults comparison (0: skip it)",
    )
    group.add_argument(
        "--answer-full-page",
        action="store_true",
        help="post like a browser without JavaScript (the whole lesson page comes back)",
    )
    group = parser.add_argument_group("editions")
    group.add_argument("--editions", type=int, default=290, help="editions to create")
    group.add_argument(
        "--editions-db",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="database(s) for the editions part",
    )
    group.add_argument(
        "--editions-max-seconds",
        type=float,
        default=720,
        help="stop creating editions after this (the report says how many were made)",
    )
    group.add_argument(
        "--cold-starts", type=int, default=3, help="fresh servers timed for a first request"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the PostgreSQL databases")
    args = parser.parse_args()
    if args.tool == "auto":
        args.tool = "wrk" if loadgen.wrk_path() else "python"
        if args.tool == "python":
            log("wrk not found (apt-get install wrk); using the Python client")
    if not 1 <= args.duration <= 60 or not 1 <= args.connections <= 64:
        parser.error("--duration must be 1..60 s and --connections 1..64")
    if not 1 <= args.answer_duration <= 60:
        parser.error("--answer-duration must be 1..60 s")
    try:
        args.answer_clients = [int(n) for n in args.answer_clients.split(",") if n.strip()]
    except ValueError:
        parser.error("--answer-clients: comma-separated numbers")
    if not args.answer_clients or not all(1 <= n <= 64 for n in args.answer_clients):
        parser.error("--answer-clients must be 1..64 each")
    args.answer_dbs = [db.strip() for db in args.answer_dbs.split(",") if db.strip()]
    if not set(args.answer_dbs) <= {"sqlite", "postgres"}:
        parser.error("--answer-dbs: sqlite and/or postgres")
    if not 0 <= args.editions <= 2000 or not 0 <= args.defaults_clients <= 64:
        parser.error("--editions must be 0..2000 and --defaults-clients 0..64")
    if not 0 <= args.cold_starts <= 10:
        parser.error("--cold-starts must be 0..10")
    args.scenario_filter = None
    if args.only:
        tokens = [t.strip().lower() for t in args.only.split(",") if t.strip()]
        if tokens and all(t in PARTS for t in tokens):
            args.parts = [part for part in PARTS if part in tokens]
        else:
            args.parts = ["pages"]
            args.scenario_filter = args.only.lower()
    else:
        args.parts = list(DEFAULT_PARTS)
    if args.editions == 0 and "editions" in args.parts:
        args.parts.remove("editions")
    args.edition_dbs = ["sqlite", "postgres"] if args.editions_db == "both" else [args.editions_db]
    return args


def main() -> int:
    args = parse_args()

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)

    RESULTS.mkdir(parents=True, exist_ok=True)
    bench = Bench(args)
    results: dict = {"pages": [], "answers": [], "editions": [], "h5p": None}
    results["answer_profiles"] = {}
    skipped: list[str] = []
    failures: list[str] = []
    scenarios = [
        s for s in SCENARIOS if not args.scenario_filter or args.scenario_filter in s.name.lower()
    ]
    main_dbs: set[str] = set()
    if "pages" in args.parts:
        main_dbs |= {s.db for s in scenarios}
    if "answers" in args.parts:
        main_dbs |= set(args.answer_dbs)
        if args.defaults_clients:
            main_dbs.add("sqlite")
    edition_dbs = set(args.edition_dbs) if "editions" in args.parts else set()
    try:
        info = versions()
        log(f"parts: {', '.join(args.parts)}")
        if main_dbs or edition_dbs:
            bench.prepare(main_dbs, edition_dbs)
        if "pages" in args.parts:
            pages_started = time.monotonic()
            for scenario in scenarios:
                used = time.monotonic() - pages_started
                if used > args.budget - (args.duration + args.warmup + 15):
                    log(f"time budget of {args.budget:.0f}s reached: skipping '{scenario.name}'")
                    skipped.append(scenario.name)
                    continue
                t0 = time.monotonic()
                result = bench.run_scenario(scenario)
                results["pages"].append(result)
                log(
                    f"{scenario.name}: {fmt(result.get('rps'), '.0f')} req/s, "
                    f"{fmt(result.get('server_cpu_ms_per_req'), '.2f')} ms CPU/req, "
                    f"SQL {result.get('inproc_queries_warm', '–')}/"
                    f"{result.get('inproc_queries_cold', '–')} "
                    f"({time.monotonic() - t0:.0f}s)"
                )
        if "answers" in args.parts:
            dbs = list(args.answer_dbs)
            if args.defaults_clients:
                dbs.append("sqlite-defaults")
            for db in dbs:
                results["answers"] += bench.run_answers(db)
        if "editions" in args.parts:
            for db in args.edition_dbs:
                t0 = time.monotonic()
                results["editions"].append(bench.run_editions(db))
                log(f"editions on {db}: done in {time.monotonic() - t0:.0f}s")
        if "h5p" in args.parts:
            log("h5p: bench/h5p_memory.py")
            results["h5p"] = bench.run_h5p()
            if results["h5p"].get("returncode"):
                failures.append("bench/h5p_memory.py exited with an error")
        args.total_s = bench.elapsed()
        lines = render_header(info, args)
        if results["pages"]:
            lines += render_pages(info, args, results["pages"])
            if skipped:
                lines += [f"Skipped (time budget): {', '.join(skipped)}.", ""]
        results["answer_profiles"] = bench.answer_profiles
        if results["answers"]:
            lines += render_answers(args, results["answers"], bench.answer_profiles)
        if results["editions"]:
            lines += render_editions(args, results["editions"])
        if results["h5p"]:
            lines += render_h5p(results["h5p"])
        lines.append(f"Total bench time: {args.total_s:.0f} s.")
        report = "\n".join(lines) + "\n"
        (RESULTS / "latest.md").write_text(report, encoding="utf-8")
        (RESULTS / "latest.json").write_text(
            json.dumps({"info": info, "args": vars(args), **results}, indent=2, default=str),
            encoding="utf-8",
        )
        print(report)
        log(f"written {RESULTS / 'latest.md'} in {bench.elapsed():.0f}s")
        bad = [
            r
            for r in results["answers"]
            if r["db"] != "sqlite-defaults"
            and (r["failed"] or r["lost_submissions"] or r["lost_responses"])
        ]
        if bad:
            failures.append(f"{len(bad)} answer runs had failed or lost writes")
        for failure in failures:
            log(f"NOTE: {failure}")
        return 0
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        return 130
    except SystemExit:
        log("terminated; cleaning up")
        raise
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        log(f"failed: {error}")
        return 1
    finally:
        bench.cleanup()


if __name__ == "__main__":
    sys.exit(main())

"""In-process measurements of one page for one configuration.

Run by bench/run.py with the same environment the server gets (database,
cache, settings). Prints one JSON object:

- queries_first / first_wall_ms / first_cpu_ms: the first page request of
  this process (a fresh worker; only a /healthz request came before it, as
  gunicorn's readiness check does in bench/run.py): the process-local caches
  are empty, and so is the shared cache unless --keep-shared-cache (then a
  Redis cache keeps what other processes put there);
- queries_warm: SQL queries of a request after two warm-up requests;
- queries_cold: the same after cache.clear();
- with --site-root-paths: queries, time and pickled size of building
  Wagtail's site root paths list (Site.get_site_root_paths) from scratch;
- with --slowest N: the N slowest SQL statements of a warm request (mean of
  10 requests) with the database's query plan;
- wall_ms / cpu_ms / cpu_median_ms: median wall time and mean and median
  process CPU time per request through django.test.Client (no HTTP, no
  gunicorn; the mean includes the odd full garbage collection, ~0.1 s);
- with --profile N: a cProfile of N requests, summarised in --profile-out.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HOST = "127.0.0.1"
ROOT = str(Path(__file__).resolve().parent.parent)

# Own time (cProfile "tottime") grouped by where the code lives; first match wins.
AREAS = [
    ("Django templates", ("/django/template/", "/django/templatetags/")),
    ("Wagtail StreamField blocks", ("/wagtail/blocks/",)),
    ("Wagtail rich text", ("/wagtail/rich_text/", "/wagtail/whitelist.py", "/html/parser.py")),
    ("ORM (building queries, making objects)", ("/django/db/models/",)),
    ("DB backend + driver (CPU)", ("/django/db/", "/psycopg/", "sqlite3")),
    ("Wagtail models/routing/sites", ("/wagtail/models/", "/wagtail/views.py", "/wagtail/url")),
    ("Wagtail templatetags", ("/wagtail/templatetags/",)),
    ("Translation (gettext)", ("/django/utils/translation/", "gettext.py")),
    ("Escaping, SafeString, lazy", ("/django/utils/html.py", "/django/utils/safestring.py")),
    ("Django functional/cached_property", ("/django/utils/functional.py",)),
    ("Middleware + request handling", ("/django/middleware/", "/csp/", "/django/core/handlers/")),
    ("Django contrib", ("/django/contrib/",)),
    ("URL resolving", ("/django/urls/",)),
    ("Cache backends", ("/django/core/cache/", "/redis/")),
    ("Test client (bench overhead)", ("/django/test/",)),
    ("Python stdlib: re", ("/re/", "_sre", "<method 'sub'", "<method 'match'")),
]

# Cumulative time of entry points: how much of a request each subsystem costs.
ENTRY_POINTS = [
    (
        "wagtail.views.serve (routing + view restrictions + page.serve)",
        "wagtail/views.py",
        "serve",
    ),
    ("Site.find_for_request", "wagtail/models/sites.py", "find_for_request"),
    ("Page.route_for_request (tree walk, .specific per level)", "pages.py", "route_for_request"),
    ("Page.get_view_restrictions", "wagtail/models/pages.py", "get_view_restrictions"),
    ("LessonPage.get_context (project)", "courses/models/pages.py", "get_context"),
    ("TemplateResponse.render (templates, blocks)", "django/template/response.py", "render"),
    ("{% include_block %} (StreamField blocks)", "wagtailcore_tags.py", "render"),
    ("StreamValue block loading (_prefetch_blocks)", "stream_block.py", "_prefetch_blocks"),
    ("{% pageurl %}", "wagtailcore_tags.py", "pageurl"),
    ("SQL execution (driver CPU, incl. SQLite engine)", "django/db/backends/utils.py", "execute"),
    ("ORM SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("Cache get (all)", "django/core/cache/backends/", "get"),
    ("CSP middleware response", "csp/middleware.py", "process_response"),
]


def area_of(filename: str, funcname: str) -> str:
    if filename.startswith(ROOT) and "/.venv/" not in filename:
        return "Project code (this repository)"
    probe = f"{filename} {funcname}"
    for label, needles in AREAS:
        if any(needle in probe for needle in needles):
            return label
    if filename.startswith("~") or filename == "":
        return "Python builtins (other)"
    if "/site-packages/" in filename:
        package = filename.split("/site-packages/", 1)[1].split("/", 1)[0]
        return f"{package} (other)"
    return "Python stdlib (other)"


def summarise_profile(profiler: cProfile.Profile, requests: int) -> tuple[dict, str]:
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values()) or 1e-9
    areas: dict[str, float] = {}
    for (filename, _line, funcname), (_cc, _nc, tt, _ct, _callers) in raw.items():
        label = area_of(filename, funcname)
        areas[label] = areas.get(label, 0.0) + tt
    entry: dict[str, float] = {}
    for label, file_part, funcname in ENTRY_POINTS:
        best = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items():
            if name == funcname and file_part in filename:
                best = max(best, ct)
        entry[label] = best
    summary = {
        "requests": requests,
        "profiled_ms_per_request": total * 1000 / requests,
        "own_time_share": {k: v / total for k, v in sorted(areas.items(), key=lambda kv: -kv[1])},
        "entry_point_share": {k: v / total for k, v in entry.items()},
    }
    out = io.StringIO()
    out.write(
        f"cProfile (CPU-time timer) of {requests} requests; "
        f"{summary['profiled_ms_per_request']:.1f} ms CPU per request under the profiler "
        "(deterministic profiling inflates code that makes many small calls).\n\n"
    )
    out.write("Own time by area:\n")
    for label, share in summary["own_time_share"].items():
        out.write(f"  {share * 100:5.1f} %  {label}\n")
    out.write("\nCumulative time of entry points (share of the request):\n")
    for label, share in summary["entry_point_share"].items():
        out.write(f"  {share * 100:5.1f} %  {label}\n")
    for key in ("cumulative", "tottime"):
        out.write(f"\n--- top 30 by {key} ---\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(30)
    return summary, out.getvalue()


def count_cache_operations() -> Counter:
    """Count calls of the default cache's primitive operations (per thread)."""
    from django.core.cache import caches

    backend = caches["default"]
    counter: Counter = Counter()
    depth = [0]  # count only outermost calls (get_many may call get)
    for name in ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr"):
        original = getattr(backend, name)

        def wrapper(*args, _original=original, _name=name, **kwargs):
            if not depth[0]:
                counter[_name] += 1
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        setattr(backend, name, wrapper)
    return counter


def slowest_queries(get, top: int, repeat: int = 10) -> tuple[list[dict], dict]:
    """The slowest statements of a warm request (mean over `repeat`) with their plans,
    and the mean time of every statement (SQL text → ms)."""
    from django.db import connection

    timings: dict[int, list] = {}  # position in the request -> [sql, params, seconds, n]
    for _ in range(repeat):
        position = [0]

        def wrapper(execute, sql, params, many, context, position=position):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                entry = timings.setdefault(position[0], [sql, params, 0.0, 0])
                entry[2] += time.perf_counter() - started
                entry[3] += 1
                position[0] += 1

        with connection.execute_wrapper(wrapper):
            get()
    ranked = sorted(timings.values(), key=lambda entry: -entry[2] / entry[3])[:top]
    out = []
    for sql, params, seconds, n in ranked:
        out.append({"sql": sql, "ms": seconds * 1000 / n, "plan": query_plan(sql, params)})
    every = {entry[0]: entry[2] * 1000 / entry[3] for entry in timings.values()}
    return out, every


def query_plan(sql: str, params) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
    except Exception as error:  # noqa: BLE001 - a plan is a hint, not a result
        return f"(no plan: {error})"
    if connection.vendor == "sqlite":
        return "; ".join(str(row[-1]) for row in rows)
    return "; ".join(str(row[0]).strip() for row in rows[:6])


def site_root_paths() -> dict:
    """Build Wagtail's site root paths from scratch, as a worker with an empty cache does."""
    import pickle

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Site

    Site.clear_site_root_paths_cache()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as capture:
        paths = Site.get_site_root_paths()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "sites": Site.objects.count(),
        "site_root_paths": len(paths),
        "site_root_paths_queries": len(capture.captured_queries),
        "site_root_paths_wall_ms": wall * 1000,
        "site_root_paths_cpu_ms": cpu * 1000,
        "site_root_paths_pickled_bytes": len(pickle.dumps([tuple(p) for p in paths])),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", required=True)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--profile", type=int, default=0, help="profile this many requests")
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("--sql-out", type=Path)
    parser.add_argument("--host", default=HOST, help="Host header (an edition's hostname)")
    parser.add_argument(
        "--keep-shared-cache",
        action="store_true",
        help="do not clear the cache before the first request (a warm Redis)",
    )
    parser.add_argument("--site-root-paths", action="store_true")
    parser.add_argument("--slowest", type=int, default=0, help="report the N slowest queries")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=args.host)
    cache_ops = count_cache_operations()

    def get():
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"GET {args.path} answered {response.status_code}")
        return response

    # The first request of a fresh process, as a new gunicorn worker serves it after
    # bench/run.py's readiness check: /healthz has loaded the URLconf and middleware.
    client.get("/healthz")
    if not args.keep_shared_cache:
        cache.clear()
    cache_ops.clear()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as capture:
        get()
    first_wall, first_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    first = list(capture.captured_queries)
    first_cache_ops = dict(cache_ops)

    # Two warm-up requests: the first fills caches (navigation, templates, site
    # root paths) and sets the csrftoken cookie that the client then sends.
    get()
    get()
    # captured_queries is read lazily from connection.queries_log, which the next
    # request resets: copy the list before making another request.
    cache_ops.clear()
    with CaptureQueriesContext(connection) as capture:
        response = get()
    warm = list(capture.captured_queries)
    warm_cache_ops = dict(cache_ops)
    cache.clear()
    cache_ops.clear()
    with CaptureQueriesContext(connection) as capture:
        get()
    cold = list(capture.captured_queries)
    cold_cache_ops = dict(cache_ops)
    get()

    walls, cpus = [], []
    for _ in range(args.repeat):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        get()
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)

    result = {
        "host": args.host,
        "queries_first": len(first),
        "first_wall_ms": first_wall * 1000,
        "first_cpu_ms": first_cpu * 1000,
        "cache_ops_first": first_cache_ops,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries_warm": len(warm),
        "queries_cold": len(cold),
        "cache_ops_warm": warm_cache_ops,
        "cache_ops_cold": cold_cache_ops,
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.fmean(cpus) * 1000,
        "cpu_median_ms": statistics.median(cpus) * 1000,
        "repeat": args.repeat,
    }
    if args.site_root_paths:
        result.update(site_root_paths())
    if args.slowest:
        result["slowest_queries"], result["query_ms"] = slowest_queries(get, args.slowest)
    if args.sql_out:
        lines = [f"# first request of a fresh process: {len(first)} queries"]
        lines += [f"{q['time']}s  {q['sql']}" for q in first]
        lines += ["", f"# warm request: {len(warm)} queries"]
        lines += [f"{q['time']}s  {q['sql']}" for q in warm]
        lines += ["", f"# cold cache (cache.clear()): {len(cold)} queries"]
        lines += [f"{q['time']}s  {q['sql']}" for q in cold]
        args.sql_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.profile:
        # CPU-time timer: shares of this process's CPU (what "server CPU per request"
        # counts), unaffected by other load on the machine and by database wait.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.profile):
            get()
        profiler.disable()
        summary, text = summarise_profile(profiler, args.profile)
        result["profile"] = summary
        if args.profile_out:
            args.profile_out.write_text(text, encoding="utf-8")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

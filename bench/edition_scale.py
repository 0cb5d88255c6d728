"""In-process steps of the editions-at-scale benchmark (issue 6).

bench/run.py runs these with the environment of a scratch database that holds
the national catalogue (`load_demo --no-users --no-editions`). Each prints one
JSON object on stdout; progress goes to stderr.

    edition_scale.py create --start 0 --count 290 [--max-seconds S]
        editions.services.create_edition(EditionSpec("Ankeby <i>",
        "ankeby<i>.localhost")) for each i, timed one by one (wall, CPU,
        SQL queries, cache operations; SQL time by statement and table for
        the first and the last edition). Stops early, and says so, once
        --max-seconds have passed. With --profile-out FILE they are created
        under cProfile (bench/run.py does this for one more edition at the
        end, after the measurements the profiler would skew).

    edition_scale.py publish --slug vad-ar-ai [--profile-out FILE]
        Publishes the national lesson (title += " ."; save_revision().publish())
        and times save_revision and publish separately, counts the aliases it
        updates, its SQL queries (count and time) by statement and table, and
        its cache operations. With --profile-out a second publish runs under
        cProfile and a summary (entry points, own time by area) goes into the
        JSON and FILE.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from inprocess import count_cache_operations  # noqa: E402

PREFIX = "ankeby"
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([a-z0-9_]+)"?', re.IGNORECASE)

# Cumulative time of the parts of a publish (cProfile, wall-clock timer).
PUBLISH_ENTRY_POINTS = [
    ("save_revision of the national page", "wagtail/models/pages.py", "save_revision"),
    ("publish (PublishRevisionAction.execute)", "wagtail/actions/publish_revision.py", "execute"),
    (
        "… after-publish: aliases, signals",
        "wagtail/actions/publish_page_revision.py",
        "_after_publish",
    ),
    ("… Page.update_aliases (all aliases)", "wagtail/models/pages.py", "update_aliases"),
    ("… … alias.with_content_json (copy fields)", "wagtail/models/pages.py", "with_content_json"),
    ("… … copy_all_child_relations", "modelcluster/models.py", "copy_all_child_relations"),
    ("… … modelcluster get_live_queryset", "modelcluster/fields.py", "get_live_queryset"),
    ("… … Page.save of the aliases (incl. post_save)", "wagtail/models/pages.py", "save"),
    ("… … search index update (modelsearch)", "modelsearch/index.py", "insert_or_update_object"),
    ("… … … _refresh_title_norms (scans the whole index)", "modelsearch/", "_refresh_title_norms"),
    (
        "… … reference index update",
        "wagtail/models/reference_index.py",
        "create_or_update_for_object",
    ),
    ("… … courses.signals.clear_navigation", "courses/signals.py", "clear_navigation"),
    (
        "… … editions.signals.alias_new_national_pages",
        "editions/signals.py",
        "alias_new_national_pages",
    ),
    ("SQL execution (driver, incl. database wait)", "django/db/backends/utils.py", "execute"),
    ("ORM SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("Cache delete_many", "django/core/cache/backends/", "delete_many"),
]

CREATE_ENTRY_POINTS = [
    ("create_edition", "editions/services.py", "create_edition"),
    ("… _create_tree (home, course index, glossary)", "editions/services.py", "_create_tree"),
    ("… grant_permissions", "editions/services.py", "grant_permissions"),
    ("… sync_catalogue (national courses as aliases)", "editions/services.py", "sync_catalogue"),
    ("… … Page.create_alias", "wagtail/models/pages.py", "create_alias"),
    ("treebeard add_child", "treebeard/mp_tree.py", "add_child"),
    ("Page.save (incl. post_save)", "wagtail/models/pages.py", "save"),
    ("search index update (modelsearch)", "modelsearch/index.py", "insert_or_update_object"),
    ("… _refresh_title_norms (scans the whole index)", "modelsearch/", "_refresh_title_norms"),
    (
        "reference index update",
        "wagtail/models/reference_index.py",
        "create_or_update_for_object",
    ),
    ("SQL execution (driver, incl. database wait)", "django/db/backends/utils.py", "execute"),
    ("ORM SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
]

AREAS = [
    ("Search index (modelsearch)", ("/modelsearch/", "/wagtail/search/")),
    ("Wagtail reference index", ("/wagtail/models/reference_index.py",)),
    ("Wagtail blocks/StreamField", ("/wagtail/blocks/", "/wagtail/fields.py")),
    ("Wagtail models/actions", ("/wagtail/models/", "/wagtail/actions/")),
    ("treebeard", ("/treebeard/",)),
    ("modelcluster", ("/modelcluster/",)),
    ("ORM (building queries, making objects)", ("/django/db/models/",)),
    (
        "DB backend + driver (incl. database wait)",
        ("/django/db/", "/psycopg/", "sqlite3", "SQLite"),
    ),
    ("Cache backends", ("/django/core/cache/", "/redis/")),
    ("Signals dispatch", ("/django/dispatch/",)),
    ("HTML parsing (stdlib html.parser)", ("/html/parser.py", "_markupbase")),
    ("JSON / serialisation", ("/json/", "/django/core/serializers/")),
    ("Django utils", ("/django/utils/",)),
]
ROOT = str(Path(__file__).resolve().parent.parent)


def area_of(filename: str, funcname: str) -> str:
    probe = f"{filename} {funcname}"
    for label, needles in AREAS:
        if any(needle in probe for needle in needles):
            return label
    if filename.startswith(ROOT) and "/.venv/" not in filename:
        return "Project code (this repository)"
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1].split("/", 1)[0] + " (other)"
    if filename.startswith("~") or not filename:
        return "Python builtins"
    return "Python stdlib (other)"


class QueryCounter:
    """Counts, times and classifies SQL statements through connection.execute_wrapper
    (unlike CaptureQueriesContext it has no 9,000-query limit)."""

    def __init__(self):
        self.count = 0
        self.kinds: Counter = Counter()
        self.seconds: Counter = Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = classify(sql)
            self.count += 1
            self.kinds[kind] += 1
            self.seconds[kind] += time.perf_counter() - started

    def by_kind(self, top: int = 25) -> dict:
        """{statement and table: [count, milliseconds]}, the most time-consuming first."""
        return {
            kind: [self.kinds[kind], round(seconds * 1000, 2)]
            for kind, seconds in self.seconds.most_common(top)
        }

    def total_ms(self) -> float:
        return sum(self.seconds.values()) * 1000


def log(message: str) -> None:
    print(f"[bench]   {message}", file=sys.stderr, flush=True)


def setup():
    import django

    django.setup()


def create(args) -> dict:
    from django.db import connection
    from wagtail.models import Site

    from editions.services import EditionSpec, create_edition

    cache_ops = count_cache_operations()
    rows = []
    started = time.monotonic()
    last_progress = started
    stopped_early = False
    first_kinds = last_kinds = None
    profiler = cProfile.Profile(time.perf_counter) if args.profile_out else None
    for i in range(args.start, args.start + args.count):
        if args.max_seconds and time.monotonic() - started > args.max_seconds:
            stopped_early = True
            log(f"time limit of {args.max_seconds:.0f}s reached after {len(rows)} editions")
            break
        spec = EditionSpec(f"Ankeby {i}", f"{PREFIX}{i}.localhost", municipality=f"Ankeby {i}")
        cache_ops.clear()
        counter = QueryCounter()
        if profiler:
            profiler.enable()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            _edition, created = create_edition(spec)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if profiler:
            profiler.disable()
        if not created:
            raise SystemExit(f"edition {spec.hostname} already existed")
        rows.append(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "queries": counter.count,
                "sql_ms": counter.total_ms(),
                "cache_ops": sum(cache_ops.values()),
            }
        )
        if first_kinds is None:
            first_kinds = counter.by_kind()
        last_kinds = counter.by_kind()
        now = time.monotonic()
        if args.count > 1 and (now - last_progress > 15 or len(rows) == args.count):
            last_progress = now
            done = len(rows)
            recent = statistics.median(r["wall_s"] for r in rows[-20:])
            eta = recent * (args.count - done)
            log(
                f"editions: {args.start + done}/{args.start + args.count} created, "
                f"recent median {recent:.2f} s each, about {eta:.0f} s to go"
            )
    result = {
        "created": len(rows),
        "stopped_early": stopped_early,
        "total_s": time.monotonic() - started,
        "rows": rows,
        "first_by_kind": first_kinds,
        "last_by_kind": last_kinds,
        "sites": Site.objects.count(),
        "profiled": bool(profiler),
    }
    if profiler:
        result["profile"] = summarise(
            profiler,
            CREATE_ENTRY_POINTS,
            args.profile_out,
            f"creating {len(rows)} edition(s) with {result['sites'] - len(rows)} sites there "
            "already",
            last_kinds or {},
        )
    return result


def classify(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    match = TABLE.search(sql)
    return f"{verb} {match.group(1) if match else '-'}"


def publish_once(slug: str) -> dict:
    from django.db import connection
    from wagtail.models import Page

    from courses.models import LessonPage

    page = LessonPage.objects.get(slug=slug, alias_of=None)
    aliases = Page.objects.filter(alias_of=page).count()
    cache_ops = count_cache_operations()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        page.title += " ."
        revision = page.save_revision()
        wall1 = time.perf_counter()
        revision.publish()
        wall2, cpu2 = time.perf_counter(), time.process_time()
    updated = Page.objects.filter(alias_of=page, title=page.title).count()
    return {
        "aliases": aliases,
        "aliases_updated": updated,
        "save_revision_s": wall1 - wall0,
        "publish_s": wall2 - wall1,
        "total_s": wall2 - wall0,
        "cpu_s": cpu2 - cpu0,
        "queries": counter.count,
        "sql_ms": counter.total_ms(),
        "queries_by_kind": counter.by_kind(),
        "cache_ops": dict(cache_ops),
    }


def publish(args) -> dict:
    result = publish_once(args.slug)
    if result["aliases_updated"] != result["aliases"]:
        raise SystemExit(
            f"only {result['aliases_updated']} of {result['aliases']} aliases have the new title"
        )
    if args.profile_out:
        profiler = cProfile.Profile(time.perf_counter)
        profiler.enable()
        profiled = publish_once(args.slug)
        profiler.disable()
        result["profile"] = summarise(
            profiler,
            PUBLISH_ENTRY_POINTS,
            args.profile_out,
            f"one publish of a national lesson with {profiled['aliases']} aliases "
            f"({profiled['total_s']:.1f} s measured inside)",
            profiled["queries_by_kind"],
        )
        result["profile"]["aliases"] = profiled["aliases"]
    return result


def summarise(
    profiler: cProfile.Profile, entry_points: list, out_path: Path, what: str, by_kind: dict
) -> dict:
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values()) or 1e-9
    entry: dict[str, float] = {}
    calls: dict[str, int] = {}
    for label, file_part, funcname in entry_points:
        best, count = 0.0, 0
        for (filename, _line, name), (_cc, nc, _tt, ct, _callers) in raw.items():
            if name == funcname and file_part in filename and ct > best:
                best, count = ct, nc
        entry[label] = best / total
        calls[label] = count
    areas: dict[str, float] = {}
    for (filename, _line, funcname), (_cc, _nc, tt, _ct, _callers) in raw.items():
        label = area_of(filename, funcname)
        areas[label] = areas.get(label, 0.0) + tt
    summary = {
        "profiled_total_s": total,
        "entry_point_share": entry,
        "entry_point_calls": calls,
        "own_time_share": {k: v / total for k, v in sorted(areas.items(), key=lambda kv: -kv[1])},
    }
    text = io.StringIO()
    text.write(
        f"cProfile (wall-clock timer) of {what}: {total:.1f} s under the profiler.\n\n"
        "Cumulative share of entry points:\n"
    )
    for label, share in entry.items():
        text.write(f"  {share * 100:5.1f} %  {label}  ({calls[label]} calls)\n")
    text.write("\nOwn time by area:\n")
    for label, share in summary["own_time_share"].items():
        text.write(f"  {share * 100:5.1f} %  {label}\n")
    text.write("\nSQL statements by statement and table (count, ms under the profiler):\n")
    for kind, (n, ms) in by_kind.items():
        text.write(f"  {n:7d}  {ms:10.1f} ms  {kind}\n")
    for key in ("cumulative", "tottime"):
        text.write(f"\n--- top 35 by {key} ---\n")
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(key).print_stats(35)
    out_path.write_text(text.getvalue(), encoding="utf-8")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_create = sub.add_parser("create")
    p_create.add_argument("--start", type=int, default=0)
    p_create.add_argument("--count", type=int, default=1)
    p_create.add_argument("--max-seconds", type=float, default=0)
    p_create.add_argument(
        "--profile-out", type=Path, help="create these editions under cProfile; summary here"
    )
    p_publish = sub.add_parser("publish")
    p_publish.add_argument("--slug", default="vad-ar-ai")
    p_publish.add_argument("--profile-out", type=Path)
    args = parser.parse_args()
    if args.command == "create" and not 0 < args.count <= 2000:
        parser.error("--count must be 1..2000")
    setup()
    result = create(args) if args.command == "create" else publish(args)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

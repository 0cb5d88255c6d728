"""In-process cost of one answer submission: SQL queries, CPU time and a profile.

bench/run.py runs this with the environment of the answers part (database,
settings) after the load runs. One learner (django.test.Client with CSRF
checks on) GETs the lesson page, reads the quiz form like bench/answers.py,
sends a few answers to warm up, then:

- counts the SQL queries and times the first answer of a second, new learner
  (creates the learner, its session and lesson progress, checks the course),
- counts the SQL queries and cache operations of one later answer,
- times `--repeat` answers (median wall, mean and median CPU of this process),
- profiles `--profile` answers with a CPU-time timer and summarises the
  cumulative share of the view's parts (--profile-out: the full listing).

Each answer has a fresh submission_key and the X-Requested-With header of
static/js/site.js (the graded quiz comes back as a fragment) unless
--full-page. Prints one JSON object.
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
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import LESSON_PATH, RESULT_MARKER, USER_AGENT, QuizFormParser  # noqa: E402
from inprocess import count_cache_operations  # noqa: E402

ENTRY_POINTS = [
    ("learning.views.answer_quiz (the view)", "learning/views.py", "answer_quiz"),
    ("… visible_lesson (page, site, view restrictions)", "courses/views.py", "visible_lesson"),
    ("… find_quiz", "courses/services.py", "find_quiz"),
    ("… parse_answers", "courses/services.py", "parse_answers"),
    ("… grade_quiz", "courses/services.py", "grade_quiz"),
    ("… learner_for_activity", "learning/services.py", "learner_for_activity"),
    ("… record_quiz_submission (transaction)", "learning/services.py", "record_quiz_submission"),
    ("… … _update_lesson_progress", "learning/services.py", "_update_lesson_progress"),
    ("… … _update_course_completion", "learning/services.py", "_update_course_completion"),
    ("… render_result (graded quiz HTML)", "courses/views.py", "render_result"),
    ("CSRF check (CsrfViewMiddleware.process_view)", "django/middleware/csrf.py", "process_view"),
    (
        "Session save (SessionMiddleware.process_response)",
        "sessions/middleware.py",
        "process_response",
    ),
    ("Site.find_for_request (all calls)", "wagtail/models/sites.py", "find_for_request"),
    ("SQL execution (driver, incl. SQLite engine)", "django/db/backends/utils.py", "execute"),
    ("ORM SQL compilation (as_sql)", "django/db/models/sql/compiler.py", "as_sql"),
    ("Template rendering (Template.render)", "django/template/base.py", "render"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default=LESSON_PATH)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", type=int, default=30)
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 500 or not 0 <= args.profile <= 500:
        parser.error("--repeat must be 1..500 and --profile 0..500")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_ORIGIN": "http://127.0.0.1"}
    if not args.full_page:
        headers["HTTP_X_REQUESTED_WITH"] = "klartankt-quiz"

    def new_learner():
        client = Client(
            enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=USER_AGENT
        )
        response = client.get(args.path)
        if response.status_code != 200:
            raise SystemExit(f"GET {args.path} answered {response.status_code}")
        form = QuizFormParser()
        form.feed(response.content.decode())
        if not form.action or not form.csrf or not form.questions:
            raise SystemExit(f"no quiz form on {args.path}")
        return client, form

    def answer(client, form):
        data = {"csrfmiddlewaretoken": form.csrf, "submission_key": str(uuid.uuid4())}
        data.update({name: values[0] for name, values in form.questions.items()})
        action = urlsplit(form.action).path
        result = client.post(action, data, **headers)
        if result.status_code != 200 or RESULT_MARKER not in result.content:
            raise SystemExit(f"POST {action} answered {result.status_code}")
        return result

    # Warm the code paths with a first learner, then measure a second learner's first
    # answer: it creates the learner, its session, its lesson progress and checks the
    # course. Later answers to the same quiz skip most of that.
    warm_client, warm_form = new_learner()
    for _ in range(3):
        answer(warm_client, warm_form)
    client, form = new_learner()
    wall0 = time.perf_counter()
    with CaptureQueriesContext(connection) as capture:
        answer(client, form)
    first_ms = (time.perf_counter() - wall0) * 1000
    first_queries = len(capture.captured_queries)
    for _ in range(2):
        answer(client, form)
    cache_ops = count_cache_operations()
    with CaptureQueriesContext(connection) as capture:
        answer(client, form)
    queries = [q["sql"] for q in capture.captured_queries]
    kinds = Counter(" ".join(sql.split()[:1]).upper() for sql in queries)
    one_cache_ops = dict(cache_ops)

    walls, cpus = [], []
    for _ in range(args.repeat):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        answer(client, form)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    result = {
        "questions": len(form.questions),
        "first_answer_queries": first_queries,
        "first_answer_ms": first_ms,
        "queries": len(queries),
        "queries_by_statement": dict(kinds.most_common()),
        "cache_ops": one_cache_ops,
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.fmean(cpus) * 1000,
        "cpu_median_ms": statistics.median(cpus) * 1000,
        "repeat": args.repeat,
        "mode": "full page" if args.full_page else "fragment (site.js)",
    }
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.profile):
            answer(client, form)
        profiler.disable()
        result["profile"] = summarise(profiler, args.profile, args.profile_out, queries)
    json.dump(result, sys.stdout)
    return 0


def summarise(profiler: cProfile.Profile, n: int, out_path: Path | None, queries) -> dict:
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values()) or 1e-9
    shares = {}
    for label, file_part, funcname in ENTRY_POINTS:
        best = 0.0
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items():
            if name == funcname and file_part in filename:
                best = max(best, ct)
        shares[label] = best / total
    summary = {"answers": n, "profiled_ms_per_answer": total * 1000 / n, "share": shares}
    if out_path:
        text = io.StringIO()
        text.write(
            f"cProfile (CPU-time timer) of {n} answer submissions in-process: "
            f"{summary['profiled_ms_per_answer']:.1f} ms CPU per answer under the profiler.\n\n"
        )
        for label, share in shares.items():
            text.write(f"  {share * 100:5.1f} %  {label}\n")
        text.write(f"\nSQL of one answer ({len(queries)} statements):\n")
        text.writelines(f"  {sql[:220]}\n" for sql in queries)
        for key in ("cumulative", "tottime"):
            text.write(f"\n--- top 35 by {key} ---\n")
            pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(key).print_stats(35)
        out_path.write_text(text.getvalue(), encoding="utf-8")
    return summary


if __name__ == "__main__":
    sys.exit(main())

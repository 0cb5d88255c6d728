"""H5P in a real browser: the player on its own origin, answering real packages,
results in the learner's progress, and package JavaScript kept away from the
platform's cookies, DOM and endpoints.

Uses the real packages in ../shared/fixtures/h5p/ (skipped when absent) and a
hostile package built here.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import TIMEOUT_MS, assert_accessible
from tests.h5p.builders import dumps, library_files, package_bytes

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "h5p"
CONTENT_HOST = "h5p.localhost"
PLAYER = Path(__file__).resolve().parents[2] / "node_modules" / "h5p-standalone" / "dist"


@pytest.fixture(autouse=True)
def _h5p_ready(settings, tmp_path):
    if not (PLAYER / "main.bundle.js").is_file():
        pytest.skip("h5p-standalone is not installed (npm install --ignore-scripts)")
    from django.core.cache import cache

    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.H5P_CONTENT_HOST = CONTENT_HOST


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real H5P packages live in ../shared/fixtures/h5p/")
    return path


def import_file(data: bytes):
    from h5p.services import import_package

    return import_package(io.BytesIO(data), user=None).activity


def lesson_with(activities, slug: str):
    from courses.models import CoursePage
    from tests.factories import make_lesson

    course = CoursePage.objects.get(slug="grunder")
    body = [{"type": "text", "id": str(uuid.uuid4()), "value": "<p>Prova själv.</p>"}]
    body += [
        {"type": "h5p", "id": f"h5p-{i}", "value": {"activity": a.pk, "pass_percent": 50}}
        for i, a in enumerate(activities, start=1)
    ]
    return make_lesson(course, slug=slug, body=body)


def content_origin(site: str) -> str:
    return f"http://{CONTENT_HOST}:{urlsplit(site).port}"


def assert_only_own_origins(requests: list[str], site: str) -> None:
    own = {urlsplit(site).netloc, urlsplit(content_origin(site)).netloc}
    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme not in {"data", "blob", "about"}
        and urlsplit(url).netloc not in own
    ]
    assert not foreign, "requests left the platform and its content origin:\n" + "\n".join(foreign)


def player_frame(page, activity):
    """The H5P player's frame for ``activity`` (on the content origin)."""
    page.wait_for_function(
        "uuid => [...document.querySelectorAll('iframe')].some(f => f.src.includes(uuid))",
        arg=str(activity.uuid),
    )
    handle = page.query_selector(f"iframe[src*='{activity.uuid}']")
    return handle.content_frame()


def h5p_frame(player):
    """H5P core renders content into its own (about:blank) frame inside the player."""
    player.wait_for_selector("iframe.h5p-iframe", state="attached", timeout=TIMEOUT_MS)
    frame = player.query_selector("iframe.h5p-iframe").content_frame()
    frame.wait_for_selector(".h5p-content", timeout=TIMEOUT_MS)
    return frame


def wait_for_records(count: int, timeout_s: float = 10.0):
    import time

    from learning.models import QuizSubmission

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if QuizSubmission.objects.count() >= count:
            return list(QuizSubmission.objects.order_by("created_at"))
        time.sleep(0.2)
    return list(QuizSubmission.objects.order_by("created_at"))


# ------------------------------------------------------------------ real packages


def test_true_false_and_question_set_are_answered_and_recorded(open_tab, site):
    from learning.models import LessonProgress, QuestionResponse

    true_false = import_file(fixture_path("true-false-hello-world.h5p").read_bytes())
    question_set = import_file(fixture_path("question-set-berries.h5p").read_bytes())
    lesson = lesson_with([true_false, question_set], "h5p-i-webblasaren")
    tab = open_tab()
    page = tab.page
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.goto(site + lesson.url)

    # True/false: answer and check.
    tf = h5p_frame(player_frame(page, true_false))
    tf.get_by_role("radio").first.click()
    tf.locator(".h5p-question-check-answer").click()
    records = wait_for_records(1)
    assert len(records) == 1, console
    assert records[0].quiz_id == "h5p-1" and records[0].max_score >= 1
    status = page.locator("#h5p-h5p-1 [data-h5p-status]")
    status.wait_for(state="visible")
    assert re.search(r"\d+", status.inner_text())

    # Question set: answer each question with whatever is first, until the end.
    qs = h5p_frame(player_frame(page, question_set))
    for _ in range(6):
        if (
            qs.locator(".questionset-results").count()
            and qs.locator(".questionset-results").first.is_visible()
        ):
            break
        question = qs.locator(".question-container:visible").first
        if question.locator(".h5p-answer").count():
            question.locator(".h5p-answer").first.click()
        elif question.locator(".h5p-draggable").count():
            drag = question.locator(".h5p-draggable").first
            drop = question.locator(".h5p-dropzone").first
            drag.drag_to(drop)
        for label in (".h5p-question-check-answer", ".h5p-question-next", ".h5p-question-finish"):
            button = question.locator(label)
            if button.count() and button.first.is_visible():
                button.first.click()
                page.wait_for_timeout(300)
        finish = qs.locator(".h5p-question-finish:visible")
        if finish.count():
            finish.first.click()
    records = wait_for_records(2, 15)
    set_records = [r for r in records if r.quiz_id == "h5p-2"]
    assert len(set_records) == 1, (records, console)  # the set once, not its questions
    assert set_records[0].max_score >= 3

    progress = LessonProgress.objects.get(lesson_id=lesson.id)
    assert progress.max_score == sum(r.max_score for r in records[:2])
    assert QuestionResponse.objects.filter(submission__in=records).count() == len(records)

    page.reload()
    assert "Ditt bästa resultat" in page.content() or "best result" in page.content()
    assert_only_own_origins(tab.requests, site)


def test_interactive_video_fetches_nothing_from_other_hosts(open_tab, site):
    video = import_file(fixture_path("interactive-video-berry-smoothie.h5p").read_bytes())
    lesson = lesson_with([video], "h5p-video")
    tab = open_tab()
    blocked: list[str] = []
    tab.page.on("requestfailed", lambda r: blocked.append(r.url))
    tab.page.goto(site + lesson.url)
    h5p_frame(player_frame(tab.page, video))
    tab.page.wait_for_timeout(1500)
    assert not any("h5p.org" in url for url in tab.requests), tab.requests
    assert_only_own_origins(tab.requests, site)


def test_the_lesson_page_with_the_frame_is_accessible(open_tab, site):
    true_false = import_file(fixture_path("true-false-hello-world.h5p").read_bytes())
    lesson = lesson_with([true_false], "h5p-tillganglig")
    page = open_tab().page
    page.goto(site + lesson.url)
    h5p_frame(player_frame(page, true_false))
    frame = page.locator(f"iframe[src*='{true_false.uuid}']")
    assert frame.get_attribute("title")
    assert frame.get_attribute("sandbox") == "allow-scripts allow-same-origin"
    assert_accessible(page, "lesson with an H5P frame")


# -------------------------------------------------------------- a hostile package

EVIL_JS = r"""
(function () {
  var report = {};
  function attempt(key, read) {
    try { report[key] = read(); } catch (e) { report[key] = "error: " + e.name; }
  }
  attempt("cookie", function () { return document.cookie; });
  attempt("parentDom", function () {
    return window.parent.parent.document.body.innerHTML.slice(0, 200);
  });
  attempt("topCookie", function () { return window.top.document.cookie; });
  // The activity's own id, from the player page's address.
  var match = window.parent.location.pathname.match(/play\/([0-9a-f-]{36})/);
  var activity = match ? match[1] : "";
  var statement = {
    id: "6f1c1a1e-0000-4000-8000-000000000001",
    verb: {id: "http://adlnet.gov/expapi/verbs/completed"},
    object: {id: window.parent.location.origin + "/h5p/play/" + activity + "/"},
    result: {score: {raw: 1, max: 1}}
  };
  function done(key, value) { report[key] = value; window.EVIL_REPORT = report; }
  // 1. A well-formed result straight to the platform, with the learner's cookies.
  fetch(window.EVIL_TARGET, {
    method: "POST", credentials: "include", mode: "no-cors",
    headers: {"Content-Type": "text/plain"},
    body: JSON.stringify({activity: activity, statement: statement})
  }).then(function (r) { done("post", "status " + r.status + " " + r.type); })
    .catch(function (e) { done("post", "error: " + e.name); });
  // 2. Read the learner's pages.
  fetch(window.EVIL_MY_COURSES, {credentials: "include"})
    .then(function (r) { return r.text(); })
    .then(function (t) { done("read", t.slice(0, 200)); })
    .catch(function (e) { done("read", "error: " + e.name); });
  // 3. Forged messages to the lesson page: from this inner window (wrong source),
  //    and from the player's window with an impossible score (999 of 1).
  var forged = JSON.parse(JSON.stringify(statement));
  forged.id = "6f1c1a1e-0000-4000-8000-000000000002";
  attempt("postInner", function () {
    window.parent.parent.postMessage(
      {type: "klartankt:h5p-xapi", activity: activity, statement: forged}, "*");
    return "sent";
  });
  var huge = JSON.parse(JSON.stringify(statement));
  huge.id = "6f1c1a1e-0000-4000-8000-000000000003";
  huge.result.score.raw = 999;
  attempt("postPlayer", function () {
    window.parent.eval("window.parent.postMessage(" + JSON.stringify(
      {type: "klartankt:h5p-xapi", activity: activity, statement: huge}) + ", '*')");
    return "sent";
  });
  window.EVIL_REPORT = report;
  H5P.Evil = function () { this.attach = function ($c) { $c.html("<p>Ondskefull</p>"); }; };
})();
"""


def evil_package(target: str, my_courses: str) -> bytes:
    prelude = (
        f"window.EVIL_TARGET = {json.dumps(target)};\n"
        f"window.EVIL_MY_COURSES = {json.dumps(my_courses)};\n"
    )
    files = {
        "h5p.json": dumps(
            {
                "title": "Ondskefullt paket",
                "language": "sv",
                "mainLibrary": "H5P.Evil",
                "embedTypes": ["iframe"],
                "preloadedDependencies": [
                    {"machineName": "H5P.Evil", "majorVersion": "1", "minorVersion": "0"}
                ],
            }
        ),
        "content/content.json": dumps({"text": "hej"}),
    }
    files.update(library_files("H5P.Evil", 1, 0))
    files["H5P.Evil-1.0/scripts/main.js"] = (prelude + EVIL_JS).encode()
    return package_bytes(files)


def test_package_javascript_cannot_reach_the_platform(open_tab, site, django_user_model):
    from learning.models import QuizSubmission

    # The script must know the endpoint's address: import once to learn the lesson's
    # id, then import the package that names it and put that in the lesson.
    placeholder = import_file(evil_package("about:blank", "about:blank"))
    lesson = lesson_with([placeholder], "h5p-ondskefull")
    target = f"{site}/lektion/{lesson.id}/h5p/h5p-1/"
    evil = import_file(evil_package(target, f"{site}/mina-kurser/"))
    body = lesson.body.raw_data
    body[1]["value"]["activity"] = evil.pk
    lesson.body = body
    lesson.save_revision().publish()
    # The target really is the endpoint: the same statement with the page's CSRF
    # token would be recorded (tests/h5p/test_xapi.py); here it has none.

    user = django_user_model.objects.create_user("lena", "lena@example.org", "hemligt-lösen")
    tab = open_tab()
    page = tab.page
    # Log in as a learner, so there are platform cookies to steal.
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    host = urlsplit(site).hostname
    tab.page.context.add_cookies(
        [{"name": "sessionid", "value": session, "domain": host, "path": "/"}]
    )
    page.goto(site + lesson.url)
    page.evaluate("document.body.dataset.secret = 'platform-dom-secret'")
    player = player_frame(page, evil)
    inner = h5p_frame(player)
    inner.wait_for_function(
        "() => window.EVIL_REPORT && window.EVIL_REPORT.post && window.EVIL_REPORT.read"
    )
    report = inner.evaluate("() => window.EVIL_REPORT")

    assert session not in json.dumps(report)
    assert report["cookie"] == ""  # the content origin has no cookies at all
    assert report["parentDom"].startswith("error")  # cross-origin: no access to the lesson DOM
    assert report["topCookie"].startswith("error")
    assert report["read"].startswith("error")  # CORS: the platform's pages are unreadable
    assert "lena" not in json.dumps(report)
    assert report["post"].startswith("error")  # blocked by connect-src (and CSRF, Origin)
    assert report["postInner"] == "sent" and report["postPlayer"] == "sent"
    page.wait_for_timeout(1000)
    assert not QuizSubmission.objects.exists()  # neither the forged POST nor the postMessage
    # The player's own cookies: none were ever set on the content origin.
    content_cookies = [c for c in page.context.cookies() if c["domain"].endswith(CONTENT_HOST)]
    assert content_cookies == []
    assert player.evaluate("() => document.cookie") == ""

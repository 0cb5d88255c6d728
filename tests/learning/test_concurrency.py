"""Parallel answers against a real served app (gunicorn) on SQLite and PostgreSQL.

Each test counts rows in the database afterwards: nothing duplicated, nothing lost,
no request refused with "database is locked".
"""

from __future__ import annotations

import html
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSON_PATH = "/kurser/grunder/sa-fungerar-chattbotar/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServedApp:
    """migrate + load_demo into a scratch database, then gunicorn on loopback."""

    def __init__(self, database_url: str, count_sql):
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "lms.settings.test",
            "DATABASE_URL": database_url,
        }
        self.count_sql = count_sql
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def start(self):
        self.manage("migrate", "--noinput")
        self.manage("load_demo", "--no-users")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "lms.wsgi",
                "--workers",
                "2",
                "--threads",
                "8",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)

    def count(self, table: str, where: str = "1=1") -> int:
        return self.count_sql(f"SELECT COUNT(*) FROM {table} WHERE {where}")  # noqa: S608


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("live") / "db.sqlite3"

        def count_sql(sql):
            with sqlite3.connect(path) as conn:
                return conn.execute(sql).fetchone()[0]

        app = ServedApp(f"sqlite:///{path}", count_sql)
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            pytest.skip("PostgreSQL run: set DATABASE_URL (as .ci/run does)")
        import psycopg

        admin = url.rsplit("/", 1)[0] + "/postgres"
        name = f"klartankt_live_{os.getpid()}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        db_url = url.rsplit("/", 1)[0] + f"/{name}"

        def count_sql(sql):
            with psycopg.connect(db_url) as conn:
                return conn.execute(sql).fetchone()[0]

        app = ServedApp(db_url, count_sql)
        request.addfinalizer(lambda: _drop(admin, name))
    app.start()
    yield app
    app.stop()


def _drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Browser:
    """One learner's cookie jar; reads the quiz form like a person's browser would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()))

    def open_lesson(self) -> dict:
        page = self.opener.open(self.base + LESSON_PATH, timeout=30).read().decode()
        action = html.unescape(re.search(r'action="(/lektion/[^"#]+)', page).group(1))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        questions = dict.fromkeys(re.findall(r'name="(q-[^"]+)" value="([^"]+)"', page))
        first_choice = {}
        for name, value in questions:
            first_choice.setdefault(name, value)
        return {"action": action, "token": token, "answers": first_choice}

    def answer(self, form: dict, key: str | None = None) -> int:
        data = {
            **form["answers"],
            "csrfmiddlewaretoken": form["token"],
            "submission_key": key or str(uuid.uuid4()),
        }
        request = Request(
            self.base + form["action"],
            data=urlencode(data).encode(),
            headers={"Referer": self.base + LESSON_PATH},
        )
        try:
            return self.opener.open(request, timeout=60).status
        except HTTPError as error:
            return error.code


def test_many_tabs_of_one_learner_lose_nothing(served):
    before = served.count("learning_quizsubmission")
    browser = Browser(served.url)
    form = browser.open_lesson()
    assert browser.answer(form) == 200  # the first answer creates the learner
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: browser.answer(form), range(32)))
    assert statuses == [200] * 32
    assert served.count("learning_quizsubmission") - before == 33
    learners = served.count("learning_learner")
    # One learner, attempts 1..33 without gaps or duplicates.
    assert (
        served.count(
            "learning_quizsubmission",
            "attempt BETWEEN 1 AND 33 AND learner_id = (SELECT MAX(id) FROM learning_learner)",
        )
        == 33
    )
    assert (
        served.count(
            "learning_lessonprogress", "learner_id = (SELECT MAX(id) FROM learning_learner)"
        )
        == 1
    )
    assert learners >= 1


def test_a_double_clicked_submit_is_one_row(served):
    browser = Browser(served.url)
    form = browser.open_lesson()
    browser.answer(form)
    before = served.count("learning_quizsubmission")
    key = str(uuid.uuid4())
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: browser.answer(form, key), range(8)))
    assert statuses == [200] * 8
    assert served.count("learning_quizsubmission") - before == 1


def test_many_learners_at_once(served):
    learners_before = served.count("learning_learner")
    submissions_before = served.count("learning_quizsubmission")
    browsers = [Browser(served.url) for _ in range(24)]
    forms = [b.open_lesson() for b in browsers]
    with ThreadPoolExecutor(24) as pool:
        statuses = list(
            pool.map(lambda pair: pair[0].answer(pair[1]), zip(browsers, forms, strict=True))
        )
    assert statuses == [200] * 24
    assert served.count("learning_learner") - learners_before == 24
    assert served.count("learning_quizsubmission") - submissions_before == 24

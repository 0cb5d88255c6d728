"""Answer-submission load: learners, each with its own cookies, POST quiz answers.

    .venv/bin/python bench/answers.py --port 8000 --clients 8 --duration 10

bench/run.py runs this against its gunicorn server. Each client is one learner:

1. GET the lesson page (its own cookie jar: the csrftoken cookie), read the
   first quiz form: action, csrfmiddlewaretoken and the `q-<question>` inputs;
2. wait until every client is ready (a start signal, so set-up is not timed);
3. POST the form again and again until the deadline, each time with a fresh
   uuid4 `submission_key` and a random choice per question, the way
   static/js/site.js sends it (`X-Requested-With: klartankt-quiz`, which
   returns only the graded quiz; `--full-page` posts like a browser without
   JavaScript and gets the whole lesson page back). The session cookie the
   first answer sets is sent from then on, so a client stays one learner.

A submission counts as a success only if the answer is 200 and contains the
graded quiz (`data-quiz-summary`); anything else is a failure. The clients run
in several processes (threads within each), so the GIL of one Python process
does not limit them; the report gives the CPU they used. Prints one JSON
object: successes, failures by kind, latencies, CPU of the clients and of the
server processes given with --server-pids / --backend-pids.

Every loop is bounded by a request count and a deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import resource
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from loadgen import _percentile as percentile  # noqa: E402 - bench/ is on sys.path

LESSON_PATH = "/kurser/grunder/sa-fungerar-chattbotar/"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) KlartanktLoadTest/1.0"
RESULT_MARKER = b"data-quiz-summary"
MAX_POSTS_PER_CLIENT = 50_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


class QuizFormParser(HTMLParser):
    """The first form with `data-quiz-form`: action, csrf token, choices per question."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.csrf: str | None = None
        self.has_key = False
        self.questions: dict[str, list[str]] = {}
        self._inside = False
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        attributes = dict(attrs)
        if tag == "form" and "data-quiz-form" in attributes and self.action is None:
            self.action = attributes.get("action") or ""
            self._inside = True
        elif tag == "input" and self._inside:
            name = attributes.get("name") or ""
            if name == "csrfmiddlewaretoken":
                self.csrf = attributes.get("value")
            elif name == "submission_key":
                self.has_key = True
            elif name.startswith("q-") and attributes.get("type") in ("radio", "checkbox"):
                self.questions.setdefault(name, []).append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form" and self._inside:
            self._inside = False
            self._done = True


class Learner:
    """One client: its own cookies, one connection at a time (gunicorn's sync
    workers close the connection after every response)."""

    def __init__(self, port: int, host: str, path: str, seed: int, full_page: bool):
        self.port = port
        self.host = host
        self.path = path
        self.cookies: dict[str, str] = {}
        self.random = random.Random(seed)
        self.full_page = full_page
        self.action = ""
        self.csrf = ""
        self.questions: dict[str, list[str]] = {}

    def _remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            name = name.strip()
            if "max-age=0" in header.lower() or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip()

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: bytes | None, headers: dict, timeout: float):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            self._remember(response)
            return response.status, data
        finally:
            conn.close()

    def setup(self, timeout: float) -> None:
        headers = {"Host": self.host, "User-Agent": USER_AGENT, "Accept": "text/html"}
        status, body = self.request("GET", self.path, None, headers, timeout)
        if status != 200:
            raise RuntimeError(f"GET {self.path} answered {status}")
        parser = QuizFormParser()
        parser.feed(body.decode("utf-8", "replace"))
        if not parser.action or not parser.csrf or not parser.questions or not parser.has_key:
            raise RuntimeError(f"no quiz form with a csrf token and questions on {self.path}")
        if "csrftoken" not in self.cookies:
            raise RuntimeError("the lesson page set no csrftoken cookie")
        self.action = urlsplit(parser.action).path  # without the #fragment
        self.csrf = parser.csrf
        self.questions = parser.questions

    def post_answers(self, timeout: float) -> tuple[int, bytes]:
        fields = [("csrfmiddlewaretoken", self.csrf), ("submission_key", str(uuid.uuid4()))]
        fields += [(name, self.random.choice(values)) for name, values in self.questions.items()]
        body = urlencode(fields).encode()
        headers = {
            "Host": self.host,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{self.host}",
            "Referer": f"http://{self.host}{self.path}",
            "Cookie": self._cookie_header(),
        }
        if not self.full_page:
            headers["X-Requested-With"] = "klartankt-quiz"
        return self.request("POST", self.action, body, headers, timeout)


def cpu_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = Path(f"/proc/{pid}/stat").read_text()
            fields = text[text.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def machine_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLK_TCK


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def worker_process(
    client_ids: list[int],
    options: dict,
    ready,
    go,
    deadline_value,
    results,
) -> None:
    """Runs in a child process: one thread per learner."""
    parent = os.getppid()
    learners = [
        Learner(
            options["port"],
            options["host"],
            options["path"],
            seed=options["seed"] * 1000 + i,
            full_page=options["full_page"],
        )
        for i in client_ids
    ]
    per_thread = [
        {"latencies": [], "ok": 0, "non200": {}, "errors": 0, "bad_body": 0, "last": 0.0}
        for _ in learners
    ]
    setup_errors: list[str] = []
    timeout = options["timeout"]

    def run(index: int) -> None:
        learner, stats = learners[index], per_thread[index]
        try:
            learner.setup(timeout)
        except Exception as error:  # noqa: BLE001 - reported, and the run is refused
            setup_errors.append(f"{type(error).__name__}: {error}")
            ready.release()
            return
        ready.release()
        if not go.wait(timeout=options["setup_timeout"] + 30):
            return
        deadline = deadline_value.value
        sent = 0
        while (
            time.monotonic() < deadline
            and sent < MAX_POSTS_PER_CLIENT
            and os.getppid() == parent  # stop at once if the driver was killed
        ):
            sent += 1
            started = time.perf_counter()
            try:
                status, body = learner.post_answers(timeout)
            except (OSError, http.client.HTTPException):
                stats["errors"] += 1
                stats["last"] = time.monotonic()
                continue
            stats["latencies"].append(time.perf_counter() - started)
            stats["last"] = time.monotonic()
            if status != 200:
                key = str(status)
                stats["non200"][key] = stats["non200"].get(key, 0) + 1
            elif RESULT_MARKER not in body:
                stats["bad_body"] += 1
            else:
                stats["ok"] += 1

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(learners))]
    for thread in threads:
        thread.start()
    go.wait(timeout=options["setup_timeout"] + 30)
    cpu0 = process_cpu()
    hard_stop = time.monotonic() + options["duration"] + options["setup_timeout"] + timeout + 30
    for thread in threads:
        thread.join(timeout=max(0.0, hard_stop - time.monotonic()))
    merged = {
        "latencies": [v for s in per_thread for v in s["latencies"]],
        "ok": sum(s["ok"] for s in per_thread),
        "non200": {},
        "errors": sum(s["errors"] for s in per_thread),
        "bad_body": sum(s["bad_body"] for s in per_thread),
        "last": max((s["last"] for s in per_thread), default=0.0),
        "cpu_s": process_cpu() - cpu0,
        "setup_errors": setup_errors,
        "hung_threads": sum(thread.is_alive() for thread in threads),
        "questions": max((len(learner.questions) for learner in learners), default=0),
    }
    for s in per_thread:
        for key, n in s["non200"].items():
            merged["non200"][key] = merged["non200"].get(key, 0) + n
    results.put(merged)


def run(
    *,
    port: int,
    clients: int,
    duration: float,
    path: str = LESSON_PATH,
    host: str = "127.0.0.1",
    processes: int = 0,
    full_page: bool = False,
    server_pids: list[int] | None = None,
    backend_pids: list[int] | None = None,
    timeout: float = 30.0,
    seed: int = 1,
) -> dict:
    ctx = multiprocessing.get_context("fork")
    processes = processes or min(clients, 4)
    processes = max(1, min(processes, clients))
    groups = [list(range(i, clients, processes)) for i in range(processes)]
    ready = ctx.Semaphore(0)
    go = ctx.Event()
    deadline_value = ctx.Value("d", 0.0)
    results = ctx.Queue()
    setup_timeout = 30 + clients * 2.0
    options = {
        "port": port,
        "host": host,
        "path": path,
        "full_page": full_page,
        "timeout": timeout,
        "duration": duration,
        "setup_timeout": setup_timeout,
        "seed": seed,
    }
    workers = [
        ctx.Process(
            target=worker_process,
            args=(group, options, ready, go, deadline_value, results),
            daemon=True,
        )
        for group in groups
    ]
    for worker in workers:
        worker.start()
    collected: list[dict] = []
    try:
        setup_deadline = time.monotonic() + setup_timeout
        for _ in range(clients):
            if not ready.acquire(timeout=max(0.1, setup_deadline - time.monotonic())):
                raise RuntimeError(f"the {clients} clients were not ready within {setup_timeout}s")
        server_pids, backend_pids = server_pids or [], backend_pids or []
        server0, backend0, machine0 = cpu_of(server_pids), cpu_of(backend_pids), machine_busy()
        started = time.monotonic()
        deadline_value.value = started + duration
        go.set()
        for _ in workers:
            collected.append(results.get(timeout=duration + setup_timeout + timeout + 60))
        finished = max([started] + [c["last"] for c in collected])
        server1, backend1, machine1 = cpu_of(server_pids), cpu_of(backend_pids), machine_busy()
    finally:
        go.set()  # never leave a worker waiting
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=5)
    setup_errors = [e for c in collected for e in c["setup_errors"]]
    if setup_errors:
        raise RuntimeError(f"{len(setup_errors)} clients failed to start: {setup_errors[0]}")
    elapsed = max(finished - started, 1e-9)
    latencies = sorted(v for c in collected for v in c["latencies"])
    non200: dict[str, int] = {}
    for c in collected:
        for key, n in c["non200"].items():
            non200[key] = non200.get(key, 0) + n
    ok = sum(c["ok"] for c in collected)
    errors = sum(c["errors"] for c in collected)
    bad_body = sum(c["bad_body"] for c in collected)
    client_cpu = sum(c["cpu_s"] for c in collected)
    return {
        "clients": clients,
        "processes": processes,
        "mode": "full page" if full_page else "fragment (site.js)",
        "duration_s": elapsed,
        "successes": ok,
        "answers_per_s": ok / elapsed,
        "sent": len(latencies) + errors,
        "non200": non200,
        "non200_total": sum(non200.values()),
        "bad_body": bad_body,
        "errors": errors,
        "failed": sum(non200.values()) + bad_body + errors,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p90_ms": percentile(latencies, 90) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] * 1000) if latencies else float("nan"),
        "client_cpu_s": client_cpu,
        "client_cores": client_cpu / elapsed,
        "server_cpu_s": server1 - server0,
        "backend_cpu_s": backend1 - backend0,
        "machine_cpu_s": machine1 - machine0,
        "hung_threads": sum(c["hung_threads"] for c in collected),
        "questions": max((c["questions"] for c in collected), default=0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--path", default=LESSON_PATH)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--processes", type=int, default=0, help="client processes (0: auto)")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--server-pids", default="")
    parser.add_argument("--backend-pids", default="")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.clients <= 128 or not 0.5 <= args.duration <= 120:
        parser.error("--clients must be 1..128 and --duration 0.5..120 s")
    result = run(
        port=args.port,
        clients=args.clients,
        duration=args.duration,
        path=args.path,
        host=args.host,
        processes=args.processes,
        full_page=args.full_page,
        server_pids=[int(p) for p in args.server_pids.split(",") if p],
        backend_pids=[int(p) for p in args.backend_pids.split(",") if p],
        seed=args.seed,
    )
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

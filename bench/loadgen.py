"""Load generators: `wrk` when installed, else a small threaded http.client loop.

Both return the same dict: requests, duration_s, rps, p50_ms, p90_ms, p99_ms,
non2xx, errors, tool. Every loop is bounded by a request count and a deadline.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk_report.lua")


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def run_wrk(
    port: int,
    path: str,
    *,
    connections: int,
    duration: float,
    headers: dict[str, str] | None = None,
    threads: int = 2,
) -> dict:
    threads = max(1, min(threads, connections))  # wrk needs connections >= threads
    cmd = [
        wrk_path() or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{int(duration)}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_SCRIPT),
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    duration_s = data["duration_us"] / 1e6
    return {
        "tool": f"wrk -t{threads} -c{connections} -d{int(duration)}s",
        "requests": data["requests"],
        "duration_s": duration_s,
        "rps": data["requests"] / duration_s if duration_s else 0.0,
        "p50_ms": data["p50_us"] / 1000,
        "p90_ms": data["p90_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "non2xx": data["non2xx"],
        "errors": data["errors"] + data["timeouts"],
    }


def run_python(
    port: int,
    path: str,
    *,
    connections: int,
    duration: float,
    headers: dict[str, str] | None = None,
    max_requests: int = 200_000,
    timeout: float = 5.0,
) -> dict:
    """Threaded keep-alive client (reconnects when the server closes, as gunicorn's
    sync workers do after every response)."""
    deadline = time.monotonic() + duration
    budget = threading.Semaphore(max_requests)
    latencies: list[list[float]] = [[] for _ in range(connections)]
    non2xx = [0] * connections
    errors = [0] * connections
    request_headers = {"Host": "127.0.0.1", **(headers or {})}

    def worker(i: int) -> None:
        conn: http.client.HTTPConnection | None = None
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=request_headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = None
                continue
            latencies[i].append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                non2xx[i] += 1
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + timeout + 5)
    elapsed = time.monotonic() - started
    values = sorted(v for per_thread in latencies for v in per_thread)
    return {
        "tool": f"python http.client, {connections} threads, {duration:g}s",
        "requests": len(values),
        "duration_s": elapsed,
        "rps": len(values) / elapsed if elapsed else 0.0,
        "p50_ms": _percentile(values, 50) * 1000,
        "p90_ms": _percentile(values, 90) * 1000,
        "p99_ms": _percentile(values, 99) * 1000,
        "non2xx": sum(non2xx),
        "errors": sum(errors),
    }


def run_load(port: int, path: str, *, tool: str, **kwargs) -> dict:
    if tool == "wrk":
        return run_wrk(port, path, **kwargs)
    return run_python(port, path, **kwargs)

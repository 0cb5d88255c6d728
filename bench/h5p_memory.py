"""Peak memory while the H5P import service refuses zip bombs.

    .venv/bin/python bench/h5p_memory.py [--megabytes 400]

Standalone (not part of bench/run.py). It sets up Django with the test
settings and a throw-away SQLite database, writes two bombs to a temporary
file, and for each one:

1. measures the process's resident memory (VmRSS) as the baseline,
2. resets the kernel's high-water mark (``echo 5 > /proc/self/clear_refs``),
3. calls ``h5p.services.import_package`` exactly as the admin upload does,
4. reads the high-water mark (VmHWM) and prints the peak above the baseline.

The bombs: a valid package plus ``content/video.mp4`` that inflates to N MB
of zeros (a) declared honestly in the central directory, refused before any
byte is inflated, and (b) declared as 1,000 bytes, so the central directory
looks harmless and the streaming guard has to stop it during extraction.
Goal (issue 5): under 50 MB above the baseline. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

GOAL_MB = 50


def _status(field: str) -> int:
    """A /proc/self/status field in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def measure(label: str, data_path: Path) -> float:
    import tracemalloc

    from h5p.services import ImportRefused, import_package

    gc.collect()
    baseline = _status("VmRSS")
    _reset_peak()
    tracemalloc.start()
    try:
        with data_path.open("rb") as handle:
            import_package(handle, user=None)
    except ImportRefused as refused:
        outcome = ", ".join(sorted(set(refused.codes)))
    else:
        raise SystemExit(f"{label}: the bomb was imported!")
    peak = _status("VmHWM")
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    above = (peak - baseline) / 2**20
    print(
        f"{label}: refused ({outcome}); peak RSS {above:.1f} MB above baseline "
        f"(Python allocations peaked at {python_peak / 2**20:.1f} MB)"
    )
    return above


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=400, help="size the bomb inflates to")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tests.h5p.builders import valid_package, zero_bomb

    scratch = Path(tempfile.mkdtemp(prefix="klartankt-bench-h5p-"))
    settings.MEDIA_ROOT = scratch / "media"
    settings.H5P_TEMP_DIR = str(scratch)
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bombs = {
            f"declared bomb ({args.megabytes} MB)": valid_package(
                extra=[zero_bomb("content/video.mp4", args.megabytes)]
            ),
            f"lying bomb ({args.megabytes} MB declared as 1 kB)": valid_package(
                extra=[zero_bomb("content/video.mp4", args.megabytes, declared_size=1000)]
            ),
        }
        results = []
        for label, data in bombs.items():
            path = scratch / "bomb.h5p"
            path.write_bytes(data)
            print(f"{label}: file is {len(data) / 2**20:.2f} MB")
            del data
            results.append(measure(label, path))
            path.unlink()
        worst = max(results)
        verdict = "OK" if worst < GOAL_MB else "OVER THE GOAL"
        print(f"worst peak: {worst:.1f} MB above baseline (goal < {GOAL_MB} MB): {verdict}")
        return 0 if worst < GOAL_MB else 1
    finally:
        connection.creation.destroy_test_db(":memory:", verbosity=0)


if __name__ == "__main__":
    raise SystemExit(main())

"""Fail when the Swedish message catalogue is stale or has untranslated strings.

Runs makemessages on a scratch copy of the tree's catalogue and compares msgids,
so a forgotten `make messages` fails CI instead of shipping English UI text.
"""

from __future__ import annotations

import os
import re
import subprocess  # noqa: S404 - runs our own manage.py
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


def entries(text: str) -> dict[str, dict[str, str]]:
    """msgid → {field: value} for every entry of a .po file (header excluded)."""
    result: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    key = None
    fuzzy = False
    for line in text.splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        match = ENTRY.match(line)
        if match:
            key = match.group(1)
            current[key] = match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
        elif not line.strip() and current:
            if current.get("msgid"):
                current["fuzzy"] = "1" if fuzzy else ""
                result[current["msgid"]] = current
            current, key, fuzzy = {}, None, False
    return result


def main() -> int:
    original = PO.read_text(encoding="utf-8")
    try:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "sv",
                "--no-location",
                "--no-obsolete",
                "--ignore=.venv",
                "--ignore=node_modules",
                "--ignore=staticfiles",
                "--ignore=tests",
                "-v",
                "0",
            ],
            cwd=ROOT,
            check=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
        )
        fresh = PO.read_text(encoding="utf-8")
    finally:
        PO.write_text(original, encoding="utf-8")
    committed, current = entries(original), entries(fresh)
    problems = [
        f"missing from the catalogue (run `make messages`): {m!r}"
        for m in current
        if m not in committed
    ]
    problems += [
        f"no longer used (run `make messages`): {m!r}" for m in committed if m not in current
    ]
    for msgid, entry in committed.items():
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        if entry.get("fuzzy") or not strings or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
    for problem in problems:
        sys.stderr.write(problem + "\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) in {PO.relative_to(ROOT)}\n")
        return 1
    sys.stdout.write(f"{PO.relative_to(ROOT)}: {len(committed)} strings, all translated\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

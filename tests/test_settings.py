"""Configuration from the environment; production refuses unsafe settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms.settings.env import cache_from_env, database_from_env

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "x9!Qz-" * 7


def manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "lms.settings.production", **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ALLOWED_HOSTS": "bibliotek.example.se"}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me", "ALLOWED_HOSTS": "x.se"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "x.se"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_unsafely(env, message):
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_passes_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "bibliotek.example.se"},
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_sqlite_is_tuned_for_concurrent_writers(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = database_from_env("/tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5


def test_database_url_selects_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/klartankt")
    config = database_from_env("/tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "klartankt"


def test_cache_url(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert "locmem" in cache_from_env()["BACKEND"]
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/1")
    assert cache_from_env()["BACKEND"].endswith("RedisCache")
    monkeypatch.setenv("CACHE_URL", "memcached://x")
    with pytest.raises(ValueError):
        cache_from_env()

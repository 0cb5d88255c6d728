"""SECURITY.md #30: Redis down → pages still served, rate limits fail closed."""

import pytest

pytestmark = pytest.mark.django_db

DOWN = {
    "default": {
        "BACKEND": "lms.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DOWN  # Django rebuilds its cache handlers on this change


def test_pages_are_still_served(client, lesson, redis_down):
    assert client.get(lesson.url).status_code == 200
    assert client.get("/").status_code == 200


def test_health_says_the_cache_is_down(client, redis_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error" and response.json()["database"] == "ok"


def test_logins_are_refused_not_let_through(client, redis_down, django_user_model):
    django_user_model.objects.create_user("anna", "anna@example.org", "losenord-123-abc")
    response = client.post(
        "/konto/login/", {"login": "anna@example.org", "password": "losenord-123-abc"}
    )
    assert response.status_code == 503
    assert "Försök igen om en stund" in response.content.decode()
    assert "_auth_user_id" not in client.session

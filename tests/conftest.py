import os

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def load_catalogue() -> None:
    call_command("load_demo", "--no-users", "--no-editions", stdout=open(os.devnull, "w"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real national catalogue once; tests roll back around it."""
    with django_db_blocker.unblock():
        load_catalogue()


@pytest.fixture
def catalogue(db):
    """The loaded catalogue (reloaded if a transactional test flushed it)."""
    from courses.models import LessonPage

    if not LessonPage.objects.exists():
        load_catalogue()
    return LessonPage.objects.live()


@pytest.fixture
def lesson(catalogue):
    """The second lesson of "Vad är AI?": it has a previous and a next lesson and a quiz."""
    from courses.models import LessonPage

    return LessonPage.objects.get(slug="sa-fungerar-chattbotar")


def with_totp(user):
    """Staff need two-factor authentication to reach the admin."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("testadmin", "a@example.org", "pw")
    client.force_login(with_totp(user))
    return client


@pytest.fixture
def course(catalogue):
    from courses.models import CoursePage

    return CoursePage.objects.get(slug="grunder")


@pytest.fixture
def lessons(course):
    from courses.models import LessonPage

    return list(LessonPage.objects.child_of(course).live().order_by("path"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The database rolls back after each test; the cache (site root paths,
    navigation, branding) must not remember what the previous test created."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

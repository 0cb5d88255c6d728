"""Queries per page must not grow with the number of editions."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editions.services import EditionSpec, create_edition

pytestmark = pytest.mark.django_db

LESSON = "/kurser/grunder/sa-fungerar-chattbotar/"


def queries_for(client, url, host):
    client.get(url, HTTP_HOST=host)  # warm the shared caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_HOST=host).status_code == 200
    return len(queries)


def test_lesson_and_home_queries_do_not_grow_with_editions(client, edition_a):
    before = {url: queries_for(client, url, "ankeby.localhost") for url in (LESSON, "/")}
    for n in range(4):
        create_edition(EditionSpec(f"Bibliotek {n}", f"bibliotek{n}.localhost"))
    cache.clear()
    after = {url: queries_for(client, url, "ankeby.localhost") for url in (LESSON, "/")}
    assert after == before
    assert before[LESSON] <= 15

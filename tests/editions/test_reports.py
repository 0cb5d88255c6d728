"""Reports: an edition's aggregates, small groups hidden, nobody else's data."""

from datetime import date, timedelta

import pytest

from courses.models import CoursePage, LessonPage
from editions.reports import build_report
from learning.models import Learner
from tests.conftest import with_totp
from tests.factories import submit, wrong_answers

pytestmark = pytest.mark.django_db


def national_lessons():
    course = CoursePage.objects.get(slug="grunder", alias_of=None)
    return list(LessonPage.objects.child_of(course).order_by("path"))


def learners_complete(site, count, data_fn=None):
    lessons = national_lessons()
    for _ in range(count):
        learner = Learner.objects.create()
        for lesson in lessons:
            if data_fn:
                submit(learner, lesson, data_fn=data_fn, site=site)
            else:
                submit(learner, lesson, site=site)


@pytest.fixture
def activity(edition_a, edition_b):
    learners_complete(edition_a.site, 5)
    learners_complete(edition_a.site, 1, data_fn=wrong_answers)
    learners_complete(edition_b.site, 2)
    return edition_a, edition_b


def test_figures_for_one_edition(activity):
    edition_a, _ = activity
    report = build_report([edition_a.site], "A")
    (course,) = report.courses
    assert (course.title, course.started, course.completed) == ("Vad är AI?", 6, 5)
    assert course.completion_rate == 83 and course.average_score == 100
    question = report.questions[0]
    assert question.answered == 6 and question.share_correct == 83
    assert question.common_wrong  # the wrong choice that learner picked, by its text


def test_small_groups_are_hidden(activity):
    _, edition_b = activity
    (course,) = build_report([edition_b.site], "B").courses
    assert course.hidden and course.completion_rate is None


def test_the_date_filter(activity):
    edition_a, _ = activity
    future = date.today() + timedelta(days=2)
    assert build_report([edition_a.site], "A", start=future).courses == []


@pytest.fixture
def librarian_a(activity, django_user_model):
    user = with_totp(
        django_user_model.objects.create_user("bib-a", "b@example.org", "pw", is_staff=True)
    )
    user.groups.add(activity[0].librarians)
    return user


def test_a_librarian_sees_own_edition_only(client, activity, librarian_a):
    edition_a, edition_b = activity
    client.force_login(librarian_a)
    html = client.get("/admin/utgavor/rapporter/").content.decode()
    assert "Ankeby bibliotek" in html and "83 %" in html
    assert "<svg" in html and 'role="img"' in html
    assert "Bebyholm" not in html
    assert client.get(f"/admin/utgavor/rapporter/?utgava={edition_b.pk}").status_code == 404
    assert client.get("/admin/utgavor/rapporter/?utgava=alla").status_code == 404


def test_csv_export(client, activity, librarian_a):
    client.force_login(librarian_a)
    response = client.get("/admin/utgavor/rapporter/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "Vad är AI?,6,5,83,100" in text


def test_superusers_see_the_national_total(admin_client, activity):
    html = admin_client.get("/admin/utgavor/rapporter/?utgava=alla").content.decode()
    assert ">8<" in html  # 6 learners in A and 2 in B started the course


def test_people_without_the_permission_are_refused(client, catalogue, django_user_model):
    user = with_totp(
        django_user_model.objects.create_user("x", "x@example.org", "pw", is_staff=True)
    )
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get("/admin/utgavor/rapporter/").status_code in {302, 403}

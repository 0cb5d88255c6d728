"""Answering through HTTP: learners appear at their first answer, records show up."""

import re
import uuid

import pytest
from django.urls import reverse

from learning.models import CourseCompletion, Learner, QuizSubmission
from tests.factories import right_answers, wrong_answers

pytestmark = pytest.mark.django_db


def answer(client, lesson, data_fn=right_answers, key=None, **kwargs):
    quiz_id, data = data_fn(lesson)
    url = reverse("answer_quiz", kwargs={"page_id": lesson.id, "quiz_id": quiz_id})
    return client.post(url, {**data, "submission_key": str(key or uuid.uuid4())}, **kwargs)


def test_page_views_create_no_learner(client, lessons):
    client.get(lessons[0].url)
    client.get("/mina-kurser/")
    assert not Learner.objects.exists()


def test_the_first_answer_creates_an_anonymous_learner_bound_to_the_session(client, lessons):
    assert answer(client, lessons[0]).status_code == 200
    learner = Learner.objects.get()
    assert learner.user is None
    assert client.session["klartankt_learner"] == learner.pk
    answer(client, lessons[1])
    assert Learner.objects.count() == 1


def test_bots_are_graded_but_not_recorded(client, lessons):
    response = answer(client, lessons[0], headers={"User-Agent": "Googlebot/2.1"})
    assert response.status_code == 200 and "Du fick" in response.content.decode()
    assert not Learner.objects.exists()


def test_a_double_click_is_one_row_and_the_same_response(client, lessons):
    key = uuid.uuid4()
    first = answer(client, lessons[0], key=key)
    second = answer(client, lessons[0], key=key)
    assert first.status_code == second.status_code == 200
    assert QuizSubmission.objects.count() == 1


def test_the_same_key_with_other_answers_is_409(client, lessons):
    key = uuid.uuid4()
    answer(client, lessons[0], key=key)
    response = answer(client, lessons[0], data_fn=wrong_answers, key=key)
    assert response.status_code == 409
    assert "redan skickats" in response.content.decode()
    assert QuizSubmission.objects.count() == 1


def test_a_form_without_its_key_is_refused(client, lessons):
    quiz_id, data = right_answers(lessons[0])
    url = reverse("answer_quiz", kwargs={"page_id": lessons[0].id, "quiz_id": quiz_id})
    assert client.post(url, data).status_code == 400
    assert not QuizSubmission.objects.exists()


def test_the_lesson_shows_earlier_answers_and_the_course_shows_status(client, lessons):
    answer(client, lessons[0], data_fn=wrong_answers)
    html = client.get(lessons[0].url).content.decode()
    assert "Förra gången fick du 0 av" in html
    assert "Ditt bästa resultat: 0 av" in html
    assert "Skapa ett konto" in html  # the gentle prompt for anonymous learners
    retry = client.get(lessons[0].url + "?svara-igen=1").content.decode()
    assert "Förra gången" not in retry and "Rätta mina svar" in retry
    course_html = client.get(lessons[0].get_parent().url).content.decode()
    assert f"1 av {len(lessons)} lektioner" in course_html
    assert "Klar" in course_html


def test_my_courses_and_the_certificate(client, lessons):
    for lesson in lessons:
        answer(client, lesson)
    html = client.get("/mina-kurser/").content.decode()
    completion = CourseCompletion.objects.get()
    assert "Vad är AI?" in html and f"/mina-kurser/intyg/{completion.code}/" in html
    page = client.get(f"/mina-kurser/intyg/{completion.code}/")
    assert page.status_code == 200 and completion.code in page.content.decode()
    client.post(f"/mina-kurser/intyg/{completion.code}/", {"display_name": "Ada Lovelace"})
    assert "Ada Lovelace" in client.get(f"/mina-kurser/intyg/{completion.code}/").content.decode()


def test_anyone_can_verify_a_certificate_without_personal_data(client, lessons, django_user_model):
    user = django_user_model.objects.create_user("u", "secret@example.org", "pw")
    client.force_login(user)
    for lesson in lessons:
        answer(client, lesson)
    code = CourseCompletion.objects.get().code
    from django.test import Client

    stranger = Client()
    html = stranger.get(f"/intyg/{code}/").content.decode()
    assert "Intyget är giltigt" in html and "Vad är AI?" in html
    assert "secret@example.org" not in html
    assert stranger.get(f"/mina-kurser/intyg/{code}/").status_code == 404  # not theirs
    assert stranger.get("/intyg/NOSUCHCODE00/").status_code == 404


def test_mark_done_only_for_lessons_without_a_quiz(client, lessons):
    url = reverse("lesson_done", kwargs={"page_id": lessons[0].id})
    assert client.post(url).status_code == 400
    assert not Learner.objects.exists()


def test_a_lesson_of_another_site_is_refused(client, lessons):
    from wagtail.models import Page, Site

    other_root = Page.get_first_root_node().add_child(title="Annan", slug="annan")
    Site.objects.create(hostname="annan.localhost", root_page=other_root)
    response = answer(client, lessons[0], HTTP_HOST="annan.localhost")
    assert response.status_code == 404
    assert not QuizSubmission.objects.exists()


def test_certificate_codes_are_not_guessable(lessons):
    from learning.models import new_certificate_code

    codes = {new_certificate_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{12}", c) for c in codes)

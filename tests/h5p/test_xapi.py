"""Recording H5P results: the endpoint the lesson page posts xAPI statements to."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from learning.models import LessonProgress, QuestionResponse, QuizSubmission

from .conftest import CONTENT_HOST, h5p_block

VERB = "http://adlnet.gov/expapi/verbs/"


def statement(activity, raw=1, max_=1, verb="answered", statement_id=None, **extra) -> dict:
    data = {
        "id": str(statement_id or uuid.uuid4()),
        "verb": {"id": VERB + verb},
        "object": {"id": f"http://{CONTENT_HOST}/h5p/play/{activity.uuid}/"},
        "result": {"score": {"raw": raw, "max": max_, "min": 0}},
        "context": {"contextActivities": {"parent": []}},
    }
    data.update(extra)
    return data


def post(client, lesson, activity, body=None, block_id="h5p-1", **headers):
    body = (
        body
        if body is not None
        else {"activity": str(activity.uuid), "statement": statement(activity)}
    )
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/lektion/{lesson.id}/h5p/{block_id}/",
        payload,
        content_type="application/json",
        **headers,
    )


def nothing_recorded() -> bool:
    return not QuizSubmission.objects.exists() and not LessonProgress.objects.exists()


@pytest.mark.django_db
def test_a_valid_result_is_recorded_and_completes_the_lesson(client, h5p_lesson, activity):
    response = post(client, h5p_lesson, activity)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["recorded"] and data["passed"] and (data["score"], data["max"]) == (1, 1)
    assert data["message"]
    submission = QuizSubmission.objects.get()
    assert (submission.quiz_id, submission.score, submission.max_score) == ("h5p-1", 1, 1)
    assert submission.lesson_id == h5p_lesson.id
    response_row = QuestionResponse.objects.get()
    assert response_row.correct and response_row.choice_ids == ["answered"]
    progress = LessonProgress.objects.get()
    assert progress.completed_at is not None
    assert (progress.best_score, progress.max_score) == (1, 1)


@pytest.mark.django_db
def test_the_lesson_page_embeds_the_player(client, h5p_lesson, activity):
    html = client.get(h5p_lesson.url).content.decode()
    assert (
        f'src="http://{CONTENT_HOST}/h5p/play/{activity.uuid}/'
        '?parent=http%3A%2F%2Ftestserver&amp;lang=sv"' in html
    )
    assert 'sandbox="allow-scripts allow-same-origin"' in html
    assert 'title="' in html.split("<iframe", 1)[1].split(">", 1)[0]
    assert f'data-h5p-origin="http://{CONTENT_HOST}"' in html
    assert "/static/js/h5p.js" in html
    assert "csrfmiddlewaretoken" in html
    assert f'action="/lektion/{h5p_lesson.id}/klar/"' not in html  # finished by its result


@pytest.mark.django_db
def test_a_replay_is_idempotent(client, h5p_lesson, activity):
    body = {"activity": str(activity.uuid), "statement": statement(activity)}
    first = post(client, h5p_lesson, activity, body)
    second = post(client, h5p_lesson, activity, body)
    assert first.status_code == second.status_code == 200
    assert QuizSubmission.objects.count() == 1 and QuestionResponse.objects.count() == 1


@pytest.mark.django_db
def test_the_same_statement_id_with_another_score_is_a_conflict(client, h5p_lesson, activity):
    statement_id = uuid.uuid4()
    post(
        client,
        h5p_lesson,
        activity,
        {
            "activity": str(activity.uuid),
            "statement": statement(activity, 0, 1, statement_id=statement_id),
        },
    )
    again = statement(activity, 1, 1, statement_id=statement_id)
    response = post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": again}
    )
    assert response.status_code == 409 and not response.json()["recorded"]
    assert QuizSubmission.objects.get().score == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "max_"),
    [
        (2, 1),
        (999, 1),
        (-1, 1),
        (1, 0),
        (0, 0),
        ("1", 1),
        (None, 1),
        (float("nan"), 1),
        (1, 10**9),
    ],
)
def test_impossible_scores_are_refused(client, h5p_lesson, activity, raw, max_):
    st = statement(activity, raw, max_)
    body = json.dumps({"activity": str(activity.uuid), "statement": st}).replace("NaN", '"NaN"')
    response = post(client, h5p_lesson, activity, body.encode())
    assert response.status_code == 400
    assert response.json()["message"]
    assert nothing_recorded()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"verb": {"id": VERB + "interacted"}},
        {"verb": {"id": "http://evil.example/verbs/completed"}},
        {"verb": "completed"},
        {"id": "not-a-uuid"},
        {"id": None},
        {"object": {"id": "http://h5p.localhost/h5p/play/00000000-0000-4000-8000-000000000000/"}},
        {"result": {"success": True}},
        {"result": "full marks"},
    ],
)
def test_malformed_statements_are_refused(client, h5p_lesson, activity, change):
    st = statement(activity)
    st.update(change)
    response = post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": st}
    )
    assert response.status_code == 400, response.content
    assert nothing_recorded()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"activity": 1}', "ö".encode("latin-1")])
def test_garbage_is_refused(client, h5p_lesson, activity, body):
    assert post(client, h5p_lesson, activity, body).status_code == 400
    assert nothing_recorded()


@pytest.mark.django_db
def test_a_result_for_another_activity_is_refused(client, h5p_lesson, activity):
    body = {"activity": str(uuid.uuid4()), "statement": statement(activity)}
    assert post(client, h5p_lesson, activity, body).status_code == 400
    assert nothing_recorded()


@pytest.mark.django_db
def test_a_lesson_without_that_activity_is_refused(client, lesson, h5p_lesson, activity):
    response = post(client, lesson, activity)  # a catalogue lesson: no H5P block
    assert response.status_code == 404 and response.json()["message"]
    response = post(client, h5p_lesson, activity, block_id="no-such-block")
    assert response.status_code == 404
    response = post(client, h5p_lesson, activity, block_id=h5p_lesson.body[0].id)  # a text block
    assert response.status_code == 404
    assert nothing_recorded()


@pytest.mark.django_db
def test_an_unpublished_lesson_is_refused(client, h5p_lesson, activity):
    h5p_lesson.unpublish()
    assert post(client, h5p_lesson, activity).status_code == 404
    assert nothing_recorded()


@pytest.mark.django_db
def test_a_lesson_of_another_site_is_refused(client, h5p_lesson, activity):
    from wagtail.models import Page, Site

    other_root = Page.get_first_root_node().add_child(instance=Page(title="Annan", slug="annan"))
    Site.objects.create(hostname="annan.localhost", root_page=other_root)
    response = post(client, h5p_lesson, activity, HTTP_HOST="annan.localhost")
    assert response.status_code == 404
    assert nothing_recorded()


@pytest.mark.django_db
def test_child_statements_do_not_count(client, h5p_lesson, activity):
    parent = {"id": f"http://{CONTENT_HOST}/h5p/play/{activity.uuid}/"}
    child = statement(activity, context={"contextActivities": {"parent": [parent]}})
    response = post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": child}
    )
    assert response.status_code == 200 and response.json()["recorded"] is False
    sub = statement(activity)
    sub["object"]["id"] += "?subContentId=1234"
    response = post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": sub}
    )
    assert response.status_code == 200 and response.json()["recorded"] is False
    assert nothing_recorded()


@pytest.mark.django_db
def test_a_too_large_statement_is_refused(client, h5p_lesson, activity):
    st = statement(activity, description="x" * 20_000)
    response = post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": st}
    )
    assert response.status_code == 413 and response.json()["message"]
    assert nothing_recorded()


@pytest.mark.django_db
def test_csrf_is_required(h5p_lesson, activity):
    client = Client(enforce_csrf_checks=True)
    client.get(h5p_lesson.url)
    assert post(client, h5p_lesson, activity).status_code == 403
    assert nothing_recorded()


@pytest.mark.django_db
def test_posts_from_the_content_origin_are_refused(client, h5p_lesson, activity):
    response = post(client, h5p_lesson, activity, HTTP_ORIGIN=f"http://{CONTENT_HOST}")
    assert response.status_code == 403
    response = post(client, h5p_lesson, activity, HTTP_SEC_FETCH_SITE="same-site")
    assert response.status_code == 403
    response = post(client, h5p_lesson, activity, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert nothing_recorded()


@pytest.mark.django_db
def test_a_learner_named_in_the_post_is_ignored(client, h5p_lesson, activity):
    from learning.models import Learner

    victim = Learner.objects.create()
    body = {"activity": str(activity.uuid), "statement": statement(activity), "learner": victim.pk}
    assert post(client, h5p_lesson, activity, body).status_code == 200
    assert not QuizSubmission.objects.filter(learner=victim).exists()
    assert QuizSubmission.objects.get().learner_id != victim.pk


@pytest.mark.django_db
def test_a_failed_attempt_does_not_complete_the_lesson(client, h5p_lesson, activity):
    body = {"activity": str(activity.uuid), "statement": statement(activity, 0, 1)}
    data = post(client, h5p_lesson, activity, body).json()
    assert data["recorded"] and not data["passed"]
    progress = LessonProgress.objects.get()
    assert progress.completed_at is None and progress.max_score == 1
    assert not QuestionResponse.objects.get().correct

    # An explicit "failed" verb never passes, whatever the score says.
    failed = statement(activity, 1, 1, verb="failed")
    post(client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": failed})
    assert LessonProgress.objects.get().completed_at is None
    success_false = statement(activity, 1, 1, verb="completed")
    success_false["result"]["success"] = False
    post(
        client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": success_false}
    )
    assert LessonProgress.objects.get().completed_at is None

    passing = statement(activity, 1, 1, verb="completed")
    post(client, h5p_lesson, activity, {"activity": str(activity.uuid), "statement": passing})
    progress = LessonProgress.objects.get()
    assert progress.completed_at is not None and progress.best_score == 1
    assert QuizSubmission.objects.count() == 4


@pytest.mark.django_db
def test_the_pass_mark_is_the_blocks(client, course, activity):
    from tests.factories import make_lesson

    lesson = make_lesson(course, slug="strang", body=[h5p_block(activity, "h5p-9", 80)])
    body = {"activity": str(activity.uuid), "statement": statement(activity, 7, 10)}
    assert post(client, lesson, activity, body, block_id="h5p-9").json()["passed"] is False
    body = {"activity": str(activity.uuid), "statement": statement(activity, 8, 10)}
    assert post(client, lesson, activity, body, block_id="h5p-9").json()["passed"] is True
    assert LessonProgress.objects.get().completed_at is not None


@pytest.mark.django_db
def test_quizzes_and_h5p_both_count(client, course, activity):
    from tests.factories import make_lesson, quiz_body, right_answers

    lesson = make_lesson(course, slug="blandad", body=quiz_body() + [h5p_block(activity)])
    post(client, lesson, activity)
    assert LessonProgress.objects.get().completed_at is None  # the quiz is still unanswered
    quiz_id, data = right_answers(lesson)
    data["submission_key"] = str(uuid.uuid4())
    client.post(f"/lektion/{lesson.id}/quiz/{quiz_id}/", data)
    progress = LessonProgress.objects.get()
    assert progress.completed_at is not None
    assert progress.max_score == 3 + 1


@pytest.mark.django_db
def test_the_done_button_is_refused_for_h5p_lessons(client, h5p_lesson):
    assert client.post(f"/lektion/{h5p_lesson.id}/klar/").status_code == 400
    assert nothing_recorded()


@pytest.mark.django_db
def test_fractional_scores_become_percentages(client, h5p_lesson, activity):
    body = {"activity": str(activity.uuid), "statement": statement(activity, 2.5, 4)}
    data = post(client, h5p_lesson, activity, body).json()
    assert (data["score"], data["max"]) == (62, 100)


@pytest.mark.django_db
def test_results_are_kept_when_the_learner_logs_in(
    client, h5p_lesson, activity, django_user_model
):
    post(client, h5p_lesson, activity)
    user = django_user_model.objects.create_user("lena", "lena@example.org", "pw")
    from learning.services import SESSION_KEY, claim_learner

    claim_learner(client.session[SESSION_KEY], user)
    assert QuizSubmission.objects.get().learner.user == user

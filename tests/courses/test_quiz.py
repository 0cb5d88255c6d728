"""Grading is decided on the server; tampered submissions change nothing."""

import uuid

import pytest
from django.urls import reverse

from courses.models import CoursePage
from courses.services import InvalidSubmission, grade_submission
from tests.factories import make_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_lesson(catalogue):
    return make_lesson(CoursePage.objects.get(slug="grunder"))


def KEY() -> dict:  # noqa: N802 - reads like the form field it stands for
    return {"submission_key": str(uuid.uuid4())}


def answer_url(lesson, quiz_id="quiz-1"):
    return reverse("answer_quiz", kwargs={"page_id": lesson.id, "quiz_id": quiz_id})


class TestGradeSubmission:
    def test_all_right(self, quiz_lesson):
        result = grade_submission(
            quiz_lesson,
            "quiz-1",
            {"q-single-1": ["s-right"], "q-multi-1": ["m-a", "m-b"], "q-tf-1": ["false"]},
        )
        assert (result.score, result.max_score, result.percent) == (3, 3, 100)

    def test_multiple_choice_needs_exactly_the_correct_set(self, quiz_lesson):
        partial = grade_submission(quiz_lesson, "quiz-1", {"q-multi-1": ["m-a"]})
        extra = grade_submission(quiz_lesson, "quiz-1", {"q-multi-1": ["m-a", "m-b", "m-c"]})
        assert not partial.for_question("multi-1").correct
        assert not extra.for_question("multi-1").correct

    def test_unanswered_questions_count_as_wrong(self, quiz_lesson):
        result = grade_submission(quiz_lesson, "quiz-1", {"q-tf-1": ["true"]})
        assert result.score == 0
        assert not result.for_question("single-1").answered

    @pytest.mark.parametrize(
        "data",
        [
            {"q-nope": ["s-right"]},
            {"q-single-1": ["does-not-exist"]},
            {"q-single-1": ["s-right", "s-wrong"]},
            {"q-tf-1": ["true", "false"]},
        ],
    )
    def test_refuses_what_no_honest_form_sends(self, quiz_lesson, data):
        with pytest.raises(InvalidSubmission):
            grade_submission(quiz_lesson, "quiz-1", data)

    def test_unknown_quiz(self, quiz_lesson):
        with pytest.raises(InvalidSubmission):
            grade_submission(quiz_lesson, "other-quiz", {})


class TestAnswerView:
    def test_plain_post_renders_the_lesson_with_feedback(self, client, quiz_lesson):
        response = client.post(
            answer_url(quiz_lesson),
            {**KEY(), "q-single-1": "s-wrong", "q-multi-1": ["m-a", "m-b"], "q-tf-1": "false"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "Du fick 2 av 3 rätt." in html
        assert "FEEDBACK-WRONG" in html  # the chosen wrong answer explains itself
        assert "FEEDBACK-RIGHT" in html  # and the right one is shown too
        assert "EXPLANATION-SINGLE" in html
        assert "<h1>Testlektion</h1>" in html

    def test_script_gets_only_the_graded_quiz(self, client, quiz_lesson):
        response = client.post(
            answer_url(quiz_lesson),
            {**KEY(), "q-single-1": "s-right"},
            headers={"X-Requested-With": "klartankt-quiz"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<section class="block-quiz"')
        assert "<h1>" not in html
        assert "Du fick 1 av 3 rätt." in html

    def test_answer_key_not_in_page_before_answering(self, client, quiz_lesson):
        html = client.get(quiz_lesson.url).content.decode()
        assert 'name="q-single-1"' in html
        for secret in ("FEEDBACK-RIGHT", "FEEDBACK-WRONG", "FB-A", "FB-TRUE", "EXPLANATION"):
            assert secret not in html
        assert "correct" not in html.lower().replace("is-correct", "")

    @pytest.mark.parametrize(
        "data, message",
        [
            ({"q-unknown": "s-right"}, "en fråga som inte finns"),
            ({"q-single-1": "forged-choice"}, "svarsalternativ"),
            ({"q-single-1": ["s-right", "s-wrong"]}, "ett svar"),
        ],
    )
    def test_tampered_posts_get_400_in_swedish(self, client, quiz_lesson, data, message):
        response = client.post(answer_url(quiz_lesson), {**KEY(), **data})
        assert response.status_code == 400
        assert "Svaret kunde inte tas emot" in response.content.decode()
        assert message in response.content.decode()

    def test_tampered_post_from_script_gets_plain_message(self, client, quiz_lesson):
        response = client.post(
            answer_url(quiz_lesson),
            {**KEY(), "q-unknown": "x"},
            headers={"X-Requested-With": "klartankt-quiz"},
        )
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")

    def test_oversized_body_is_refused_before_reading(self, client, quiz_lesson):
        response = client.post(answer_url(quiz_lesson), {**KEY(), "q-single-1": "x" * 20_000})
        assert response.status_code == 400
        assert "för stort" in response.content.decode()

    def test_missing_csrf_token_is_403_in_swedish(self, quiz_lesson):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(
            answer_url(quiz_lesson), {**KEY(), "q-single-1": "s-right"}
        )
        assert response.status_code == 403
        assert "Formuläret kunde inte skickas" in response.content.decode()

    def test_get_is_not_allowed(self, client, quiz_lesson):
        assert client.get(answer_url(quiz_lesson)).status_code == 405

    def test_unknown_or_unpublished_lesson_is_404(self, client, quiz_lesson):
        assert client.post(answer_url(quiz_lesson, "nope")).status_code == 400
        quiz_lesson.unpublish()
        assert (
            client.post(answer_url(quiz_lesson), {**KEY(), "q-single-1": "s-right"}).status_code
            == 404
        )
        url = reverse("answer_quiz", kwargs={"page_id": 999999, "quiz_id": "quiz-1"})
        assert client.post(url).status_code == 404


def test_api_never_publishes_answer_keys(client, quiz_lesson):
    response = client.get(f"/api/v2/pages/{quiz_lesson.id}/")
    assert response.status_code == 200
    body = response.json()["body"]
    quiz = next(block for block in body if block["type"] == "quiz")
    question = quiz["value"]["questions"][0]
    assert question["id"] == "single-1"
    assert question["choices"] == [
        {"id": "s-right", "text": "Rätt svar"},
        {"id": "s-wrong", "text": "Fel svar"},
    ]
    text = response.content.decode()
    for secret in ("FEEDBACK", "FB-", "EXPLANATION", '"correct"', '"answer"'):
        assert secret not in text

"""Building page content and admin form data for tests."""

from __future__ import annotations

import uuid

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import LessonPage
from courses.services import grade_submission

__all__ = [
    "listblock",
    "nested_form_data",
    "rich_text",
    "streamfield",
    "quiz_body",
    "right_answers",
    "wrong_answers",
    "submit",
]


def listblock(items: list) -> dict:
    """ListBlock form data: like `streamfield` without block types."""
    data = {
        str(index): {"value": value, "deleted": "", "order": str(index), "id": str(uuid.uuid4())}
        for index, value in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def choice(text: str, correct: bool, feedback: str) -> dict:
    return {
        "type": "item",
        "id": str(uuid.uuid4()),
        "value": {"text": text, "correct": correct, "feedback": feedback},
    }


def quiz_body() -> list[dict]:
    """A lesson body (raw StreamField JSON) with one quiz of three question types."""
    return [
        {"type": "text", "id": str(uuid.uuid4()), "value": "<h2>Rubrik</h2><p>Text.</p>"},
        {
            "type": "quiz",
            "id": "quiz-1",
            "value": {
                "title": "Testa dig själv",
                "intro": "",
                "questions": [
                    {
                        "type": "single_choice",
                        "id": "single-1",
                        "value": {
                            "question": "Vilken är rätt?",
                            "choices": [
                                {**choice("Rätt svar", True, "FEEDBACK-RIGHT"), "id": "s-right"},
                                {**choice("Fel svar", False, "FEEDBACK-WRONG"), "id": "s-wrong"},
                            ],
                            "explanation": "EXPLANATION-SINGLE",
                        },
                    },
                    {
                        "type": "multiple_choice",
                        "id": "multi-1",
                        "value": {
                            "question": "Vilka stämmer?",
                            "choices": [
                                {**choice("A", True, "FB-A"), "id": "m-a"},
                                {**choice("B", True, "FB-B"), "id": "m-b"},
                                {**choice("C", False, "FB-C"), "id": "m-c"},
                            ],
                            "explanation": "EXPLANATION-MULTI",
                        },
                    },
                    {
                        "type": "true_false",
                        "id": "tf-1",
                        "value": {
                            "statement": "Påståendet",
                            "answer": False,
                            "feedback_true": "FB-TRUE",
                            "feedback_false": "FB-FALSE",
                            "explanation": "EXPLANATION-TF",
                        },
                    },
                ],
            },
        },
    ]


def make_lesson(course, slug: str = "testlektion", body: list | None = None):
    from courses.models import LessonPage

    lesson = course.add_child(
        instance=LessonPage(
            title="Testlektion", slug=slug, body=body if body is not None else quiz_body()
        )
    )
    lesson.save_revision().publish()
    return lesson


def right_answers(lesson: LessonPage) -> tuple[str, dict]:
    """The quiz id of a lesson and POST-style data that answers every question right."""
    quiz = next(block for block in lesson.body if block.block_type == "quiz")
    data = {}
    for question in quiz.value["questions"]:
        data[f"q-{question.id}"] = [c.id for c in question.value.options() if c.correct]
    return str(quiz.id), data


def wrong_answers(lesson: LessonPage) -> tuple[str, dict]:
    quiz = next(block for block in lesson.body if block.block_type == "quiz")
    data = {}
    for question in quiz.value["questions"]:
        wrong = [c.id for c in question.value.options() if not c.correct]
        data[f"q-{question.id}"] = wrong[:1]
    return str(quiz.id), data


def submit(learner, lesson, data_fn=right_answers, key=None, site=None):
    from learning.services import record_quiz_submission

    quiz_id, data = data_fn(lesson)
    result = grade_submission(lesson, quiz_id, data)
    answers = {k.removeprefix("q-"): frozenset(v) for k, v in data.items()}
    return record_quiz_submission(learner, lesson, result, answers, key or uuid.uuid4(), site)

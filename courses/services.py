"""Domain rules for lessons: finding a quiz, reading a learner's answers and
grading them. Correctness is decided here, on the server, and nowhere else.

`grade_submission` is pure: it reads the lesson and returns a `QuizResult`.
Learner records (another app) persist the result; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import LessonPage
from .quiz_blocks import QuizChoice

FIELD_PREFIX = "q-"
MAX_SUBMISSION_BYTES = 16 * 1024


class InvalidSubmission(Exception):
    """A quiz POST that no honest form produces. The message is shown to the learner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    question_type: str
    prompt: str
    chosen_ids: frozenset[str]
    correct: bool
    answered: bool
    choices: list[QuizChoice]
    explanation: str

    def chosen_choices(self) -> list[QuizChoice]:
        return [c for c in self.choices if c.id in self.chosen_ids]


@dataclass(frozen=True)
class QuizResult:
    lesson_id: int
    quiz_id: str
    questions: list[QuestionResult] = field(default_factory=list)
    earlier: bool = False  # graded from stored answers, not this request's

    @property
    def score(self) -> int:
        return sum(1 for q in self.questions if q.correct)

    @property
    def max_score(self) -> int:
        return len(self.questions)

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0

    def for_question(self, question_id: str) -> QuestionResult | None:
        return next((q for q in self.questions if q.question_id == question_id), None)


def find_quiz(lesson: LessonPage, quiz_id: str):
    """The quiz block with this block id in the lesson body, or None."""
    for child in lesson.body:
        if child.block_type == "quiz" and str(child.id) == quiz_id:
            return child
    return None


def parse_answers(quiz, data: Mapping[str, list[str]]) -> dict[str, frozenset[str]]:
    """Map question id → chosen choice ids from POST data (`q-<question id>` fields).

    Refuses what no honest form sends: unknown questions or choices, or more
    than one answer to a single-answer question. Other fields (csrf) are ignored.
    """
    questions = {str(child.id): child for child in quiz.value["questions"]}
    answers: dict[str, frozenset[str]] = {}
    for key, values in data.items():
        if not key.startswith(FIELD_PREFIX):
            continue
        question = questions.get(key.removeprefix(FIELD_PREFIX))
        if question is None:
            raise InvalidSubmission(_("The answer refers to a question that is not in this quiz."))
        valid_ids = {choice.id for choice in question.value.options()}
        chosen = frozenset(values)
        if not chosen <= valid_ids:
            raise InvalidSubmission(_("The answer refers to a choice that does not exist."))
        if question.block.input_type == "radio" and len(chosen) > 1:
            raise InvalidSubmission(_("Only one answer is allowed to this question."))
        answers[str(question.id)] = chosen
    return answers


def grade_quiz(lesson: LessonPage, quiz, answers: Mapping[str, frozenset[str]]) -> QuizResult:
    """Grade every question of the quiz; unanswered questions count as wrong."""
    results = []
    for child in quiz.value["questions"]:
        choices = child.value.options()
        chosen = answers.get(str(child.id), frozenset())
        correct_ids = {choice.id for choice in choices if choice.correct}
        results.append(
            QuestionResult(
                question_id=str(child.id),
                question_type=child.block_type,
                prompt=child.value.prompt(),
                chosen_ids=chosen,
                correct=bool(chosen) and chosen == correct_ids,
                answered=bool(chosen),
                choices=choices,
                explanation=child.value["explanation"],
            )
        )
    return QuizResult(lesson_id=lesson.id, quiz_id=str(quiz.id), questions=results)


def grade_submission(
    lesson: LessonPage, quiz_id: str, data: Mapping[str, list[str]]
) -> QuizResult:
    """Find the quiz, validate the submitted answers and grade them."""
    quiz = find_quiz(lesson, quiz_id)
    if quiz is None:
        raise InvalidSubmission(_("This quiz does not exist in the lesson."))
    return grade_quiz(lesson, quiz, parse_answers(quiz, data))

"""Adds the learner's progress to course and lesson pages (registered in apps.py)."""

from __future__ import annotations

from dataclasses import replace

from courses.models import CoursePage, LessonPage
from courses.services import find_quiz, grade_quiz

from .models import LessonProgress, QuizSubmission
from .services import canonical_page_id, course_status, current_learner

RETRY_PARAMETER = "svara-igen"


def add_learner_progress(page, request, context: dict) -> None:
    learner = current_learner(request)
    context["learner"] = learner
    if learner is None:
        return
    if isinstance(page, LessonPage):
        _lesson_context(page, request, learner, context)
    elif isinstance(page, CoursePage):
        _course_context(page, learner, context)


def _lesson_context(lesson: LessonPage, request, learner, context: dict) -> None:
    lesson_id = canonical_page_id(lesson)
    context["lesson_progress"] = LessonProgress.objects.filter(
        learner=learner, lesson_id=lesson_id
    ).first()
    if RETRY_PARAMETER in request.GET:
        return
    results = context.setdefault("quiz_results", {})
    latest = {}
    for submission in (
        QuizSubmission.objects.filter(learner=learner, lesson_id=lesson_id)
        .prefetch_related("responses")
        .order_by("attempt")
    ):
        latest[submission.quiz_id] = submission
    for quiz_id, submission in latest.items():
        quiz = find_quiz(lesson, quiz_id)
        if quiz is None or quiz_id in results:
            continue  # the quiz was removed from the lesson, or was just answered
        answers = {r.question_id: frozenset(r.choice_ids) for r in submission.responses.all()}
        results[quiz_id] = replace(grade_quiz(lesson, quiz, answers), earlier=True)


def _course_context(course: CoursePage, learner, context: dict) -> None:
    lessons = context.get("lessons", [])
    ids = {lesson.id: canonical_page_id(lesson) for lesson in lessons}
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(learner=learner, lesson_id__in=ids.values())
    }
    context["lesson_status"] = {
        page_id: ("done" if progress[canonical].completed_at else "started")
        for page_id, canonical in ids.items()
        if canonical in progress
    }
    context["course_status"] = course_status(learner, course)

"""Domain rules for learner records: who the learner is, recording answers,
progress and completion, claiming anonymous records, export and deletion.

Writes are short transactions that lock the learner row first, so two tabs,
a double click or a burst of answers for one learner queue up instead of
racing (on SQLite the IMMEDIATE transaction takes the write lock at BEGIN).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from courses.models import CoursePage, LessonPage
from courses.services import QuizResult
from h5p.blocks import BLOCK_TYPE as H5P_BLOCK_TYPE
from h5p.xapi import Result as H5PResult

from .models import CourseCompletion, Learner, LessonProgress, QuestionResponse, QuizSubmission

SESSION_KEY = "klartankt_learner"
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|preview|monitor|curl|wget|python-requests", re.IGNORECASE
)


class SubmissionConflict(Exception):
    """The same submission key arrived with different answers (a 409, not a retry)."""


# --- who is learning ------------------------------------------------------------


def is_probably_bot(request) -> bool:
    return bool(BOT_AGENTS.search(request.headers.get("User-Agent", "")))


def current_learner(request) -> Learner | None:
    """The learner for this request, if one exists. Never creates one."""
    if getattr(request, "_learner_cache", None) is not None:
        return request._learner_cache
    learner = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        learner = Learner.objects.filter(user=user).first()
    elif SESSION_KEY in request.session:
        learner = Learner.objects.filter(pk=request.session[SESSION_KEY], user=None).first()
    request._learner_cache = learner
    return learner


def learner_for_activity(request) -> Learner:
    """The learner to record an activity for, created at the first activity."""
    learner = current_learner(request)
    if learner is not None:
        return learner
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        learner, _ = Learner.objects.get_or_create(user=user)
    else:
        learner = Learner.objects.create()
        request.session[SESSION_KEY] = learner.pk
    request._learner_cache = learner
    return learner


# --- canonical content ----------------------------------------------------------


@lru_cache(maxsize=1)
def default_locale_id() -> int:
    return Locale.get_default().pk


def canonical_page_id(page: Page) -> int:
    """An alias's original, and a translation's source-language page."""
    page_id = page.alias_of_id or page.id
    if page.locale_id != default_locale_id():
        source = Page.objects.filter(
            translation_key=page.translation_key, locale_id=default_locale_id()
        ).values_list("id", flat=True)
        page_id = source.first() or page_id
    return page_id


def lesson_course(lesson: LessonPage) -> CoursePage:
    return CoursePage.objects.get(path=lesson.path[: -Page.steplen])


# --- recording --------------------------------------------------------------------


def answers_digest(answers: dict[str, frozenset[str]]) -> str:
    canonical = json.dumps({q: sorted(c) for q, c in sorted(answers.items())})
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class RecordedSubmission:
    submission: QuizSubmission
    created: bool


def _locked(learner: Learner) -> None:
    """Take the learner's row lock (serialises one learner's writes) and mark activity."""
    Learner.objects.select_for_update().filter(pk=learner.pk).update(last_active_at=timezone.now())


def record_quiz_submission(
    learner: Learner,
    lesson: LessonPage,
    result: QuizResult,
    answers: dict[str, frozenset[str]],
    key: uuid.UUID,
    site: Site | None,
) -> RecordedSubmission:
    """Store a graded submission once; a retry with the same key returns the first.

    Raises SubmissionConflict when the key was used for different answers.
    """
    digest = answers_digest(answers)
    lesson_id = canonical_page_id(lesson)
    with transaction.atomic():
        _locked(learner)
        existing = QuizSubmission.objects.filter(learner=learner, key=key).first()
        if existing is not None:
            if existing.answers_digest != digest or existing.lesson_id != lesson_id:
                raise SubmissionConflict
            return RecordedSubmission(existing, created=False)
        last = (
            QuizSubmission.objects.filter(
                learner=learner, lesson_id=lesson_id, quiz_id=result.quiz_id
            ).aggregate(n=Max("attempt"))["n"]
            or 0
        )
        submission = QuizSubmission.objects.create(
            learner=learner,
            key=key,
            lesson_id=lesson_id,
            quiz_id=result.quiz_id,
            attempt=last + 1,
            score=result.score,
            max_score=result.max_score,
            answers_digest=digest,
            site=site,
        )
        QuestionResponse.objects.bulk_create(
            [
                QuestionResponse(
                    submission=submission,
                    question_id=q.question_id,
                    choice_ids=sorted(q.chosen_ids),
                    correct=q.correct,
                )
                for q in result.questions
            ]
        )
        progress = _update_lesson_progress(learner, lesson, lesson_id, site)
    if progress.course_may_change:
        _update_course_completion(learner, lesson, site)
    return RecordedSubmission(submission, created=True)


def record_h5p_result(
    learner: Learner,
    lesson: LessonPage,
    block_id: str,
    result: H5PResult,
    pass_percent: int,
    site: Site | None,
) -> RecordedSubmission:
    """Store a top-level H5P result once, keyed by its xAPI statement id.

    It is an attempt at the H5P block like a quiz submission (score and max
    count in progress), with one response row whose ``correct`` says whether it
    passed (see ``h5p.xapi.Result.passes``). Scores are self-reported by the
    player in the learner's browser. A replay of the same statement returns the
    first; the same id with another result raises SubmissionConflict.
    """
    canonical = json.dumps({"h5p": block_id, **result.digest_source}, sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    lesson_id = canonical_page_id(lesson)
    with transaction.atomic():
        _locked(learner)
        existing = QuizSubmission.objects.filter(learner=learner, key=result.statement_id).first()
        if existing is not None:
            if existing.answers_digest != digest or existing.lesson_id != lesson_id:
                raise SubmissionConflict
            return RecordedSubmission(existing, created=False)
        last = (
            QuizSubmission.objects.filter(
                learner=learner, lesson_id=lesson_id, quiz_id=block_id
            ).aggregate(n=Max("attempt"))["n"]
            or 0
        )
        submission = QuizSubmission.objects.create(
            learner=learner,
            key=result.statement_id,
            lesson_id=lesson_id,
            quiz_id=block_id,
            attempt=last + 1,
            score=result.raw,
            max_score=result.max,
            answers_digest=digest,
            site=site,
        )
        QuestionResponse.objects.create(
            submission=submission,
            question_id=block_id,
            choice_ids=[result.verb],
            correct=result.passes(pass_percent),
        )
        progress = _update_lesson_progress(learner, lesson, lesson_id, site)
    if progress.course_may_change:
        _update_course_completion(learner, lesson, site)
    return RecordedSubmission(submission, created=True)


def mark_lesson_done(learner: Learner, lesson: LessonPage, site: Site | None) -> LessonProgress:
    """For lessons without a quiz: the learner says they are done."""
    lesson_id = canonical_page_id(lesson)
    with transaction.atomic():
        _locked(learner)
        progress = _update_lesson_progress(learner, lesson, lesson_id, site, done=True)
    if progress.course_may_change:
        _update_course_completion(learner, lesson, site)
    return progress


def _quiz_ids(lesson: LessonPage) -> list[str]:
    return [str(block.id) for block in lesson.body if block.block_type == "quiz"]


def _h5p_ids(lesson: LessonPage) -> list[str]:
    return [str(block.id) for block in lesson.body if block.block_type == H5P_BLOCK_TYPE]


def has_graded_items(lesson: LessonPage) -> bool:
    """Quizzes or H5P activities: the lesson is finished by their results."""
    return bool(_quiz_ids(lesson) or _h5p_ids(lesson))


def _update_lesson_progress(
    learner: Learner, lesson: LessonPage, lesson_id: int, site: Site | None, done: bool = False
) -> LessonProgress:
    now = timezone.now()
    course = lesson_course(lesson)
    progress, created = LessonProgress.objects.get_or_create(
        learner=learner,
        lesson_id=lesson_id,
        defaults={
            "course_id": canonical_page_id(course),
            "site": site,
            "lesson_title": lesson.title,
            "started_at": now,
        },
    )
    before = (progress.completed_at, progress.best_score)
    # A lesson is complete when every quiz has a submission and every H5P
    # activity a passing result (a failed H5P attempt counts in the score only).
    quiz_ids = _quiz_ids(lesson)
    h5p_ids = _h5p_ids(lesson)
    graded = quiz_ids + h5p_ids
    best = list(
        QuizSubmission.objects.filter(learner=learner, lesson_id=lesson_id, quiz_id__in=graded)
        .values("quiz_id")
        .annotate(best=Max("score"), max=Max("max_score"))
    )
    progress.best_score = sum(row["best"] for row in best)
    progress.max_score = sum(row["max"] for row in best)
    answered = {row["quiz_id"] for row in best}
    passed_h5p = (
        set(
            QuestionResponse.objects.filter(
                submission__learner=learner,
                submission__lesson_id=lesson_id,
                submission__quiz_id__in=h5p_ids,
                correct=True,
            ).values_list("submission__quiz_id", flat=True)
        )
        if h5p_ids
        else set()
    )
    answered_all = (
        bool(graded)
        and all(quiz_id in answered for quiz_id in quiz_ids)
        and all(block_id in passed_h5p for block_id in h5p_ids)
    )
    if progress.completed_at is None and (answered_all or (done and not graded)):
        progress.completed_at = now
    progress.lesson_title = lesson.title
    progress.save()
    # The course can only have become complete if this lesson did, or scored better.
    progress.course_may_change = created or (progress.completed_at, progress.best_score) != before
    return progress


def course_status(learner: Learner, course: CoursePage) -> dict:
    """Lessons completed, score over the course's quizzes, and whether it passes."""
    lessons = list(course.lessons())
    ids = [canonical_page_id(lesson) for lesson in lessons]
    rows = {
        p.lesson_id: p for p in LessonProgress.objects.filter(learner=learner, lesson_id__in=ids)
    }
    completed = sum(1 for i in ids if rows.get(i) and rows[i].completed_at)
    best = sum(rows[i].best_score for i in ids if i in rows)
    maximum = sum(rows[i].max_score for i in ids if i in rows)
    percent = round(100 * best / maximum) if maximum else 100
    return {
        "lessons": len(ids),
        "completed": completed,
        "percent": percent,
        "passed": bool(ids) and completed == len(ids) and percent >= course.pass_mark,
    }


def _update_course_completion(
    learner: Learner, lesson: LessonPage, site: Site | None
) -> CourseCompletion | None:
    course = lesson_course(lesson)
    status = course_status(learner, course)
    if not status["passed"]:
        return None
    edition = site.site_name if site else ""
    try:
        with transaction.atomic():
            completion, _ = CourseCompletion.objects.get_or_create(
                learner=learner,
                course_id=canonical_page_id(course),
                defaults={
                    "course_title": course.title,
                    "site": site,
                    "edition_name": edition,
                    "score_percent": status["percent"],
                    "completed_at": timezone.now(),
                },
            )
    except IntegrityError:  # a parallel request completed it first
        completion = CourseCompletion.objects.get(
            learner=learner, course_id=canonical_page_id(course)
        )
    return completion


# --- claiming ---------------------------------------------------------------------


def claim_learner(anonymous_id: int | None, user) -> Learner | None:
    """Merge a session's anonymous learner into the user's learner, exactly once.

    Keeps every submission (attempts renumbered in time order), the earliest
    start, the earliest completion and the best score.
    """
    if anonymous_id is None:
        return Learner.objects.filter(user=user).first()
    with transaction.atomic():
        anonymous = Learner.objects.select_for_update().filter(pk=anonymous_id, user=None).first()
        if anonymous is None:
            return Learner.objects.filter(user=user).first()
        target = Learner.objects.select_for_update().filter(user=user).first()
        if target is None:  # nothing to merge into: the anonymous learner becomes the user's
            anonymous.user = user
            anonymous.save(update_fields=["user", "last_active_at"])
            return anonymous
        _merge_submissions(anonymous, target)
        _merge_progress(anonymous, target)
        _merge_completions(anonymous, target)
        if anonymous.display_name and not target.display_name:
            target.display_name = anonymous.display_name
            target.save(update_fields=["display_name", "last_active_at"])
        anonymous.delete()
        return target


RENUMBER_OFFSET = 1_000_000


def _merge_submissions(source: Learner, target: Learner) -> None:
    """Move every submission to the target and renumber attempts in time order."""
    moved = QuizSubmission.objects.filter(learner=source)
    # Keys are per learner; one form submitted from both identities is kept once.
    target_keys = QuizSubmission.objects.filter(learner=target).values_list("key", flat=True)
    moved.filter(key__in=list(target_keys)).delete()
    quizzes = set(moved.values_list("lesson_id", "quiz_id"))
    moved.update(learner=target, attempt=F("attempt") + RENUMBER_OFFSET)
    for lesson_id, quiz_id in quizzes:
        ordered = list(
            QuizSubmission.objects.filter(
                learner=target, lesson_id=lesson_id, quiz_id=quiz_id
            ).order_by("created_at", "pk")
        )
        for submission in ordered:  # park out of the way of the unique constraint
            submission.attempt += 2 * RENUMBER_OFFSET
            submission.save(update_fields=["attempt"])
        for number, submission in enumerate(ordered, start=1):
            submission.attempt = number
            submission.save(update_fields=["attempt"])


def _merge_progress(source: Learner, target: Learner) -> None:
    for row in LessonProgress.objects.filter(learner=source):
        mine = LessonProgress.objects.filter(learner=target, lesson_id=row.lesson_id).first()
        if mine is None:
            row.learner = target
            row.save(update_fields=["learner"])
            continue
        mine.started_at = min(mine.started_at, row.started_at)
        done = [d for d in (mine.completed_at, row.completed_at) if d]
        mine.completed_at = min(done) if done else None
        if row.best_score > mine.best_score:
            mine.best_score, mine.max_score = row.best_score, row.max_score
        mine.save()
        row.delete()


def _merge_completions(source: Learner, target: Learner) -> None:
    for row in CourseCompletion.objects.filter(learner=source):
        mine = CourseCompletion.objects.filter(learner=target, course_id=row.course_id).first()
        if mine is None:
            row.learner = target
            row.save(update_fields=["learner"])
        elif row.completed_at < mine.completed_at:
            # Keep the earlier certificate; its code may already have been shared.
            mine.delete()
            row.learner = target
            row.save(update_fields=["learner"])
        else:
            row.delete()


# --- the learner's own view and data ----------------------------------------------------


def learner_summary(learner: Learner) -> dict:
    """Per-course progress for "Mina kurser", tolerant of deleted pages."""
    progress = list(LessonProgress.objects.filter(learner=learner).order_by("-updated_at"))
    course_ids = list(dict.fromkeys(p.course_id for p in progress))
    courses = {c.id: c for c in CoursePage.objects.filter(id__in=course_ids)}
    completions = {c.course_id: c for c in CourseCompletion.objects.filter(learner=learner)}
    rows = []
    for course_id in course_ids:
        course = courses.get(course_id)
        mine = [p for p in progress if p.course_id == course_id]
        rows.append(
            {
                "course": course,
                "title": course.title
                if course
                else (
                    completions.get(course_id).course_title
                    if course_id in completions
                    else mine[0].lesson_title
                ),
                "status": course_status(learner, course) if course else None,
                "completion": completions.get(course_id),
                "last_lesson_id": mine[0].lesson_id,
            }
        )
    return {
        "courses": rows,
        "in_progress": [r for r in rows if not r["completion"]],
        "completed": [r for r in rows if r["completion"]],
    }


def export_learner_data(user) -> dict:
    """Everything we hold about a user (GDPR art. 15), as JSON-ready data."""
    learner = Learner.objects.filter(user=user).first()
    data = {
        "account": {
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "learner": None,
    }
    if learner is None:
        return data
    data["learner"] = {
        "display_name": learner.display_name,
        "created_at": learner.created_at.isoformat(),
        "lessons": list(
            LessonProgress.objects.filter(learner=learner).values(
                "lesson_id",
                "lesson_title",
                "course_id",
                "started_at",
                "completed_at",
                "best_score",
                "max_score",
            )
        ),
        "quiz_submissions": [
            {
                "lesson_id": s.lesson_id,
                "quiz_id": s.quiz_id,
                "attempt": s.attempt,
                "score": s.score,
                "max_score": s.max_score,
                "created_at": s.created_at,
                "responses": list(s.responses.values("question_id", "choice_ids", "correct")),
            }
            for s in QuizSubmission.objects.filter(learner=learner)
            .prefetch_related("responses")
            .order_by("created_at")
        ],
        "certificates": list(
            CourseCompletion.objects.filter(learner=learner).values(
                "course_id",
                "course_title",
                "edition_name",
                "score_percent",
                "completed_at",
                "code",
                "withdrawn_at",
            )
        ),
    }
    return json.loads(json.dumps(data, default=str))


def delete_account(user) -> None:
    """Erase the user and every record about them, at once (GDPR art. 17)."""
    with transaction.atomic():
        Learner.objects.filter(user=user).delete()
        user.delete()


def purge_anonymous_learners(days: int) -> int:
    """Delete anonymous learners inactive for `days` days; returns how many."""
    cutoff = timezone.now() - timedelta(days=days)
    stale = Learner.objects.filter(user=None, last_active_at__lt=cutoff)
    count = stale.count()
    stale.delete()
    return count

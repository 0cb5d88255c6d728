"""Learner records. Lessons and courses are referred to by the id of their
*canonical* page (an alias's original), not by foreign key: the same lesson in
two editions is one lesson, and a deleted page never breaks a learner's records.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CERTIFICATE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_certificate_code() -> str:
    """12 characters from a 32-letter alphabet: 60 bits from a CSPRNG."""
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(12))


class Learner(models.Model):
    """Someone who has done something worth recording: anonymous (bound to a
    session) or linked to a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learner",
    )
    display_name = models.CharField(_("name on certificates"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_active_at = models.DateTimeField(_("last active"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")

    def __str__(self) -> str:
        return f"Learner {self.pk}" + (" (account)" if self.user_id else " (anonymous)")

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


class LessonProgress(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="lessons")
    lesson_id = models.PositiveBigIntegerField(_("lesson (canonical page id)"))
    course_id = models.PositiveBigIntegerField(_("course (canonical page id)"))
    site = models.ForeignKey(
        "wagtailcore.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("edition"),
    )
    lesson_title = models.CharField(_("lesson title"), max_length=255)
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    best_score = models.PositiveIntegerField(_("best score"), default=0)
    max_score = models.PositiveIntegerField(_("max score"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson_id"], name="unique_progress_per_lesson"
            ),
        ]
        indexes = [models.Index(fields=["course_id", "learner"])]

    def __str__(self) -> str:
        return f"{self.learner_id}: {self.lesson_title}"


class QuizSubmission(models.Model):
    """One graded submission of a quiz form. `key` makes a retry idempotent."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="submissions")
    key = models.UUIDField(_("submission key"))
    lesson_id = models.PositiveBigIntegerField()
    quiz_id = models.CharField(max_length=64)
    attempt = models.PositiveIntegerField()
    score = models.PositiveIntegerField()
    max_score = models.PositiveIntegerField()
    answers_digest = models.CharField(max_length=64)
    site = models.ForeignKey(
        "wagtailcore.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quiz submission")
        constraints = [
            models.UniqueConstraint(fields=["learner", "key"], name="unique_submission_key"),
            models.UniqueConstraint(
                fields=["learner", "lesson_id", "quiz_id", "attempt"],
                name="unique_submission_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}: lesson {self.lesson_id} attempt {self.attempt}"


class QuestionResponse(models.Model):
    submission = models.ForeignKey(
        QuizSubmission, on_delete=models.CASCADE, related_name="responses"
    )
    question_id = models.CharField(max_length=64)
    choice_ids = models.JSONField(default=list)
    correct = models.BooleanField()

    class Meta:
        verbose_name = _("question response")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question_id"], name="unique_response_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.question_id}"


class CourseCompletion(models.Model):
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="completions")
    course_id = models.PositiveBigIntegerField(_("course (canonical page id)"))
    course_title = models.CharField(_("course title"), max_length=255)
    site = models.ForeignKey(
        "wagtailcore.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("edition"),
    )
    edition_name = models.CharField(_("edition name"), max_length=255, blank=True)
    score_percent = models.PositiveSmallIntegerField(_("score (%)"))
    completed_at = models.DateTimeField(_("completed"))
    code = models.CharField(
        _("certificate code"), max_length=16, unique=True, default=new_certificate_code
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("course completion")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course_id"], name="unique_completion_per_course"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_title} ({self.code})"

    @property
    def is_valid(self) -> bool:
        return self.withdrawn_at is None

"""Recording, progress, completion and claiming, called directly."""

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import (
    CourseCompletion,
    Learner,
    LessonProgress,
    QuestionResponse,
    QuizSubmission,
)
from learning.services import (
    SubmissionConflict,
    claim_learner,
    course_status,
    delete_account,
    export_learner_data,
    learner_summary,
)
from tests.factories import submit, wrong_answers

pytestmark = pytest.mark.django_db


def test_a_submission_records_responses_and_progress(lessons):
    learner = Learner.objects.create()
    recorded = submit(learner, lessons[0])
    assert recorded.created
    submission = recorded.submission
    assert submission.attempt == 1 and submission.score == submission.max_score
    assert QuestionResponse.objects.filter(submission=submission).count() == submission.max_score
    progress = LessonProgress.objects.get(learner=learner)
    assert progress.completed_at is not None
    assert (progress.best_score, progress.max_score) == (submission.score, submission.max_score)


def test_a_retry_with_the_same_key_is_one_row(lessons):
    learner = Learner.objects.create()
    key = uuid.uuid4()
    first = submit(learner, lessons[0], key=key)
    again = submit(learner, lessons[0], key=key)
    assert not again.created and again.submission.pk == first.submission.pk
    assert QuizSubmission.objects.filter(learner=learner).count() == 1


def test_the_same_key_with_other_answers_is_a_conflict(lessons):
    learner = Learner.objects.create()
    key = uuid.uuid4()
    submit(learner, lessons[0], key=key)
    with pytest.raises(SubmissionConflict):
        submit(learner, lessons[0], data_fn=wrong_answers, key=key)
    assert QuizSubmission.objects.filter(learner=learner).count() == 1


def test_attempts_count_up_and_the_best_score_stays(lessons):
    learner = Learner.objects.create()
    submit(learner, lessons[0])
    second = submit(learner, lessons[0], data_fn=wrong_answers)
    assert second.submission.attempt == 2 and second.submission.score < second.submission.max_score
    progress = LessonProgress.objects.get(learner=learner)
    assert progress.best_score == progress.max_score


def test_a_course_completes_when_every_lesson_passes(course, lessons):
    learner = Learner.objects.create()
    for lesson in lessons[:-1]:
        submit(learner, lesson)
        assert not CourseCompletion.objects.filter(learner=learner).exists()
    submit(learner, lessons[-1])
    completion = CourseCompletion.objects.get(learner=learner)
    assert completion.course_id == course.id and completion.score_percent == 100
    assert len(completion.code) == 12


def test_a_course_below_the_pass_mark_is_not_completed(course, lessons):
    learner = Learner.objects.create()
    for lesson in lessons:
        submit(learner, lesson, data_fn=wrong_answers)
    status = course_status(learner, course)
    assert status["completed"] == len(lessons) and not status["passed"]
    assert status["percent"] < course.pass_mark
    assert not CourseCompletion.objects.filter(learner=learner).exists()


class TestClaiming:
    def test_no_prior_learner_the_anonymous_one_becomes_the_users(
        self, lessons, django_user_model
    ):
        user = django_user_model.objects.create_user("u", "u@example.org", "pw")
        anonymous = Learner.objects.create()
        submit(anonymous, lessons[0])
        learner = claim_learner(anonymous.pk, user)
        assert learner.pk == anonymous.pk and learner.user == user

    def test_both_have_records_for_the_same_lesson(self, lessons, django_user_model):
        user = django_user_model.objects.create_user("u", "u@example.org", "pw")
        mine = Learner.objects.create(user=user)
        submit(mine, lessons[0], data_fn=wrong_answers)  # on the account: 1 attempt, low score
        LessonProgress.objects.filter(learner=mine).update(
            started_at=timezone.now() - timedelta(days=1)
        )
        anonymous = Learner.objects.create()
        submit(anonymous, lessons[0])  # anonymous: right answers
        submit(anonymous, lessons[1])
        responses = QuestionResponse.objects.count()

        learner = claim_learner(anonymous.pk, user)

        assert learner.pk == mine.pk and not Learner.objects.filter(pk=anonymous.pk).exists()
        attempts = sorted(
            QuizSubmission.objects.filter(learner=mine, lesson_id=lessons[0].id).values_list(
                "attempt", flat=True
            )
        )
        assert attempts == [1, 2]  # every answer kept, numbered in time order
        assert QuestionResponse.objects.count() == responses  # nothing lost or duplicated
        progress = LessonProgress.objects.get(learner=mine, lesson_id=lessons[0].id)
        assert progress.best_score == progress.max_score  # the best score
        assert progress.started_at < timezone.now() - timedelta(hours=23)  # the earliest start
        assert LessonProgress.objects.filter(learner=mine).count() == 2

    def test_logging_in_on_a_second_device_claims_once(self, lessons, django_user_model):
        user = django_user_model.objects.create_user("u", "u@example.org", "pw")
        first_device = Learner.objects.create()
        submit(first_device, lessons[0])
        claim_learner(first_device.pk, user)
        second_device = Learner.objects.create()
        submit(second_device, lessons[1])
        learner = claim_learner(second_device.pk, user)
        assert LessonProgress.objects.filter(learner=learner).count() == 2
        assert claim_learner(second_device.pk, user).pk == learner.pk  # again: nothing happens
        assert Learner.objects.count() == 1

    def test_an_earlier_certificate_is_kept(self, lessons, django_user_model):
        user = django_user_model.objects.create_user("u", "u@example.org", "pw")
        anonymous = Learner.objects.create()
        for lesson in lessons:
            submit(anonymous, lesson)
        code = CourseCompletion.objects.get(learner=anonymous).code
        mine = Learner.objects.create(user=user)
        for lesson in lessons:
            submit(mine, lesson)
        claim_learner(anonymous.pk, user)
        assert list(
            CourseCompletion.objects.filter(learner=mine).values_list("code", flat=True)
        ) == [code]


def test_export_and_delete(lessons, django_user_model):
    user = django_user_model.objects.create_user("u", "u@example.org", "pw")
    learner = Learner.objects.create(user=user, display_name="Ada")
    for lesson in lessons:
        submit(learner, lesson)
    data = export_learner_data(user)
    assert data["account"]["email"] == "u@example.org"
    assert data["learner"]["display_name"] == "Ada"
    assert len(data["learner"]["lessons"]) == len(lessons)
    assert data["learner"]["quiz_submissions"][0]["responses"]
    assert data["learner"]["certificates"][0]["code"]
    delete_account(user)
    assert not Learner.objects.exists() and not QuizSubmission.objects.exists()
    assert not CourseCompletion.objects.exists()
    assert not django_user_model.objects.filter(username="u").exists()


def test_a_deleted_lesson_does_not_break_the_summary(lessons):
    learner = Learner.objects.create()
    for lesson in lessons:
        submit(learner, lesson)
    lessons[0].get_parent().delete()  # the whole course goes
    summary = learner_summary(learner)
    assert summary["completed"][0]["title"] == "Vad är AI?"
    assert summary["completed"][0]["course"] is None


def test_purge_removes_only_old_anonymous_learners(lessons, django_user_model):
    old = Learner.objects.create()
    submit(old, lessons[0])
    Learner.objects.filter(pk=old.pk).update(last_active_at=timezone.now() - timedelta(days=200))
    recent = Learner.objects.create()
    user = django_user_model.objects.create_user("u", "u@example.org", "pw")
    account = Learner.objects.create(user=user)
    Learner.objects.filter(pk=account.pk).update(
        last_active_at=timezone.now() - timedelta(days=400)
    )
    call_command("purge_learners", "--anonymous-days", "180", stdout=open("/dev/null", "w"))
    assert set(Learner.objects.values_list("pk", flat=True)) == {recent.pk, account.pk}
    assert not QuizSubmission.objects.filter(learner_id=old.pk).exists()

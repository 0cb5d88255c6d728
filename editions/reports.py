"""Usage reports for an edition: aggregates only, small groups hidden.

Per course: learners who started, completed, completion rate and average score.
Per question: share answering right and the most common wrong choice, so that
editors can see where the teaching needs work. Any figure that describes fewer
than `MIN_GROUP` learners is withheld ("färre än 5").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Avg, Count
from django.utils import timezone
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from learning.models import CourseCompletion, LessonProgress, QuestionResponse

MIN_GROUP = 5


@dataclass
class CourseRow:
    course_id: int
    title: str
    started: int
    completed: int
    average_score: float | None

    @property
    def hidden(self) -> bool:
        return self.started < MIN_GROUP

    @property
    def completion_rate(self) -> int | None:
        if self.hidden or not self.started:
            return None
        return round(100 * self.completed / self.started)


@dataclass
class QuestionRow:
    course_title: str
    lesson_title: str
    question: str
    answered: int
    correct: int
    common_wrong: str = ""

    @property
    def hidden(self) -> bool:
        return self.answered < MIN_GROUP

    @property
    def share_correct(self) -> int | None:
        return None if self.hidden else round(100 * self.correct / self.answered)


@dataclass
class Report:
    title: str
    start: date | None
    end: date | None
    courses: list[CourseRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tz) if start else None,
        datetime.combine(end, time.max, tz) if end else None,
    )


def _in_range(queryset, field_name: str, start, end):
    low, high = _bounds(start, end)
    if low:
        queryset = queryset.filter(**{f"{field_name}__gte": low})
    if high:
        queryset = queryset.filter(**{f"{field_name}__lte": high})
    return queryset


def build_report(sites, title: str, start: date | None = None, end: date | None = None) -> Report:
    """The report over the records made on `sites` (None: every edition)."""
    progress = LessonProgress.objects.all()
    completions = CourseCompletion.objects.filter(withdrawn_at=None)
    responses = QuestionResponse.objects.all()
    if sites is not None:
        progress = progress.filter(site__in=sites)
        completions = completions.filter(site__in=sites)
        responses = responses.filter(submission__site__in=sites)
    progress = _in_range(progress, "started_at", start, end)
    completions = _in_range(completions, "completed_at", start, end)
    responses = _in_range(responses, "submission__created_at", start, end)
    report = Report(title, start, end)
    report.courses = _course_rows(progress, completions)
    report.questions = _question_rows(responses)
    return report


def _course_rows(progress, completions) -> list[CourseRow]:
    started = dict(progress.values_list("course_id").annotate(n=Count("learner", distinct=True)))
    done = {
        row["course_id"]: row
        for row in completions.values("course_id").annotate(
            n=Count("learner", distinct=True), avg=Avg("score_percent")
        )
    }
    titles = dict(Page.objects.filter(id__in=set(started) | set(done)).values_list("id", "title"))
    rows = []
    for course_id in sorted(set(started) | set(done), key=lambda i: titles.get(i, "")):
        finished = done.get(course_id, {})
        rows.append(
            CourseRow(
                course_id=course_id,
                title=titles.get(course_id, f"#{course_id}"),
                started=max(started.get(course_id, 0), finished.get("n", 0)),
                completed=finished.get("n", 0),
                average_score=round(finished["avg"]) if finished.get("avg") is not None else None,
            )
        )
    return rows


def _question_rows(responses) -> list[QuestionRow]:
    totals = responses.values("question_id", "submission__lesson_id").annotate(
        answered=Count("submission__learner", distinct=True)
    )
    rows_by_question: dict[str, dict] = {row["question_id"]: row for row in totals}
    if not rows_by_question:
        return []
    correct = dict(
        responses.filter(correct=True)
        .values_list("question_id")
        .annotate(n=Count("submission__learner", distinct=True))
    )
    wrong = defaultdict(Counter)
    for question_id, choice_ids in responses.filter(correct=False).values_list(
        "question_id", "choice_ids"
    ):
        for choice_id in choice_ids or []:
            wrong[question_id][choice_id] += 1
    texts = _question_texts({row["submission__lesson_id"] for row in totals})
    rows = []
    for question_id, row in rows_by_question.items():
        info = texts.get(question_id, {})
        common = wrong[question_id].most_common(1)
        rows.append(
            QuestionRow(
                course_title=info.get("course", ""),
                lesson_title=info.get("lesson", ""),
                question=info.get("text", question_id),
                answered=row["answered"],
                correct=correct.get(question_id, 0),
                common_wrong=info.get("choices", {}).get(common[0][0], "") if common else "",
            )
        )
    return sorted(rows, key=lambda r: (r.course_title, r.lesson_title, r.question))


def _question_texts(lesson_ids) -> dict[str, dict]:
    """question id → its text, choice texts, lesson and course title (from the live lessons)."""
    texts: dict[str, dict] = {}
    lessons = LessonPage.objects.filter(id__in=lesson_ids)
    courses = dict(
        CoursePage.objects.filter(
            path__in=[lesson.path[: -Page.steplen] for lesson in lessons]
        ).values_list("path", "title")
    )
    for lesson in lessons:
        course = courses.get(lesson.path[: -Page.steplen], "")
        for block in lesson.body:
            if block.block_type != "quiz":
                continue
            for question in block.value["questions"]:
                texts[str(question.id)] = {
                    "text": question.value.prompt(),
                    "lesson": lesson.title,
                    "course": course,
                    "choices": {c.id: c.text for c in question.value.options()},
                }
    return texts


def bar_chart(rows: list[CourseRow]) -> dict:
    """Geometry for an accessible SVG bar chart of completion rates (rendered by a template)."""
    bar_height, gap, label_width, width = 28, 12, 260, 640
    bars = []
    for index, row in enumerate(rows):
        rate = row.completion_rate
        bars.append(
            {
                "y": index * (bar_height + gap),
                "label": row.title,
                "width": 0 if rate is None else round((width - label_width - 60) * rate / 100),
                "value": rate,
                "hidden": rate is None,
            }
        )
    return {
        "bars": bars,
        "height": max(len(rows), 1) * (bar_height + gap),
        "bar_height": bar_height,
        "label_width": label_width,
        "width": width,
    }

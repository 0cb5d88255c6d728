"""Quality bars of the shipped national catalogue, checked on the loaded page tree.

The session fixture in tests/conftest.py loads content/. Lesson tests are
parametrised by course and lesson slug (from the course.yaml files), and every
failure names the course and lesson.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from courses.catalogue_source import CATALOGUE_DIR
from courses.models import CoursePage, GlossaryTerm, LessonPage
from courses.reports import build_report, html_text, lesson_figures

pytestmark = pytest.mark.django_db

EXPECTED_COURSES = {
    "grunder",
    "kallkritik",
    "deepfakes",
    "grooming",
    "bias",
    "demokrati",
    "hallbarhet",
}
MAX_LESSON_LIX = 50
MAX_MEDIAN_LIX = 45
MIN_GLOSSARY_TERMS = 40
URL = re.compile(r"""https?://[^\s"'<>]*""", re.IGNORECASE)
# Grooming must tell learners where to turn: Bris, Polisen and the emergency number.
HELP_NUMBERS = {"Bris": "116 111", "Polisen": "114 14", "SOS Alarm": "112"}


def _course_lessons() -> dict[str, list[str]]:
    """Each course folder's lesson slugs, in course.yaml order."""
    return {
        path.parent.name: yaml.safe_load(path.read_text(encoding="utf-8"))["lessons"]
        for path in sorted(CATALOGUE_DIR.glob("*/course.yaml"))
    }


COURSE_LESSONS = _course_lessons()
LESSONS = [
    pytest.param(course, slug, id=f"{course}/{slug}")
    for course, slugs in COURSE_LESSONS.items()
    for slug in slugs
]
COURSES = [pytest.param(slug, id=slug) for slug in sorted(EXPECTED_COURSES)]
COURSE_SOURCE_FILES = [
    pytest.param(path, id=str(path.relative_to(CATALOGUE_DIR)))
    for path in sorted(CATALOGUE_DIR.glob("*/*.yaml"))
]


# --- helpers -----------------------------------------------------------------


def get_course(slug: str) -> CoursePage:
    course = CoursePage.objects.live().filter(slug=slug).first()
    assert course is not None, f"{slug}: no live course page with this slug"
    return course


def get_lesson(course_slug: str, slug: str) -> LessonPage:
    course = get_course(course_slug)
    lesson = LessonPage.objects.live().child_of(course).filter(slug=slug).first()
    assert lesson is not None, f"{course_slug}/{slug}: no live lesson page with this slug"
    return lesson


def blocks_of(lesson: LessonPage, kind: str) -> list:
    return [block for block in lesson.body if block.block_type == kind]


def lesson_strings(lesson: LessonPage) -> list[str]:
    """Every text value of a lesson (title, intro and body), HTML as stored."""
    strings = [lesson.title, lesson.intro or ""]

    def walk(value: object, key: str | None = None) -> None:
        if isinstance(value, str):
            if key not in ("id", "type"):
                strings.append(value)
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(lesson.body.get_prep_value())
    return strings


def has_text(value: object) -> bool:
    return bool(html_text(str(value or "")).strip())


def report(label: str, problems: list[str]) -> str:
    return f"{label}: " + "; ".join(problems)


# --- the catalogue -----------------------------------------------------------


def test_exactly_the_seven_courses(catalogue):
    live = list(CoursePage.objects.live().values_list("slug", flat=True))
    assert sorted(live) == sorted(EXPECTED_COURSES), f"live courses: {sorted(live)}"
    assert set(COURSE_LESSONS) == EXPECTED_COURSES, f"course folders: {sorted(COURSE_LESSONS)}"


def test_at_least_25_lessons(catalogue):
    count = build_report().lesson_count
    assert count >= 25, f"the catalogue has only {count} live lessons"


def test_median_lesson_lix(catalogue):
    figures = build_report()
    hardest = sorted(figures.lessons, key=lambda lesson: -lesson.lix)[:5]
    assert figures.median_lix <= MAX_MEDIAN_LIX, (
        f"median lesson LIX {figures.median_lix:.1f} > {MAX_MEDIAN_LIX}; hardest: "
        + ", ".join(f"{lesson.label} {lesson.lix:.1f}" for lesson in hardest)
    )


def test_glossary_has_enough_explained_terms(catalogue):
    terms = list(GlossaryTerm.objects.all())
    assert len(terms) >= MIN_GLOSSARY_TERMS, f"only {len(terms)} glossary terms"
    unexplained = [term.slug for term in terms if not term.definition.strip()]
    assert not unexplained, f"glossary terms without a definition: {unexplained}"


def test_grooming_names_where_to_get_help(catalogue):
    lessons = LessonPage.objects.live().child_of(get_course("grooming"))
    text = "\n".join(html_text(s) for lesson in lessons for s in lesson_strings(lesson))
    missing = [
        f"{who} {number}"
        for who, number in HELP_NUMBERS.items()
        if not re.search(
            r"(?<!\w)" + r"\s?".join(re.escape(part) for part in number.split()) + r"(?!\w)",
            text,
        )
    ]
    assert not missing, f"grooming: no lesson mentions {', '.join(missing)}"


# --- courses -----------------------------------------------------------------


@pytest.mark.parametrize("slug", COURSES)
def test_course_page_is_complete(catalogue, slug):
    course = get_course(slug)
    problems = []
    for field in ("intro", "audience", "summary"):
        if not has_text(getattr(course, field)):
            problems.append(f"no {field}")
    if not course.estimated_minutes:
        problems.append("no estimated minutes")
    if not [goal for goal in course.learning_goals if goal.value.strip()]:
        problems.append("no learning goals")
    if not [step for step in course.checklist if step.value.strip()]:
        problems.append("an empty “Gör så här” checklist")
    if course.cover_image_id is None:
        problems.append("no cover image")
    elif not course.cover_alt.strip():
        problems.append("the cover image has no alt text")
    assert not problems, report(slug, problems)


@pytest.mark.parametrize("slug", COURSES)
def test_course_has_three_to_five_lessons(catalogue, slug):
    live = list(
        LessonPage.objects.live()
        .child_of(get_course(slug))
        .order_by("path")
        .values_list("slug", flat=True)
    )
    assert 3 <= len(live) <= 5, f"{slug}: {len(live)} lessons, expected 3–5"
    assert live == COURSE_LESSONS.get(slug), (
        f"{slug}: live lessons {live} differ from course.yaml {COURSE_LESSONS.get(slug)}"
    )


# --- lessons -----------------------------------------------------------------


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_structure(catalogue, course, slug):
    lesson = get_lesson(course, slug)
    problems = []
    if not has_text(lesson.intro):
        problems.append("no intro")
    if not lesson_figures(lesson).exercises:
        problems.append("no exercise (reflection, source check or comparison)")
    sources = blocks_of(lesson, "sources")
    if not sources:
        problems.append("no sources block")
    elif not all(len(block.value["items"]) for block in sources):
        problems.append("a sources block without items")
    assert not problems, report(f"{course}/{slug}", problems)


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_quiz(catalogue, course, slug):
    quizzes = blocks_of(get_lesson(course, slug), "quiz")
    assert len(quizzes) == 1, f"{course}/{slug}: {len(quizzes)} quizzes, expected exactly one"
    questions = quizzes[0].value["questions"]
    problems = []
    if not 3 <= len(questions) <= 6:
        problems.append(f"{len(questions)} questions, expected 3–6")
    for number, question in enumerate(questions, 1):
        where = f"question {number} “{question.value.prompt()[:50]}”"
        options = question.value.options()
        if not question.value["explanation"].strip():
            problems.append(f"{where} has no explanation")
        if any(not option.feedback.strip() for option in options):
            problems.append(f"{where} has a choice without feedback")
        correct = sum(option.correct for option in options)
        if question.block_type == "single_choice" and correct != 1:
            problems.append(f"{where} is single choice with {correct} correct answers")
    assert not problems, report(f"{course}/{slug}", problems)


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_images_have_alt_text(catalogue, course, slug):
    problems = []
    for number, block in enumerate(get_lesson(course, slug).body, 1):
        value = block.value
        if block.block_type == "image" and not value["decorative"]:
            if not (value["alt_text"] or "").strip():
                problems.append(f"image block {number} has no alt text")
        elif block.block_type == "comparison":
            for side in ("a", "b"):
                if not (value[f"alt_{side}"] or "").strip():
                    problems.append(f"comparison block {number}: image {side} has no alt text")
    assert not problems, report(f"{course}/{slug}", problems)


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_readability(catalogue, course, slug):
    figures = lesson_figures(get_lesson(course, slug))
    assert figures.lix <= MAX_LESSON_LIX, (
        f"{course}/{slug}: LIX {figures.lix:.1f} > {MAX_LESSON_LIX} "
        f"({figures.words} words, {figures.readability.sentences} sentences, "
        f"{figures.readability.long_words} long words)"
    )


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_links_glossary_terms(catalogue, course, slug):
    linked = set(lesson_figures(get_lesson(course, slug)).linked_terms)
    assert linked, f"{course}/{slug}: links no glossary term (#begrepp-…)"
    known = set(GlossaryTerm.objects.filter(slug__in=linked).values_list("slug", flat=True))
    assert linked <= known, f"{course}/{slug}: links unknown terms {sorted(linked - known)}"


@pytest.mark.parametrize("course, slug", LESSONS)
def test_lesson_has_no_urls(catalogue, course, slug):
    found = [m.group() for s in lesson_strings(get_lesson(course, slug)) for m in URL.finditer(s)]
    assert not found, f"{course}/{slug}: contains URLs {found}"


@pytest.mark.parametrize("path", COURSE_SOURCE_FILES)
def test_source_file_has_no_urls(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [
        f"line {n}: {m.group()}" for n, line in enumerate(lines, 1) for m in URL.finditer(line)
    ]
    assert not found, f"{path.parent.name}/{path.stem}: contains URLs: {'; '.join(found)}"

"""Catalogue figures from the live pages: words, LIX, questions, exercises, glossary links.

Computed from the page tree, not the YAML sources, so lessons editors write in
the admin are counted too. `manage.py catalogue_report` prints the figures.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape

from wagtail.blocks import StreamValue
from wagtail.models import Page
from wagtail.rich_text import RichText

from .blocks import LessonBodyBlock
from .models import CoursePage, GlossaryTerm, LessonPage
from .readability import Readability, combine, measure

GLOSSARY_ANCHOR = re.compile(r"""<a\s[^>]*?href=["']#begrepp-([\w-]+)["']""", re.IGNORECASE)
# Block-level ends become blank lines, which readability counts as a sentence end
# (like a Markdown heading, paragraph or list item in the sources).
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|ul|ol|blockquote|div)\s*>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def html_text(html: str) -> str:
    """The words a reader sees in rich-text HTML, with blocks separated by blank lines."""
    text = _LINE_BREAK.sub("\n", _BLOCK_END.sub("\n\n", html or ""))
    return unescape(_TAG.sub("", text))


# --- figures -----------------------------------------------------------------


@dataclass(frozen=True)
class LessonFigures:
    course_slug: str
    slug: str
    title: str
    readability: Readability
    questions: int
    exercises: int
    linked_terms: tuple[str, ...]  # glossary slugs, in order, once per link
    minutes: int

    @property
    def label(self) -> str:
        return f"{self.course_slug}/{self.slug}"

    @property
    def words(self) -> int:
        return self.readability.words

    @property
    def lix(self) -> float:
        return self.readability.lix

    @property
    def glossary_links(self) -> int:
        return len(self.linked_terms)


class _LessonTotals:
    """Sums over `self.lessons`, shared by a course and the whole catalogue."""

    lessons: tuple[LessonFigures, ...]

    @property
    def lesson_count(self) -> int:
        return len(self.lessons)

    @property
    def readability(self) -> Readability:
        return combine([lesson.readability for lesson in self.lessons])

    @property
    def words(self) -> int:
        return self.readability.words

    @property
    def lix(self) -> float:
        return self.readability.lix

    @property
    def questions(self) -> int:
        return sum(lesson.questions for lesson in self.lessons)

    @property
    def exercises(self) -> int:
        return sum(lesson.exercises for lesson in self.lessons)

    @property
    def glossary_links(self) -> int:
        return sum(lesson.glossary_links for lesson in self.lessons)

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


@dataclass(frozen=True)
class CourseFigures(_LessonTotals):
    slug: str
    title: str
    lessons: tuple[LessonFigures, ...]


@dataclass(frozen=True)
class CatalogueFigures(_LessonTotals):
    courses: tuple[CourseFigures, ...]
    glossary_terms: int

    @property
    def lessons(self) -> tuple[LessonFigures, ...]:  # type: ignore[override]
        return tuple(lesson for course in self.courses for lesson in course.lessons)

    @property
    def course_count(self) -> int:
        return len(self.courses)

    @property
    def median_lix(self) -> float:
        """Median LIX of the lessons that have any main text."""
        values = [lesson.lix for lesson in self.lessons if lesson.words]
        return statistics.median(values) if values else 0.0

    @property
    def hardest_lesson(self) -> LessonFigures | None:
        return max(self.lessons, key=lambda lesson: lesson.lix, default=None)

    @property
    def max_lix(self) -> float:
        hardest = self.hardest_lesson
        return hardest.lix if hardest else 0.0


# --- reading the pages ---------------------------------------------------------


def main_texts(lesson: LessonPage) -> list[str]:
    """The lesson's main text as HTML: intro, `text` blocks and fact-box texts."""
    texts = [lesson.intro or ""]
    for block in lesson.body:
        if block.block_type == "text":
            texts.append(block.value.source)
        elif block.block_type == "fact_box":
            texts.append(block.value["text"].source)
    return texts


def rich_texts(value: object) -> Iterator[str]:
    """Every rich-text HTML source inside a block value, at any depth."""
    if isinstance(value, RichText):
        yield value.source
    elif isinstance(value, StreamValue):
        for child in value:
            yield from rich_texts(child.value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from rich_texts(item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            yield from rich_texts(item)


def linked_terms(lesson: LessonPage) -> tuple[str, ...]:
    """Glossary slugs of every `#begrepp-…` link in the intro and the body's rich text."""
    sources = [lesson.intro or "", *rich_texts(lesson.body)]
    return tuple(slug for html in sources for slug in GLOSSARY_ANCHOR.findall(html))


def lesson_figures(lesson: LessonPage, course_slug: str = "") -> LessonFigures:
    body = lesson.body
    return LessonFigures(
        course_slug=course_slug,
        slug=lesson.slug,
        title=lesson.title,
        readability=combine([measure(html_text(html)) for html in main_texts(lesson)]),
        questions=sum(len(b.value["questions"]) for b in body if b.block_type == "quiz"),
        exercises=sum(1 for b in body if b.block_type in LessonBodyBlock.EXERCISE_TYPES),
        linked_terms=linked_terms(lesson),
        minutes=lesson.estimated_minutes,
    )


def course_figures(course: CoursePage, lessons: list[LessonPage]) -> CourseFigures:
    return CourseFigures(
        slug=course.slug,
        title=course.title,
        lessons=tuple(lesson_figures(lesson, course.slug) for lesson in lessons),
    )


def build_report(language_code: str | None = None) -> CatalogueFigures:
    """Figures for every live course (in tree order) and its live lessons.

    Aliases (the national courses as they appear in each edition) are the same
    lessons and are not counted again; editions' own courses are. With a language
    code, only that locale's pages and glossary terms count.
    """
    courses = CoursePage.objects.live().filter(alias_of=None).order_by("path")
    lessons = LessonPage.objects.live().filter(alias_of=None).order_by("path")
    terms = GlossaryTerm.objects.all()
    if language_code:
        courses = courses.filter(locale__language_code=language_code)
        lessons = lessons.filter(locale__language_code=language_code)
        terms = terms.filter(locale__language_code=language_code)
    by_parent: dict[str, list[LessonPage]] = defaultdict(list)
    for lesson in lessons:
        by_parent[lesson.path[: -Page.steplen]].append(lesson)
    return CatalogueFigures(
        courses=tuple(course_figures(course, by_parent[course.path]) for course in courses),
        glossary_terms=terms.count(),
    )

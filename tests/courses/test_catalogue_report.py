"""The catalogue report: figures from a page built here, and the command's output."""

import csv
import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from courses.models import CourseIndexPage, CoursePage, GlossaryTerm, LessonPage
from courses.readability import Readability
from courses.reports import build_report, html_text, lesson_figures
from tests.factories import quiz_body

pytestmark = pytest.mark.django_db

# Main text: intro 8 words/1 sentence; text block 8 words/4 sentences/1 long word
# (heading, paragraph and two list items; "&amp;" is no word); fact box 4 words/
# 2 sentences/3 long words. The fact box title, the reflection and the quiz are
# not main text.
INTRO = '<p>Det här är en kort text om <a href="#begrepp-ai">AI</a>.</p>'
TEXT = (
    "<h2>Rubrik</h2><p>Kalle &amp; Lisa läser om <b>maskin</b>inlärning.</p>"
    "<ul><li>Ett</li><li>Två</li></ul>"
)
FACT = '<p>Datorer gissar. Människor <a href="#begrepp-algoritm">kontrollerar</a>!</p>'
EXPECTED = Readability(words=20, sentences=7, long_words=4)


def block(kind: str, value) -> dict:
    return {"type": kind, "id": str(uuid.uuid4()), "value": value}


def known_body() -> list[dict]:
    quiz = quiz_body()[1]
    one_question_quiz = {
        **quiz,
        "id": "quiz-2",
        "value": {**quiz["value"], "questions": quiz["value"]["questions"][:1]},
    }
    return [
        block("text", TEXT),
        block("fact_box", {"title": "Långa rubriker räknas inte", "text": FACT}),
        block(
            "reflection",
            {
                "prompt": "Vad tycker du om långa ord?",
                "scenario": '<p>Läs om <a href="#begrepp-ai">AI</a>.</p>',
                "hints": [],
            },
        ),
        block(
            "source_check",
            {"title": "Granska", "intro": "", "items": [{"label": "Vem?", "help": ""}]},
        ),
        quiz,  # three questions
        one_question_quiz,
        block(
            "sources",
            {
                "heading": "Källor",
                "items": [{"organisation": "Klartänkt", "title": "Testkälla", "url": ""}],
            },
        ),
    ]


@pytest.fixture
def course(catalogue):
    index = CourseIndexPage.objects.get()
    course = index.add_child(
        instance=CoursePage(title="Testkurs", slug="testkurs", intro="<p>Om kursen.</p>")
    )
    lessons = [
        LessonPage(
            title="Testlektion",
            slug="testlektion",
            intro=INTRO,
            body=known_body(),
            estimated_minutes=9,
        ),
        LessonPage(
            title="Kort lektion",
            slug="kort",
            body=[block("text", "<p>En mening till.</p>")],
            estimated_minutes=5,
        ),
        LessonPage(title="Utkast", slug="utkast", body=[block("text", "<p>Ord.</p>")], live=False),
    ]
    for lesson in lessons:
        course.add_child(instance=lesson)
    return course


def test_html_text_keeps_the_read_words_and_block_ends():
    assert html_text("<p>A &amp; <b>B</b>C</p><ul><li>D</li></ul>") == "A & BC\n\nD\n\n\n\n"
    assert html_text("<p>Rad<br/>rad</p>") == "Rad\nrad\n\n"


def test_lesson_figures_from_known_content(course):
    figures = lesson_figures(LessonPage.objects.get(slug="testlektion"), "testkurs")

    assert figures.readability == EXPECTED
    assert figures.words == 20
    assert figures.lix == pytest.approx(20 / 7 + 100 * 4 / 20)
    assert figures.questions == 4
    assert figures.exercises == 2  # the reflection and the source check
    assert figures.linked_terms == ("ai", "algoritm", "ai")
    assert figures.glossary_links == 3
    assert figures.minutes == 9
    assert figures.label == "testkurs/testlektion"


def test_course_totals_count_only_live_lessons(course):
    report = build_report()
    test_course = report.courses[-1]

    assert test_course.slug == "testkurs"
    assert [lesson.slug for lesson in test_course.lessons] == ["testlektion", "kort"]
    assert test_course.readability == Readability(words=23, sentences=8, long_words=4)
    assert test_course.lix == pytest.approx(23 / 8 + 100 * 4 / 23)
    assert (
        test_course.lesson_count,
        test_course.questions,
        test_course.exercises,
        test_course.glossary_links,
        test_course.minutes,
    ) == (2, 4, 2, 3, 14)


def test_catalogue_totals(course):
    report = build_report()

    assert report.course_count == CoursePage.objects.live().count()
    assert report.lesson_count == LessonPage.objects.live().count()
    assert report.words == sum(c.words for c in report.courses)
    assert report.questions == sum(c.questions for c in report.courses)
    assert report.glossary_terms == GlossaryTerm.objects.count()
    lixes = sorted(lesson.lix for lesson in report.lessons)
    assert report.max_lix == lixes[-1]
    assert min(lixes) <= report.median_lix <= report.max_lix


def test_language_filter(course):
    assert build_report("en").courses == ()
    assert build_report("sv").course_count == CoursePage.objects.live().count()


def run(*args: str) -> str:
    out = StringIO()
    call_command("catalogue_report", *args, stdout=out)
    return out.getvalue()


def test_command_prints_a_table_with_totals(course):
    output = run()
    lines = output.splitlines()
    report = build_report()

    assert "Testkurs (testkurs)" in lines
    row = next(line for line in lines if line.startswith("  testlektion "))
    assert row.split() == ["testlektion", "20", "22.9", "4", "2", "3", "9"]
    total = lines[lines.index("Testkurs (testkurs)") + 3]
    assert total.split() == ["Total,", "2", "lessons", "23", "20.3", "4", "2", "3", "14"]
    totals = dict(
        line.strip().split(":", 1) for line in lines[lines.index("Catalogue totals") + 1 :]
    )
    assert int(totals["Courses"]) == report.course_count
    assert int(totals["Lessons"]) == report.lesson_count
    assert int(totals["Glossary terms"]) == GlossaryTerm.objects.count()
    assert totals["Median lesson LIX"].strip() == f"{report.median_lix:.1f}"


def test_command_writes_csv(course):
    rows = list(csv.DictReader(StringIO(run("--format", "csv"))))

    lesson = next(r for r in rows if r["level"] == "lesson" and r["lesson"] == "testlektion")
    assert (lesson["course"], lesson["words"], lesson["lix"], lesson["questions"]) == (
        "testkurs",
        "20",
        "22.9",
        "4",
    )
    course_row = next(r for r in rows if r["level"] == "course" and r["course"] == "testkurs")
    assert (course_row["lessons"], course_row["words"], course_row["minutes"]) == ("2", "23", "14")
    catalogue = rows[-1]
    assert catalogue["level"] == "catalogue"
    assert catalogue["courses"] == str(CoursePage.objects.live().count())
    assert catalogue["glossary_terms"] == str(GlossaryTerm.objects.count())

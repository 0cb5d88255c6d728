"""Print per lesson and per course: words, LIX, questions, exercises, glossary links, minutes."""

from __future__ import annotations

import csv

from django.core.management.base import BaseCommand

from courses.reports import CatalogueFigures, CourseFigures, LessonFigures, build_report

COLUMNS = ("Words", "LIX", "Questions", "Exercises", "Glossary links", "Minutes")
CSV_HEADER = (
    "level",
    "course",
    "lesson",
    "title",
    "lessons",
    "words",
    "lix",
    "questions",
    "exercises",
    "glossary_links",
    "minutes",
    "courses",
    "median_lix",
    "max_lix",
    "glossary_terms",
)


CATALOGUE_ONLY = ("", "", "", "")  # courses, median_lix, max_lix, glossary_terms


def _figures(item: LessonFigures | CourseFigures | CatalogueFigures) -> tuple:
    return (
        item.words,
        f"{item.lix:.1f}",
        item.questions,
        item.exercises,
        item.glossary_links,
        item.minutes,
    )


class Command(BaseCommand):
    help = (
        "Report the live catalogue: per lesson the word count, LIX of the main text, "
        "questions, exercises and glossary links; per course and for the catalogue the totals."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format", choices=["table", "csv"], default="table", help="Output format."
        )
        parser.add_argument(
            "--locale",
            metavar="LANGUAGE_CODE",
            help="Only pages and glossary terms of this language (default: all).",
        )

    def handle(self, *args, **options):
        report = build_report(options["locale"])
        if options["format"] == "csv":
            self.write_csv(report)
        else:
            self.write_table(report)

    # --- table ---

    def write_table(self, report: CatalogueFigures) -> None:
        width = max([len(lesson.slug) + 2 for lesson in report.lessons] + [28])
        row = f"{{:<{width}}}" + "".join(f"{{:>{len(c) + 2}}}" for c in COLUMNS)
        self.stdout.write(row.format("Course / lesson", *COLUMNS))
        for course in report.courses:
            self.stdout.write("")
            self.stdout.write(f"{course.title} ({course.slug})")
            for lesson in course.lessons:
                self.stdout.write(row.format(f"  {lesson.slug}", *_figures(lesson)))
            total = f"  Total, {course.lesson_count} lessons"
            self.stdout.write(row.format(total, *_figures(course)))
        self.stdout.write("")
        self.write_totals(report)

    def write_totals(self, report: CatalogueFigures) -> None:
        hardest = report.hardest_lesson
        lines = [
            ("Courses", report.course_count),
            ("Lessons", report.lesson_count),
            ("Words", report.words),
            ("LIX, all main text", f"{report.lix:.1f}"),
            ("Median lesson LIX", f"{report.median_lix:.1f}"),
            ("Highest lesson LIX", f"{hardest.lix:.1f} ({hardest.label})" if hardest else "-"),
            ("Questions", report.questions),
            ("Exercises", report.exercises),
            ("Glossary links", report.glossary_links),
            ("Glossary terms", report.glossary_terms),
            ("Minutes", report.minutes),
        ]
        self.stdout.write("Catalogue totals")
        for label, value in lines:
            self.stdout.write(f"  {label + ':':<20} {value}")

    # --- csv ---

    def write_csv(self, report: CatalogueFigures) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for course in report.courses:
            for lesson in course.lessons:
                writer.writerow(
                    (
                        "lesson",
                        course.slug,
                        lesson.slug,
                        lesson.title,
                        "",
                        *_figures(lesson),
                        *CATALOGUE_ONLY,
                    )
                )
            writer.writerow(
                (
                    "course",
                    course.slug,
                    "",
                    course.title,
                    course.lesson_count,
                    *_figures(course),
                    *CATALOGUE_ONLY,
                )
            )
        writer.writerow(
            (
                "catalogue",
                "",
                "",
                "",
                report.lesson_count,
                *_figures(report),
                report.course_count,
                f"{report.median_lix:.1f}",
                f"{report.max_lix:.1f}",
                report.glossary_terms,
            )
        )

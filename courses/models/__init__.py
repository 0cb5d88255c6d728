from .pages import CourseIndexPage, CoursePage, GlossaryPage, HomePage, LessonPage
from .snippets import GlossaryTerm, Theme

__all__ = [
    "CourseIndexPage",
    "CoursePage",
    "GlossaryPage",
    "GlossaryTerm",
    "HomePage",
    "LessonPage",
    "Theme",
]

"""The page tree of an edition: HomePage → CourseIndexPage → CoursePage → LessonPage,
with a GlossaryPage beside the course index."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from ..blocks import SHORT_TEXT_FEATURES, LessonBodyBlock
from ..extensions import extend_page_context

INTRO_FEATURES = ["bold", "italic", "link", "ul", "ol"]


class HomePage(Page):
    """The root of an edition's tree."""

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    # Editions add their own local pages (events, "Träffa oss på biblioteket").
    subpage_types = ["courses.CourseIndexPage", "courses.GlossaryPage", "editions.LocalPage"]
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Find the page by its URL path in one query instead of one per level.

        Wagtail walks the tree a level at a time (two queries per level); a lesson is
        four levels down. Anything not found directly (a RoutablePage sub-route such
        as a course's "gor-sa-har/") falls back to Wagtail's walk.
        """
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = Page.objects.filter(url_path=url_path, path__startswith=self.path).specific()
            page = page.first()
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        index_page = CourseIndexPage.objects.child_of(self).live().first()
        context["course_index"] = index_page
        # The edition's own pages (events, "Träffa oss på biblioteket").
        context["local_pages"] = (
            Page.objects.child_of(self)
            .live()
            .public()
            .in_menu()
            .not_type(CourseIndexPage, GlossaryPage)
            .order_by("path")
        )
        context["courses"] = (
            CoursePage.objects.child_of(index_page).live().select_related("theme", "cover_image")
            if index_page
            else CoursePage.objects.none()
        )
        return context


class CourseIndexPage(Page):
    """The course catalogue, filterable by theme (?tema=<slug>)."""

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    api_fields = [APIField("intro")]

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from .snippets import Theme

        context = super().get_context(request, *args, **kwargs)
        courses = (
            CoursePage.objects.child_of(self)
            .live()
            .select_related("theme", "cover_image")
            .order_by("path")
        )
        themes = Theme.objects.filter(locale_id=self.locale_id)
        selected = request.GET.get("tema", "")
        if selected:
            courses = courses.filter(theme__slug=selected)
        context.update(courses=courses, themes=themes, selected_theme=selected)
        return context


class CoursePage(RoutablePageMixin, Page):
    theme = models.ForeignKey(
        "courses.Theme",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = RichTextField(_("introduction"), features=INTRO_FEATURES)
    learning_goals = StreamField(
        [("goal", blocks.CharBlock(label=_("Learning goal"), max_length=300))],
        verbose_name=_("learning goals"),
        blank=True,
        help_text=_(
            "What the learner can do afterwards. Finish the sentence “After the course you can …”."
        ),
    )
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated time (minutes)"), default=45)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    level = models.CharField(
        _("level"),
        max_length=20,
        default="introduktion",
        choices=[("introduktion", _("Introduction")), ("fordjupning", _("In depth"))],
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of quiz answers that must be right to complete the course."),
    )
    cover_alt = models.CharField(_("cover image alternative text"), max_length=300, blank=True)
    summary = RichTextField(_("summary"), features=SHORT_TEXT_FEATURES + ["h2", "h3"], blank=True)
    checklist = StreamField(
        [("item", blocks.CharBlock(label=_("Step"), max_length=300))],
        verbose_name=_("“Gör så här” checklist"),
        blank=True,
        help_text=_("Concrete actions to take home. Printed as a one-page sheet."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("theme"),
                FieldPanel("audience"),
                FieldPanel("level"),
                FieldPanel("estimated_minutes"),
                FieldPanel("pass_mark"),
            ],
            heading=_("About the course"),
        ),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_alt")], heading=_("Cover image")
        ),
        FieldPanel("learning_goals"),
        FieldPanel("summary"),
        FieldPanel("checklist"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("summary"),
    ]
    api_fields = [
        APIField("theme"),
        APIField("intro"),
        APIField("learning_goals"),
        APIField("estimated_minutes"),
        APIField("audience"),
        APIField("level"),
        APIField("cover_image"),
        APIField("cover_alt"),
        APIField("summary"),
        APIField("checklist"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = list(
            self.lessons().only(
                "id",
                "title",
                "slug",
                "url_path",
                "path",
                "depth",
                "estimated_minutes",
                "alias_of_id",
                "translation_key",
                "locale_id",
            )
        )
        return extend_page_context(self, request, context)

    @path("")
    def course(self, request):
        return self.render(request)

    @path("gor-sa-har/", name="checklist")
    def checklist_sheet(self, request):
        """The printable one-page "Gör så här" sheet."""
        return self.render(request, template="courses/course_checklist.html")


class LessonPage(Page):
    intro = RichTextField(
        _("introduction"),
        features=INTRO_FEATURES,
        blank=True,
        help_text=_("What the learner can do after the lesson."),
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("lesson content"))
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated time (minutes)"), default=12)

    content_panels = Page.content_panels + [
        FieldPanel("estimated_minutes"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    api_fields = [APIField("estimated_minutes"), APIField("intro"), APIField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lesson")

    @property
    def canonical_page_id(self) -> int:
        """The lesson learner records key on: an alias's original, else itself."""
        return self.alias_of_id or self.id

    @cached_property
    def course_lessons(self) -> list[Page]:
        """Live sibling lessons in order, as light Page objects (one query).

        A path range rather than Wagtail's sibling_of (a LIKE on the path): the range
        uses the path's index on SQLite and PostgreSQL alike, however many pages exist.
        """
        parent = self.path[: -Page.steplen]
        return list(
            Page.objects.live()
            .filter(
                path__range=(parent + "0" * Page.steplen, parent + "Z" * Page.steplen),
                depth=self.depth,
            )
            .type(LessonPage)
            .order_by("path")
            .only("id", "title", "slug", "url_path", "path", "depth", "locale_id")
        )

    def lesson_position(self) -> dict:
        lessons = self.course_lessons
        ids = [p.id for p in lessons]
        index = ids.index(self.id) if self.id in ids else 0
        return {
            "number": index + 1,
            "count": len(lessons),
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = Page.objects.only(
            "id", "title", "url_path", "path", "depth", "slug", "locale_id"
        ).get(path=self.path[: -Page.steplen])
        context["position"] = self.lesson_position()
        # From the raw JSON: no need to build the block values just to look at their types.
        context["has_quiz"] = any(block["type"] == "quiz" for block in self.body.raw_data)
        context.setdefault("quiz_results", {})
        return extend_page_context(self, request, context)


class GlossaryPage(Page):
    """All glossary terms of the page's language, alphabetically."""

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["courses.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("glossary")

    def get_context(self, request, *args, **kwargs):
        from .snippets import GlossaryTerm

        context = super().get_context(request, *args, **kwargs)
        terms = GlossaryTerm.objects.filter(locale_id=self.locale_id)
        context["terms"] = sorted(terms, key=lambda t: swedish_sort_key(t.term))
        return context


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_sort_key(text: str) -> str:
    """Sort Å, Ä and Ö after Z, as a Swedish reader expects (databases sort by code point)."""
    return text.lower().translate(_SWEDISH_ORDER)

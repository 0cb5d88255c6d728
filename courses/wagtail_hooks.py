from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import GlossaryTerm, Theme


class GlossaryTermViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "snippet"
    menu_label = _("Glossary")
    list_display = ["term", "definition", "locale"]
    search_fields = ["term", "definition"]
    ordering = ["term"]


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("Themes")
    list_display = ["name", "slug", "locale"]


class CourseContentGroup(SnippetViewSetGroup):
    items = (GlossaryTermViewSet, ThemeViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Course content")
    menu_name = "course-content"


register_snippet(CourseContentGroup)

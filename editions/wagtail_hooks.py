"""Admin integration: edition management for superusers, course actions for editors,
and querysets narrowed to the editor's own editions (SECURITY.md rows 12–14)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from courses.models import CoursePage

from . import admin_views, report_views
from .services import user_editions

app_name = "editions_admin"
admin_urlpatterns = [
    path("", admin_views.edition_list, name="list"),
    path("ny/", admin_views.edition_create, name="create"),
    path("<int:pk>/radera/", admin_views.edition_delete, name="delete"),
    path("kurs/<int:page_id>/egen-kopia/", admin_views.course_copy, name="course_copy"),
    path("kurs/<int:page_id>/dolj/", admin_views.course_hide, name="course_hide"),
    path("dolda-kurser/", admin_views.hidden_courses, name="hidden"),
    path("rapporter/", report_views.edition_report, name="report"),
]


@hooks.register("register_admin_urls")
def register_urls():
    return [path("utgavor/", include((admin_urlpatterns, app_name), namespace=app_name))]


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


class EditorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or user_editions(request.user).exists()


@hooks.register("register_admin_menu_item")
def editions_menu():
    return SuperuserMenuItem(
        _("Editions"), reverse("editions_admin:list"), icon_name="site", order=900
    )


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return report_views.reportable_editions(request.user).exists()


@hooks.register("register_admin_menu_item")
def reports_menu():
    return ReportsMenuItem(
        _("Reports"), reverse("editions_admin:report"), icon_name="table", order=890
    )


@hooks.register("register_admin_menu_item")
def hidden_courses_menu():
    return EditorMenuItem(
        _("Hidden national courses"), reverse("editions_admin:hidden"), icon_name="view", order=910
    )


def alias_course_buttons(page, user, next_url=None, **kwargs):
    if page.alias_of_id and page.specific_class is CoursePage:
        if page.permissions_for_user(user).can_edit():
            yield Button(
                _("Make our own copy"),
                reverse("editions_admin:course_copy", args=[page.pk]),
                icon_name="copy",
                priority=60,
            )
            yield Button(
                _("Hide in our edition"),
                reverse("editions_admin:course_hide", args=[page.pk]),
                icon_name="view",
                priority=61,
            )


@hooks.register("register_page_listing_more_buttons")
def listing_buttons(page, user, next_url=None):
    yield from alias_course_buttons(page, user)


@hooks.register("register_page_header_buttons")
def header_buttons(page, user, view_name, next_url=None):
    yield from alias_course_buttons(page, user)


def _allowed_roots(user):
    return [edition.site.root_page for edition in user_editions(user)]


def _narrow_pages(pages, request):
    user = request.user
    if user.is_superuser:
        return pages
    roots = _allowed_roots(user)
    if not roots:
        return pages.none()
    from django.db.models import Q

    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root.path) | Q(pk__in=[a.pk for a in root.get_ancestors()])
    return pages.filter(condition)


@hooks.register("construct_explorer_page_queryset")
def narrow_explorer(parent_page, pages, request):
    return _narrow_pages(pages, request)


@hooks.register("construct_page_chooser_queryset")
def narrow_page_chooser(pages, request):
    return _narrow_pages(pages, request)


@hooks.register("before_move_page")
def refuse_moves_without_permission(request, page_to_move, destination):
    """Wagtail 8.0's move confirmation page shows any page's title on GET without
    checking permission; check it here (the POST is checked by the move action)."""
    from django.core.exceptions import PermissionDenied

    if not page_to_move.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied

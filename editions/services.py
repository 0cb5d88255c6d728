"""Creating editions and keeping the national catalogue flowing into them.

One service creates an edition (used by `manage.py create_edition` and the admin
view), in one transaction: Site, home page, course index, glossary, branding,
media collection, two groups with exact permissions, and the national courses as
aliases. National courses reach editions as Wagtail aliases; new national
courses and lessons are aliased into every edition when they are first published
(`sync_catalogue`), except where an edition has hidden a course or made its own
copy of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
    Page,
    Site,
)

from courses.models import CourseIndexPage, CoursePage, GlossaryPage, HomePage, LessonPage

from .models import Edition, EditionCourseChoice, EditionSettings, validate_accent_colour

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$"
)
EDITOR_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
    "delete_page",
]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", ["add_image", "change_image", "choose_image", "delete_image"]),
    ("wagtaildocs", ["add_document", "change_document", "choose_document", "delete_document"]),
    ("h5p", ["add_h5pactivity", "change_h5pactivity", "delete_h5pactivity"]),
]


class EditionError(Exception):
    """Input that cannot make an edition; the message is for the person who typed it."""


@dataclass(frozen=True)
class EditionSpec:
    name: str
    hostname: str
    municipality: str = ""
    accent_colour: str = ""
    port: int = 80


def validate_spec(spec: EditionSpec, existing: Edition | None = None) -> None:
    if not spec.name.strip():
        raise EditionError(_("The edition needs a name."))
    if not HOSTNAME.match(spec.hostname):
        raise EditionError(
            _(
                "“%(hostname)s” is not a valid hostname (letters a–z, digits, "
                "hyphens and dots, e.g. bibliotek.kommun.se)."
            )
            % {"hostname": spec.hostname}
        )
    taken = Site.objects.filter(hostname=spec.hostname, port=spec.port)
    if existing is not None:
        taken = taken.exclude(pk=existing.site_id)
    if taken.exists():
        raise EditionError(
            _("The hostname %(hostname)s is already used by another edition.")
            % {"hostname": spec.hostname}
        )
    if spec.accent_colour:
        try:
            validate_accent_colour(spec.accent_colour)
        except ValidationError as error:
            raise EditionError(error.messages[0]) from None


def national_edition() -> Edition | None:
    return Edition.objects.filter(is_national=True).select_related("site").first()


def national_course_index() -> CourseIndexPage | None:
    national = national_edition()
    if national is None:
        return None
    return CourseIndexPage.objects.child_of(national.site.root_page).first()


# --- creating ------------------------------------------------------------------------


@transaction.atomic
def create_edition(spec: EditionSpec, *, logo=None) -> tuple[Edition, bool]:
    """Create an edition (or return the existing one for this hostname): (edition, created)."""
    spec = EditionSpec(
        spec.name.strip(),
        spec.hostname.strip().lower(),
        spec.municipality.strip(),
        spec.accent_colour.strip().lower(),
        spec.port,
    )
    existing = Edition.objects.filter(site__hostname=spec.hostname, site__port=spec.port).first()
    if existing is not None:
        if existing.site.site_name != spec.name:
            raise EditionError(
                _("The hostname %(hostname)s is already used by another edition.")
                % {"hostname": spec.hostname}
            )
        grant_permissions(existing)  # idempotent; brings older editions up to date
        sync_catalogue(editions=[existing])
        return existing, False
    validate_spec(spec)
    home = _create_tree(spec)
    site = Site.objects.create(
        hostname=spec.hostname, port=spec.port, root_page=home, site_name=spec.name
    )
    edition = Edition.objects.create(
        site=site,
        collection=_child_collection(spec.name),
        editors=_group(_("%(name)s – editors") % {"name": spec.name}),
        librarians=_group(_("%(name)s – librarians") % {"name": spec.name}),
    )
    grant_permissions(edition)
    EditionSettings.objects.update_or_create(
        site=site,
        defaults={
            "library_name": spec.name,
            "municipality": spec.municipality,
            "accent_colour": spec.accent_colour,
            "logo": logo,
        },
    )
    sync_catalogue(editions=[edition])
    return edition, True


def register_national_edition(site: Site) -> Edition:
    """Make the site holding the national catalogue an edition (idempotent)."""
    edition = Edition.objects.filter(site=site).first()
    if edition is None:
        name = site.site_name or "Klartänkt"
        edition = Edition.objects.create(
            site=site,
            is_national=True,
            collection=_child_collection(_("National catalogue")),
            editors=_group(_("National editors")),
            librarians=_group(_("National librarians")),
        )
        grant_permissions(edition)
        EditionSettings.objects.get_or_create(site=site, defaults={"library_name": name})
    return edition


def _create_tree(spec: EditionSpec) -> HomePage:
    root = Page.get_first_root_node()
    slug = _free_slug(root, slugify(spec.hostname.split(".")[0]) or "bibliotek")
    home = root.add_child(
        instance=HomePage(
            title=spec.name,
            slug=slug,
            intro=_("<p>Learn about AI at your own pace with %(name)s.</p>") % {"name": spec.name},
        )
    )
    home.save_revision().publish()
    template = national_course_index()
    index = home.add_child(
        instance=CourseIndexPage(
            title=template.title if template else _("Courses"),
            slug=template.slug if template else "kurser",
            intro=template.intro if template else "",
            show_in_menus=True,
        )
    )
    index.save_revision().publish()
    glossary = home.add_child(
        instance=GlossaryPage(title=_("Glossary"), slug="ordlista", show_in_menus=True)
    )
    glossary.save_revision().publish()
    return home


def _free_slug(parent: Page, base: str) -> str:
    slug, n = base, 1
    while parent.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _child_collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


def _group(name: str) -> Group:
    group, _created = Group.objects.get_or_create(name=name)
    return group


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant_permissions(edition: Edition) -> None:
    """Exactly what each group needs, scoped to this edition's tree and collection."""
    access_admin = _permission("wagtailadmin", "access_admin")
    home = edition.site.root_page
    editors, librarians = edition.editors, edition.librarians
    editors.permissions.add(access_admin)
    # Site settings through a per-site permission: editors of A cannot open B's settings.
    GroupSitePermission.objects.get_or_create(
        group=editors,
        site=edition.site,
        permission=_permission("editions", "change_editionsettings"),
    )
    for codename in EDITOR_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=editors, page=home, permission=_permission("wagtailcore", codename)
        )
    for app_label, codenames in EDITOR_COLLECTION_PERMISSIONS:
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=editors,
                collection=edition.collection,
                permission=_permission(app_label, codename),
            )
    librarians.permissions.add(access_admin, _permission("editions", "view_edition_reports"))
    editors.permissions.add(_permission("editions", "view_edition_reports"))


# --- the national catalogue in every edition ----------------------------------------------


def local_editions():
    return Edition.objects.filter(is_national=False).select_related("site__root_page")


def sync_catalogue(editions=None, courses=None) -> int:
    """Alias national courses and lessons that an edition does not have yet; returns count.

    Skips courses an edition has hidden or copied. Aliases already there are
    kept in step by Wagtail itself whenever the original is published.
    """
    index = national_course_index()
    if index is None:
        return 0
    editions = list(editions if editions is not None else local_editions())
    courses = list(
        courses
        if courses is not None
        else CoursePage.objects.child_of(index).live().order_by("path")
    )
    created = 0
    for edition in editions:
        target = CourseIndexPage.objects.child_of(edition.site.root_page).first()
        if target is None:
            continue
        skipped = set(edition.choices.values_list("national_course_id", flat=True))
        for course in courses:
            if course.pk in skipped:
                continue
            created += _alias_course(course, target)
    return created


def _alias_course(course: CoursePage, target: CourseIndexPage) -> int:
    alias = Page.objects.child_of(target).filter(alias_of=course).first()
    if alias is None:
        course.create_alias(parent=target, recursive=True, log_action=None)
        return 1 + course.get_children().count()
    created = 0
    existing = set(Page.objects.child_of(alias).values_list("alias_of_id", flat=True))
    for lesson in LessonPage.objects.child_of(course).live():
        if lesson.pk not in existing:
            lesson.create_alias(parent=alias, log_action=None)
            created += 1
    return created


def on_national_publish(page: Page) -> None:
    """A newly published national course or lesson reaches every edition at once."""
    index = national_course_index()
    if index is None or not page.path.startswith(index.path) or page.alias_of_id:
        return
    specific = page.specific
    if isinstance(specific, CoursePage):
        sync_catalogue(courses=[specific])
    elif isinstance(specific, LessonPage):
        course = specific.get_parent().specific
        sync_catalogue(courses=[course])


def edition_for_page(page: Page) -> Edition | None:
    for edition in Edition.objects.select_related("site__root_page"):
        if page.path.startswith(edition.site.root_page.path):
            return edition
    return None


@transaction.atomic
def hide_course(edition: Edition, alias: Page) -> None:
    """Remove a national course from this edition; learners' records stay (they key on the
    original)."""
    if alias.alias_of_id is None:
        raise EditionError(
            _("Only national courses can be hidden; unpublish your own course instead.")
        )
    EditionCourseChoice.objects.update_or_create(
        edition=edition,
        national_course_id=alias.alias_of_id,
        defaults={"choice": EditionCourseChoice.HIDDEN},
    )
    alias.delete()


@transaction.atomic
def show_course(edition: Edition, national_course: CoursePage) -> None:
    EditionCourseChoice.objects.filter(
        edition=edition, national_course=national_course, choice=EditionCourseChoice.HIDDEN
    ).delete()
    sync_catalogue(editions=[edition], courses=[national_course])


@transaction.atomic
def make_local_copy(edition: Edition, alias: Page, user=None) -> Page:
    """Turn an aliased national course (and its lessons) into the edition's own pages.

    From now on it no longer follows the national original.
    """
    if alias.alias_of_id is None:
        raise EditionError(_("This course is already the edition's own."))
    EditionCourseChoice.objects.update_or_create(
        edition=edition,
        national_course_id=alias.alias_of_id,
        defaults={"choice": EditionCourseChoice.COPIED},
    )
    for child in alias.get_children().exclude(alias_of=None).specific():
        ConvertAliasPageAction(child, user=user, log_action=None).execute(
            skip_permission_checks=True
        )
    ConvertAliasPageAction(alias.specific, user=user, log_action=None).execute(
        skip_permission_checks=True
    )
    return Page.objects.get(pk=alias.pk)


def user_editions(user):
    """The editions whose editors or librarians group the user is in."""
    if not user.is_authenticated:
        return Edition.objects.none()
    groups = user.groups.all()
    return (
        Edition.objects.filter(Q(editors__in=groups) | Q(librarians__in=groups))
        .select_related("site__root_page")
        .distinct()
    )


@transaction.atomic
def delete_edition(edition: Edition) -> dict:
    """Remove an edition: its site, pages, media collection and groups. Returns what went."""
    if edition.is_national:
        raise EditionError(_("The national catalogue cannot be deleted."))
    home = edition.site.root_page
    summary = {
        "pages": home.get_descendants(inclusive=True).count(),
        "media": sum(
            m.objects.filter(collection=edition.collection).count() for m in _media_models()
        ),
        "groups": [edition.editors.name, edition.librarians.name],
    }
    editors, librarians, collection = edition.editors, edition.librarians, edition.collection
    edition.site.delete()  # cascades to the Edition and its settings
    home.delete()
    editors.delete()
    librarians.delete()
    if not collection.get_descendants().exists():
        for model in _media_models():
            model.objects.filter(collection=collection).delete()
        collection.delete()
    return summary


def _media_models():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return [get_image_model(), get_document_model()]

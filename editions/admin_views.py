"""Admin views: editions for superusers; hide or copy a national course for editors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Page
from willow.image import Image as WillowImage

from courses.models import CoursePage

from .forms import ConfirmForm, EditionForm
from .models import Edition, EditionCourseChoice
from .services import (
    EditionError,
    EditionSpec,
    create_edition,
    delete_edition,
    edition_for_page,
    hide_course,
    make_local_copy,
    show_course,
)


def _superuser(request):
    if not request.user.is_superuser:
        raise PermissionDenied


def edition_list(request):
    _superuser(request)
    editions = Edition.objects.select_related("site").order_by("-is_national", "site__site_name")
    return TemplateResponse(request, "editions/admin/list.html", {"editions": editions})


def edition_create(request):
    _superuser(request)
    form = EditionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logo = None
        try:
            with transaction.atomic():
                logo = _save_logo(data["logo"], data["name"]) if data["logo"] else None
                edition, created = create_edition(
                    EditionSpec(
                        data["name"], data["hostname"], data["municipality"], data["accent_colour"]
                    ),
                    logo=logo,
                )
        except EditionError as error:
            if logo is not None:  # the row rolled back; the file is not transactional
                logo.file.storage.delete(logo.file.name)
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request, _("The edition %(name)s is created.") % {"name": edition}
                )
            else:
                messages.info(
                    request, _("The edition %(name)s already existed.") % {"name": edition}
                )
            return redirect("editions_admin:list")
    return TemplateResponse(request, "editions/admin/create.html", {"form": form})


def _save_logo(upload, name):
    """Store the logo as a Wagtail image (inside the caller's transaction)."""
    Image = get_image_model()
    image = Image(title=_("Logo: %(name)s") % {"name": name})
    image.file.save(upload.name, upload, save=False)
    upload.seek(0)
    image.width, image.height = WillowImage.open(upload).get_size()
    image._set_image_file_metadata()
    image.save()
    return image


def edition_delete(request, pk):
    _superuser(request)
    edition = get_object_or_404(Edition, pk=pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    home = edition.site.root_page
    going = {
        "pages": home.get_descendants(inclusive=True).count(),
        "groups": [edition.editors.name, edition.librarians.name],
        "collection": edition.collection.name,
        "hostname": edition.site.hostname,
    }
    if request.method == "POST" and form.is_valid():
        try:
            delete_edition(edition)
        except EditionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The edition is deleted."))
        return redirect("editions_admin:list")
    return TemplateResponse(
        request, "editions/admin/delete.html", {"edition": edition, "going": going, "form": form}
    )


# --- editors: a national course in their edition -------------------------------------


def _editable_alias_course(request, page_id) -> tuple[Page, Edition]:
    page = get_object_or_404(Page, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if not isinstance(page.specific, CoursePage):
        raise Http404
    edition = edition_for_page(page)
    if edition is None or edition.is_national:
        raise Http404
    return page, edition


def course_copy(request, page_id):
    page, edition = _editable_alias_course(request, page_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            make_local_copy(edition, page, user=request.user)
        except EditionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "“%(title)s” is now your edition's own copy. It no "
                    "longer receives updates from the national catalogue."
                )
                % {"title": page.title},
            )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return TemplateResponse(
        request,
        "editions/admin/confirm_course.html",
        {
            "page": page,
            "form": form,
            "action": "copy",
        },
    )


def course_hide(request, page_id):
    page, edition = _editable_alias_course(request, page_id)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    parent_id = page.get_parent().pk
    if request.method == "POST" and form.is_valid():
        try:
            hide_course(edition, page)
        except EditionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("“%(title)s” is hidden in your edition.") % {"title": page.title}
            )
        return redirect("wagtailadmin_explore", parent_id)
    return TemplateResponse(
        request,
        "editions/admin/confirm_course.html",
        {
            "page": page,
            "form": form,
            "action": "hide",
        },
    )


def hidden_courses(request):
    from .services import user_editions

    editions = [e for e in user_editions(request.user) if not e.is_national]
    if request.user.is_superuser:
        editions = list(Edition.objects.filter(is_national=False))
    allowed = [
        e for e in editions if e.site.root_page.permissions_for_user(request.user).can_edit()
    ]
    if request.method == "POST":
        choice = get_object_or_404(
            EditionCourseChoice,
            pk=request.POST.get("choice"),
            edition__in=allowed,
            choice=EditionCourseChoice.HIDDEN,
        )
        show_course(choice.edition, choice.national_course.specific)
        messages.success(request, _("The course is shown again."))
        return redirect("editions_admin:hidden")
    choices = EditionCourseChoice.objects.filter(edition__in=allowed).select_related(
        "national_course", "edition__site"
    )
    return TemplateResponse(request, "editions/admin/hidden.html", {"choices": choices})

"""Closes admin side endpoints that Wagtail 8.0 leaves open across editions.

Found by the isolation matrix (tests/editions/test_isolation.py): for any admin
user, the admin API returned any image's or document's title and file address,
the page chooser showed any page as a parent, the move confirmation showed any
page's title (see the before_move_page hook) and the workflow-cancellation modal
checked no permission. Each guard checks the same
permission the main views use, before Wagtail's view runs.
"""

from __future__ import annotations

import re

from django.http import Http404

ADMIN_API_MEDIA = re.compile(r"^/admin/api/main/(images|documents)/(\d+)/$")
PAGE_CHOOSER = re.compile(r"^/admin/choose-page/(\d+)/$")
WORKFLOW_CANCELLATION = re.compile(r"^/admin/pages/workflow/confirm_cancellation/(\d+)/$")


class EditionAdminGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith("/admin/")
            and request.user.is_authenticated
            and not request.user.is_superuser
        ):
            self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        if match := ADMIN_API_MEDIA.match(request.path):
            _check_media(request.user, match.group(1), int(match.group(2)))
        elif match := PAGE_CHOOSER.match(request.path):
            _check_chooser_parent(request.user, int(match.group(1)))
        elif match := WORKFLOW_CANCELLATION.match(request.path):
            _check_can_edit(request.user, int(match.group(1)))


def _check_media(user, kind: str, pk: int) -> None:
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    model = get_image_model() if kind == "images" else get_document_model()
    policy = policy_registry.get_by_type(model)
    obj = model.objects.filter(pk=pk).first()
    if obj is None or not policy.user_has_any_permission_for_instance(
        user, ["choose", "change", "delete"], obj
    ):
        raise Http404


def _check_chooser_parent(user, page_id: int) -> None:
    from wagtail.models import Page

    from .services import user_editions

    page = Page.objects.filter(pk=page_id).only("path").first()
    if page is None:
        raise Http404
    roots = [edition.site.root_page.path for edition in user_editions(user)]
    inside = any(page.path.startswith(root) for root in roots)
    above = any(root.startswith(page.path) for root in roots)  # an ancestor of their tree
    if not (inside or above):
        raise Http404


def _check_can_edit(user, page_id: int) -> None:
    from wagtail.models import Page

    page = Page.objects.filter(pk=page_id).first()
    if page is None or not page.permissions_for_user(user).can_edit():
        raise Http404

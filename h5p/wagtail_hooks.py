"""H5P activities in the Wagtail admin: upload, list, preview (inspect), edit the
title or collection, delete. Registered as a snippet so lessons can choose
activities with ``SnippetChooserBlock``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CopyView,
    CreateView,
    DeleteView,
    EditView,
    HistoryView,
    InspectView,
    SnippetViewSet,
    UsageView,
)

from .models import H5PActivity
from .permissions import permission_policy
from .services import ImportRefused, import_package, max_upload_size

register_permission_policy(H5PActivity, permission_policy)

#: Room for the multipart envelope and the other fields around the file.
_ENVELOPE = 64 * 1024


class H5PUploadForm(WagtailAdminModelForm):
    package = forms.FileField(
        label=gettext_lazy("H5P file"),
        help_text=gettext_lazy(
            "An .h5p file exported from Lumi, h5p.org, Moodle or another H5P tool."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".h5p"}),
        allow_empty_file=True,  # the import explains what is wrong with an empty file
    )

    class Meta:
        model = H5PActivity
        fields = ["package", "title", "collection"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Leave empty to use the title inside the package.")
        user = getattr(self, "for_user", None)
        if user is not None and not user.is_superuser:
            # An edition's editors upload into their own edition's collection only.
            self.fields[
                "collection"
            ].queryset = permission_policy.collections_user_has_permission_for(user, "add")
            self.fields["collection"].required = True
        else:
            self.fields["collection"].required = False

    def clean_package(self):
        package = self.cleaned_data["package"]
        if package.size > max_upload_size():
            raise forms.ValidationError(
                _("The file is %(size)d MB, but at most %(max)d MB can be uploaded.")
                % {"size": package.size // 2**20, "max": max_upload_size() // 2**20}
            )
        return package


UPLOAD_PANEL = ObjectList(
    [FieldPanel("package"), FieldPanel("title"), FieldPanel("collection")],
    base_form_class=H5PUploadForm,
)


class H5PUploadView(CreateView):
    """Upload = import: the package is validated, stored and becomes an activity."""

    page_title = gettext_lazy("Upload H5P activity")
    submit_button_label = gettext_lazy("Upload")
    submit_button_active_label = gettext_lazy("Uploading…")
    error_message = gettext_lazy("The H5P file could not be uploaded. See the reasons below.")

    def get_panel(self):
        return UPLOAD_PANEL.bind_to_model(H5PActivity)

    def get_form_class(self):
        return self.panel.get_form_class()

    def post(self, request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_upload_size() + _ENVELOPE:  # refused before the body is read
            messages.error(
                request,
                _("The file is too large: at most %(max)d MB can be uploaded.")
                % {"max": max_upload_size() // 2**20},
            )
            return redirect(self.add_url)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.form = form
        data = form.cleaned_data
        try:
            result = import_package(
                data["package"],
                user=self.request.user,
                collection=data.get("collection"),
                title=data.get("title") or None,
            )
        except ImportRefused as refused:
            for message in refused.messages:
                form.add_error("package", message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        self.object = result.activity
        log(instance=self.object, action="wagtail.create", user=self.request.user)
        for warning in result.warnings:
            messages.warning(self.request, warning)
        return self.save_action()


class OwnCollectionOnly:
    """Wagtail's generic snippet views check model permissions only; activities are
    per collection (per edition), so every view of one activity checks the instance."""

    instance_permissions = ("change", "delete")

    def get_object(self, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        obj = super().get_object(*args, **kwargs)
        if not permission_policy.user_has_any_permission_for_instance(
            self.request.user, list(self.instance_permissions), obj
        ):
            raise PermissionDenied
        return obj


class H5PEditView(OwnCollectionOnly, EditView):
    instance_permissions = ("change",)


class H5PDeleteView(OwnCollectionOnly, DeleteView):
    instance_permissions = ("delete",)


class H5PUsageView(OwnCollectionOnly, UsageView):
    pass


class H5PHistoryView(OwnCollectionOnly, HistoryView):
    pass


class H5PCopyView(OwnCollectionOnly, CopyView):
    pass


class H5PInspectView(OwnCollectionOnly, InspectView):
    template_name = "h5p/admin/inspect.html"
    page_title = gettext_lazy("Preview")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["activity"] = self.object
        context["libraries"] = self.object.libraries.all()
        return context


class H5PActivityViewSet(SnippetViewSet):
    model = H5PActivity
    icon = "form"
    menu_label = gettext_lazy("H5P activities")
    menu_order = 250
    add_to_admin_menu = True
    add_view_class = H5PUploadView
    inspect_view_enabled = True
    inspect_view_class = H5PInspectView
    edit_view_class = H5PEditView
    delete_view_class = H5PDeleteView
    usage_view_class = H5PUsageView
    history_view_class = H5PHistoryView
    copy_view_class = H5PCopyView
    list_display = ["title", "main_library", "collection", "uploaded_by", "created_at"]
    list_filter = ["collection"]
    search_fields = ["title"]
    ordering = ["-created_at"]
    panels = [FieldPanel("title"), FieldPanel("collection")]

    def get_queryset(self, request):
        """Only the activities in collections the user may change or delete."""
        return permission_policy.instances_user_has_any_permission_for(
            request.user, ["change", "delete"]
        )


register_snippet(H5PActivityViewSet)

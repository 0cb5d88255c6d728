"""H5P libraries (trusted code, installed once per major.minor version) and
activities (an uploaded package's content, played with the installed libraries).

Files live in Django storage (``settings.H5P_STORAGE_ALIAS``, the default
storage unless configured): ``h5p/libraries/<Name-MAJOR.MINOR>-<token>/`` and
``h5p/content/<activity uuid>/``. They are served only from the content origin
(see ``h5p.middleware``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import CollectionMember
from wagtail.search import index


class H5PLibrary(models.Model):
    """One installed library version, shared by every activity that needs it.

    Installed once per ``Machine.Name-MAJOR.MINOR``; a package that ships a
    different copy of the same version never overwrites it.
    """

    machine_name = models.CharField(_("machine name"), max_length=255)
    major_version = models.PositiveIntegerField(_("major version"))
    minor_version = models.PositiveIntegerField(_("minor version"))
    patch_version = models.PositiveIntegerField(_("patch version"), default=0)
    title = models.CharField(_("title"), max_length=255)
    runnable = models.BooleanField(_("runnable"), default=False)
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        help_text=_("SHA-256 over the library's file names and contents."),
    )
    storage_path = models.CharField(_("storage folder"), max_length=400, unique=True)
    metadata = models.JSONField(_("library.json"), default=dict)
    installed_at = models.DateTimeField(_("installed"), auto_now_add=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        ordering = ["machine_name", "major_version", "minor_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_name", "major_version", "minor_version"],
                name="unique_h5p_library_version",
            )
        ]
        permissions = [("install_h5p_library", _("Can install new H5P libraries (trusted code)"))]

    def __str__(self) -> str:
        return (
            f"{self.machine_name} {self.major_version}.{self.minor_version}.{self.patch_version}"
        )

    @property
    def folder_name(self) -> str:
        return f"{self.machine_name}-{self.major_version}.{self.minor_version}"


class H5PActivity(CollectionMember, index.Indexed, models.Model):
    """An uploaded H5P package: its content, played with installed libraries."""

    uuid = models.UUIDField(_("identifier"), default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=255)
    metadata = models.JSONField(_("package metadata (h5p.json)"), default=dict, editable=False)
    main_library = models.ForeignKey(
        H5PLibrary,
        verbose_name=_("main library"),
        on_delete=models.PROTECT,
        related_name="main_of",
        editable=False,
    )
    libraries = models.ManyToManyField(
        H5PLibrary, verbose_name=_("libraries used"), related_name="activities", editable=False
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    storage_path = models.CharField(_("storage folder"), max_length=400, editable=False)
    package_hash = models.CharField(
        _("package hash (SHA-256)"), max_length=64, unique=True, editable=False
    )
    package_size = models.PositiveBigIntegerField(_("package size (bytes)"), default=0)
    external_media = models.JSONField(
        _("media on other websites"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("The player never loads these: the content origin's policy blocks them."),
    )
    warnings = models.JSONField(
        _("notes from the import"), default=list, blank=True, editable=False
    )

    search_fields = CollectionMember.search_fields + [
        index.SearchField("title"),
        index.AutocompleteField("title"),
    ]

    class Meta:
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def main_library_name(self) -> str:
        return self.main_library.machine_name if self.main_library_id else ""

"""``manage.py import_h5p FILE [--title T] [--collection NAME]``: import a package
as a platform administrator (may install new libraries)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Collection

from h5p.services import ImportRefused, import_package


class Command(BaseCommand):
    help = "Import an .h5p package as an H5P activity (runs as a platform administrator)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--title", default=None, help="Title (default: the package's own).")
        parser.add_argument(
            "--collection", default=None, help="Name of the Wagtail collection (default: root)."
        )

    def handle(self, *args, file: Path, title=None, collection=None, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = None
        if collection:
            target = Collection.objects.filter(name=collection).first()
            if target is None:
                raise CommandError(f"no collection named {collection!r}")
        with file.open("rb") as handle:
            try:
                result = import_package(handle, user=None, collection=target, title=title)
            except ImportRefused as refused:
                raise CommandError(
                    f"{file} was not imported:\n" + "\n".join(f"- {m}" for m in refused.messages)
                ) from refused
        activity = result.activity
        self.stdout.write(
            f"Imported {file.name} as “{activity.title}” (id {activity.pk}, {activity.uuid}); "
            f"{len(result.installed)} new libraries."
        )
        for warning in result.warnings:
            self.stdout.write(f"  note: {warning}")

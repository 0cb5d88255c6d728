"""Load the national catalogue from its source files (see docs/catalogue-format.md)."""

from django.core.management.base import BaseCommand, CommandError

from courses.catalogue_import import import_catalogue
from courses.catalogue_source import CATALOGUE_DIR, CatalogueError, load_catalogue


class Command(BaseCommand):
    help = "Load the course catalogue from content/ into the page tree (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catalogue", default=str(CATALOGUE_DIR), help="Folder of catalogue source files."
        )

    def handle(self, *args, **options):
        from pathlib import Path

        try:
            catalogue = load_catalogue(Path(options["catalogue"]))
        except CatalogueError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"The catalogue has {len(error.problems)} problem(s); nothing was loaded."
            ) from None
        report = import_catalogue(catalogue)
        for outcome in ("created", "updated", "unchanged"):
            counts = getattr(report, outcome)
            if counts:
                summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
                self.stdout.write(f"{outcome}: {summary}")

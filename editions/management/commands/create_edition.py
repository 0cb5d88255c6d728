"""Create a library edition: `manage.py create_edition --name "…" --hostname …`."""

from django.core.management.base import BaseCommand, CommandError

from editions.services import EditionError, EditionSpec, create_edition


class Command(BaseCommand):
    help = "Create a library edition with its site, pages, branding, media and groups."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The library's name.")
        parser.add_argument("--hostname", required=True, help="e.g. bibliotek.kommun.se")
        parser.add_argument("--municipality", default="")
        parser.add_argument(
            "--accent-colour", default="", help="#rrggbb, dark enough for white text"
        )
        parser.add_argument("--port", type=int, default=80)

    def handle(self, *args, **options):
        spec = EditionSpec(
            options["name"],
            options["hostname"],
            options["municipality"],
            options["accent_colour"],
            options["port"],
        )
        try:
            edition, created = create_edition(spec)
        except EditionError as error:
            raise CommandError(str(error)) from None
        verb = "Created" if created else "Already there:"
        self.stdout.write(
            f"{verb} {edition} at {edition.site.hostname} "
            f"(groups: {edition.editors.name}, {edition.librarians.name})"
        )

"""Load the national catalogue (and, in development, demo users)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from courses.catalogue_import import import_catalogue
from courses.catalogue_source import CATALOGUE_DIR, CatalogueError, load_catalogue

DEMO_USERS = [
    # (username, e-mail, password, superuser, groups)
    ("admin", "admin@example.org", "klartankt-admin", True, []),
    ("redaktor", "redaktor@example.org", "klartankt-redaktor", False, ["Editors"]),
]


class Command(BaseCommand):
    help = "Load the course catalogue from courses/catalogue/ into the page tree (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catalogue", default=str(CATALOGUE_DIR), help="Folder of catalogue source files."
        )
        parser.add_argument("--no-users", action="store_true", help="Do not create demo users.")

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
        if getattr(settings, "KLARTANKT_DEMO_USERS", False) and not options["no_users"]:
            self.create_demo_users()

    def create_demo_users(self):
        User = get_user_model()
        self.stdout.write("Demo users (development only):")
        for username, email, password, superuser, groups in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": email, "is_staff": True, "is_superuser": superuser},
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
            self.stdout.write(f"  {username} / {password}  ({email})")

"""Everything `make run` shows: the national catalogue, two library editions with
local pages, and (development settings only) demo users whose logins it prints."""

from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Site

from courses.catalogue_source import CATALOGUE_DIR
from courses.models import HomePage
from editions.models import LocalPage
from editions.services import EditionSpec, create_edition, register_national_edition

DEMO_EDITIONS = Path(__file__).resolve().parents[2] / "demo" / "editions.yaml"


class Command(BaseCommand):
    help = "Load the catalogue, the national edition and demo editions (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(CATALOGUE_DIR))
        parser.add_argument("--no-users", action="store_true", help="Do not create demo users.")
        parser.add_argument(
            "--no-editions",
            action="store_true",
            help="Only the national catalogue, no demo editions.",
        )

    def handle(self, *args, **options):
        call_command(
            "load_catalogue",
            catalogue=options["catalogue"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        national = register_national_edition(Site.objects.get(is_default_site=True))
        editions = [] if options["no_editions"] else self.demo_editions()
        if getattr(settings, "KLARTANKT_DEMO_USERS", False) and not options["no_users"]:
            self.demo_users(national, editions)

    @transaction.atomic
    def demo_editions(self):
        editions = []
        for spec in yaml.safe_load(DEMO_EDITIONS.read_text(encoding="utf-8")):
            edition, created = create_edition(
                EditionSpec(
                    spec["name"], spec["hostname"], spec["municipality"], spec["accent_colour"]
                )
            )
            home = HomePage.objects.get(pk=edition.site.root_page_id)
            for page in spec["pages"]:
                if not LocalPage.objects.child_of(home).filter(slug=page["slug"]).exists():
                    local = home.add_child(
                        instance=LocalPage(
                            title=page["title"],
                            slug=page["slug"],
                            intro=f"<p>{page['intro']}</p>",
                            location=page["location"],
                            show_in_menus=True,
                            body=[{"type": "text", "value": page["text"]}],
                        )
                    )
                    local.save_revision().publish()
            editions.append((spec["slug_prefix"], edition))
            self.stdout.write(
                f"{'created' if created else 'unchanged'}: edition "
                f"{edition} at http://{edition.site.hostname}:PORT/"
            )
        return editions

    def demo_users(self, national, editions):
        User = get_user_model()
        rows = [
            ("admin", "klartankt-admin", True, []),
            ("redaktor", "klartankt-redaktor", False, [national.editors]),
        ]
        for prefix, edition in editions:
            rows += [
                (f"{prefix}-redaktor", f"{prefix}-redaktor", False, [edition.editors]),
                (
                    f"{prefix}-bibliotekarie",
                    f"{prefix}-bibliotekarie",
                    False,
                    [edition.librarians],
                ),
            ]
        self.stdout.write("Demo users (development only) – username / password:")
        for username, password, superuser, groups in rows:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@example.org",
                    "is_superuser": superuser,
                    "is_staff": True,
                },
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(*groups)
            # Demo logins work at once: their (made-up) addresses count as verified.
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            where = ", ".join(g.name for g in groups) or "superuser"
            self.stdout.write(f"  {username} / {password}  ({where})")

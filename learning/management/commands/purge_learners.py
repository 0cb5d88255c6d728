"""Delete anonymous learners who have been inactive for a while. Safe from cron."""

from django.core.management.base import BaseCommand, CommandError

from learning.services import purge_anonymous_learners


class Command(BaseCommand):
    help = "Delete anonymous learners (and their records) inactive for N days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anonymous-days",
            type=int,
            default=180,
            help="Inactive for at least this many days (default 180).",
        )

    def handle(self, *args, anonymous_days: int, **options):
        if anonymous_days < 1:
            raise CommandError("--anonymous-days must be at least 1.")
        count = purge_anonymous_learners(anonymous_days)
        self.stdout.write(
            f"Deleted {count} anonymous learner(s) inactive for {anonymous_days} days or more."
        )

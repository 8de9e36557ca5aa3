"""Bring the figures' precomputed summary up to date (reports.summary).

    manage.py refresh_figures           # the cases changed since the last run
    manage.py refresh_figures --full    # rebuild every row (nightly)

Run it from cron or a systemd timer every few minutes (README, "The figures").
Safe to run on several servers at once: refreshes take turns on a locked row.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import summary


class Command(BaseCommand):
    help = "Refresh the figures' summary: incremental, or --full."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every row")

    def handle(self, *args, full=False, **options):
        done = summary.refresh(full=full)
        what = "full" if done.full else "incremental"
        self.stdout.write(
            f"figures refreshed ({what}): {done.cases} cases in {done.seconds:.1f} s, "
            f"as of {timezone.localtime(done.as_of):%Y-%m-%d %H:%M:%S}"
        )

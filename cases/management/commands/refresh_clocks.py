"""Recompute the legal deadlines of every open wage dispute.

Run it daily (e.g. from cron) and after upgrading the holiday calendar
library: dates computed on weekends alone ("provisional") become exact once
the year's official schedule is known.
"""

from django.core.management.base import BaseCommand

from cases.services import refresh_open_clocks


class Command(BaseCommand):
    help = "Recompute the deadlines of every open wage dispute."

    def handle(self, *args, **options):
        count = refresh_open_clocks()
        self.stdout.write(self.style.SUCCESS(f"Recomputed the deadlines of {count} open cases."))

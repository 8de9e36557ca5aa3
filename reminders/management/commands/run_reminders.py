"""Run the reminder job: every 15 minutes from a timer, and with --daily each morning.

    manage.py run_reminders            notifications and the immediate e-mail
    manage.py run_reminders --daily    also refresh every open case's clocks, write the
                                       morning digests and purge old notifications
    manage.py run_reminders --enqueue  hand the run to the task worker instead

On several servers it may run on each: the unique reminder rows make a second run,
or two at once, add nothing and send nothing twice (README, "Reminders").
"""

import datetime

from django.core.management.base import BaseCommand

from reminders import jobs
from reminders.tasks import run_reminders


class Command(BaseCommand):
    help = "Create the reminders that fall due and send their e-mail (see README)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--daily",
            action="store_true",
            help="also refresh the clocks of open cases, send the digests, purge old ones",
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="run on the task worker, not here"
        )
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="as if today were YYYY-MM-DD"
        )

    def handle(self, *args, daily=False, enqueue=False, today=None, **options):
        if enqueue:
            result = run_reminders.enqueue(daily=daily)
            self.stdout.write(f"Enqueued the reminder job ({result.id}).")
            return
        result = jobs.run(daily=daily, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                "{items} items due, {created} new reminders, {digests} digests, "
                "{purged} old notifications purged, {refreshed} cases' clocks refreshed.".format(
                    **result
                )
            )
        )

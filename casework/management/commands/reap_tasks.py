"""Take back background tasks whose worker died (see casework/task_reaper.py).

    manage.py reap_tasks                  tasks RUNNING past TASK_RUNNING_LIMIT_SECONDS
    manage.py reap_tasks --worker-id X    also, at once, those X was running: run this
                                          just before starting `db_worker --worker-id X`

Run it when a worker starts and every few minutes (a systemd timer; README.md).
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from casework import task_reaper


class Command(BaseCommand):
    help = "Put tasks abandoned by a dead worker back to be claimed again (or fail them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--worker-id",
            action="append",
            default=[],
            dest="dead_workers",
            help="A worker id that is not running now (its process is gone): the tasks "
            "it was running are taken back at once. May be given more than once.",
        )

    def handle(self, *args, dead_workers, **options):
        reaped = task_reaper.reap(dead_workers=dead_workers)
        self.stdout.write(
            _("Tasks put back to be claimed again: %(requeued)d; given up as failed: %(failed)d.")
            % {"requeued": len(reaped.requeued), "failed": len(reaped.failed)}
        )

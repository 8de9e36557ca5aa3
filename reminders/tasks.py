"""The job on the task worker: `manage.py run_reminders --enqueue` puts it there."""

from django.tasks import task

from . import jobs


@task
def run_reminders(daily: bool = False) -> dict:
    return jobs.run(daily=daily)

"""A task for the reaper's kill test: it notes each start, sleeps, then notes its effect.

A worker killed while it sleeps leaves a start without an effect; the count of
"done" lines is how many times the task took effect.
"""

import time
from pathlib import Path

from django.tasks import task


@task
def slow_effect(marker: str, seconds: float) -> str:
    path = Path(marker)
    with path.open("a") as out:
        out.write("started\n")
    time.sleep(seconds)
    with path.open("a") as out:
        out.write("done\n")
    return "done"

"""Online requests at the end of their retention (the help form's consent promises it):

- a request opened as a case follows its case: once retention has anonymised the
  case (`reports.retention`), the request's answers go too;
- a declined request keeps its answers PUBLIC_DECLINED_KEEP_DAYS after the decision.

The row stays (its code, kind, office, station, dates and case); the person's answers
are replaced, the mobile too, so the status page no longer finds it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.audit import Action, record

from .models import OnlineRequest, RequestState

REDACTED = "[已匿名]"
ANSWERS = {"name": REDACTED, "mobile": "", "employer": "", "description": REDACTED}


def due(now: datetime.datetime | None = None):
    now = now or timezone.now()
    keep = datetime.timedelta(days=settings.PUBLIC_DECLINED_KEEP_DAYS)
    return OnlineRequest.objects.exclude(name=REDACTED).filter(
        Q(state=RequestState.OPENED, case__anonymised_at__isnull=False)
        | Q(state=RequestState.DECLINED, decided_at__lt=now - keep)
    )


def apply(now: datetime.datetime | None = None, by=None) -> int:
    """Replace the answers of every request due; each in its own transaction, audited."""
    done = 0
    for online in due(now).order_by("pk"):
        with transaction.atomic():
            OnlineRequest.objects.filter(pk=online.pk).update(amount_owed=None, **ANSWERS)
            record(
                Action.ANONYMISED,
                by=by,
                obj=online,
                office=online.office_id,
                details={"fields": sorted([*ANSWERS, "amount_owed"])},
            )
        done += 1
    return done

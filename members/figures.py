"""Membership in the figures: new members per period."""

import datetime

from .models import Member


def new_members(offices, start: datetime.date, end: datetime.date) -> int:
    """Members who joined between `start` and `end` (local dates, both included), of
    these office ids; `offices` None means every office. A member who left since
    still joined in the period and counts."""
    joined = Member.objects.filter(joined_on__gte=start, joined_on__lte=end)
    if offices is not None:
        joined = joined.filter(office_id__in=list(offices))
    return joined.count()

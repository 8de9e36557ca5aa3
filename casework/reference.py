"""Reference data an administrator edits: the values in force, and changing them.

Every change adds a row (the history) and an audit entry; nothing is edited in
place, so an application that stored the values in force when it was assessed
or approved can always be explained.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .audit import record
from .models import AuditEntry, DibaoLine, District, MinimumWage, Setting

Key = Setting.Key

# Used only when no row exists (a database emptied by a test); migration
# casework/0005 loads the same values as the first rows.
DEFAULTS = {
    Key.APPROVAL_THRESHOLD: "5000.00",
    Key.AID_CAP: "10000.00",
    Key.CARD_TERM_MONTHS: "12",
    Key.UNION_NAME: "随州市总工会",
}

# How each setting's text is read.
PARSERS = {
    Key.APPROVAL_THRESHOLD: Decimal,
    Key.AID_CAP: Decimal,
    Key.CARD_TERM_MONTHS: int,
    Key.UNION_NAME: str,
}


def current(key: str):
    """The value in force for `key` (its newest row, or the default)."""
    value = (
        Setting.objects.filter(key=key)
        .order_by("-changed_at", "-pk")
        .values_list("value", flat=True)
        .first()
    )
    return PARSERS[key](DEFAULTS[key] if value is None else value)


def all_current() -> dict:
    values = dict(DEFAULTS)
    for row in Setting.objects.order_by("key", "changed_at", "pk"):
        values[row.key] = row.value
    return {key: PARSERS[key](value) for key, value in values.items()}


@transaction.atomic
def change_setting(*, key: str, value, by) -> Setting:
    before = current(key)
    row = Setting.objects.create(key=key, value=str(value), changed_by=by)
    record(
        AuditEntry.Action.SETTING_CHANGED,
        by=by,
        obj=row,
        details={"key": key, "from": str(before), "to": str(value)},
    )
    return row


def dibao_line(district: District | None, residence: str) -> Decimal | None:
    """The line in force for a district and residence type, else the city-wide one."""
    for candidate in ([district] if district else []) + [None]:
        row = (
            DibaoLine.objects.filter(district=candidate, residence=residence)
            .order_by("-changed_at", "-pk")
            .first()
        )
        if row:
            return row.monthly_amount
    return None


@transaction.atomic
def change_dibao_line(
    *, district: District | None, residence: str, amount: Decimal, by
) -> DibaoLine:
    before = dibao_line(district, residence)
    row = DibaoLine.objects.create(
        district=district, residence=residence, monthly_amount=amount, changed_by=by
    )
    record(
        AuditEntry.Action.SETTING_CHANGED,
        by=by,
        obj=row,
        details={
            "key": "dibao_line",
            "district": district.name if district else str(_("city-wide")),
            "residence": residence,
            "from": str(before) if before is not None else "",
            "to": str(amount),
        },
    )
    return row


def minimum_wage_on(district: District | None, day) -> MinimumWage | None:
    """The minimum wage row in force in `district` on `day`, else the city-wide one.

    In force: the latest effective date on or before `day`; of two rows with the
    same date, the one entered last (a correction). A district's own rate wins
    over the city-wide one whenever it has one in force.
    """
    for candidate in ([district] if district else []) + [None]:
        row = (
            MinimumWage.objects.filter(district=candidate, effective_from__lte=day)
            .order_by("-effective_from", "-changed_at", "-pk")
            .first()
        )
        if row:
            return row
    return None

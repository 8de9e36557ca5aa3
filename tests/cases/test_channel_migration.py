"""The migrations that moved where a wage dispute came in onto the case row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases.models import Case, Channel

BEFORE = ("cases", "0011_i13_intake_channel")


@pytest.mark.django_db(transaction=True)
def test_wage_disputes_keep_where_they_came_in_and_walk_ins_are_the_office_desk():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    office = old.get_model("casework", "Office").objects.create(name="曾都区总工会")
    user = old.get_model("casework", "User").objects.create(username="old.hand")
    WageDispute = old.get_model("cases", "WageDispute")
    for n, channel in enumerate(["walk_in", "station", "hotline", "referral"], start=1):
        WageDispute.objects.create(
            number=f"WD-2025-{n:06d}",
            kind="WD",
            office=office,
            created_by=user,
            matters="拖欠工资",
            reasons="拖欠两个月工资",
            received_at=timezone.now(),
            relationship="labour",
            channel_before_i13=channel,
        )
    old.get_model("cases", "Case").objects.create(
        number="HA-2025-000001", kind="HA", office=office, created_by=user
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert dict(Case.objects.values_list("number", "channel")) == {
        "WD-2025-000001": Channel.DESK,
        "WD-2025-000002": Channel.STATION,
        "WD-2025-000003": Channel.HOTLINE,
        "WD-2025-000004": Channel.REFERRAL,
        "HA-2025-000001": "",  # aid recorded no channel: "not recorded"
    }
    assert not Case.objects.filter(station__isnull=False).exists()

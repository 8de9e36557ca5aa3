"""Fixtures for hardship aid and medical cards.

The 低保 lines are made here rather than read from the data migration: a
transactional test elsewhere in the run flushes the migration's rows.
"""

from decimal import Decimal

import pytest

from casework.models import DibaoLine
from tests import factories
from tests.assistance import steps


@pytest.fixture
def dibao(db):
    """City-wide lines of ¥720 (urban) and ¥560 (rural) a person a month."""
    DibaoLine.objects.create(district=None, residence="urban", monthly_amount=Decimal("720.00"))
    DibaoLine.objects.create(district=None, residence="rural", monthly_amount=Decimal("560.00"))


@pytest.fixture
def supervisor2(office):
    """A second supervisor of the same office: the other pair of eyes."""
    return factories.supervisor(office, username="zhou.jie", full_name="周杰")


@pytest.fixture
def aid_at(office, caseworker, worker, dibao):
    """`aid_at("recommended", amount=…)`: `worker`'s application, taken by
    `caseworker` and walked there (see `steps.aid_at`)."""

    def make(state, **kwargs):
        kwargs = {"office": office, "by": caseworker, "worker": worker, **kwargs}
        return steps.aid_at(state, **kwargs)

    return make


@pytest.fixture
def member(office, caseworker):
    """A union member of the office."""
    return steps.member_worker(office, caseworker)


@pytest.fixture
def card_at(office, caseworker, member, supervisor):
    """`card_at("verified")`: `member`'s card application, taken by `caseworker`
    and walked there; `supervisor` approves (see `steps.card_at`)."""

    def make(state, **kwargs):
        kwargs = {
            "office": office,
            "by": caseworker,
            "worker": member,
            "approver": supervisor,
            **kwargs,
        }
        return steps.card_at(state, **kwargs)

    return make

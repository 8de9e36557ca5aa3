"""Many caseworkers approving at once: every number is issued once, none skipped.

Threads with their own connections against PostgreSQL's row locks (on SQLite the
transactions queue on the file lock; tests/cases/test_races.py covers that path
for the same counter pattern)."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.utils import timezone

from casework.models import Office, User
from members import services
from members.models import Member, Source
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="races threads against PostgreSQL row locks"
)


@pytest.mark.django_db(transaction=True)
def test_numbers_are_gapless_when_approved_at_once():
    office = Office.objects.create(name="曾都区总工会")
    user = User.objects.create_user(username="li.qiang", full_name="李强", office=office)
    user.groups.add(Group.objects.get_or_create(name="caseworker")[0])
    user = User.objects.get(pk=user.pk)
    user.role_names, user.supervised_office_ids  # noqa: B018
    applications = [
        services.submit_application(
            office=office,
            source=Source.ONLINE,
            name=f"骑手{n}",
            mobile=f"139{n:08d}",
            id_number=factories.id_number(3000 + n),
            occupation="rider",
            consent_purposes=True,
        )
        for n in range(20)
    ]
    start, errors = threading.Barrier(10), []

    def approve(chunk):
        try:
            start.wait()
            for application in chunk:
                services.approve_application(application=application, by=user)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(applications[i::10],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    year = timezone.localdate().year
    assert sorted(Member.objects.values_list("sequence", flat=True)) == list(range(1, 21))
    assert Member.objects.filter(year=year).values("number").distinct().count() == 20

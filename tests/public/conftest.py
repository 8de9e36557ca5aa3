"""Fixtures of the public pages: a station, a drive, and the answers a person gives."""

import time

import pytest
from django.utils import timezone

from members import services as members_services
from public import forms as public_forms
from tests import factories


@pytest.fixture(autouse=True)
def _public_limits(settings):
    settings.PUBLIC_FORM_MIN_SECONDS = 3
    settings.PUBLIC_LIMIT_PER_IP = 50
    settings.PUBLIC_LIMIT_PER_MOBILE = 5


@pytest.fixture
def station(office):
    office.phone = "0722-3221234"
    office.save()
    return factories.StationFactory(office=office, name="南关骑手驿站")


@pytest.fixture
def drive(office, caseworker, station):
    return members_services.create_event(
        by=caseworker, office=office, name="骑手入会日", date=timezone.localdate(), place="驿站"
    )


def issued(seconds_ago: int = 10) -> str:
    """A form's signed time as if shown `seconds_ago`."""
    return public_forms.issue(time.time() - seconds_ago)


def help_answers(**changes) -> dict:
    return {
        "kind": "wage",
        "name": "王小明",
        "mobile": "13912345678",
        "occupation": "rider",
        "employer": "美团 南关站",
        "description": "站点拖欠我三个月配送费。",
        "amount_owed": "3,200",
        "consent": "on",
        "website": "",
        "issued": issued(),
        **changes,
    }


def join_answers(n: int = 501, **changes) -> dict:
    return {
        "name": "李娜",
        "mobile": f"139{n:08d}",
        "id_number": factories.id_number(n),
        "occupation": "rider",
        "employer": "美团",
        "consent_purposes": "on",
        "website": "",
        "issued": issued(),
        **changes,
    }


@pytest.fixture
def anonymous(client):
    client.cookies["django_language"] = "en"
    return client

"""Shared fixtures: a city federation with two district offices and their staff.

Text is not switched to English globally: tests assert on data. Where a test
reads a message, it wraps the call in `translation.override("en")`.
"""

import pytest

from tests import factories


@pytest.fixture
def city(db):
    """The root office: the city federation."""
    return factories.CityFederationFactory(name="随州市总工会")


@pytest.fixture
def office(city):
    return factories.OfficeFactory(name="曾都区总工会", parent=city)


@pytest.fixture
def other_office(city):
    return factories.OfficeFactory(name="广水市总工会", parent=city)


@pytest.fixture
def caseworker(office):
    return factories.caseworker(office, username="zhang.wei", full_name="张伟")


@pytest.fixture
def caseworker2(office):
    return factories.caseworker(office, username="li.na", full_name="李娜")


@pytest.fixture
def other_caseworker(other_office):
    return factories.caseworker(other_office, username="wang.fang", full_name="王芳")


@pytest.fixture
def supervisor(office):
    return factories.supervisor(office, username="liu.yang", full_name="刘洋")


@pytest.fixture
def other_supervisor(other_office):
    return factories.supervisor(other_office, username="chen.jing", full_name="陈静")


@pytest.fixture
def city_supervisor(city):
    return factories.supervisor(city, username="zhao.min", full_name="赵敏")


@pytest.fixture
def auditor(db):
    return factories.auditor(username="sun.li", full_name="孙丽")


@pytest.fixture
def admin_user(db):
    """Overrides pytest-django's: a superuser in no group, like our administrators."""
    return factories.admin(username="admin", full_name="管理员")


@pytest.fixture
def worker(office, caseworker):
    return factories.WorkerFactory(office=office, created_by=caseworker)

"""The demo's contract: what `seed_demo` builds, counted (tests/demo/census.json).

The census was taken from the demo before its data became a table of records and its
builder one short walk over them; the demo must keep showing all of it. Rebuild the
file only when the demo is meant to change:

    DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:////tmp/census.sqlite3 \\
        .venv/bin/python manage.py migrate
    DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:////tmp/census.sqlite3 \\
        .venv/bin/python -m tests.demo.census --seed > tests/demo/census.json
"""

import importlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from casework.models import User
from tests.demo.census import CENSUS_MOMENT, census, clock_at

pytestmark = pytest.mark.django_db

EXPECTED = json.loads((Path(__file__).parent / "census.json").read_text())


@pytest.fixture
def built(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    importlib.import_module("casework.migrations.0005_default_reference_data").load(apps, None)
    with clock_at(CENSUS_MOMENT):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()


def test_the_demo_shows_all_it_showed(built):
    with clock_at(CENSUS_MOMENT):
        found = json.loads(json.dumps(census(), default=str))
    for section, expected in EXPECTED.items():
        if section == "models":
            # A model added since the census may hold rows or not: the demo must
            # keep what it had, not stay without what it gained.
            assert {m: found[section].get(m) for m in expected} == expected, section
        else:
            assert found[section] == expected, section
    assert set(found) == set(EXPECTED)


def test_the_headline_is_12_workers_and_197000_yuan(built, login_as):
    assert "money recovered for 12 workers, ¥197,000.00" in built
    with clock_at(CENSUS_MOMENT):
        page = login_as(User.objects.get(username="citysupervisor")).get("/figures/")
    headline = {row[0].value: row[1].value for row in page.context["headline"].rows}
    assert headline["Workers with money recovered"] == 12
    assert "¥197,000.00" in page.content.decode()
    assert EXPECTED["figures"]["workers_paid"] == "12"
    assert EXPECTED["figures"]["recovered"] == "197000.00"

"""The public pages' limits: per address an hour, per mobile a day, in the database;
a refusal is a message on the page and never touches what was sent before."""

import datetime

import pytest
from django.utils import timezone

from members.models import MembershipApplication
from public import limits
from public.models import OnlineRequest, PublicCounter
from tests.public.conftest import help_answers, join_answers

pytestmark = pytest.mark.django_db


def test_a_counter_counts_each_hit_in_its_window():
    assert [limits.hit("ip:1.2.3.4", limits.HOUR) for _ in range(3)] == [1, 2, 3]
    assert limits.count("ip:1.2.3.4", limits.HOUR) == 3
    assert limits.count("ip:5.6.7.8", limits.HOUR) == 0
    assert PublicCounter.objects.count() == 1


def test_the_next_window_starts_again(monkeypatch):
    limits.hit("ip:1.2.3.4", limits.HOUR)
    later = timezone.now() + datetime.timedelta(hours=1)
    monkeypatch.setattr(limits.timezone, "now", lambda: later)

    assert limits.hit("ip:1.2.3.4", limits.HOUR) == 1


def test_the_mobile_is_not_kept_in_clear():
    limits.submission_for("13912345678")

    assert "13912345678" not in PublicCounter.objects.get().key


def test_posts_from_one_address_over_the_hours_limit_are_refused_and_the_earlier_kept(
    anonymous, station, settings
):
    settings.PUBLIC_LIMIT_PER_IP = 3
    url = f"/p/station/{station.pk}/help/"
    for n in range(3):
        anonymous.post(url, help_answers(mobile=f"1391234000{n}"))
    kept = list(OnlineRequest.objects.order_by("pk").values())

    refused = anonymous.post(url, help_answers(mobile="13912340009", employer="饿了么"))

    assert refused.status_code == 429
    assert "Too many forms were sent from this network" in refused.content.decode()
    assert "饿了么" in refused.content.decode()  # what was typed is shown again
    assert list(OnlineRequest.objects.order_by("pk").values()) == kept


def test_a_thousand_posts_from_one_address_get_refusals_not_errors(anonymous, station, settings):
    settings.PUBLIC_LIMIT_PER_IP = 20
    url = f"/p/station/{station.pk}/help/"
    answered = [anonymous.post(url, {"name": "x"}).status_code for _ in range(1000)]

    assert set(answered[:20]) == {400}
    assert set(answered[20:]) == {429}
    assert not OnlineRequest.objects.exists()


def test_one_mobile_over_the_days_limit_is_refused_and_the_earlier_kept(
    anonymous, station, settings
):
    settings.PUBLIC_LIMIT_PER_MOBILE = 2
    url = f"/p/station/{station.pk}/help/"
    anonymous.post(url, help_answers())
    anonymous.post(url, help_answers(kind="hardship"))

    refused = anonymous.post(url, help_answers(kind="card"))

    assert refused.status_code == 429
    assert "This mobile number has sent 2 forms today" in refused.content.decode()
    assert sorted(OnlineRequest.objects.values_list("kind", flat=True)) == ["hardship", "wage"]


def test_the_mobile_limit_holds_for_joining_too(anonymous, station, settings):
    settings.PUBLIC_LIMIT_PER_MOBILE = 1
    url = f"/p/station/{station.pk}/join/"
    anonymous.post(url, join_answers(701))

    refused = anonymous.post(url, join_answers(702, mobile=join_answers(701)["mobile"]))

    assert refused.status_code == 429
    assert MembershipApplication.objects.count() == 1


def test_other_addresses_are_not_limited_by_one(client, station, settings):
    settings.PUBLIC_LIMIT_PER_IP = 1
    url = f"/p/station/{station.pk}/help/"
    client.post(url, help_answers(mobile="13912340001"), REMOTE_ADDR="10.0.0.1")

    other = client.post(url, help_answers(mobile="13912340002"), REMOTE_ADDR="10.0.0.2")

    assert other.status_code == 302
    assert OnlineRequest.objects.count() == 2

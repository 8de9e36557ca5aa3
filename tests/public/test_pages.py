"""The public pages through the client: no login, the station's and the drive's entry
pages, asking for help, joining, the status page; and every refusal on the page."""

import pytest
from django.test import Client
from django.utils import translation

from members.models import MembershipApplication, Source
from public import codes
from public.models import OnlineRequest
from tests import factories
from tests.public.conftest import help_answers, issued, join_answers

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_the_station_page_needs_no_login_and_offers_help_and_joining(anonymous, station):
    response = anonymous.get(f"/p/station/{station.pk}/")

    assert response.status_code == 200
    assert "南关骑手驿站" in text(response)
    assert f"/p/station/{station.pk}/help/" in text(response)
    assert f"/p/station/{station.pk}/join/" in text(response)
    assert "Case queue" not in text(response)  # no staff navigation


def test_the_station_page_is_chinese_first(client, station):
    response = client.get(f"/p/station/{station.pk}/")

    assert "求助" in text(response)
    assert 'lang="zh-hans"' in text(response)


def test_a_closed_station_has_no_page(anonymous, station):
    station.is_active = False
    station.save()

    assert anonymous.get(f"/p/station/{station.pk}/").status_code == 404


def test_asking_for_help_stores_a_request_and_shows_the_code(anonymous, station):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(), follow=True)

    online = OnlineRequest.objects.get()
    assert online.station == station
    assert online.office == station.office
    assert online.amount_owed == 3200
    assert online.name == "王小明"
    assert codes.display(online.tracking_code) in text(response)


def test_a_hardship_request_keeps_no_amount(anonymous, station):
    anonymous.post(
        f"/p/station/{station.pk}/help/", help_answers(kind="hardship", amount_owed="500")
    )

    assert OnlineRequest.objects.get().amount_owed is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "王😀"}, "name", "Write the name in letters only"),
        ({"name": "王\x07明"}, "name", "Write the name in letters only"),
        ({"mobile": "12345"}, "mobile", ""),
        ({"description": "x" * 2001}, "description", "at most 2000"),
        ({"description": "拖欠\x07工资"}, "description", "cannot be stored"),
        ({"description": "拖欠\x00工资"}, "description", "Null characters are not allowed."),
        ({"amount_owed": "三千"}, "amount_owed", ""),
        ({"consent": ""}, "consent", "only with your consent"),
    ],
)
def test_bad_answers_are_refused_beside_the_field_and_kept(
    anonymous, station, shown_field, changes, field, message
):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(**changes))

    assert response.status_code == 400
    errors, _html = shown_field(response, field)
    assert errors and message in " ".join(errors)
    assert "美团 南关站" in text(response)  # what was typed is kept
    assert not OnlineRequest.objects.exists()


def test_a_kind_of_help_not_offered_is_refused(anonymous, station):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(kind="loan"))

    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert not OnlineRequest.objects.exists()


def test_the_honeypot_refuses_a_robot(anonymous, station):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(website="http://spam"))

    assert response.status_code == 400
    assert "We could not accept this form" in text(response)
    assert not OnlineRequest.objects.exists()


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: issued(0), "sent too quickly"),
        (lambda: issued(3 * 3600), "open too long"),
        (lambda: "forged", "We could not accept this form"),
        (lambda: "", "We could not accept this form"),
    ],
)
def test_the_signed_time_refuses_too_fast_too_old_and_forged(anonymous, station, token, message):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(issued=token()))

    assert response.status_code == 400
    assert message in text(response)
    assert not OnlineRequest.objects.exists()


def test_a_huge_post_is_refused_with_a_message(anonymous, station):
    response = anonymous.post(
        f"/p/station/{station.pk}/help/", help_answers(description="欠" * 30000)
    )

    assert response.status_code == 413
    assert "too large" in text(response)
    assert not OnlineRequest.objects.exists()


def test_joining_at_a_station_goes_to_the_review_queue(anonymous, station):
    response = anonymous.post(f"/p/station/{station.pk}/join/", join_answers(), follow=True)

    application = MembershipApplication.objects.get()
    assert application.source == Source.STATION
    assert application.station == station
    assert application.state == "pending"
    assert codes.display(application.tracking_code) in text(response)


def test_the_join_page_says_what_is_collected_why_how_long_and_whom_to_ask(anonymous, station):
    page = text(anonymous.get(f"/p/station/{station.pk}/join/"))

    for words in ("What we collect", "Why", "How long", "Whom to ask", "0722-3221234"):
        assert words in page
    assert 'name="consent_contact"' in page
    assert 'name="consent_purposes"' in page


def test_joining_without_consent_or_with_a_wrong_id_is_refused(anonymous, station, shown_field):
    response = anonymous.post(
        f"/p/station/{station.pk}/join/",
        join_answers(consent_purposes="", id_number="42130319900101001X"),
    )

    assert response.status_code == 400
    assert shown_field(response, "consent_purposes")[0]
    assert shown_field(response, "id_number")[0]
    assert not MembershipApplication.objects.exists()


def test_the_drive_page_joins_and_counts_sign_ups(anonymous, drive):
    url = f"/p/event/{drive.public_id}/"
    assert "Signed up so far" in text(anonymous.get(url))

    anonymous.post(url, join_answers(601))
    anonymous.post(url, join_answers(602, name="张三"))

    applications = MembershipApplication.objects.filter(event=drive)
    assert applications.count() == 2
    assert {a.source for a in applications} == {Source.EVENT}
    assert anonymous.get(f"{url}count/").json() == {"signups": 2}
    assert '<strong id="signups" aria-live="polite">2</strong>' in text(anonymous.get(url))


def test_an_unknown_drive_has_a_page_for_the_public_saying_so(anonymous):
    response = anonymous.get("/p/event/6f1c3c3e-0000-4000-8000-000000000000/")

    assert response.status_code == 404
    assert "This QR code leads to no open station or membership drive" in text(response)
    assert "Back to the queue" not in text(response)


def test_a_body_too_large_to_read_at_all_gets_a_page_not_an_error(station):
    # The CSRF check reads the body first, as it does for a browser: Django refuses it.
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["django_language"] = "en"
    form = browser.get(f"/p/station/{station.pk}/help/")
    token = form.context["csrf_token"]
    response = browser.post(
        f"/p/station/{station.pk}/help/",
        help_answers(description="欠" * 1_000_000, csrfmiddlewaretoken=str(token)),
    )

    assert response.status_code == 400
    assert "could not be read" in text(response)
    assert not OnlineRequest.objects.exists()


def status(client, code, last_four):
    return client.post("/p/status/", {"code": code, "last_four": last_four})


def test_the_status_page_shows_only_the_stage_and_the_office_phone(anonymous, station):
    anonymous.post(f"/p/station/{station.pk}/help/", help_answers())
    online = OnlineRequest.objects.get()

    response = status(anonymous, codes.display(online.tracking_code).lower(), "5678")

    page = text(response)
    assert response.status_code == 200
    assert "Received" in page
    assert "0722-3221234" in page
    for private in ("王小明", "3,200", "3200", "13912345678", "美团", "拖欠"):
        assert private not in page


def test_a_wrong_code_or_wrong_digits_say_nothing_about_which(anonymous, station):
    anonymous.post(f"/p/station/{station.pk}/help/", help_answers())
    code = OnlineRequest.objects.get().tracking_code

    wrong_digits = status(anonymous, code, "1234")
    assert wrong_digits.status_code == 404
    assert "We found nothing" in text(wrong_digits)
    assert "Received" not in text(wrong_digits)


def test_a_code_with_a_typo_is_refused_by_its_check_character(anonymous, shown_field):
    code = codes.new_code()
    typo = code[:3] + ("0" if code[3] != "0" else "1") + code[4:]

    response = status(anonymous, typo, "5678")

    assert response.status_code == 400
    assert "This is not a tracking code" in shown_field(response, "code")[0][0]


def test_wrong_status_answers_are_locked_out_like_a_sign_in(anonymous, station, settings):
    settings.PUBLIC_STATUS_FAILURE_LIMIT = 3
    anonymous.post(f"/p/station/{station.pk}/help/", help_answers())
    code = OnlineRequest.objects.get().tracking_code
    for digits in ("0001", "0002", "0003"):
        assert status(anonymous, code, digits).status_code == 404

    locked = status(anonymous, code, "5678")  # now even the right answer waits

    assert locked.status_code == 429
    assert "Too many wrong answers" in text(locked)
    assert "Received" not in text(locked)


def test_the_done_page_without_a_submission_goes_to_the_status_page(anonymous):
    response = anonymous.get("/p/done/")

    assert response.status_code == 302
    assert response["Location"] == "/p/status/"


def test_the_english_switch_works_on_the_public_pages(client, station):
    client.post("/i18n/setlang/", {"language": "en", "next": f"/p/station/{station.pk}/"})

    with translation.override("en"):
        page = text(client.get(f"/p/station/{station.pk}/"))
    assert "Ask for help" in page


def test_the_page_shows_a_new_form_time_after_a_refusal(anonymous, station):
    response = anonymous.post(f"/p/station/{station.pk}/help/", help_answers(name=""))
    token = response.context["form"].data["issued"]

    assert token != help_answers()["issued"]
    factories  # noqa: B018  (the factories module is the fixtures' source)

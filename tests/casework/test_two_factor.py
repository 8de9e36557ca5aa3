"""Two-factor sign-in: supervisors, auditors and administrators enter a code from an
authenticator app after their password, and enrol on their first sign-in; wrong codes
are refused, throttled and logged; recovery codes work once; caseworkers may turn it
on; an administrator resets a lost phone (logged); the lockout still holds."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import two_factor
from casework.audit import Action
from casework.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

# Pages a signed-in user may not open before the code: every kind of page there is.
GATED = [
    "/",
    "/cases/",
    "/workers/",
    "/assistance/approvals/",
    "/audit/log/",
    "/account/",
    "/admin/",
    "/settings/",
]


def sign_in(client, user, password=factories.PASSWORD, ip="10.0.0.1"):
    """The password step through the sign-in form, in English."""
    client.cookies["django_language"] = "en"
    return client.post("/login/", {"username": user.username, "password": password}, REMOTE_ADDR=ip)


def enter(client, code, url="/login/code/"):
    return client.post(url, {"code": code})


def unthrottled(user):
    """As if the wait after the last wrong code had passed."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_timestamp=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the code after the password ----------------------------------------------------------


def test_a_supervisor_signing_in_is_asked_for_a_code(client, supervisor):
    response = sign_in(client, supervisor)

    assert response.status_code == 302
    page = client.get(response["Location"], follow=True)
    assert page.request["PATH_INFO"] == "/login/code/"
    assert "Enter your sign-in code" in text(page)
    assert "six-digit code" in text(page)


@pytest.mark.parametrize("url", GATED)
def test_before_the_code_no_page_but_the_code_page_opens(client, supervisor, url):
    sign_in(client, supervisor)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/code/")
    assert client.get("/login/code/").status_code == 200


def test_before_the_code_a_case_page_and_its_print_do_not_open(
    client, office, caseworker, supervisor
):
    dispute = factories.wage_dispute(office, by=caseworker)
    sign_in(client, supervisor)

    for url in (f"/cases/{dispute.number}/", f"/cases/{dispute.number}/print/case-file/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/code/"), url
        assert dispute.number not in response.content.decode()


def test_before_the_code_a_post_is_refused_too(client, supervisor, caseworker):
    sign_in(client, supervisor)

    response = client.post("/account/")  # "sign out everywhere" would end sessions

    assert response.status_code == 302
    assert response["Location"] == "/login/code/"
    assert not AuditEntry.objects.filter(action=Action.SESSIONS_ENDED).exists()


def test_before_the_code_the_public_pages_and_log_out_open(client, supervisor):
    sign_in(client, supervisor)

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/x"}).status_code == 302
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_and_administrators_are_asked_for_a_code_too(client, role):
    user = getattr(factories, role)(username=f"the.{role}")
    sign_in(client, user)

    assert client.get("/cases/")["Location"].startswith("/login/code/")


def test_the_right_code_opens_the_page_asked_for(client, supervisor):
    sign_in(client, supervisor)
    client.get("/workers/")
    key_before = client.session.session_key

    response = enter(client, factories.totp_code(supervisor), url="/login/code/?next=/workers/")

    assert response.status_code == 302
    assert response["Location"] == "/workers/"
    assert client.session.session_key != key_before  # a new session key, as at sign-in
    assert client.get("/workers/").status_code == 200
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_PASSED)
    assert entry.actor == supervisor
    assert entry.details == {"recovery_code": False}


def test_the_code_page_does_not_send_on_to_another_site(client, supervisor):
    sign_in(client, supervisor)

    response = enter(client, factories.totp_code(supervisor), url="/login/code/?next=//evil.test/")

    assert response["Location"] == "/"


def test_a_wrong_code_is_refused_with_a_message_and_logged(client, supervisor):
    sign_in(client, supervisor)
    right = factories.totp_code(supervisor)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = enter(client, wrong)

    assert response.status_code == 400
    assert "That code is not right." in text(response)
    assert client.get("/cases/").status_code == 302
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_FAILED)
    assert entry.actor == supervisor
    assert entry.details["failures"] == 1
    assert wrong not in str(entry.details)


def test_the_message_is_translated(client, supervisor):
    sign_in(client, supervisor)
    client.cookies["django_language"] = "zh-hans"

    response = enter(client, "000000")

    assert "验证码不对" in text(response)


def test_wrong_codes_are_throttled_even_before_the_right_one(client, supervisor):
    sign_in(client, supervisor)
    for _ in range(3):
        unthrottled(supervisor)
        enter(client, "000000" if factories.totp_code(supervisor) != "000000" else "111111")

    # At once after the third wrong code: the right code is not even tried.
    response = enter(client, factories.totp_code(supervisor))

    assert response.status_code == 400
    assert "Too many wrong codes. Wait 4 seconds and try again." in text(response)
    assert client.get("/cases/").status_code == 302
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_FAILED).count() == 4
    unthrottled(supervisor)
    assert enter(client, factories.totp_code(supervisor)).status_code == 302


def test_a_code_is_accepted_only_once(client, supervisor):
    device = TOTPDevice.objects.get(user=supervisor)
    code = f"{totp(device.bin_key):06d}"
    sign_in(client, supervisor)
    assert enter(client, code).status_code == 302

    other = Client()
    sign_in(other, supervisor)
    response = enter(other, code)

    assert response.status_code == 400


def test_a_new_password_sign_in_asks_for_a_code_again(client, supervisor):
    sign_in(client, supervisor)
    enter(client, factories.totp_code(supervisor))
    assert client.get("/cases/").status_code == 200

    sign_in(client, supervisor)

    assert client.get("/cases/").status_code == 302


# --- recovery codes -----------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, supervisor):
    codes = two_factor.renew_recovery_codes(supervisor)
    sign_in(client, supervisor)

    response = enter(client, codes[0].upper()[:4] + " " + codes[0][4:])  # as typed from paper

    assert response.status_code == 302
    page = client.get("/cases/")
    assert page.status_code == 200
    assert "You signed in with a recovery code; 9 are left." in text(page)
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_PASSED)
    assert entry.details == {"recovery_code": True, "left": 9}

    again = Client()
    sign_in(again, supervisor)
    assert enter(again, codes[0]).status_code == 400
    assert again.get("/cases/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones_and_are_logged(login_as, supervisor):
    old = two_factor.renew_recovery_codes(supervisor)
    client = login_as(supervisor)
    assert "10 recovery codes left." in text(client.get("/account/"))

    response = client.post("/account/recovery-codes/")

    shown = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(shown) == 10
    assert "They are shown only now." in text(response)
    stored = StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True)
    assert set(stored) == set(shown)
    assert not set(stored) & set(old)
    assert AuditEntry.objects.filter(action=Action.RECOVERY_CODES_RENEWED, actor=supervisor)


# --- enrolment ----------------------------------------------------------------------------


@pytest.fixture
def new_supervisor(office):
    return factories.supervisor(office, username="new.boss", two_factor=False)


def test_a_supervisor_without_an_authenticator_enrols_before_anything_else(client, new_supervisor):
    sign_in(client, new_supervisor)

    for url in GATED + ["/login/code/"]:
        response = client.get(url, follow=True)
        assert response.request["PATH_INFO"] == "/account/two-factor/", url
    page = text(response)
    assert "Set up two-factor sign-in" in page
    assert '<svg role="img" viewBox="0 0' in page
    device = TOTPDevice.objects.get(user=new_supervisor, confirmed=False)
    assert two_factor.secret_text(device) in page
    assert "otpauth://" not in page.replace(">", " ").split("<svg", 1)[0]  # the QR holds it


def test_enrolment_keeps_the_secret_until_confirmed(client, new_supervisor):
    sign_in(client, new_supervisor)
    first = text(client.get("/account/two-factor/"))
    second = text(client.get("/account/two-factor/"))

    secret = two_factor.secret_text(TOTPDevice.objects.get(user=new_supervisor))
    assert secret in first and secret in second
    assert TOTPDevice.objects.filter(user=new_supervisor).count() == 1


def test_the_first_code_turns_it_on_and_shows_the_recovery_codes_once(client, new_supervisor):
    sign_in(client, new_supervisor)
    client.get("/account/two-factor/?next=/workers/")
    device = TOTPDevice.objects.get(user=new_supervisor)
    code = f"{totp(device.bin_key):06d}"

    response = enter(client, code, url="/account/two-factor/?next=/workers/")

    assert response.status_code == 200
    assert "Two-factor sign-in is on." in text(response)
    shown = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(shown) == 10
    assert 'href="/workers/"' in response.content.decode()
    assert client.get("/workers/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_ENROLLED, actor=new_supervisor)
    # Once on, the enrolment page shows no secret again.
    assert client.get("/account/two-factor/")["Location"] == "/account/"


def test_a_wrong_first_code_is_refused_and_logged(client, new_supervisor):
    sign_in(client, new_supervisor)
    client.get("/account/two-factor/")

    response = enter(client, "12345", url="/account/two-factor/")

    assert response.status_code == 400
    assert "That code is not right." in text(response)
    assert not TOTPDevice.objects.get(user=new_supervisor).confirmed
    assert client.get("/cases/").status_code == 302
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_FAILED)
    assert entry.details["enrolment"] is True


# --- caseworkers --------------------------------------------------------------------------


def test_a_caseworker_is_not_asked_for_a_code(client, caseworker):
    sign_in(client, caseworker)

    assert client.get("/cases/").status_code == 200
    assert "Turn on two-factor sign-in" in text(client.get("/account/"))


def test_a_caseworker_who_turns_it_on_is_asked_for_a_code_next_time(client, caseworker):
    sign_in(client, caseworker)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=caseworker)
    enter(client, f"{totp(device.bin_key):06d}", url="/account/two-factor/")
    assert client.get("/cases/").status_code == 200
    client.post("/logout/")

    sign_in(client, caseworker)

    assert client.get("/cases/")["Location"].startswith("/login/code/")
    assert enter(client, factories.totp_code(caseworker)).status_code == 302
    assert client.get("/cases/").status_code == 200


def test_a_caseworker_may_turn_it_off_again_and_it_is_logged(login_as, caseworker):
    two_factor.enrol_with_key(caseworker, factories.TOTP_KEY)
    client = login_as(caseworker)
    assert "Turn off two-factor sign-in" in text(client.get("/account/"))

    response = client.post("/account/two-factor/off/", follow=True)

    assert "Two-factor sign-in is off." in text(response)
    assert not TOTPDevice.objects.filter(user=caseworker).exists()
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_OFF, actor=caseworker).exists()
    client.post("/logout/")
    sign_in(client, caseworker)
    assert client.get("/cases/").status_code == 200


def test_a_supervisor_cannot_turn_it_off(login_as, supervisor):
    client = login_as(supervisor)
    assert "Turn off two-factor sign-in" not in text(client.get("/account/"))

    response = client.post("/account/two-factor/off/", follow=True)

    assert "Your role needs two-factor sign-in: it stays on." in text(response)
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action=Action.TWO_FACTOR_OFF).exists()


def test_a_role_given_during_a_session_asks_for_enrolment_at_once(client, caseworker):
    sign_in(client, caseworker)
    assert client.get("/cases/").status_code == 200

    caseworker.groups.add(Group.objects.get(name="supervisor"))

    assert client.get("/cases/")["Location"].startswith("/account/two-factor/")


# --- administrators reset a lost phone ----------------------------------------------------


def test_an_administrator_resets_a_lost_phone_and_it_is_logged(login_as, supervisor, admin_user):
    phone = Client()
    sign_in(phone, supervisor)
    enter(phone, factories.totp_code(supervisor))
    two_factor.renew_recovery_codes(supervisor)
    client = login_as(admin_user)

    response = client.post(
        "/admin/casework/user/",
        {"action": "reset_two_factor", "_selected_action": [supervisor.pk]},
        follow=True,
    )

    assert "Two-factor sign-in reset for liu.yang" in text(response)
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not StaticToken.objects.filter(device__user=supervisor).exists()
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_RESET)
    assert entry.actor == admin_user
    assert entry.object_id == str(supervisor.pk)
    assert entry.details == {
        "username": "liu.yang",
        "devices": [two_factor.AUTHENTICATOR, two_factor.RECOVERY],
    }
    # The phone's session ended; at the next sign-in the supervisor enrols again.
    assert phone.get("/cases/")["Location"].startswith("/login/")
    sign_in(phone, supervisor)
    assert phone.get("/cases/")["Location"].startswith("/account/two-factor/")


def test_only_administrators_reset(login_as, supervisor, other_supervisor):
    client = login_as(other_supervisor)

    client.post(
        "/admin/casework/user/",
        {"action": "reset_two_factor", "_selected_action": [supervisor.pk]},
    )

    assert TOTPDevice.objects.filter(user=supervisor).exists()
    assert not AuditEntry.objects.filter(action=Action.TWO_FACTOR_RESET).exists()


def test_the_admin_shows_no_device_pages(login_as, admin_user):
    client = login_as(admin_user)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- the lockout still holds --------------------------------------------------------------


def test_ten_wrong_passwords_still_lock_the_account_before_any_code(client, supervisor):
    for _ in range(10):
        sign_in(client, supervisor, password="wrong-password")

    response = sign_in(client, supervisor, ip="10.0.0.2")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/login/code/")["Location"].startswith("/login/")

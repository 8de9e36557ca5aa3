"""Changes an administrator makes in the admin are in the audit log: roles, accounts
(deactivation, passwords — never their value), role groups, offices and districts."""

import pytest
from django.contrib.auth.models import Group, Permission

from casework.audit import Action
from casework.models import AuditEntry, User

pytestmark = pytest.mark.django_db


def change_form(user: User, **changes) -> dict:
    """What the admin's account form posts back for `user`, with `changes`."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "office": user.office_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "language": user.language,
        "_save": "Save",
    }
    if user.email_reminders:
        data["email_reminders"] = "on"
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post_change(client, user: User, **changes):
    response = client.post(f"/admin/casework/user/{user.pk}/change/", change_form(user, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_giving_a_caseworker_the_supervisor_role_is_recorded(login_as, admin_user, caseworker):
    supervisor = Group.objects.get(name="supervisor")
    client = login_as(admin_user)

    post_change(
        client, caseworker, groups=[g.pk for g in caseworker.groups.all()] + [supervisor.pk]
    )

    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        admin_user,
        "user",
        str(caseworker.pk),
    )
    assert entry.office_id == caseworker.office_id
    assert entry.details == {"from": ["caseworker"], "to": ["caseworker", "supervisor"]}
    assert not AuditEntry.objects.filter(action=Action.ACCOUNT_CHANGED).exists()


def test_making_someone_an_administrator_is_a_role_change(login_as, admin_user, auditor):
    post_change(login_as(admin_user), auditor, is_superuser="on", is_staff="on")

    role = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert role.details == {"from": ["auditor"], "to": ["auditor", "administrator"]}
    account = AuditEntry.objects.get(action=Action.ACCOUNT_CHANGED)
    assert account.details["changes"] == {"is_staff": {"from": False, "to": True}}


def test_deactivating_an_account_is_recorded_and_changes_no_entry(
    login_as, admin_user, caseworker, cases
):
    entries_before = list(AuditEntry.objects.order_by("pk").values())

    post_change(login_as(admin_user), caseworker, is_active=False)

    entry = AuditEntry.objects.get(action=Action.ACCOUNT_CHANGED)
    assert entry.details == {
        "created": False,
        "fields": ["is_active"],
        "changes": {"is_active": {"from": True, "to": False}},
    }
    assert list(
        AuditEntry.objects.filter(pk__lte=entries_before[-1]["id"]).order_by("pk").values()
    ) == (entries_before)
    # Their entries still name them.
    assert AuditEntry.objects.filter(actor=caseworker, actor_name="张伟 (zhang.wei)").exists()


def test_a_new_account_is_recorded_with_its_roles(login_as, admin_user, office):
    caseworker = Group.objects.get(name="caseworker")

    response = login_as(admin_user).post(
        "/admin/casework/user/add/",
        {
            "username": "xu.qing",
            "full_name": "徐青",
            "office": office.pk,
            "groups": [caseworker.pk],
            "password1": "a long enough passphrase 2026",
            "password2": "a long enough passphrase 2026",
            "usable_password": "true",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="xu.qing")
    account = AuditEntry.objects.get(action=Action.ACCOUNT_CHANGED)
    assert account.details["created"] is True
    assert account.details["changes"]["office"] == {"from": None, "to": office.name}
    assert "password" in account.details["fields"]
    assert "passphrase" not in str(account.details)
    role = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert (role.object_id, role.details) == (str(user.pk), {"from": [], "to": ["caseworker"]})


def test_a_password_set_by_an_administrator_is_recorded_without_it(
    login_as, admin_user, caseworker
):
    response = login_as(admin_user).post(
        f"/admin/casework/user/{caseworker.pk}/password/",
        {
            "password1": "another long passphrase 2026",
            "password2": "another long passphrase 2026",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.ACCOUNT_CHANGED)
    assert entry.details == {"created": False, "fields": ["password"], "changes": {}}
    assert "passphrase" not in str(entry.details)
    assert caseworker.password not in str(entry.details)


def test_a_password_post_that_changes_nothing_records_nothing(login_as, admin_user, caseworker):
    # "Not usable" without the button that unsets it: Django redirects, saving nothing.
    response = login_as(admin_user).post(
        f"/admin/casework/user/{caseworker.pk}/password/",
        {"usable_password": "false", "password1": "", "password2": ""},
    )

    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.has_usable_password()
    assert not AuditEntry.objects.filter(action=Action.ACCOUNT_CHANGED).exists()


def test_changing_what_a_role_may_do_is_recorded(login_as, admin_user):
    auditor = Group.objects.get(name="auditor")
    reveal = Permission.objects.get(codename="reveal_id_number")
    permissions = [p.pk for p in auditor.permissions.all()] + [reveal.pk]

    response = login_as(admin_user).post(
        f"/admin/auth/group/{auditor.pk}/change/",
        {"name": "auditor", "permissions": permissions, "_save": "Save"},
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert entry.details["group"] == "auditor"
    change = entry.details["changes"]["permissions"]
    assert set(change["to"]) - set(change["from"]) == {"reveal_id_number"}


def test_a_role_group_cannot_be_deleted(login_as, admin_user):
    auditor = Group.objects.get(name="auditor")

    response = login_as(admin_user).post(f"/admin/auth/group/{auditor.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Group.objects.filter(name="auditor").exists()


def test_closing_an_office_is_recorded_and_changes_no_entry(
    login_as, admin_user, other_office, cases
):
    entries_before = list(AuditEntry.objects.order_by("pk").values())

    response = login_as(admin_user).post(
        f"/admin/casework/office/{other_office.pk}/change/",
        {
            "name": other_office.name,
            "short_name": "",
            "parent": other_office.parent_id,
            "_save": "Save",
        },  # "is_active" not ticked: closed
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.SETTING_CHANGED)
    assert entry.details == {
        "key": "office",
        "created": False,
        "changes": {"is_active": {"from": True, "to": False}},
    }
    assert list(
        AuditEntry.objects.filter(pk__lte=entries_before[-1]["id"]).order_by("pk").values()
    ) == (entries_before)
    # The office's past entries still point at it.
    assert AuditEntry.objects.filter(office=other_office).count() > 1


def test_a_new_district_is_recorded(login_as, admin_user):
    response = login_as(admin_user).post(
        "/admin/casework/district/add/", {"name": "随县", "_save": "Save"}
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.SETTING_CHANGED)
    assert entry.details == {
        "key": "district",
        "created": True,
        "changes": {"name": {"from": None, "to": "随县"}},
    }


def test_saving_an_account_unchanged_records_nothing(login_as, admin_user, auditor):
    post_change(login_as(admin_user), auditor)

    assert not AuditEntry.objects.filter(
        action__in=[Action.ACCOUNT_CHANGED, Action.ROLE_CHANGED]
    ).exists()


def test_an_entry_keeps_the_name_of_a_renamed_account(login_as, admin_user, caseworker, cases):
    post_change(login_as(admin_user), caseworker, full_name="张伟（已调离）")

    # Old entries keep the name as it was; the change itself is an entry of its own.
    assert AuditEntry.objects.filter(actor=caseworker, actor_name="张伟 (zhang.wei)").exists()
    entry = AuditEntry.objects.get(action=Action.ACCOUNT_CHANGED)
    assert entry.details["changes"] == {"full_name": {"from": "张伟", "to": "张伟（已调离）"}}

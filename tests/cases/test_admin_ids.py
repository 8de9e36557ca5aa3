"""The Django admin shows no ID number in full (issue 16), on any page it has.

Every registered model's list, its search, every object's change form and
history are read by an administrator who also holds every role (so that the
case models and the log open at all), with a worker and a card's family member
holding ID numbers on record. The full number, its cipher text and the mobile
number appear on none of them; the worker's page shows the number masked.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import Worker
from tests import factories
from tests.assistance import steps
from tests.factories import id_number, wage_dispute

pytestmark = pytest.mark.django_db

WORKER_ID = id_number(2468)
SPOUSE_ID = id_number(1357)
MOBILE = "13712345678"


@pytest.fixture
def held(office, caseworker, supervisor):
    """A worker with an ID and a mobile in a wage dispute and a card application
    that covers their spouse, ID and all; the audit log has their entries."""
    worker = steps.member_worker(
        office, caseworker, name="欧阳骑手", id_number=WORKER_ID, phone=MOBILE
    )
    wage_dispute(office, by=supervisor, workers=[worker])
    card = steps.card_at(
        "verified",
        office=office,
        by=caseworker,
        worker=worker,
        approver=supervisor,
        family=[{"name": "李配偶", "relation": "spouse", "id_number": SPOUSE_ID}],
    )
    return {"worker": worker, "card": card, "member": card.family_members.get()}


@pytest.fixture
def full_admin(office):
    """An administrator who also holds every role: the admin hides nothing from them."""
    return factories._staff(
        ["caseworker", "supervisor", "auditor"],
        office=office,
        is_superuser=True,
        is_staff=True,
        username="root",
    )


def secrets_of(held) -> list[str]:
    worker, member = held["worker"], held["member"]
    return [
        WORKER_ID,
        SPOUSE_ID,
        WORKER_ID[6:14] + WORKER_ID[14:],  # the birth date and serial, without the place
        worker.id_encrypted,
        member.id_encrypted,
        worker.id_hash,
        MOBILE,
    ]


def admin_pages(held) -> list[str]:
    """Every admin page that shows rows: lists, searches, change forms, histories."""
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        pages.append(changelist)
        if model_admin.search_fields:
            pages.append(f"{changelist}?q=欧阳")
        for pk in model._default_manager.values_list("pk", flat=True)[:30]:
            for view in ("change", "history"):
                pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[pk]))
    return pages


def test_no_admin_page_shows_a_full_id_number_its_cipher_or_a_mobile(login_as, full_admin, held):
    client = login_as(full_admin)
    pages = admin_pages(held)

    leaks = []
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        leaks += [(url, secret[:8]) for secret in secrets_of(held) if secret in html]

    assert leaks == []
    assert len(pages) > 40  # the walk did reach the objects' pages


def test_the_workers_change_form_shows_the_id_masked_and_read_only(login_as, full_admin, held):
    worker = held["worker"]

    html = (
        login_as(full_admin)
        .get(reverse("admin:cases_worker_change", args=[worker.pk]))
        .content.decode()
    )

    assert f"{WORKER_ID[:6]}********{WORKER_ID[-4:]}" in html
    assert 'name="id_masked"' not in html  # shown, not an input
    assert "欧阳骑手" in html


@pytest.mark.parametrize("text", [WORKER_ID, WORKER_ID.lower()[:-1] + "x", MOBILE, "0722-3456789"])
@pytest.mark.parametrize("model", ["cases_worker", "cases_case", "casework_user"])
def test_an_admin_search_for_an_id_or_phone_is_not_run_nor_echoed(
    login_as, full_admin, held, text, model
):
    client = login_as(full_admin)

    response = client.get(reverse(f"admin:{model}_changelist"), {"q": text})
    landing = client.get(response["Location"])

    assert response.status_code == 302
    assert text not in response["Location"]
    assert landing.status_code == 200
    assert text not in landing.content.decode()
    assert "does not search by ID number or phone" in landing.content.decode()


def test_an_admin_search_by_name_still_finds_the_worker(login_as, full_admin, held):
    response = login_as(full_admin).get(reverse("admin:cases_worker_changelist"), {"q": "欧阳"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [Worker.objects.get(name="欧阳骑手")]

"""A census of the demo city: what `seed_demo` shows, in numbers (the demo's contract).

`census()` reads the seeded database: rows per model, cases per kind and state, per
office, per channel and station, per assignee; money (claimed, agreed, paid, voided,
aid recommended, approved and disbursed); stations and their tallies; reminders and
notifications; audit entries per action; the figures page's headline; the demo logins.

    DJANGO_SETTINGS_MODULE=tests.settings python -m tests.demo.census   # seed a fresh db first
"""

import contextlib
import datetime
import hashlib
from collections import Counter
from decimal import Decimal
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone, translation

PROJECT_APPS = ("casework", "cases", "assistance", "reminders", "reports")

# The day the census below was taken: the demo is built relative to today, so the test
# builds it with the clock moved to this moment (its tallies and reminders depend on the
# day of the week and the working-day calendar).
CENSUS_MOMENT = datetime.datetime.fromisoformat("2026-12-07T10:30:00+08:00")


@contextlib.contextmanager
def clock_at(moment: datetime.datetime):
    """`timezone.now()` (and the model fields that default to it) runs from `moment`."""
    real_now = timezone.now
    offset = moment - real_now()

    def now():
        return real_now() + offset

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.default is real_now
    ]
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", now))
        for field in fields:
            stack.enter_context(mock.patch.object(field, "default", now))
        yield


def _grouped(queryset, *fields) -> dict:
    rows = queryset.values_list(*fields).annotate(n=Count("pk")).order_by(*fields)
    return {"/".join(str(v) for v in row[:-1]): row[-1] for row in rows}


def _total(queryset, field: str) -> str:
    return f"{Decimal(queryset.aggregate(t=Sum(field))['t'] or 0):.2f}"


def _digest(rows) -> str:
    text = "\n".join(sorted(repr(tuple(str(v) for v in row)) for row in rows))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _day_hour(at: datetime.datetime, today: datetime.date) -> tuple[int, int]:
    local = timezone.localtime(at)
    return (today - local.date()).days, local.hour


def _money_of(case) -> list:
    """What a case's money comes to: a dispute's claimed, agreed and paid; an aid
    application's recommended, approved and disbursed amounts; a card's term."""
    if case.kind == "WD":
        totals = case.wagedispute.totals()
        return [f"{totals[k]:.2f}" for k in ("claimed", "agreed", "recovered")]
    if case.kind == "HA":
        aid = case.aidapplication
        return [str(aid.recommended_amount), str(aid.approved_amount), str(aid.disbursed_amount)]
    card = case.cardapplication
    return [card.card_number, str(card.valid_from), str(card.valid_to)]


def census() -> dict:
    """The census in the site's language (role labels and the like are translated),
    whatever language a test before it left active."""
    with translation.override(settings.LANGUAGE_CODE):
        return _census()


def _census() -> dict:
    from assistance.models import AidApplication, Approval, CardApplication, FamilyMember
    from cases.models import (
        Case,
        CaseWorker,
        ClaimItem,
        Contact,
        Counterparty,
        EvidenceItem,
        LimitationEvent,
        MediationSession,
        Note,
        Payment,
        WageDispute,
        Worker,
    )
    from casework import two_factor
    from casework.models import AuditEntry, ServiceTally, Station, User
    from demo.data import DEMO_USERNAMES
    from reminders.models import Reminder
    from reports import figures, periods

    models = {
        model._meta.label: model._default_manager.count()
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
    }
    models["otp_totp.TOTPDevice"] = apps.get_model("otp_totp", "TOTPDevice").objects.count()
    cases = Case.objects.all()
    payments = Payment.objects.all()
    aid = AidApplication.objects.all()
    today = timezone.localdate()
    audited = dict(
        AuditEntry.objects.exclude(case_id=None)
        .values_list("case_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    city = figures.measure(
        figures.Filters(scope=figures.Scope(None)),
        periods.period_for(periods.LAST_12_MONTHS, today),
        today,
    )
    stations = {
        s.name: {
            "office": s.office.name,
            "type": s.type,
            "days": ServiceTally.objects.filter(station=s).values("day").distinct().count(),
            "visits": ServiceTally.objects.filter(station=s).person_visits(),
        }
        for s in Station.objects.select_related("office").order_by("name")
    }
    logins = {
        u.username: [u.full_name, str(u.role_label), str(u.office or ""), two_factor.is_on(u)]
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("office")
    }
    return {
        "models": models,
        "cases": {
            c.number: [
                c.kind,
                c.state,
                c.office.name,
                c.applicant.name,
                c.assignee.username if c.assignee else "",
                (today - timezone.localdate(c.opened_at)).days,
                (today - timezone.localdate(c.state_changed_at)).days,
                (today - timezone.localdate(c.finished_at)).days if c.finished_at else None,
                c.channel,
                c.station.name if c.station else "",
                audited.get(c.pk, 0),
                *_money_of(c),
            ]
            for c in cases.select_related(
                "office",
                "applicant",
                "assignee",
                "station",
                "wagedispute",
                "aidapplication",
                "cardapplication",
            ).order_by("number")
        },
        "overdue": WageDispute.objects.overdue().count(),
        "kind_state": _grouped(cases, "kind", "state"),
        "kind_outcome": _grouped(cases.exclude(outcome=""), "kind", "outcome"),
        "office_kind": _grouped(cases, "office__name", "kind"),
        "channel": _grouped(cases, "kind", "channel", "station__name"),
        "assignee": _grouped(cases, "kind", "assignee__username"),
        "priority": _grouped(cases, "priority"),
        "workers_per_case": dict(
            sorted(
                Counter(
                    str(n)
                    for n in cases.annotate(n=Count("case_workers")).values_list("n", flat=True)
                ).items()
            )
        ),
        "money": {
            "claimed": _total(CaseWorker.objects, "amount_claimed"),
            "agreed": _total(CaseWorker.objects, "amount_agreed"),
            "payments": payments.count(),
            "paid": _total(payments.valid(), "amount"),
            "voided": _total(payments.filter(voided_at__isnull=False), "amount"),
            "aid_recommended": _total(aid, "recommended_amount"),
            "aid_approved": _total(aid, "approved_amount"),
            "aid_disbursed": _total(aid, "disbursed_amount"),
        },
        "aid_category": _grouped(aid.exclude(computed_category=""), "computed_category"),
        "cards_issued": CardApplication.objects.issued().count(),
        "family_members": FamilyMember.objects.count(),
        "stations": stations,
        "person_visits": ServiceTally.objects.person_visits(),
        "reminders": _grouped(Reminder.objects.all(), "clock", "threshold", "recipient__username"),
        "case_events": {
            "contacts": _grouped(Contact.objects.all(), "case__kind", "channel"),
            "sessions": MediationSession.objects.count(),
            "notes": Note.objects.count(),
            "limitation": _grouped(LimitationEvent.objects.all(), "type"),
            "claim_items": _grouped(ClaimItem.objects.all(), "type"),
            "evidence": _grouped(EvidenceItem.objects.all(), "kind", "status"),
            "approvals": _grouped(Approval.objects.all(), "approver__username", "round"),
        },
        "audit": _grouped(AuditEntry.objects.all(), "action"),
        "figures": {
            name: str(value if isinstance(value := getattr(city, name), int) else f"{value:.2f}")
            for name in (
                "workers_helped",
                "workers_paid",
                "recovered",
                "aid_approved",
                "aid_approved_amount",
                "aid_disbursed",
                "aid_disbursed_amount",
                "cards_issued",
                "cards_in_force",
                "stations",
                "person_visits",
            )
        }
        | {"opened": sum(city.opened.values()), "finished": sum(city.finished.values())},
        "logins": logins,
        "totp_secret": settings.DEMO_TOTP_SECRET,
        # The invented numbers (ID numbers, mobiles, credit codes, payment references)
        # and the days things happened on, each list summed up in one digest.
        "fingerprints": {
            "workers": _digest(
                (w.name, w.id_number(), w.phone, w.occupation, w.employer, str(w.district))
                for w in Worker.objects.select_related("district")
            ),
            "counterparties": _digest(
                Counterparty.objects.values_list("name", "type", "credit_code", "phone")
            ),
            "payments": _digest(
                (p.dispute.number, p.worker.name, (today - p.paid_on).days, p.amount, p.reference)
                for p in payments.select_related("dispute", "worker")
            ),
            "family": _digest(
                (m.name, m.id_number(), m.guardian_name) for m in FamilyMember.objects.all()
            ),
            "approvals": _digest(
                (
                    a.application.number,
                    a.approver.username,
                    (today - timezone.localdate(a.approved_at)).days,
                )
                for a in Approval.objects.select_related("application", "approver")
            ),
            "sessions": _digest(
                (m.dispute.number, (today - m.held_on).days, m.place, m.attendees, m.result)
                for m in MediationSession.objects.select_related("dispute")
            ),
            "contacts": _digest(
                (c.case.number, *_day_hour(c.occurred_at, today), c.with_whom, c.summary)
                for c in Contact.objects.select_related("case")
            ),
            "notes": _digest((n.case.number, n.body) for n in Note.objects.select_related("case")),
            "texts": _digest(
                (
                    d.number,
                    d.matters,
                    d.reasons,
                    d.agreement_result,
                    d.performance_method,
                    str(d.performance_deadline and (today - d.performance_deadline).days),
                    d.outcome_note,
                )
                for d in WageDispute.objects.all()
            ),
            "aid_texts": _digest(
                (
                    a.number,
                    a.circumstances,
                    a.findings,
                    a.recommendation_reason,
                    a.receipt_reference,
                    a.outcome_note,
                    a.category_difference_reason,
                )
                for a in aid
            ),
        },
    }


def as_json(data: dict) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n"


if __name__ == "__main__":
    # On a migrated, empty database: build the demo with the clock at CENSUS_MOMENT and
    # print its census (the test compares it with census.json).
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.management import call_command

    with clock_at(CENSUS_MOMENT):
        if "--seed" in sys.argv:
            call_command("seed_demo", stdout=open(os.devnull, "w"))
        sys.stdout.write(as_json(census()))

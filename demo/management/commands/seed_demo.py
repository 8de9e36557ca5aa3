"""Fill an empty database with a believable city's worth of demo data, in Chinese.

    python manage.py seed_demo

The Suizhou city federation of trade unions and three county-level unions, their
staff (the demo accounts), workers of every occupation group, counterparties that
look like real platforms, stations and dispatch firms (all invented), and wage
disputes in every state, among them a collective one, and payments that reproduce
the newspaper's headline on the figures page: for the last 12 months, 12 workers
for whom money was recovered, ¥197,000.00 in all (ten disputes closed after
performance, two performed and waiting to be closed).

Then hardship aid and medical card (惠工卡) applications in every state: several
waiting for approval in each office (one above the approval threshold with its
first approval in, one the demo `supervisor` handles and recommended herself, so
another supervisor must approve it), one returned for revision, one following a
wage dispute closed with nothing recovered, family members (a child under 14 with
a guardian's consent), and a card that runs out within 30 days, so its worker's
page offers a renewal.

Last, five service stations in 曾都区 and 随县 with a tally for most days of the
past year (the last week's recorded through the tally service, so logged; today's
left for the demo user). Cases record where they came in: a station, the
hotline or the office's desk.

Everything is written through `cases.services` and `assistance.services`, so case
numbers, clocks, stored rules and audit entries are the real ones. Dates are
relative to today: cases were received over the past year or so. Only the case
rows' clocks (opened, in this state since, finished), the aid approvals' times and
the cards' terms are moved back afterwards (the services stamp "now"); audit
entries are never touched.

The demo accounts' password is `DEMO_PASSWORD` from the environment, or
"casework-demo". Nothing is created unless `settings.DEMO_MODE` is on, and the
command refuses a database that already holds other data. Run again on a seeded
database, it changes nothing and prints the logins (the run command runs it on
every start).
"""

import os
import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assistance.models import AidApplication, CardApplication
from cases.models import Case, Counterparty, State, WageDispute, Worker
from casework import two_factor
from casework.models import District, Office, ServiceTally, Station, User
from casework.roles import requires_two_factor
from demo.builder import Builder
from demo.data import DEFAULT_PASSWORD, DEMO_USERNAMES, PASSWORD_VARIABLE
from reminders import jobs as reminders
from reports import figures, periods

# --- the command --------------------------------------------------------------------------


class Command(BaseCommand):
    help = (
        "Fill an empty database with demo data in Chinese (offices, staff accounts, workers, "
        "counterparties, and wage disputes, hardship aid and medical card applications in "
        "every state) and print the demo logins. "
        "The accounts' password is DEMO_PASSWORD, or 'casework-demo'. Refused unless "
        "DEMO_MODE is on and the database holds no other data; harmless to run again."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_MODE", False):
            raise CommandError(
                "Refusing to load demo data: DEMO_MODE is off. Demo data and demo accounts are "
                "never created in production settings."
            )
        present = set(
            User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
        )
        if present == set(DEMO_USERNAMES):
            enrolled = _enrol_demo_accounts()
            self.stdout.write(
                "The database already holds the demo data; nothing was changed."
                if not enrolled
                else "The database already holds the demo data; enrolled for two-factor "
                f"sign-in with the demo secret: {', '.join(enrolled)}."
            )
            self.print_logins(seeded_now=False)
            return
        held = {
            "staff accounts": User.objects.count(),
            "workers": Worker.objects.count(),
            "counterparties": Counterparty.objects.count(),
            "cases": Case.objects.count(),
        }
        if any(held.values()):
            listing = ", ".join(f"{n} {what}" for what, n in held.items() if n)
            raise CommandError(
                f"Refusing to load demo data: the database already holds real data ({listing}). "
                "seed_demo only fills an empty database."
            )

        password = os.environ.get(PASSWORD_VARIABLE) or DEFAULT_PASSWORD
        started = time.monotonic()
        with transaction.atomic():
            Builder(password).run()
            # Last: the reminder job, so the demo opens with notifications waiting.
            reminders.run(daily=True)
        self.print_summary(time.monotonic() - started)
        self.print_logins(seeded_now=True)

    # --- output ----------------------------------------------------------------------------

    def print_summary(self, seconds: float) -> None:
        disputes = WageDispute.objects.all()
        counts = dict(disputes.values_list("state").annotate(n=Count("pk")).order_by())
        by_state = ", ".join(
            f"{state.value} {counts[state]}" for state in State if counts.get(state)
        )
        today = timezone.localdate()
        city = figures.measure(
            figures.Filters(scope=figures.Scope(None)),
            periods.period_for(periods.LAST_12_MONTHS, today),
            today,
            detail=False,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s:")
            + f"\n  {Office.objects.count()} offices, {District.objects.count()} districts, "
            f"{User.objects.count()} staff accounts, {Worker.objects.count()} workers, "
            f"{Counterparty.objects.count()} counterparties"
            f"\n  {disputes.count()} wage disputes: {by_state}"
            f"\n  last 12 months: money recovered for {city.workers_paid} workers, "
            f"¥{city.recovered:,.2f} (the figures page)"
            f"\n  {_by_state(AidApplication, 'hardship aid applications')}"
            f"\n  {_by_state(CardApplication, 'medical card applications')}"
            f"\n  {Station.objects.count()} service stations, "
            f"{ServiceTally.objects.person_visits():,} person-visits tallied"
        )

    def print_logins(self, *, seeded_now: bool) -> None:
        rows = [("username", "name", "role", "office", "code")]
        for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("office"):
            code = "yes" if two_factor.is_on(user) else ""
            rows.append(
                (user.username, user.full_name, user.role_label, str(user.office or ""), code)
            )
        order = {name: i for i, name in enumerate(DEMO_USERNAMES)}
        rows[1:] = sorted(rows[1:], key=lambda row: order[row[0]])
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("\nDemo logins:")
        for row in rows:
            cells = [
                cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
            ]
            self.stdout.write("  " + "  ".join(cells).rstrip())
        if not seeded_now:
            self.stdout.write(
                "Password: the one set when the demo data was loaded "
                f"({PASSWORD_VARIABLE}, or {DEFAULT_PASSWORD!r} if it was not set)."
            )
        elif os.environ.get(PASSWORD_VARIABLE):
            self.stdout.write(f"Password: the value of {PASSWORD_VARIABLE}.")
        else:
            self.stdout.write(
                f"Password: {DEFAULT_PASSWORD} (set {PASSWORD_VARIABLE} before the first run "
                "to choose another)."
            )
        self.stdout.write(
            "Accounts marked 'code' then ask for a sign-in code from an authenticator app. "
            f"They share the demo secret {settings.DEMO_TOTP_SECRET} (time-based, 6 digits): "
            "add it to an authenticator app (`python manage.py demo_totp --qr` shows a QR "
            "code), or run `python manage.py demo_totp` for the current code."
        )


@transaction.atomic
def _enrol_demo_accounts() -> list[str]:
    """Demo data loaded before two-factor sign-in came: its supervisors, auditor and
    administrator get the demo authenticator, so the demo logins keep working."""
    enrolled = []
    key = two_factor.demo_key()
    for user in User.objects.filter(username__in=DEMO_USERNAMES).order_by("pk"):
        if requires_two_factor(user) and not two_factor.is_on(user):
            two_factor.enrol_with_key(user, key)
            enrolled.append(user.username)
    return enrolled


def _by_state(model, label: str) -> str:
    """ "10 hardship aid applications: application 1, …", in the workflow's order."""
    counts = dict(model.objects.values_list("state").annotate(n=Count("pk")).order_by())
    states = ", ".join(f"{state.value} {counts[state]}" for state in State if counts.get(state))
    return f"{sum(counts.values())} {label}: {states}"


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

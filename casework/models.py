"""What every app shares: offices, staff accounts, reference data, the audit log."""

import re
from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import identity, roles


class Office(models.Model):
    """The city federation and the county, city and district unions under it."""

    name = models.CharField(_("office name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    # Shown to the public on the tracking page: whom a worker calls about a request.
    # A default in the database too: code that predates the column (an older app
    # server during a rolling deploy, an old migration's model) can still add offices.
    phone = models.CharField(_("office phone"), max_length=30, blank=True, db_default="")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["parent_id", "name"]

    def __str__(self):
        return self.name

    def subtree_ids(self) -> set[int]:
        """This office and every office under it (offices are few: one query)."""
        return Office.subtree_ids_of([self.pk])

    @staticmethod
    def subtree_ids_of(office_ids) -> set[int]:
        """These offices and every office under them, in one query."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Office.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        ids, todo = set(), list(office_ids)
        while todo:
            pk = todo.pop()
            if pk not in ids:
                ids.add(pk)
                todo.extend(children.get(pk, []))
        return ids


class User(AbstractUser):
    """A staff account. Accounts are deactivated, never deleted."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # Reminders (issue 14): e-mail is written in this language; a person may turn it off.
    language = models.CharField(
        _("language of e-mail"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    email_reminders = models.BooleanField(_("send me reminders by e-mail"), default=True)

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def role_names(self) -> set[str]:
        return set(self.groups.values_list("name", flat=True))

    def has_role(self, role: str) -> bool:
        return self.is_active and role in self.role_names

    @property
    def is_caseworker(self) -> bool:
        return self.has_role(roles.CASEWORKER)

    @property
    def is_supervisor(self) -> bool:
        return self.has_role(roles.SUPERVISOR)

    @property
    def is_auditor(self) -> bool:
        return self.has_role(roles.AUDITOR)

    @property
    def is_administrator(self) -> bool:
        return self.is_active and self.is_superuser

    @property
    def role_label(self) -> str:
        return roles.label_for(self)

    @cached_property
    def supervised_office_ids(self) -> set[int]:
        """Offices whose cases this supervisor sees: their own and those under it."""
        if not self.is_supervisor or self.office_id is None:
            return set()
        return self.office.subtree_ids()


class District(models.Model):
    """A county or district where workers live; the 低保 line is set per district."""

    name = models.CharField(_("district name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _parse_dates(text: str) -> set[date]:
    return {date.fromisoformat(line.strip()) for line in text.splitlines() if line.strip()}


class HolidaySchedule(models.Model):
    """A year's official holiday schedule, as the State Council publishes it.

    Entered by an administrator when the holiday library does not yet know the
    year (or disagrees with the official text); it wins over the library.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.TextField(
        _("holidays and rest days on weekdays"),
        help_text=_("One date per line, e.g. 2027-10-01."),
    )
    workdays = models.TextField(
        _("make-up working days on weekends"),
        blank=True,
        help_text=_("One date per line: Saturdays or Sundays that are working days (调休)."),
    )
    entered_by = models.ForeignKey(
        User, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, editable=False
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("official holiday schedule")
        verbose_name_plural = _("official holiday schedules")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        for field in ("holidays", "workdays"):
            try:
                dates = _parse_dates(getattr(self, field))
            except ValueError:
                errors[field] = _("Write one date per line as YYYY-MM-DD.")
                continue
            if any(d.year != self.year for d in dates):
                errors[field] = _("Every date must fall in the schedule's year.")
        if errors:
            raise ValidationError(errors)

    def holiday_dates(self) -> set[date]:
        return _parse_dates(self.holidays)

    def workday_dates(self) -> set[date]:
        return _parse_dates(self.workdays)


# An 18-character national ID number written anywhere in free text.
_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def mask_id_numbers(value):
    """`value` (text, or JSON-like data) with every ID-number-shaped run masked.

    Masked whatever its check character: a mistyped number is still someone's.
    """
    if isinstance(value, str):
        return _ID_NUMBER_IN_TEXT.sub(lambda m: identity.mask_id_number(m.group()), value)
    if isinstance(value, dict):
        return {key: mask_id_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_id_numbers(item) for item in value]
    return value


class AuditEntryQuerySet(models.QuerySet):
    """No bulk way round append-only either (PostgreSQL's trigger refuses it too)."""

    def update(self, **kwargs):
        raise ValueError("Audit entries are append-only.")

    def delete(self):
        raise ValueError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One append-only row per thing worth knowing: who did what, to what, when.

    Rows are written once through `casework.audit.record` and never changed:
    the actor's name is copied in so that nothing later (a renamed or
    deactivated account) needs to touch a row.
    """

    class Action(models.TextChoices):
        TRANSITION = "transition", _("state change")
        CASE_OPENED = "case_opened", _("case opened")
        ASSIGNED = "assigned", _("assignment")
        CASE_EDITED = "case_edited", _("case details changed")
        NOTE = "note", _("note")
        CONTACT = "contact", _("contact")
        MEDIATION_SESSION = "mediation_session", _("mediation session")
        PAYMENT = "payment", _("payment recorded")
        PAYMENT_VOIDED = "payment_voided", _("payment voided")
        LIMITATION_EVENT = "limitation_event", _("limitation interrupted")
        DOCUMENT_UPLOADED = "document_uploaded", _("document uploaded")
        DOCUMENT_DOWNLOADED = "document_downloaded", _("document downloaded")
        WORKER_CREATED = "worker_created", _("worker registered")
        WORKER_EDITED = "worker_edited", _("worker details changed")
        ID_REVEALED = "id_revealed", _("ID number revealed")
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGOUT = "logout", _("logout")
        LOCKED_OUT = "locked_out", _("sign-in locked")
        UNLOCKED = "unlocked", _("sign-in unlocked")
        SESSION_EXPIRED = "session_expired", _("signed out when idle")
        SESSIONS_ENDED = "sessions_ended", _("signed out everywhere")
        SETTING_CHANGED = "setting_changed", _("setting changed")
        APPROVAL = "approval", _("approval")
        ROLE_CHANGED = "role_changed", _("role changed")
        ACCOUNT_CHANGED = "account_changed", _("staff account changed")
        EXPORT_STARTED = "export_started", _("export started")
        EXPORT_FINISHED = "export_finished", _("export finished")
        ANONYMISED = "anonymised", _("anonymised at the end of retention")
        AUDIT_HOLD = "audit_hold", _("audit hold changed")
        TALLY_RECORDED = "tally_recorded", _("station tally recorded")
        EXPORT_FAILED = "export_failed", _("export failed")
        EXPORT_RETRIED = "export_retried", _("export tried again")
        SUBJECT_ACCESS = "subject_access", _("personal data exported for the person")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("two-factor sign-in set up")
        TWO_FACTOR_PASSED = "two_factor_passed", _("sign-in code accepted")
        TWO_FACTOR_FAILED = "two_factor_failed", _("wrong sign-in code")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("new recovery codes")
        TWO_FACTOR_RESET = "two_factor_reset", _("two-factor sign-in reset")
        TWO_FACTOR_OFF = "two_factor_off", _("two-factor sign-in turned off")
        MEMBERSHIP_APPLIED = "membership_applied", _("membership application received")
        MEMBERSHIP_APPROVED = "membership_approved", _("membership application approved")
        MEMBERSHIP_MERGED = "membership_merged", _("membership application merged")
        MEMBERSHIP_DECLINED = "membership_declined", _("membership application declined")
        MEMBER_JOINED = "member_joined", _("membership number issued")
        MEMBER_STATUS = "member_status", _("membership status changed")
        WORKERS_MERGED = "workers_merged", _("worker records merged")
        MEMBERSHIP_EVENT = "membership_event", _("membership drive recorded")
        ROSTER_IMPORTED = "roster_imported", _("membership roster imported")
        ONLINE_REQUEST = "online_request", _("online request received")
        ONLINE_REQUEST_OPENED = "online_request_opened", _("online request opened as a case")
        ONLINE_REQUEST_DECLINED = "online_request_declined", _("online request declined")
        API_TOKEN_ISSUED = "api_token_issued", _("API token issued")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        API_CALL = "api_call", _("API call")

    # Set by record() before the entry is hashed (auto_now_add would set it after).
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=50, blank=True)
    source_state = models.CharField(_("from state"), max_length=30, blank=True)
    target_state = models.CharField(_("to state"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The hash chain (casework.audit_chain): the entry's place in it, the hash of
    # the entry before it and its own hash over its fields and that one.
    seq = models.PositiveBigIntegerField(
        _("chain position"), null=True, unique=True, editable=False
    )
    prev_hash = models.CharField(
        _("previous entry's hash"), max_length=64, blank=True, editable=False
    )
    entry_hash = models.CharField(_("entry hash"), max_length=64, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["action", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Audit entries are append-only.")
        # Whatever a person typed (a note, a name tried at login) may hold an ID
        # number; no entry keeps a full one.
        self.note = mask_id_numbers(self.note)
        self.details = mask_id_numbers(self.details)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """The one row naming the latest entry of the audit chain and its hash.

    Appending locks this row (select_for_update), so two writers cannot both
    chain onto the same entry; it also lets the verifier notice entries cut
    from the end of the log.
    """

    seq = models.PositiveBigIntegerField(_("chain position"), default=0)
    entry_hash = models.CharField(_("entry hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self):
        return f"{self.seq}: {self.entry_hash}"


class Setting(models.Model):
    """One value given to a setting. Rows are only added: the newest row of a
    key is in force, and the rows before it are the history of who changed
    what and when."""

    class Key(models.TextChoices):
        APPROVAL_THRESHOLD = (
            "approval_threshold",
            _("aid amount above which a second approval is needed"),
        )
        AID_CAP = "aid_cap", _("aid per worker in 12 months before an override is needed")
        CARD_TERM_MONTHS = "card_term_months", _("medical card term in months")
        UNION_NAME = "union_name", _("union's display name")

    key = models.CharField(_("setting"), max_length=40, choices=Key.choices)
    value = models.CharField(_("value"), max_length=200)
    changed_by = models.ForeignKey(
        User, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.PROTECT
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("setting")
        verbose_name_plural = _("settings")
        ordering = ["key", "-changed_at", "-pk"]

    def __str__(self):
        return f"{self.get_key_display()}: {self.value}"


class DibaoLine(models.Model):
    """The minimum living allowance line (低保线), monthly per person, by
    district and residence type. A row without a district is the city-wide
    line for districts that have none of their own. Rows are only added."""

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the city-wide line."),
    )
    residence = models.CharField(
        _("residence"), max_length=10, choices=[("urban", _("urban")), ("rural", _("rural"))]
    )
    monthly_amount = models.DecimalField(
        _("monthly line per person"), max_digits=10, decimal_places=2
    )
    changed_by = models.ForeignKey(
        User, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.PROTECT
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("minimum living allowance line")
        verbose_name_plural = _("minimum living allowance lines")
        ordering = ["district__name", "residence", "-changed_at", "-pk"]

    def __str__(self):
        place = self.district or _("city-wide")
        return f"{place} · {self.get_residence_display()}: {self.monthly_amount}"


class MinimumWage(models.Model):
    """The monthly minimum wage (月最低工资标准) by district, with the date it took effect.

    A row without a district is the city-wide rate for districts that have none of
    their own. Rows are only added: a new rate is a new row with its own effective
    date, and a claim item keeps the row it was judged by (DOMAIN.md R7), so a later
    rate never rewrites an earlier flag.
    """

    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the city-wide rate."),
    )
    monthly_amount = models.DecimalField(_("monthly minimum wage"), max_digits=10, decimal_places=2)
    effective_from = models.DateField(_("in force from"))
    changed_by = models.ForeignKey(
        User, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.PROTECT
    )
    changed_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("minimum wage")
        verbose_name_plural = _("minimum wages")
        ordering = ["district__name", "-effective_from", "-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gt=0), name="minimum_wage_positive"
            )
        ]

    def __str__(self):
        place = self.district or _("city-wide")
        return f"{place} · {self.effective_from:%Y-%m-%d}: {self.monthly_amount}"


class StationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_offices(self, office_ids):
        return self.filter(office_id__in=office_ids)

    def visible_to(self, user):
        """The stations whose tallies a user records and reads: a caseworker's own
        office, a supervisor's offices and those under them."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        office_ids = set(user.supervised_office_ids)
        if user.is_caseworker and user.office_id is not None:
            office_ids.add(user.office_id)
        return self.for_offices(office_ids)


class Station(models.Model):
    """A service station or micro-site (驿站, 微阵地) an office runs, where workers
    rest, charge, drink water, heat a meal or ask for help."""

    class Type(models.TextChoices):
        OUTDOOR = "outdoor", _("outdoor care station")
        UNION = "union", _("union service station")
        NURSING = "nursing", _("mother-and-baby room")
        WELLBEING = "wellbeing", _("workers' wellbeing station")
        OTHER = "other", _("other")

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="stations"
    )
    name = models.CharField(_("station name"), max_length=100)
    type = models.CharField(_("station type"), max_length=20, choices=Type.choices)
    address = models.CharField(_("address"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["office_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"],
                name="unique_station_name_per_office",
                violation_error_message=_("This office already has a station of this name."),
            )
        ]

    def __str__(self):
        return self.name


# A day's tally may be corrected for this many days after the day itself.
TALLY_EDIT_DAYS = 7


class ServiceTallyQuerySet(models.QuerySet):
    def for_offices(self, office_ids):
        return self.filter(station__office_id__in=office_ids)

    def for_stations(self, stations):
        return self.filter(station__in=stations)

    def in_period(self, start: date, end: date):
        """Tallies of the days from `start` to `end`, both included."""
        return self.filter(day__gte=start, day__lte=end)

    def person_visits(self) -> int:
        """The person-visits these tallies count: the sum of their counts."""
        return self.aggregate(total=models.Sum("count"))["total"] or 0


class ServiceTally(models.Model):
    """How many times a station gave one service on one day (person-visits)."""

    class Service(models.TextChoices):
        REST = "rest", _("rest")
        CHARGING = "charging", _("charging")
        WATER = "water", _("drinking water")
        HOT_MEALS = "hot_meals", _("hot meals")
        TOILET = "toilet", _("toilet")
        FIRST_AID = "first_aid", _("first aid")
        CONSULTATION = "consultation", _("consultation")

    station = models.ForeignKey(
        Station, verbose_name=_("service station"), on_delete=models.PROTECT, related_name="tallies"
    )
    day = models.DateField(_("day"))
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    count = models.PositiveIntegerField(_("person-visits"))
    recorded_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = ServiceTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("service tally")
        verbose_name_plural = _("service tallies")
        ordering = ["-day", "station_id", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "day", "service"], name="unique_tally_station_day_service"
            )
        ]
        # Figures sum a period across all stations: by day first.
        indexes = [models.Index(fields=["day", "station"])]

    def __str__(self):
        return f"{self.station} · {self.day} · {self.get_service_display()}: {self.count}"


def tally_editable_until(day: date) -> date:
    """The last day on which the tally of `day` may still be recorded or corrected."""
    return day + timedelta(days=TALLY_EDIT_DAYS)


class TaskHeartbeat(models.Model):
    """The last sign of life of a background task that is running (casework.task_reaper):
    a task that reports progress keeps its claim however long it runs, and the reaper
    takes back only what has been silent past TASK_RUNNING_LIMIT_SECONDS."""

    # The task result's id as text (django-tasks-db's DBTaskResult.id; other backends
    # have ids of their own shape).
    task_id = models.CharField(primary_key=True, max_length=64)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("task heartbeat")
        verbose_name_plural = _("task heartbeats")

    def __str__(self):
        return f"{self.task_id} · {self.beat_at:%Y-%m-%d %H:%M:%S}"

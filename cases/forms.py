"""Forms for wage disputes and workers. Each refuses bad input next to the field."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casework import identity
from casework.forms import ListedModelChoiceField
from casework.models import Office, Station
from casework.money import AmountField

from . import services
from .models import (
    Channel,
    ClaimItem,
    ClaimType,
    Contact,
    Counterparty,
    Document,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    Forum,
    LimitationEvent,
    MediationSession,
    Payment,
    State,
    WageDispute,
    Worker,
)
from .models.core import intake_channel_errors
from .models.wage import PARTICULAR_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class StatefulForm(forms.Form):
    """Carries the state the case was shown in, so a stale form is caught."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)


# --- workers ---------------------------------------------------------------


# What the worker agrees to, recorded in Chinese whatever the caseworker's
# interface language: it is the text the worker hears and signs.
CONSENT_TEXT = "同意工会为办理本人案件收集、使用本人个人信息（含身份证号、联系方式、收入情况）。"


class WorkerForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("national ID number"),
        required=False,
        max_length=30,
        help_text=_("18 characters; stored encrypted and shown masked."),
    )
    consent = forms.BooleanField(
        label=_("The worker consents to the union storing and using this information"),
        error_messages={"required": _("Record the worker's consent before saving their details.")},
    )

    class Meta:
        model = Worker
        fields = [
            "name",
            "phone",
            "id_number",
            "occupation",
            "employer",
            "district",
            "residence",
            "is_member",
            "membership_number",
            "joined_on",
            "consent",
            "consent_scope",
        ]
        widgets = {"joined_on": DateInput(), "consent_scope": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["id_number"].help_text = _(
                "Leave empty to keep the stored number (%(masked)s)."
            ) % {"masked": self.instance.id_masked or "—"}
            # The consent given at intake is a record, not a detail to edit.
            del self.fields["consent"]
            del self.fields["consent_scope"]
        else:
            self.fields["consent_scope"].initial = CONSENT_TEXT
            self.fields["consent_scope"].required = True

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if not phone:
            return ""
        phone = identity.validate_phone(phone)
        others = Worker.objects.filter(phone=phone).exclude(pk=self.instance.pk).first()
        if others:
            raise ValidationError(self._duplicate_message(others, _("phone number")))
        return phone

    def clean_id_number(self):
        number = self.cleaned_data["id_number"]
        if not number:
            return ""
        number = identity.validate_id_number(number)
        other = Worker.objects.with_id_number(number).exclude(pk=self.instance.pk).first()
        if other:
            raise ValidationError(self._duplicate_message(other, _("ID number")))
        return number

    def clean(self):
        data = super().clean()
        if data.get("is_member") and not data.get("membership_number"):
            self.add_error("membership_number", _("Enter the membership number of a member."))
        return data

    @staticmethod
    def _duplicate_message(worker, what):
        return format_html(
            '{} <a href="{}">{}</a> ({})',
            _("A worker with this %(what)s is already registered:") % {"what": what},
            reverse("cases:worker", args=[worker.pk]),
            worker.name,
            worker.office,
        )


class WorkerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a worker"),
        required=False,
        help_text=_("Name, phone number or full ID number."),
    )


# --- where a case came in (every intake form) ------------------------------------------


class StationChoiceField(ListedModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.office.short_name or obj.office.name}"


class ChannelFieldsMixin:
    """Adds "came in by" and the station to an intake form, and checks them
    against the case's office (errors next to the station field)."""

    def add_channel_fields(self, offices, *, required: bool = True, keep: Station | None = None):
        office_ids = Office.subtree_ids_of([o.pk for o in offices])
        stations = Station.objects.active().filter(office_id__in=office_ids)
        if keep is not None:
            stations = stations | Station.objects.filter(pk=keep.pk)
        self.fields["channel"] = forms.ChoiceField(
            label=_("came in by"),
            choices=[("", BLANK_CHOICE_LABEL), *Channel.choices],
            required=required,
            error_messages={"required": _("Choose where the case came in.")},
        )
        self.fields["station"] = StationChoiceField(
            label=_("service station"),
            queryset=stations.select_related("office").order_by("office__name", "name"),
            required=False,
            help_text=_("When the case came in at a station, or online from its QR code."),
        )

    def clean_channel_fields(self, office: Office | None) -> None:
        data = self.cleaned_data
        if office is None or "channel" not in data:
            return
        for field, message in intake_channel_errors(
            data["channel"], data.get("station"), office
        ).items():
            self.add_error(field, message)


# --- opening a wage dispute -----------------------------------------------------------


class IntakeForm(ChannelFieldsMixin, forms.ModelForm):
    """The application recorded on the spot (LDMAL Art. 12, DOMAIN.md R1)."""

    class Meta:
        model = WageDispute
        fields = ["office", *PARTICULAR_FIELDS]
        widgets = {
            "received_at": DateTimeInput(),
            "matters": forms.Textarea(attrs={"rows": 3}),
            "reasons": forms.Textarea(attrs={"rows": 4}),
            "period_from": DateInput(),
            "period_to": DateInput(),
            "unpaid_from": DateInput(),
            "unpaid_to": DateInput(),
        }

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["office"].empty_label = None
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        self.add_channel_fields(offices)

    def clean_received_at(self):
        received = self.cleaned_data["received_at"]
        if received > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("The time received cannot be in the future."))
        return received

    def clean(self):
        data = super().clean()
        for start, end in (("period_from", "period_to"), ("unpaid_from", "unpaid_to")):
            if data.get(start) and data.get(end) and data[end] < data[start]:
                self.add_error(end, _("This date is before the start date."))
        self.clean_channel_fields(data.get("office") or getattr(self.instance, "office", None))
        return data


class ParticularsForm(IntakeForm):
    """Correcting the application's particulars later (not its office)."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)

    class Meta(IntakeForm.Meta):
        fields = PARTICULAR_FIELDS

    def __init__(self, *args, **kwargs):
        # Not IntakeForm's: no office to choose, and the stored time is kept.
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.fields["expected_state"].initial = self.instance.state
        # As stored (the instance is a fresh copy): an older case that recorded no
        # channel may keep it unrecorded.
        self.stored_channel = (self.instance.channel, self.instance.station_id)
        self.add_channel_fields(
            [self.instance.office],
            required=bool(self.instance.channel),
            keep=self.instance.station,
        )

    def clean_channel_fields(self, office):
        data = self.cleaned_data
        legacy = self.stored_channel == (Channel.STATION, None)
        if legacy and data.get("channel") == Channel.STATION and not data.get("station"):
            return  # came in at a station nobody named: may stay so
        super().clean_channel_fields(office)


# --- wage dispute records ---------------------------------------------------------


class CounterpartyForm(forms.Form):
    role = forms.ChoiceField(label=_("role in the chain"), choices=Counterparty.Type.choices)
    # A text box, not a list: a city's file holds tens of thousands of counterparties.
    existing = forms.CharField(
        label=_("a counterparty already on file"),
        max_length=100,
        required=False,
        help_text=_("Its unified social credit code, or its full name."),
    )
    name = forms.CharField(label=_("or a new one: name"), max_length=100, required=False)
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("18 characters; the last one is a checksum."),
    )
    contact_person = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)

    def clean_existing(self) -> Counterparty | None:
        wanted = self.cleaned_data["existing"].strip()
        if not wanted:
            return None
        found = Counterparty.objects.filter(credit_code=wanted.upper())[:1] or list(
            Counterparty.objects.filter(name=wanted)[:2]
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise forms.ValidationError(
                _("More than one counterparty on file has this name: enter its credit code.")
            )
        raise forms.ValidationError(
            _("No counterparty on file has this code or name: enter it below as a new one.")
        )

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"]
        return identity.validate_credit_code(code) if code else ""

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return identity.validate_phone(phone) if phone else ""

    def clean(self):
        data = super().clean()
        if data.get("existing"):
            return data
        if not data.get("name"):
            self.add_error("name", _("Choose a counterparty on file or enter a new one's name."))
        code = data.get("credit_code")
        if code:
            known = Counterparty.objects.filter(credit_code=code).first()
            if known:
                self.add_error(
                    "credit_code",
                    _("%(name)s already has this code: enter the code above, as one on file.")
                    % {"name": known.name},
                )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["existing"]:
            return {"counterparty": data["existing"], "role": data["role"]}
        return {
            "role": data["role"],
            "name": data["name"],
            "type": data["role"],
            "credit_code": data["credit_code"],
            "contact_person": data["contact_person"],
            "phone": data["phone"],
        }


class AmountsForm(StatefulForm):
    """Each worker's amount claimed and agreed."""

    def __init__(self, *args, links, itemised=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = links
        itemised = itemised or set()
        for cw in links:
            self.fields[f"claimed_{cw.pk}"] = AmountField(
                label=_("%(name)s: amount claimed") % {"name": cw.worker.name},
                required=False,
                initial=cw.amount_claimed,
            )
            if cw.worker_id in itemised:
                # One figure: the sum of the worker's claim items.
                self.fields[f"claimed_{cw.pk}"].disabled = True
                self.fields[f"claimed_{cw.pk}"].help_text = _(
                    "The sum of the claim items; change the items to change it."
                )
            self.fields[f"agreed_{cw.pk}"] = AmountField(
                label=_("%(name)s: amount agreed") % {"name": cw.worker.name},
                required=False,
                initial=cw.amount_agreed,
            )

    def amounts(self) -> dict:
        return {
            cw.pk: (self.cleaned_data[f"claimed_{cw.pk}"], self.cleaned_data[f"agreed_{cw.pk}"])
            for cw in self.links
        }


class ClaimItemForm(StatefulForm):
    """Add a claim item (R7), or change the one named in `item`."""

    item = forms.ModelChoiceField(
        queryset=ClaimItem.objects.none(), required=False, widget=forms.HiddenInput
    )
    worker = forms.TypedChoiceField(label=_("worker"), coerce=int)
    type = forms.ChoiceField(label=_("kind of claim"), choices=ClaimType.choices)
    amount = AmountField(label=_("amount claimed"))
    description = forms.CharField(
        label=_("description"),
        max_length=200,
        required=False,
        help_text=_("e.g. wages for March–May 2026, 62 days."),
    )

    def __init__(self, *args, dispute, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = dispute.claim_items.all()
        # Read once for all the rows' forms of a page (`workers`), not once per form.
        self.workers = {w.pk: w for w in (workers or dispute.workers.all())}
        self.fields["worker"].choices = [(pk, w.name) for pk, w in self.workers.items()]

    def clean_worker(self):
        return self.workers[self.cleaned_data["worker"]]

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ClaimItemRemoveForm(StatefulForm):
    item = forms.ModelChoiceField(queryset=ClaimItem.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = dispute.claim_items.all()


class EvidenceForm(forms.Form):
    """A line of the evidence checklist (R8): what, and where the request stands."""

    kind = forms.ChoiceField(label=_("evidence"), choices=EvidenceKind.choices)
    status = forms.ChoiceField(label=_("status"), choices=EvidenceStatus.choices)
    status_on = forms.DateField(
        label=_("date"),
        required=False,
        widget=DateInput(),
        help_text=_("When it was requested, received or refused."),
    )
    note = forms.CharField(
        label=_("note"),
        max_length=200,
        required=False,
        help_text=_("e.g. asked in writing; the station says it keeps no attendance sheets."),
    )

    def clean_status_on(self):
        day = self.cleaned_data["status_on"]
        if day and day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status and status != EvidenceStatus.TO_REQUEST and not data.get("status_on"):
            self.add_error("status_on", _("Enter the date it was requested, received or refused."))
        if status == EvidenceStatus.TO_REQUEST:
            data["status_on"] = None
        return data


class EvidenceRemoveForm(forms.Form):
    item = forms.ModelChoiceField(queryset=EvidenceItem.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = dispute.evidence_items.all()


class AgreementTermsForm(StatefulForm):
    agreement_result = forms.CharField(
        label=_("agreed result"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What each side will do, e.g. the platform pays the rider's wages owed."),
    )
    performance_deadline = forms.DateField(label=_("perform by"), widget=DateInput())
    performance_method = forms.CharField(
        label=_("method of performance"),
        max_length=200,
        help_text=_("e.g. three bank transfers to the worker's account."),
    )


class PaymentForm(forms.ModelForm):
    amount = AmountField(label=_("amount"))

    class Meta:
        model = Payment
        fields = ["worker", "paid_on", "amount", "method", "reference"]
        widgets = {"paid_on": DateInput()}

    def __init__(self, *args, dispute, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = dispute.workers.all()
        self.fields["worker"].empty_label = None
        if workers is not None:
            # The workers the case page has read already, in the queryset's order:
            # drawn without a query (a posted choice is still looked up in it).
            self.fields["worker"].choices = [(w.pk, str(w)) for w in workers]
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError(_("A payment cannot be received in the future."))
        return paid_on


class VoidPaymentForm(forms.Form):
    reason = forms.CharField(label=_("why is this payment voided?"), max_length=500)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["channel", "with_whom", "occurred_at", "summary"]
        widgets = {"occurred_at": DateTimeInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class SessionForm(forms.ModelForm):
    class Meta:
        model = MediationSession
        fields = ["held_on", "place", "attendees", "result"]
        widgets = {
            "held_on": DateInput(),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "result": forms.Textarea(attrs={"rows": 3}),
        }


class LimitationEventForm(forms.ModelForm):
    class Meta:
        model = LimitationEvent
        fields = ["type", "occurred_on", "note"]
        widgets = {"occurred_on": DateInput()}

    def clean_occurred_on(self):
        day = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day


# Content signatures of the file types we keep; the name's extension must agree.
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-", {".pdf"}),
    "image/jpeg": (b"\xff\xd8\xff", {".jpg", ".jpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {".png"}),
}


class DocumentForm(forms.ModelForm):
    upload = forms.FileField(label=_("file"))

    class Meta:
        model = Document
        fields = ["doc_type", "title", "upload"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _("PDF, JPEG or PNG, at most %(size)s.") % {
            "size": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.DOCUMENT_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s.")
                % {"size": filesizeformat(settings.DOCUMENT_MAX_BYTES)}
            )
        head = upload.read(16)
        upload.seek(0)
        name = upload.name.lower()
        for content_type, (signature, extensions) in FILE_SIGNATURES.items():
            if head.startswith(signature):
                if not any(name.endswith(ext) for ext in extensions):
                    raise ValidationError(
                        _("The file's name does not match its content; rename it and try again.")
                    )
                self.content_type = content_type
                return upload
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG (its content was checked, not its name).")
        )


class AssignForm(forms.Form):
    assignee = ListedModelChoiceField(label=_("assign to"), queryset=None, required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].empty_label = _("(nobody: back to the intake queue)")


# --- transitions ----------------------------------------------------------------------


class TransitionForm(StatefulForm):
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Service errors with these codes belong next to these fields.
    error_fields: dict = {}

    def transition_kwargs(self) -> dict:
        return {}

    def perform(self, *, case, name: str, by):
        return services.run_transition(
            case=case,
            name=name,
            by=by,
            expected_state=self.cleaned_data["expected_state"],
            note=self.cleaned_data.get("note", ""),
            **self.transition_kwargs(),
        )

    def add_service_error(self, error: ValidationError) -> None:
        for item in error.error_list:
            field = self.error_fields.get(item.code, "note")
            self.add_error(field if field in self.fields else None, item.messages[0])


class ReasonForm(TransitionForm):
    """A transition that needs a written reason, kept as the case's outcome."""

    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def transition_kwargs(self):
        return {"reason": self.cleaned_data["note"]}


class ReopenForm(TransitionForm):
    note = forms.CharField(
        label=_("why is the case reopened?"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementForm(TransitionForm):
    signed_on = forms.DateField(label=_("agreement signed on"), widget=DateInput())

    def clean_signed_on(self):
        day = self.cleaned_data["signed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def transition_kwargs(self):
        return {"signed_on": self.cleaned_data["signed_on"]}


class ReferForm(TransitionForm):
    forum = forms.ChoiceField(label=_("referred to"), choices=Forum.choices)
    body = forms.CharField(
        label=_("arbitration commission or court"),
        max_length=100,
        help_text=_("e.g. 随州市劳动人事争议仲裁委员会"),
    )
    on = forms.DateField(label=_("referral date"), widget=DateInput())

    def transition_kwargs(self):
        data = self.cleaned_data
        return {"forum": data["forum"], "body": data["body"], "on": data["on"]}


class CloseForm(TransitionForm):
    def clean(self):
        data = super().clean()
        if data.get("expected_state") == State.REFERRED and not data.get("note"):
            self.add_error("note", _("Write the outcome of the arbitration or court case."))
        return data

    def transition_kwargs(self):
        return {"outcome_note": self.cleaned_data["note"]}


TRANSITION_FORMS = {
    "decline": ReasonForm,
    "withdraw": ReasonForm,
    "close_with_shortfall": ReasonForm,
    "reopen": ReopenForm,
    "record_agreement": AgreementForm,
    "refer": ReferForm,
    "close": CloseForm,
}

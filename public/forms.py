"""The public forms (asking for help, joining, the status page) and the staff's
decline form. Every public form carries a honeypot and a signed timestamp
(`GuardMixin`): no outside captcha service, nothing for a person to solve."""

import time
import unicodedata

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Occupation
from casework import identity
from casework.money import AmountField
from members.forms import ApplicationForm

from . import codes
from .models import RequestKind

SALT = "public.forms.issued"
REFUSED = _("We could not accept this form. Please open the page again and send it once more.")


def issue(now: float | None = None) -> str:
    """The signed time a form was shown (a hidden field)."""
    return signing.dumps(int(now if now is not None else time.time()), salt=SALT)


class GuardMixin(forms.Form):
    """A honeypot a person never sees (a robot fills every field) and the signed
    time the form was shown: sent too fast is a robot, too late a stale page."""

    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    issued = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError(REFUSED, code="honeypot")
        try:
            shown = signing.loads(data.get("issued") or "", salt=SALT)
        except signing.BadSignature:
            raise ValidationError(REFUSED, code="no_token") from None
        age = time.time() - int(shown)
        if age < settings.PUBLIC_FORM_MIN_SECONDS:
            raise ValidationError(
                _("That was sent too quickly. Please check your answers and send again."),
                code="too_fast",
            )
        if age > settings.PUBLIC_FORM_MAX_AGE_SECONDS:
            raise ValidationError(
                _("This page was open too long. Please check your answers and send again."),
                code="too_old",
            )
        return data

    @property
    def guard_fields(self):
        return [self["website"]]

    @property
    def person_fields(self):
        return [f for f in self.visible_fields() if f.name != "website"]


def clean_person_name(value: str) -> str:
    """A name as people write it: letters (any script), spaces, · and -; no
    control characters, no emoji or other symbols."""
    name = " ".join(value.split())
    if not name:
        raise ValidationError(_("Enter the name."))
    for char in name:
        category = unicodedata.category(char)
        if category[0] in "CS" or (category[0] in "NP" and char not in "·•.-'"):
            raise ValidationError(
                _("Write the name in letters only (no emoji, digits or symbols).")
            )
    return name


def clean_text(value: str) -> str:
    """Free text without control characters (line breaks and tabs are kept)."""
    text = value.strip()
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in "\n\r\t" for c in text):
        raise ValidationError(_("This text contains characters that cannot be stored."))
    return text


HELP_CONSENT = _(
    "I agree that the union keeps my name, mobile, occupation, employer and what I "
    "wrote here to handle my request (and the case it becomes), for as long as the "
    "request or case is open and the retention period after it; I may ask the office "
    "named on the status page to see or correct them."
)


class RequestForm(forms.Form):
    """Asking for help (求助): a few plain questions. The public page asks them with
    its guard (`HelpForm`); the API takes the same answers from the hotline."""

    kind = forms.ChoiceField(
        label=_("What do you need help with?"),
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        help_text=_("We call you on this number; the status page asks its last four digits."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    occupation = forms.ChoiceField(label=_("Occupation group"), choices=Occupation.choices)
    employer = forms.CharField(label=_("Platform or employer"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few sentences: since when, who owes what, what you need. At most 2000 characters."
        ),
    )
    amount_owed = AmountField(
        label=_("Wages owed to you (if any)"),
        required=False,
        help_text=_("Yuan, e.g. 3200 or 3,200.50."),
    )
    consent = forms.BooleanField(
        label=HELP_CONSENT,
        error_messages={"required": _("We can handle your request only with your consent.")},
    )
    consent_contact = forms.BooleanField(
        label=_("The union may contact me about its services (optional)."), required=False
    )

    def clean_name(self):
        return clean_person_name(self.cleaned_data["name"])

    def clean_mobile(self):
        return identity.validate_phone(self.cleaned_data["mobile"])

    def clean_employer(self):
        return clean_text(self.cleaned_data["employer"])

    def clean_description(self):
        text = clean_text(self.cleaned_data["description"])
        if not text:
            raise ValidationError(_("Tell us briefly what happened."))
        return text

    def request_fields(self) -> dict:
        """What `services.submit_request` takes."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "name": data["name"],
            "mobile": data["mobile"],
            "occupation": data["occupation"],
            "employer": data["employer"],
            "description": data["description"],
            "amount_owed": data["amount_owed"] if data["kind"] == RequestKind.WAGE else None,
            "consent_contact": data["consent_contact"],
        }


class HelpForm(GuardMixin, RequestForm):
    """Asking for help on the public page."""


class JoinForm(GuardMixin, ApplicationForm):
    """Joining the union (入会申请) from a QR code: the desk's own application form,
    with the public pages' guard and stricter names."""

    field_order = ["name", "mobile", "id_number", "occupation", "employer", "district"]

    def clean_name(self):
        return clean_person_name(super().clean_name())

    def clean_employer(self):
        return clean_text(self.cleaned_data["employer"])

    def application_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("website", "issued"):
            data.pop(name, None)
        return data


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=30,
        help_text=_("As you got it, e.g. 7K3M-Q9RT-X; small letters and no dashes are fine."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    last_four = forms.CharField(
        label=_("Last four digits of your mobile"),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_code(self):
        code = codes.parse(self.cleaned_data["code"])
        if code is None:
            raise ValidationError(_("This is not a tracking code: check its 9 characters."))
        return code

    def clean_last_four(self):
        digits = self.cleaned_data["last_four"].strip()
        if not (len(digits) == 4 and digits.isascii() and digits.isdigit()):
            raise ValidationError(_("Enter the last four digits of your mobile."))
        return digits

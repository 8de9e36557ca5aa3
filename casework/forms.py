from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DibaoLine, District, Setting, User
from .money import AmountField, parse_amount


class SettingForm(forms.Form):
    key = forms.ChoiceField(label=_("setting"), choices=Setting.Key.choices)
    value = forms.CharField(label=_("new value"), max_length=200)

    def clean(self):
        data = super().clean()
        key, value = data.get("key"), data.get("value", "").strip()
        if not key or not value:
            return data
        if key in (Setting.Key.APPROVAL_THRESHOLD, Setting.Key.AID_CAP):
            try:
                data["value"] = parse_amount(value)
            except ValidationError as error:
                self.add_error("value", error)
        elif key == Setting.Key.CARD_TERM_MONTHS:
            if not value.isdigit() or not 1 <= int(value) <= 60:
                self.add_error("value", _("Enter a whole number of months from 1 to 60."))
            else:
                data["value"] = int(value)
        return data


class DibaoLineForm(forms.Form):
    district = forms.ModelChoiceField(
        label=_("district"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("(city-wide)"),
    )
    residence = forms.ChoiceField(
        label=_("residence"), choices=DibaoLine._meta.get_field("residence").choices
    )
    amount = AmountField(label=_("monthly line per person"))


class ReminderPreferencesForm(forms.ModelForm):
    """A person's own choice: reminders by e-mail or not, and in which language."""

    class Meta:
        model = User
        fields = ["email_reminders", "language"]

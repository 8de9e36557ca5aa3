import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .models import DibaoLine, District, ServiceTally, Setting, User
from .money import AmountField, parse_amount

EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2999, 12, 31)


class ListedChoiceIterator(ModelChoiceIterator):
    """A model choice field's options read by one plain query. Django's own reads them
    through queryset.iterator(), a server-side cursor on PostgreSQL: DECLARE, FETCH and
    CLOSE, three round trips, for a list of some dozen offices, stations or staff."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # Read afresh each time, as Django's are: nothing kept on the field's queryset.
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator


class DayField(forms.DateField):
    """A day a report or a period is asked for: within the years 1900-2999, so that
    a period's arithmetic (the day after its end, the same days a year before)
    stays inside the calendar."""

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise ValidationError(
                _("Enter a date from %(first)s to %(last)s.")
                % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
                code="out_of_range",
            )


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
    district = ListedModelChoiceField(
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


class TallyForm(forms.Form):
    """A station's day: one row per service, the number of person-visits."""

    def __init__(self, *args, counts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for service, label in ServiceTally.Service.choices:
            self.fields[service] = forms.IntegerField(
                label=label,
                required=False,
                min_value=0,
                max_value=100_000,
                initial=counts.get(service),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}),
                error_messages={"invalid": _("Enter a whole number, e.g. 12.")},
            )

    def counts(self) -> dict:
        return {service: self.cleaned_data[service] for service in ServiceTally.Service.values}


class TallyDayForm(forms.Form):
    day = forms.DateField(label=_("day"), widget=forms.DateInput(attrs={"type": "date"}))

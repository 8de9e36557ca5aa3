"""Forms of membership: the application (the desk's; the public page may reuse it),
the review's decline, a membership drive and a roster upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Occupation
from casework import identity
from casework.forms import ListedModelChoiceField
from casework.models import District, Station

from .models import MembershipEvent


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ApplicationForm(forms.Form):
    """What a person gives to join: `cleaned_data` is what `submit_application` takes."""

    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile"), max_length=20)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=25,
        help_text=_("18 characters; the last one may be X."),
    )
    occupation = forms.ChoiceField(label=_("Occupation group"), choices=Occupation.choices)
    employer = forms.CharField(label=_("Platform or employer"), max_length=100, required=False)
    district = ListedModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False
    )
    consent_purposes = forms.BooleanField(
        label=_(
            "I agree that the union keeps my name, mobile, ID number, occupation and "
            "employer to register and serve me as a member, for as long as I am a member "
            "and five years after; I may ask the office to see or correct them."
        ),
    )
    consent_contact = forms.BooleanField(
        label=_("The union may contact me about its services (optional)."), required=False
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name or any(ord(c) < 32 for c in name):
            raise ValidationError(_("Enter the name."))
        return name

    def clean_mobile(self):
        return identity.validate_phone(self.cleaned_data["mobile"])

    def clean_id_number(self):
        return identity.validate_id_number(self.cleaned_data["id_number"])


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventForm(forms.ModelForm):
    class Meta:
        model = MembershipEvent
        fields = ["office", "name", "date", "place", "station"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["station"].queryset = Station.objects.filter(office__in=offices, is_active=True)

    def clean(self):
        data = super().clean()
        station, office = data.get("station"), data.get("office")
        if station and office and station.office_id != office.pk:
            self.add_error("station", _("This station belongs to another office."))
        return data


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster (XLSX)"),
        help_text=_("Fill in the template: one person a row, at most 2000 rows, 2 MB."),
    )

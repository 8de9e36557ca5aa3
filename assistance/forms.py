"""Forms for hardship aid and medical card applications."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import (
    ChannelFieldsMixin,
    CloseForm,
    DateInput,
    ReasonForm,
    ReopenForm,
    StatefulForm,
    TransitionForm,
)
from casework import identity
from casework.forms import ListedModelChoiceField
from casework.money import AmountField

from . import services
from .models import AidApplication, AidType, Category, FamilyMember


class OfficeChoiceForm(ChannelFieldsMixin, forms.Form):
    """An application's office, and where it came in."""

    office = ListedModelChoiceField(label=_("office"), queryset=None, empty_label=None)

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.add_channel_fields(offices)
        self.order_fields(["office", "channel", "station"])

    def clean(self):
        data = super().clean()
        self.clean_channel_fields(data.get("office"))
        return data

    def intake_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"office": data["office"], "channel": data["channel"], "station": data["station"]}


class AidApplicationForm(OfficeChoiceForm):
    circumstances = forms.CharField(
        label=_("circumstances and what is asked for"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssessmentForm(StatefulForm):
    visited_on = forms.DateField(label=_("home visit on"), widget=DateInput())
    visitors = forms.CharField(label=_("visited by"), max_length=200)
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    household_size = forms.IntegerField(label=_("household size"), min_value=1, max_value=30)
    annual_income = AmountField(label=_("annual household income"), allow_zero=True)
    annual_rigid_spending = AmountField(label=_("annual rigid spending"), allow_zero=True)
    one_off_costs = AmountField(
        label=_("one-off costs (illness, accident, disaster)"), allow_zero=True
    )

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    @classmethod
    def for_case(cls, case: AidApplication, data=None):
        initial = {name: getattr(case, name) for name in cls.base_fields if hasattr(case, name)}
        initial["expected_state"] = case.state
        return cls(data, initial=initial)


class RecommendForm(TransitionForm):
    aid_type = forms.ChoiceField(label=_("aid type"), choices=AidType.choices)
    amount = AmountField(label=_("amount recommended"))
    category = forms.ChoiceField(label=_("category recommended"), choices=Category.choices)
    reason = forms.CharField(
        label=_("reason for the recommendation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    difference_reason = forms.CharField(
        label=_("why the category differs from the computed one"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the category differs from the computed one."),
    )
    error_fields = {"difference_reason": "difference_reason"}

    def perform(self, *, case, name, by):
        data = self.cleaned_data
        return services.recommend_aid(
            case=case,
            by=by,
            expected_state=data["expected_state"],
            note=data["note"],
            aid_type=data["aid_type"],
            amount=data["amount"],
            category=data["category"],
            reason=data["reason"],
            difference_reason=data["difference_reason"],
        )


class ApproveForm(TransitionForm):
    note = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cap_override_reason = forms.CharField(
        label=_("reason for exceeding the 12-month cap"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when this aid takes the worker over the cap."),
    )
    error_fields = {"cap": "cap_override_reason"}

    def perform(self, *, case, name, by):
        data = self.cleaned_data
        return services.approve_aid(
            case=case,
            by=by,
            expected_state=data["expected_state"],
            comment=data["note"],
            cap_override_reason=data["cap_override_reason"],
        )


class DisburseForm(TransitionForm):
    amount = AmountField(label=_("amount disbursed"))
    on = forms.DateField(label=_("disbursed on"), widget=DateInput())
    method = forms.CharField(label=_("disbursement method"), max_length=100)
    receipt = forms.CharField(label=_("receipt reference"), max_length=100)
    error_fields = {"over_approved": "amount"}

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return day

    def perform(self, *, case, name, by):
        data = self.cleaned_data
        return services.disburse_aid(
            case=case,
            by=by,
            expected_state=data["expected_state"],
            note=data["note"],
            amount=data["amount"],
            on=data["on"],
            means=data["method"],
            receipt=data["receipt"],
        )


AID_TRANSITION_FORMS = {
    "recommend": RecommendForm,
    "approve": ApproveForm,
    "reject": ReasonForm,
    "return_for_revision": ReasonForm,
    "disburse": DisburseForm,
    "close": CloseForm,
    "withdraw": ReasonForm,
    "reopen": ReopenForm,
}


# --- medical cards ------------------------------------------------------------------------


class FamilyMemberForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    # A blank first choice, so that an untouched row of the formset stays empty.
    relation = forms.ChoiceField(
        label=_("relation"), choices=[("", "---------"), *FamilyMember.Relation.choices]
    )
    id_number = forms.CharField(label=_("national ID number"), max_length=30)
    guardian_name = forms.CharField(
        label=_("guardian giving consent"),
        max_length=50,
        required=False,
        help_text=_("Needed for a child under 14 (PIPL Art. 31)."),
    )

    def clean_id_number(self):
        return identity.validate_id_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        number = data.get("id_number")
        if number and not data.get("guardian_name"):
            born = identity.birth_date_from_id(number)
            today = timezone.localdate()
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            if age < 14:
                self.add_error(
                    "guardian_name", _("This person is under 14: record the guardian who consents.")
                )
        return data


class BaseFamilyFormSet(forms.BaseFormSet):
    def clean(self):
        """A person listed twice is refused on the later row, next to the ID number."""
        seen = set()
        for form in self.forms:
            number = getattr(form, "cleaned_data", {}).get("id_number")
            if number in seen:
                form.add_error("id_number", _("This person is already listed above."))
            elif number:
                seen.add(number)


FamilyFormSet = formset_factory(FamilyMemberForm, formset=BaseFamilyFormSet, extra=3, max_num=10)


class FamilyRecordForm(FamilyMemberForm):
    """One family member added on the case page."""


class VerifyForm(TransitionForm):
    notes = forms.CharField(
        label=_("documents checked"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. membership card, ID cards, household register."),
    )

    def transition_kwargs(self):
        return {"notes": self.cleaned_data["notes"]}


class IssueCardForm(TransitionForm):
    card_number = forms.CharField(label=_("card number"), max_length=30)
    error_fields = {"card_number": "card_number", "overlap": "card_number"}

    def perform(self, *, case, name, by):
        data = self.cleaned_data
        return services.issue_card(
            case=case,
            by=by,
            expected_state=data["expected_state"],
            note=data["note"],
            card_number=data["card_number"].strip(),
        )


CARD_TRANSITION_FORMS = {
    "verify": VerifyForm,
    "reject": ReasonForm,
    "issue_card": IssueCardForm,
    "close": CloseForm,
    "withdraw": ReasonForm,
    "reopen": ReopenForm,
}

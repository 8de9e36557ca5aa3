"""The Python-rendered pieces of pages give the same markup as Django's own."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils import translation

from cases.filters import DateInputs, DayRangeField, HiddenDates
from cases.forms import DateInput, DateTimeInput
from cases.models import Case, Kind, State
from casework.form_renderer import FastRenderer
from casework.templatetags.labels import label

TRICKY = 'a "quoted" <b>bold</b> & more'


class Sample(forms.Form):
    text = forms.CharField(max_length=20, help_text="help")
    optional = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"placeholder": TRICKY})
    )
    number = forms.IntegerField(min_value=0)
    email = forms.EmailField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeInput())
    yes = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & <乙>"), ("b", "丙")])
    grouped = forms.ChoiceField(choices=[("x", "X"), ("组", [("y", "Y"), ("z", "Z")])])
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")])
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)
    disabled = forms.CharField(disabled=True, required=False)
    # The queue filter's two-date inputs: django-filter's "from - until" template, and
    # Django's own multi-widget template for the hidden pair.
    dates = DayRangeField(required=False, widget=DateInputs)
    hidden_dates = DayRangeField(required=False, widget=HiddenDates)


FILLED = {
    "text": TRICKY,
    "number": "7",
    "hidden": "<x>",
    "day": "2026-12-07",
    "moment": "2026-12-07T09:30",
    "yes": "on",
    "notes": "第一行\n<script>alert(1)</script>",
    "plain": "a",
    "grouped": "z",
    "many": ["1", "3"],
    "radio": "s",
    "dates_after": "2026-01-01",
    "dates_before": TRICKY,
    "hidden_dates_after": TRICKY,
}


def rendered(renderer, data, initial=None) -> dict[str, str]:
    form = Sample(data, initial=initial, renderer=renderer)
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize(
    "data, initial",
    [
        (None, None),
        (FILLED, None),
        ({"number": "x", "day": "nope"}, None),
        (None, {"day": datetime.date(2026, 1, 2), "text": TRICKY, "yes": True}),
    ],
)
def test_every_widget_renders_as_djangos_template_renders_it(data, initial):
    fast = rendered(FastRenderer(), data, initial)
    slow = rendered(DjangoTemplates(), data, initial)
    for name in Sample.base_fields:
        # The same elements, attributes and text; spaces between tags aside.
        assert parse_html(fast[name]) == parse_html(slow[name]), name
        assert fast[name].strip().replace("\n", "") == slow[name].strip().replace("\n", ""), name


def test_values_and_labels_are_escaped():
    html = rendered(FastRenderer(), FILLED)
    assert "<script>" not in html["notes"] and "&lt;script&gt;" in html["notes"]
    assert "<b>" not in html["text"] and "&quot;quoted&quot;" in html["text"]
    assert "&lt;乙&gt;" in html["plain"]


def test_the_site_renders_forms_in_python():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastRenderer)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_label_is_the_fields_display_value_in_each_language(language):
    case = Case(kind=Kind.WAGE_DISPUTE, state=State.MEDIATING)
    with translation.override(language):
        assert label(case, "state") == case.get_state_display()
        assert label(case, "kind") == case.get_kind_display()


def test_a_value_that_is_no_choice_shows_as_itself():
    assert label(Case(state="no-such-state"), "state") == "no-such-state"

"""The Python-rendered pieces of list pages give the same markup as Django's own."""

import pytest
from django import forms
from django.test.html import parse_html
from django.utils import translation

from cases.models import Case, Kind, State
from casework.templatetags.labels import label
from casework.widgets import FastSelect


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & <乙>"), ("b", "丙")])
    grouped = forms.ChoiceField(choices=[("x", "X"), ("组", [("y", "Y"), ("z", "Z")])])


@pytest.mark.parametrize("field", ["plain", "grouped"])
@pytest.mark.parametrize("data", [{}, {"plain": "a", "grouped": "z"}])
def test_the_fast_select_renders_what_djangos_select_renders(field, data):
    slow = Sample(data)
    fast = Sample(data)
    fast.fields[field].widget = FastSelect(choices=fast.fields[field].choices)
    # The same elements, attributes and text; attribute order and spaces aside.
    assert parse_html(str(fast[field])) == parse_html(str(slow[field]))


def test_the_fast_select_escapes_labels():
    html = FastSelect(choices=[("a", "<script>")]).render("f", "a")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_label_is_the_fields_display_value_in_each_language(language):
    case = Case(kind=Kind.WAGE_DISPUTE, state=State.MEDIATING)
    with translation.override(language):
        assert label(case, "state") == case.get_state_display()
        assert label(case, "kind") == case.get_kind_display()


def test_a_value_that_is_no_choice_shows_as_itself():
    assert label(Case(state="no-such-state"), "state") == "no-such-state"

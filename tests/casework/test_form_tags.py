"""Forms written in Python (casework/templatetags/form_tags.py) give the markup that the
template loops of templates/includes/form.html and field.html gave, to the byte.

The old templates are kept here as they were. The same pages are drawn twice, once with
the old templates in front of the project's, and compared: an open dispute's page with
its many record forms, forms refused with errors next to their fields, the public and
sign-in pages, in Chinese and in English; and a form with every kind of field and
awkward text, drawn directly.
"""

import re

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from cases.models import State
from tests import factories
from tests.factories import wage_dispute, walk_to

pytestmark = pytest.mark.django_db

OLD_FORM = """{% load i18n %}{% if form.errors %}<div class="error-summary" role="alert">
  <p>{% translate "Please correct the following:" %}</p>
  <ul>
  {% for error in form.non_field_errors %}<li class="error">{{ error }}</li>{% endfor %}
  {% for field in form.visible_fields %}{% for error in field.errors %}<li><a href="#{{ field.id_for_label }}">{{ field.label|capfirst }}</a>{% translate ":" context "label separator" %} {{ error }}</li>{% endfor %}{% endfor %}
  </ul>
</div>{% endif %}
{% for field in form.hidden_fields %}{{ field }}{% endfor %}
<div class="form-grid">{% for field in form.visible_fields %}{% include "includes/field.html" %}{% endfor %}</div>
"""  # noqa: E501

OLD_FIELD = """{% load i18n %}<div class="field{% if field.errors %} has-error{% endif %}{% if field.field.widget.input_type == 'checkbox' %} checkbox{% endif %}">
  {% if field.field.widget.input_type == 'checkbox' %}
    {{ field }} <label for="{{ field.id_for_label }}">{{ field.label|capfirst }}{% if field.field.required %} <span class="req" aria-hidden="true">*</span>{% endif %}</label>
  {% else %}
    <label for="{{ field.id_for_label }}">{{ field.label|capfirst }}{% if field.field.required %} <span class="req" aria-hidden="true">*</span><span class="sr">{% translate "(required)" %}</span>{% endif %}</label>
    {{ field }}
  {% endif %}
  {% if field.help_text %}<p class="help" id="{{ field.auto_id }}_helptext">{{ field.help_text }}</p>{% endif %}
  {% if field.errors %}<p class="error" id="{{ field.auto_id }}_error">{{ field.errors|join:" " }}</p>{% endif %}
</div>
"""  # noqa: E501

OLD_TEMPLATES = {"includes/form.html": OLD_FORM, "includes/field.html": OLD_FIELD}
LANGUAGES = ["zh-hans", "en"]
AWKWARD = "<b>&amp;\"q\" & 'x'</b>"


def with_old_templates():
    """The project's template settings with the old includes found first."""
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", OLD_TEMPLATES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    return override_settings(TEMPLATES=[engine])


# What differs from one response to the next whatever the templates: the CSRF token
# (masked afresh each time), the CSP nonce and a public form's signed time.
PER_RESPONSE = re.compile(r'(name="(?:csrfmiddlewaretoken|issued)" value="|nonce=")[^"]*"')


def page(client, method: str, url: str, data=None) -> str:
    response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 400), (url, response.status_code)
    return PER_RESPONSE.sub(r'\1"', response.content.decode())


def both(client, method: str, url: str, data=None) -> tuple[str, str]:
    new = page(client, method, url, data)
    with with_old_templates():
        old = page(client, method, url, data)
    return old, new


class Everything(forms.Form):
    text = forms.CharField(label=f"文本{AWKWARD}", help_text=f"说明{AWKWARD}")
    optional = forms.CharField(label="lower case label", required=False)
    yes = forms.BooleanField(label=f"同意{AWKWARD}")
    maybe = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[("a", AWKWARD), ("b", "乙")])
    notes = forms.CharField(widget=forms.Textarea, required=False, help_text="帮助")
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(label="", required=False)

    def clean(self):
        raise ValidationError([f"整体错误{AWKWARD}", "second"])

    def clean_text(self):
        raise ValidationError([f"错{AWKWARD}", "again"])


FORMS = {
    "unbound": lambda: Everything(),
    "bound with errors": lambda: Everything({"text": "x", "choice": "z", "secret": AWKWARD}),
    "valid but for clean": lambda: Everything(
        {"text": "x", "yes": "on", "choice": "a", "radio": "r"}
    ),
    "no ids": lambda: Everything({"text": "x"}, auto_id=False),
    "prefixed": lambda: Everything({"p-text": AWKWARD}, prefix="p"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", FORMS)
def test_a_form_of_every_kind(language, name):
    old, new = Template(OLD_FORM), Template("{% include 'includes/form.html' %}")
    with translation.override(language):
        drawn_old = old.render(Context({"form": FORMS[name]()}))
        drawn_new = new.render(Context({"form": FORMS[name]()}))
        field_old = Template(OLD_FIELD).render(Context({"field": FORMS[name]()["yes"]}))
        field_new = Template("{% include 'includes/field.html' %}").render(
            Context({"field": FORMS[name]()["yes"]})
        )
    assert drawn_new == drawn_old
    assert field_new == field_old
    assert 'class="form-grid"' in drawn_new


@pytest.fixture
def mediating(office, caseworker):
    worker = factories.WorkerFactory(office=office, name=f"王{AWKWARD}")
    dispute = wage_dispute(office, by=caseworker, workers=[worker])
    return walk_to(dispute, State.MEDIATING, caseworker)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_pages_with_their_forms(client, language, office, caseworker, mediating):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    factories.sign_in(client, caseworker)
    accepted = walk_to(wage_dispute(office, by=caseworker), State.ACCEPTED, caseworker)
    worker = mediating.workers.first()
    for method, url, data in [
        ("get", f"/cases/{mediating.number}/", None),
        ("get", f"/cases/{accepted.number}/", None),
        # Refused: the page again with the errors next to the fields and in the summary.
        ("post", f"/cases/{mediating.number}/record/payment/", {"worker": worker.pk}),
        ("post", f"/cases/{mediating.number}/record/session/", {"place": AWKWARD}),
        ("post", f"/cases/{accepted.number}/record/amounts/", {}),
        ("get", "/cases/new/", None),
        ("post", "/cases/new/", {}),
        ("get", "/workers/new/", None),
        ("post", "/workers/new/", {"name": AWKWARD, "id_number": "x"}),
        ("get", "/workers/", None),
        ("get", f"/assistance/aid/new/?worker={worker.pk}", None),
        ("post", f"/assistance/aid/new/?worker={worker.pk}", {}),
        ("get", f"/assistance/cards/new/?worker={worker.pk}", None),
        ("post", f"/assistance/cards/new/?worker={worker.pk}", {"members-TOTAL_FORMS": "x"}),
    ]:
        old, new = both(client, method, url, data)
        assert new == old, (method, url)
        assert 'class="form-grid"' in new or 'class="field' in new, url


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_and_sign_in_pages(client, language, office):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    station = factories.StationFactory(office=office)
    for method, url, data in [
        ("get", "/login/", None),
        ("post", "/login/", {"username": AWKWARD, "password": ""}),
        ("get", f"/p/station/{station.pk}/help/", None),
        ("post", f"/p/station/{station.pk}/help/", {"name": AWKWARD}),
        ("get", f"/p/station/{station.pk}/join/", None),
        ("get", "/p/status/", None),
        ("post", "/p/status/", {"reference": AWKWARD}),
    ]:
        old, new = both(client, method, url, data)
        assert new == old, (method, url)

"""Strings shown on our pages that come from Django or django-filter but are
missing from their zh-hans catalogues; listed here so makemessages keeps them
in ours."""

from django.utils.translation import gettext_noop

STRINGS = [
    gettext_noop("- Select an option -"),
]

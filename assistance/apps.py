from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Hardship aid and medical card applications (built on the case core in `cases`)."""

    name = "assistance"
    verbose_name = _("Assistance")

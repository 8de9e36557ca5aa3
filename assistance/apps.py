from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """Hardship aid and medical card applications (built on the case core in `cases`)."""

    name = "assistance"
    verbose_name = _("Assistance")

    def ready(self):
        from cases.models import KIND_MODELS, Kind

        from . import views  # noqa: F401  (registers the kinds' case pages)
        from .models import AidApplication, CardApplication

        KIND_MODELS[Kind.HARDSHIP_AID] = AidApplication
        KIND_MODELS[Kind.MEDICAL_CARD] = CardApplication

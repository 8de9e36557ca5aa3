from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Clocks that act: the deadlines page, notifications, e-mail and escalation."""

    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from casework import navigation

        from .models import Reminder

        navigation.register(
            "unread_notifications",
            lambda user: Reminder.objects.filter(recipient=user, read_at__isnull=True),
        )

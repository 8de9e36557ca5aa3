from django.utils.functional import SimpleLazyObject

from .models import Reminder


def notifications(request):
    """The header's count of unread notifications: one COUNT over a partial index,
    asked only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Reminder.objects.filter(recipient=user, read_at__isnull=True).count()
        )
    }

from django.utils.functional import SimpleLazyObject

from .models import MembershipApplication, staff_offices


def review(request):
    """The navigation's count of applications waiting for review, asked only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "membership_waiting": SimpleLazyObject(
            lambda: (
                MembershipApplication.objects.pending()
                .filter(office_id__in=staff_offices(user))
                .count()
            )
        )
    }

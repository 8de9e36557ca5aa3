from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Union membership: drives, applications to join, members and their numbers."""

    name = "members"
    verbose_name = _("Membership")

    def ready(self):
        from casework import navigation

        from . import views  # noqa: F401  (adds the membership section to the worker's page)
        from .models import MembershipApplication, staff_offices

        def waiting(user):
            offices = staff_offices(user)
            if not offices:
                return None
            return MembershipApplication.objects.pending().filter(office_id__in=offices)

        navigation.register("membership_waiting", waiting)

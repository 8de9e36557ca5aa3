from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The pages workers reach without a login (a station's or a drive's QR code):
    asking for help, joining the union, the status page; and the staff's queue of
    the online requests they send."""

    name = "public"
    verbose_name = _("Public pages")

    def ready(self):
        from casework import navigation
        from members.models import staff_offices

        from .models import OnlineRequest

        def waiting(user):
            offices = staff_offices(user)
            if not offices:
                return None
            return OnlineRequest.objects.waiting().filter(office_id__in=offices)

        navigation.register("online_requests", waiting)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """Union membership: drives, applications to join, members and their numbers."""

    name = "members"
    verbose_name = _("Membership")

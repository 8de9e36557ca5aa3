from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from casework.models import Office

from ...models import Scope
from ...tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token to a named system and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the system, e.g. '12351 热线 曾都区'")
        parser.add_argument("--scope", required=True, choices=Scope.values)
        parser.add_argument("--office", required=True, help="the office's name or id")
        parser.add_argument("--days", type=int, default=365, help="days until it expires")

    def handle(self, *args, name, scope, office, days, **options):
        found = Office.objects.filter(name=office).first()
        if found is None and office.isdigit():
            found = Office.objects.filter(pk=int(office)).first()
        if found is None:
            raise CommandError(f"No office is named {office!r}.")
        try:
            token, key = issue_token(
                by=None,
                name=name,
                scope=scope,
                office=found,
                expires_at=timezone.now() + timedelta(days=days),
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{token.name} ({token.get_scope_display()}, {found.name})")
        self.stdout.write(key)

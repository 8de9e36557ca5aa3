"""Check the audit log's hash chain from its first entry to the chain head.

Exits with status 1, naming the first entry that breaks the chain, when an
entry was changed, removed or inserted outside the application.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from casework import audit_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and name the first broken entry."

    def handle(self, *args, **options):
        result = audit_chain.verify()
        if not result.ok:
            raise CommandError(
                _(
                    "The audit chain is broken at entry %(id)s (position %(seq)s): "
                    "%(problem)s. %(checked)s entries before it verify."
                )
                % {
                    "id": result.broken_id if result.broken_id is not None else "—",
                    "seq": result.broken_seq if result.broken_seq is not None else "—",
                    "problem": result.problem,
                    "checked": result.checked,
                },
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("The audit chain verifies: %(checked)s entries, head %(hash)s.")
                % {"checked": result.checked, "hash": result.head_hash or "—"}
            )
        )

"""Re-encrypt every stored ID number with the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after
it), run this command, then remove the old keys once it has finished.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from casework import identity


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers with the newest encryption key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            if "id_encrypted" not in {f.name for f in model._meta.concrete_fields}:
                continue
            rows = model.objects.exclude(id_encrypted="").values_list("pk", flat=True)
            for pk in rows.iterator():
                with transaction.atomic():
                    obj = model.objects.select_for_update().get(pk=pk)
                    obj.id_encrypted = identity.rotate(obj.id_encrypted)
                    obj.save(update_fields=["id_encrypted"])
                total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} ID numbers."))

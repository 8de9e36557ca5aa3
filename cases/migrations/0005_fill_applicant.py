"""Existing cases: the applicant is the first worker named; in this state since its last change."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseWorker = apps.get_model("cases", "CaseWorker")
    AuditEntry = apps.get_model("casework", "AuditEntry")
    first_worker = CaseWorker.objects.filter(case=OuterRef("pk")).order_by("pk").values("worker")[:1]
    last_change = (
        AuditEntry.objects.filter(case=OuterRef("pk"), action__in=["transition", "case_opened"])
        .order_by("-at")
        .values("at")[:1]
    )
    Case.objects.filter(applicant__isnull=True).update(applicant=Subquery(first_worker))
    Case.objects.update(state_changed_at=Coalesce(Subquery(last_change), F("opened_at")))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_applicant_and_state_since"),
        ("casework", "0003_clearer_labels"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

"""Default reference data: an administrator edits these in the application.

The 低保 lines are placeholders for the city-wide line (urban and rural) until
the administrator enters the published figures for each district.
"""

from decimal import Decimal

from django.db import migrations

SETTINGS = {
    "approval_threshold": "5000.00",
    "aid_cap": "10000.00",
    "card_term_months": "12",
    "union_name": "随州市总工会",
}
CITY_WIDE_LINES = {"urban": Decimal("720.00"), "rural": Decimal("560.00")}


def load(apps, schema_editor):
    Setting = apps.get_model("casework", "Setting")
    DibaoLine = apps.get_model("casework", "DibaoLine")
    for key, value in SETTINGS.items():
        if not Setting.objects.filter(key=key).exists():
            Setting.objects.create(key=key, value=value)
    for residence, amount in CITY_WIDE_LINES.items():
        if not DibaoLine.objects.filter(district=None, residence=residence).exists():
            DibaoLine.objects.create(district=None, residence=residence, monthly_amount=amount)


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

# Wage disputes kept where they came in: copied to the case row ("walk-in" is the
# office desk now). Aid and card applications did not record it: left blank,
# shown as "not recorded".

from django.db import migrations

OLD_TO_NEW = {"station": "station", "hotline": "hotline", "walk_in": "desk", "referral": "referral"}


def copy_channel(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    WageDispute = apps.get_model("cases", "WageDispute")
    for old, new in OLD_TO_NEW.items():
        Case.objects.filter(
            pk__in=WageDispute.objects.filter(channel_before_i13=old).values("case_ptr_id")
        ).update(channel=new)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_i13_intake_channel'),
    ]

    operations = [
        migrations.RunPython(copy_channel, migrations.RunPython.noop),
    ]

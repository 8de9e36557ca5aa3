# The intake channel moves from the wage dispute to the case every kind shares,
# with the station a case came in at. The wage dispute's old column is renamed
# here, copied by 0010 and dropped by 0011.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_case_audit_hold_and_anonymised'),
        ('casework', '0013_i13_stations_and_tallies'),
    ]

    operations = [
        migrations.RenameField(
            model_name='wagedispute',
            old_name='channel',
            new_name='channel_before_i13',
        ),
        migrations.AddField(
            model_name='case',
            name='channel',
            field=models.CharField(blank=True, choices=[('station', 'service station'), ('hotline', 'hotline 12351'), ('desk', 'office desk'), ('online', 'online'), ('referral', 'referral')], db_default='', default='', max_length=20, verbose_name='came in by'),
        ),
        migrations.AddField(
            model_name='case',
            name='station',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='casework.station', verbose_name='service station'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(('station__isnull', True), ('channel', 'station'), _connector='OR'), name='case_station_only_for_station_channel', violation_error_message='Name a station only for a case that came in at one.'),
        ),
    ]

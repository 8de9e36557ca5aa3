from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_i13_copy_wage_channel'),
    ]

    operations = [
        # Reversed, the column comes back with "walk-in" for every dispute: the
        # channel is on the case row then.
        migrations.AlterField(
            model_name='wagedispute',
            name='channel_before_i13',
            field=models.CharField(default='walk_in', max_length=20),
        ),
        migrations.RemoveField(
            model_name='wagedispute',
            name='channel_before_i13',
        ),
    ]

"""Add Yours chains: every sticker and every answer names the chain it belongs to.

Existing rows start as they were counted before: each sticker its own chain (chain_id = id) and
each answer in its sticker's chain. Answers now outlive the sticker they answered (SET_NULL), so a
chain keeps them when the story that started it is purged.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def backfill_chains(apps, schema_editor):
    """Two UPDATEs, whatever the table sizes."""
    Sticker = apps.get_model("stickers", "Sticker")
    AddYoursResponse = apps.get_model("stickers", "AddYoursResponse")
    Sticker.objects.update(chain_id=F("id"))
    AddYoursResponse.objects.update(
        chain_id=Subquery(Sticker.objects.filter(pk=OuterRef("sticker_id")).values("chain_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ('stickers', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='sticker',
            name='chain_id',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='addyoursresponse',
            name='chain_id',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(backfill_chains, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='sticker',
            name='chain_id',
            field=models.UUIDField(db_index=True, editable=False),
        ),
        migrations.AlterField(
            model_name='addyoursresponse',
            name='chain_id',
            field=models.UUIDField(db_index=True, editable=False),
        ),
        migrations.AlterField(
            model_name='addyoursresponse',
            name='sticker',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='add_yours_responses', to='stickers.sticker'),
        ),
    ]

"""The price book moves from billing to shops: its tables stay where they are.

Only Django's idea of the model changes (``SeparateDatabaseAndState`` with no database
operations): ``shops.PriceBookEntry`` and its history keep the tables ``billing_pricebookentry``
and ``billing_historicalpricebookentry``, so every list price and every past version stays. The
two content types are renamed billing -> shops (and back when unapplied), which keeps their
permissions (granted to users and groups) and the admin's log entries attached.
``billing.0008_pricebookentry_to_shops`` then drops the models from billing's state.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("pricebookentry", "historicalpricebookentry")


def _merge(apps, db, *, keep, drop) -> None:
    """Hang what points at the content type ``drop`` on ``keep``, then delete ``drop``.

    Both exist only when Django made the target's content type while both apps had the model
    (``migrate billing 0007`` alone); ``keep`` is the one with the price book's past.
    """
    permissions = apps.get_model("auth", "Permission").objects.using(db)
    apps.get_model("admin", "LogEntry").objects.using(db).filter(content_type=drop).update(
        content_type=keep
    )
    kept = {perm.codename: perm for perm in permissions.filter(content_type=keep)}
    links = [
        apps.get_model("auth", "Group").permissions.through,
        apps.get_model(settings.AUTH_USER_MODEL).user_permissions.through,
    ]
    for perm in permissions.filter(content_type=drop):
        twin = kept.get(perm.codename)
        if twin is None:
            perm.content_type = keep
            perm.save(update_fields=["content_type"])
            continue
        for link in links:
            holder = next(f.name for f in link._meta.fields if f.name not in ("id", "permission"))
            rows = link.objects.using(db)
            has_twin = rows.filter(permission=twin).values(holder)
            rows.filter(permission=perm).exclude(**{f"{holder}__in": has_twin}).update(
                permission=twin
            )
    drop.delete()


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    db = schema_editor.connection.alias
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(db)
    for model in MODELS:
        # A fresh database has no content types yet: they are made after migrating.
        moving = content_types.filter(app_label=source, model=model).first()
        if moving is None:
            continue
        present = content_types.filter(app_label=target, model=model).first()
        if present is not None:
            _merge(apps, db, keep=moving, drop=present)
        moving.app_label = target
        moving.save(update_fields=["app_label"])


def content_types_to_shops(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, source="billing", target="shops")


def content_types_to_billing(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, source="shops", target="billing")


class Migration(migrations.Migration):

    dependencies = [
        ('shops', '0001_initial'),
        ('billing', '0007_invoice_issued_void_has_reason'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('admin', '0003_logentry_add_action_flag_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalPriceBookEntry',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('plan', models.CharField(choices=[('temporary', 'Temporary (per day)'), ('promotion', 'Promotion (per event day)'), ('shift', 'Long-term, one shift (monthly)'), ('full_day', 'Long-term, full day (monthly)')], db_index=True, max_length=20, verbose_name='plan')),
                        ('price', models.DecimalField(decimal_places=2, help_text='Day rate for day plans, monthly fee for monthly plans (CNY, tax included).', max_digits=12, verbose_name='price')),
                        ('commission_mode', models.CharField(choices=[('graduated', 'Graduated (each slice at its rate)'), ('flat', 'Flat (whole turnover at one rate)')], default='graduated', max_length=20, verbose_name='commission mode')),
                        ('commission_tiers', models.JSONField(blank=True, default=list, verbose_name='commission tiers')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical price book entry',
                        'verbose_name_plural': 'historical price book',
                        'db_table': 'billing_historicalpricebookentry',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PriceBookEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('plan', models.CharField(choices=[('temporary', 'Temporary (per day)'), ('promotion', 'Promotion (per event day)'), ('shift', 'Long-term, one shift (monthly)'), ('full_day', 'Long-term, full day (monthly)')], max_length=20, unique=True, verbose_name='plan')),
                        ('price', models.DecimalField(decimal_places=2, help_text='Day rate for day plans, monthly fee for monthly plans (CNY, tax included).', max_digits=12, verbose_name='price')),
                        ('commission_mode', models.CharField(choices=[('graduated', 'Graduated (each slice at its rate)'), ('flat', 'Flat (whole turnover at one rate)')], default='graduated', max_length=20, verbose_name='commission mode')),
                        ('commission_tiers', models.JSONField(blank=True, default=list, verbose_name='commission tiers')),
                    ],
                    options={
                        'verbose_name': 'price book entry',
                        'verbose_name_plural': 'price book',
                        'db_table': 'billing_pricebookentry',
                        'ordering': ['plan'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('price__gte', 0)), name='pricebook_price_non_negative')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_shops, content_types_to_billing),
    ]

"""The Moderators group, with only the permissions moderators need."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
PERMISSIONS = [
    # The review queue, reports and the audit trail: view only. Reports change through the
    # actions below, which write the audit trail; an edit by hand would not.
    ("moderation", "view_case"),
    ("moderation", "view_report"),
    ("moderation", "view_moderationaction"),
    # What they act on, read-only: changes go through the moderation actions.
    ("stories", "view_story"),
    ("stories", "view_sound"),
    ("feed", "view_comment"),
    ("stickers", "view_sticker"),
    ("accounts", "view_user"),
    # The actions themselves.
    ("moderation", "remove_story"),
    ("moderation", "delete_comment"),
    ("moderation", "dismiss_reports"),
    ("moderation", "warn_person"),
    ("moderation", "suspend_person"),
    ("moderation", "preview_media"),
]


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("accounts", "0001_initial"),
        ("stories", "0001_initial"),
        ("feed", "0001_initial"),
        ("stickers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

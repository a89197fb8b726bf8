"""The “Editors” group: add, change, delete and view every content record, nothing else.

Editors keep the records (sources, citations, people, places, events, organizations,
elections, acts) but manage no user accounts, groups or site settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ("kzpolitics", "parties", "elections", "legislation")
ACTIONS = ("add", "change", "delete", "view")


def editors_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for label in CONTENT_APPS:
        # Permissions are normally created after all migrations; make them now.
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    codenames = []
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            ct = ContentType.objects.get_for_model(model)
            codenames.extend((ct.id, f"{action}_{model._meta.model_name}") for action in ACTIONS)
    return [Permission.objects.get(content_type_id=ct, codename=code) for ct, code in codenames]


def create_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(editors_permissions(apps))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0001_initial"),
        ("parties", "0001_initial"),
        ("elections", "0002_initial"),
        ("legislation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]

"""The “Reviewers” group, and the Editors' permissions brought up to date.

Editors add, change, delete and view every content record and read its history; they cannot
publish. Reviewers may do all that and publish (``kzpolitics.publish_record``). Neither manages
user accounts, groups or site settings.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ("kzpolitics", "parties", "elections", "legislation")
ACTIONS = ("add", "change", "delete", "view")


def content_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for label in CONTENT_APPS:
        # Permissions are normally created after all migrations; make them now.
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    wanted = []
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            name = model._meta.model_name
            if name == "dataversion":
                continue
            ct = ContentType.objects.get_for_model(model)
            # Historical rows are read (the history pages); reverting writes the record itself.
            actions = ("view",) if name.startswith("historical") else ACTIONS
            wanted.extend((ct.id, f"{action}_{name}") for action in actions)
    return [Permission.objects.get(content_type_id=ct, codename=code) for ct, code in wanted]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = content_permissions(apps)
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(permissions)
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    publish = Permission.objects.get(
        content_type__app_label="kzpolitics", codename="publish_record"
    )
    reviewers.permissions.set([*permissions, publish])


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kzpolitics", "0007_status_version_history"),
        ("parties", "0003_status_version_history"),
        ("elections", "0004_status_version_history"),
        ("legislation", "0003_status_version_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_reviewers)]

"""The editorial roles, as groups: Editors and Reviewers.

- **Editors** add, change, delete and view every record (sources, citations, people, places,
  events, periods, organizations, elections, acts and their rows), read every history
  (records' and their links'), and see the review queue. They cannot publish, and manage no
  user accounts, groups or site settings.
- **Reviewers** may do all that and publish (``kzpolitics.publish_record``): only they change
  what the public sees.

The groups are made after every ``migrate`` (a ``post_migrate`` handler), not frozen in a data
migration, so a model added later gets its permissions into both groups at the next migrate.
Idempotent: it only adds what is missing, so permissions an administrator gave a group by
hand stay.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, router
from simple_history.models import HistoricalChanges

from kzpolitics.core.visibility import PUBLISH_PERMISSION

EDITORS = "Editors"
REVIEWERS = "Reviewers"
ACTIONS = ("add", "change", "delete", "view")


def actions_for(model) -> tuple[str, ...]:
    """What an editor may do with ``model``'s rows."""
    from kzpolitics.core.models import DataVersion, FeedKey, Revision, Watch

    if issubclass(model, HistoricalChanges):
        return ("view",)  # history is read; reverting writes the record itself
    if model is DataVersion:
        return ()  # moved by the site itself, never by hand
    if model in (Watch, FeedKey):
        return ()  # each editor's own, kept through their watchlist and feed pages
    if model is Revision:
        return ("view",)  # proposed by saving the record; decided in the review queue
    return ACTIONS


def editor_permissions(using: str = DEFAULT_DB_ALIAS) -> list:
    """Every permission an editor needs, on every model of the apps that hold records."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from kzpolitics.core.models import content_apps

    wanted = []
    for config in content_apps():
        for model in config.get_models():
            codes = [f"{action}_{model._meta.model_name}" for action in actions_for(model)]
            if codes:
                content_type = ContentType.objects.db_manager(using).get_for_model(
                    model, for_concrete_model=False
                )
                wanted.append((content_type, codes))
    permissions = []
    for content_type, codes in wanted:
        permissions.extend(
            Permission.objects.using(using).filter(content_type=content_type, codename__in=codes)
        )
    return permissions


def publish_permission(using: str = DEFAULT_DB_ALIAS):
    from django.contrib.auth.models import Permission

    app_label, codename = PUBLISH_PERMISSION.split(".")
    return Permission.objects.using(using).get(content_type__app_label=app_label, codename=codename)


def ensure_roles(using: str = DEFAULT_DB_ALIAS, verbosity: int = 0, **kwargs) -> None:
    """Make the Editors and Reviewers groups, or add what they lack. A ``post_migrate``
    handler (connected in ``kzpolitics.apps``) and safe to call at any time."""
    from django.contrib.auth.models import Group

    from kzpolitics.core.models import content_apps

    if not router.allow_migrate_model(using, Group):
        return
    # Django makes each app's permissions in its own post_migrate handler, app by app; this
    # may run before the later apps' turn, so make theirs now (the call is idempotent).
    for config in content_apps():
        create_permissions(config, verbosity=0, using=using, apps=global_apps)
    permissions = editor_permissions(using)
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*permissions)
    reviewers, _ = Group.objects.using(using).get_or_create(name=REVIEWERS)
    reviewers.permissions.add(*permissions, publish_permission(using))
    if verbosity >= 2:
        print(f"Roles: {EDITORS} and {REVIEWERS} hold {len(permissions)} record permissions.")

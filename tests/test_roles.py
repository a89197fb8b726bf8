"""Editors and Reviewers hold every permission their role needs, on every model, on a database
migrated from zero; a later migrate adds what a new model needs and keeps what an
administrator gave by hand."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from simple_history.models import HistoricalChanges

from kzpolitics.core.models import (
    DataVersion,
    FeedKey,
    Revision,
    TimeStamped,
    Watch,
    content_apps,
)

from .site_server import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
RECORD_ACTIONS = ("add", "change", "delete", "view")


def every_model():
    return [model for config in content_apps() for model in config.get_models()]


def expected_actions(model) -> set[str]:
    """The role, stated apart from the code that grants it."""
    if issubclass(model, TimeStamped):
        return set(RECORD_ACTIONS)
    if issubclass(model, HistoricalChanges):
        return {"view"}
    if model is Revision:
        return {"view"}
    if model in (Watch, FeedKey):
        return set()  # each editor's own, kept on their watchlist page, not by permission
    assert model is DataVersion, f"no rule for {model._meta.label}: say what editors may do"
    return set()


def codes(model, actions) -> set[str]:
    return {f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in actions}


def test_the_content_apps_are_found_by_their_records():
    assert [config.label for config in content_apps()] == [
        "kzpolitics",
        "parties",
        "elections",
        "legislation",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("model", every_model(), ids=lambda m: m._meta.label)
def test_editors_and_reviewers_hold_what_their_role_needs(model, editor, reviewer):
    wanted = codes(model, expected_actions(model))
    refused = codes(model, set(RECORD_ACTIONS) - expected_actions(model))
    for user in (editor, reviewer):
        assert wanted <= user.get_all_permissions(), user.username
        assert not (refused & user.get_all_permissions()), user.username


@pytest.mark.django_db
def test_the_link_histories_are_readable():
    editors = Group.objects.get(name="Editors")
    held = {p.codename for p in editors.permissions.all()}
    for codename in (
        "view_historicalorganization_events",
        "view_historicalelection_events",
        "view_historicallegalact_events",
        "view_historicalevent_people",
    ):
        assert codename in held


@pytest.mark.django_db
def test_only_reviewers_publish_and_neither_manages_accounts(editor, reviewer):
    assert reviewer.has_perm("kzpolitics.publish_record")
    assert not editor.has_perm("kzpolitics.publish_record")
    for user in (editor, reviewer):
        for code in ("auth.add_user", "auth.change_group", "knox.view_authtoken"):
            assert not user.has_perm(code)


@pytest.mark.django_db
def test_a_later_migrate_adds_what_is_missing_and_keeps_what_was_given():
    editors = Group.objects.get(name="Editors")
    lost = Permission.objects.get(codename="view_historicalevent_people")
    given = Permission.objects.get(codename="view_user")
    editors.permissions.remove(lost)
    editors.permissions.add(given)

    call_command("migrate", verbosity=0)

    held = set(editors.permissions.all())
    assert lost in held and given in held
    assert Group.objects.filter(name__in=["Editors", "Reviewers"]).count() == 2


FROM_ZERO_CHECK = """
from django.contrib.auth.models import Group
for name in ("Editors", "Reviewers"):
    group = Group.objects.get(name=name)
    print(name, group.permissions.count())
"""


def migrate_from_zero(database_url: str) -> dict[str, int]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=600,
        capture_output=True,
    )
    out = subprocess.run(
        [*manage, "shell", "-c", FROM_ZERO_CHECK],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout
    # The shell may say first what it imported: read the two lines the check prints.
    rows = (line.split() for line in out.splitlines())
    return {row[0]: int(row[1]) for row in rows if row and row[0] in ("Editors", "Reviewers")}


@pytest.mark.slow
@pytest.mark.django_db
def test_migrate_from_zero_makes_both_roles(tmp_path):
    """A new database, migrated from nothing in a process of its own, as `make run` does
    (SQLite) and as a production install does (PostgreSQL, when the suite runs on it)."""
    permissions = {g.name: g.permissions.count() for g in Group.objects.all()}
    with throwaway_database(tmp_path) as database_url:
        counts = migrate_from_zero(database_url)
    assert counts == {"Editors": permissions["Editors"], "Reviewers": permissions["Reviewers"]}
    assert counts["Reviewers"] == counts["Editors"] + 1

"""Backups: ``manage.py backup`` writes everything, ``manage.py restore`` gives all of it back.

The round trip goes as an operator's would: the test database (the article's data, plus a
draft, an edited record, an organization's events changed, a deleted record, two editors and an
API token) is backed up; a separate,
fresh database of the same kind (an SQLite file, or a new PostgreSQL database when
DATABASE_URL names one: ``tests/site_server.py``) is migrated and restored by ``manage.py`` in
subprocesses; then every table of both is compared row by row.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from knox.models import AuthToken

from kzpolitics.core.models import Citation, Event, Person, Source, Status, content_apps
from parties.models import Organization, Relation

from .factories import OrganizationFactory
from .site_server import ROOT, site_environment, throwaway_database

CONTENT_APPS = tuple(config.label for config in content_apps())
EDIT_SUMMARY = "Description checked against Ponomarev (backup test)"
LINKS_SUMMARY = "Linked to the event it took part in (backup test)"
DELETE_SUMMARY = "Duplicate of another relation (backup test)"
DRAFT_SLUG = "backup-test-draft-party"
EDITOR = "backup-editor"

# Every test reads the test database, if only through the module's backup of it.
pytestmark = pytest.mark.django_db


# -- what is compared ------------------------------------------------------------------------


def compared_models() -> list:
    """Every table a backup must keep: each model of the content apps (history, data version
    and many-to-many links included), the accounts, their groups and permissions, tokens."""
    user = get_user_model()
    chosen = [
        Group,
        Group.permissions.through,
        user,
        user.groups.through,
        user.user_permissions.through,
        AuthToken,
    ]
    for label in CONTENT_APPS:
        chosen.extend(apps.get_app_config(label).get_models(include_auto_created=True))
    return chosen


def table_contents() -> dict[str, list[str]]:
    """Every row of every compared table, in a form two databases can be compared by.

    A row is a JSON object of its columns (datetimes to the microsecond); a table is its rows,
    sorted. Content types, permissions and groups, which each database numbers for itself,
    are written by name, and so are left out the ids of groups and of many-to-many link rows.
    """
    names = {
        ContentType: {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()},
        Permission: {
            p.pk: f"{p.content_type.app_label}.{p.codename}"
            for p in Permission.objects.select_related("content_type")
        },
        Group: dict(Group.objects.values_list("pk", "name")),
    }
    contents = {}
    for model in compared_models():
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and (model is Group or model._meta.auto_created))
        ]
        rows = []
        for values in model._base_manager.values_list(*(f.attname for f in fields)):
            row = {}
            for field, value in zip(fields, values, strict=True):
                if field.is_relation and field.related_model in names and value is not None:
                    value = names[field.related_model][value]
                row[field.attname] = value
            rows.append(json.dumps(row, default=str, sort_keys=True, ensure_ascii=False))
        contents[model._meta.label_lower] = sorted(rows)
    return contents


def is_link_table(label: str) -> bool:
    """Whether a table holds many-to-many links (written with the rows they link), as opposed
    to rows of its own: the history's copies of links are rows of their own."""
    return apps.get_model(label)._meta.auto_created is not False


def tally(contents: dict[str, list[str]]) -> Counter:
    """Records, citations, history rows, users and groups in a snapshot of the tables."""
    figures = Counter(dict.fromkeys(("records", "citations", "history rows", "users", "groups"), 0))
    for label, rows in contents.items():
        app, name = label.split(".")
        if label == "auth.user":
            figures["users"] += len(rows)
        elif label == "auth.group":
            figures["groups"] += len(rows)
        elif app not in CONTENT_APPS or is_link_table(label) or name == "dataversion":
            continue  # links between rows, tokens, the data version
        elif name.startswith("historical"):
            figures["history rows"] += len(rows)  # links kept with each version among them
        elif name == "citation":
            figures["citations"] += len(rows)
        else:
            figures["records"] += len(rows)
    return figures


def rows_of(contents, label: str) -> list[dict]:
    return [json.loads(row) for row in contents[label]]


def differences(before: dict, after: dict) -> dict:
    """Per table, a few rows only one side has."""
    found = {}
    for label in sorted(before.keys() | after.keys()):
        lost = sorted(set(before.get(label, ())) - set(after.get(label, ())))
        gained = sorted(set(after.get(label, ())) - set(before.get(label, ())))
        if lost or gained or len(before.get(label, ())) != len(after.get(label, ())):
            found[label] = {"lost": lost[:3], "gained": gained[:3]}
    return found


def ids_of_new_rows() -> dict[str, int]:
    """Save a new source, a citation of it (each with its history row) and a user, then roll
    back: the ids they were given."""
    with transaction.atomic():
        source = Source.objects.create(slug="fresh-id", kind=Source.Kind.NOTE, title="Fresh id")
        citation = Citation.objects.create(
            content_type=ContentType.objects.get_for_model(Organization),
            object_id=Organization.objects.values_list("pk", flat=True).first(),
            source=source,
        )
        user = get_user_model().objects.create_user("fresh-id")
        event = Event.objects.create(slug="fresh-id", title="Fresh id")
        event.people.add(Person.objects.order_by("pk").first())
        ids = {
            "kzpolitics.source": source.pk,
            "kzpolitics.historicalsource": source.history.get().history_id,
            "kzpolitics.citation": citation.pk,
            "kzpolitics.historicalcitation": citation.history.get().history_id,
            "kzpolitics.historicalevent_people": event.history.first().people.get().pk,
            "auth.user": user.pk,
        }
        transaction.set_rollback(True)
    return ids


# -- the database backed up, and the fresh one restored from it -----------------------------


def make_changes() -> None:
    """What editors do between backups: a draft, an edit and a deletion with their summaries
    and their author, accounts in both groups, an API token."""
    user_model = get_user_model()
    editor = user_model.objects.create_user(
        EDITOR, password="correct horse battery", is_staff=True, first_name="Aigerim"
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    reviewer = user_model.objects.create_user("backup-reviewer", password="x", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    AuthToken.objects.create(user=editor)
    OrganizationFactory(name="Backup Test Draft Party", slug=DRAFT_SLUG, status=Status.DRAFT)
    person = Person.objects.order_by("pk").first()
    person.description += " (checked)"
    person._change_reason = EDIT_SUMMARY
    person._history_user = editor
    person.save()
    party = Organization.objects.filter(events__isnull=False).order_by("pk").first()
    party._change_reason = LINKS_SUMMARY
    party._history_user = editor
    party.events.add(Event.objects.exclude(organizations=party).order_by("pk").first())
    relation = Relation.objects.order_by("pk").first()
    relation._change_reason = DELETE_SUMMARY
    relation._history_user = reviewer
    relation.delete()


@dataclass
class Backup:
    path: Path
    output: str  # what ``manage.py backup`` printed
    contents: dict[str, list[str]]  # every table of the database backed up


@dataclass
class Restored:
    env: dict[str, str]  # the environment that points manage.py at the restored database
    output: str  # what ``manage.py restore`` printed
    contents: dict[str, list[str]]  # every table of the restored database


@pytest.fixture(scope="module")
def backed_up(django_db_setup, django_db_blocker, tmp_path_factory) -> Backup:
    """The test database with editors' changes, backed up; the changes are rolled back after."""
    path = tmp_path_factory.mktemp("backup") / "kzpolitics.json.gz"
    output = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        make_changes()
        call_command("backup", output=str(path), stdout=output)
        contents = table_contents()
        transaction.set_rollback(True)
    return Backup(path, output.getvalue(), contents)


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if check and done.returncode:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done


def python(env: dict[str, str], code: str):
    """Run ``code`` (which prints JSON) with the site set up on ``env``'s database."""
    done = subprocess.run(
        [sys.executable, "-c", f"import django, json; django.setup(); {code}"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "kzpolitics.site.settings"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode:
        raise AssertionError(f"{code} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def contents_of(env: dict[str, str]) -> dict[str, list[str]]:
    return python(
        env, "from tests.test_backup import table_contents; print(json.dumps(table_contents()))"
    )


@pytest.fixture(scope="module")
def restored(backed_up, tmp_path_factory):
    """A new database, migrated, with the backup restored into it (as subprocesses)."""
    work = tmp_path_factory.mktemp("restored")
    with throwaway_database(work) as database_url:
        env = site_environment(database_url)
        manage(env, "migrate", "--noinput")
        output = manage(env, "restore", str(backed_up.path)).stdout
        yield Restored(env, output, contents_of(env))


# -- the backup --------------------------------------------------------------------------------


def printed_counts(output: str) -> dict[str, int]:
    """``app.Model   N`` lines of a command's output, as {label_lower: N}."""
    return {
        label.lower(): int(n) for label, n in re.findall(r"^  (\w+\.\w+) +(\d+)$", output, re.M)
    }


def test_the_backup_says_what_it_wrote_table_by_table(backed_up):
    assert f"Wrote {backed_up.path}" in backed_up.output
    counts = printed_counts(backed_up.output)
    for label, rows in backed_up.contents.items():
        if not is_link_table(label):  # link rows are written with the rows they link
            assert counts[label] == len(rows), label
    figures = tally(backed_up.contents)
    assert (
        f"{figures['records']} records, {figures['citations']} citations, "
        f"{figures['history rows']} history rows, {figures['users']} users, "
        f"{figures['groups']} groups, 1 API tokens."
    ) in backed_up.output


def test_the_backup_holds_history_with_its_summaries_and_the_accounts_it_names(backed_up):
    with gzip.open(backed_up.path, "rt", encoding="utf-8") as backup:
        entries = json.load(backup)
    by_model = {}
    for entry in entries:
        by_model.setdefault(entry["model"], []).append(entry)

    edit = next(
        e["fields"]
        for e in by_model["kzpolitics.historicalperson"]
        if e["fields"]["history_change_reason"] == EDIT_SUMMARY
    )
    assert edit["history_type"] == "~"
    assert edit["history_user"] == [EDITOR]  # by name, as the restored database numbers it
    assert edit["version"] == 2
    assert any(
        e["fields"]["history_change_reason"] == DELETE_SUMMARY
        and e["fields"]["history_type"] == "-"
        for e in by_model["parties.historicalrelation"]
    )
    # The links a version kept go with it, a row each.
    linked = next(
        e
        for e in by_model["parties.historicalorganization"]
        if e["fields"]["history_change_reason"] == LINKS_SUMMARY
    )
    kept = [
        e["fields"]["event"]
        for e in by_model["parties.historicalorganization_events"]
        if e["fields"]["history"] == linked["pk"]
    ]
    assert len(kept) >= 2 and len(set(kept)) == len(kept)
    draft = next(e for e in by_model["parties.organization"] if e["fields"]["slug"] == DRAFT_SLUG)
    assert draft["fields"]["status"] == Status.DRAFT
    # Groups go by name (the target's migrations made them); users keep their ids.
    assert {e["fields"]["name"] for e in by_model["auth.group"]} == {"Editors", "Reviewers"}
    assert all("pk" not in e for e in by_model["auth.group"])
    editor = next(e for e in by_model["auth.user"] if e["fields"]["username"] == EDITOR)
    assert editor["pk"] and editor["fields"]["groups"] == [["Editors"]]
    assert editor["fields"]["password"].startswith("md5$")  # the hash, never a password
    token = by_model["knox.authtoken"][0]
    assert token["fields"]["user"] == [EDITOR]
    assert re.fullmatch(r"[0-9a-f]{128}", token["pk"])  # the key's digest, never the key
    # Times to the microsecond: Django's JSON encoder would keep milliseconds only.
    assert re.fullmatch(r".*T\d\d:\d\d:\d\d\.\d{6}Z", edit["history_date"])


# -- the round trip ------------------------------------------------------------------------------


@pytest.mark.slow  # restored: manage.py in subprocesses
def test_a_backup_restored_into_a_fresh_database_gives_back_every_row(backed_up, restored):
    before, after = dict(backed_up.contents), dict(restored.contents)
    # The restore touches the data version (caches and exports must see a change); the rest
    # of its row is as it was.
    [version_before] = rows_of(before, "kzpolitics.dataversion")
    [version_after] = rows_of(after, "kzpolitics.dataversion")
    assert version_after["id"] == version_before["id"]
    assert version_after["changed_at"] > version_before["changed_at"]
    del before["kzpolitics.dataversion"], after["kzpolitics.dataversion"]

    assert differences(before, after) == {}
    assert tally(after) == tally(before)
    figures = ", ".join(f"{n} {kind}" for kind, n in tally(before).items())
    print(f"\nround trip on {connection.vendor}: {figures}, before and after")
    assert f"{tally(before)['citations']} citations" in restored.output


@pytest.mark.slow
def test_the_restored_history_has_the_edit_its_summary_its_author_and_the_deletion(restored):
    users = {u["id"]: u["username"] for u in rows_of(restored.contents, "auth.user")}
    [edit] = [
        row
        for row in rows_of(restored.contents, "kzpolitics.historicalperson")
        if row["history_change_reason"] == EDIT_SUMMARY
    ]
    assert users[edit["history_user_id"]] == EDITOR
    assert edit["version"] == 2
    [person] = [p for p in rows_of(restored.contents, "kzpolitics.person") if p["id"] == edit["id"]]
    assert person["version"] == 2 and person["description"].endswith("(checked)")
    assert any(
        row["history_change_reason"] == DELETE_SUMMARY
        for row in rows_of(restored.contents, "parties.historicalrelation")
    )
    [draft] = [
        o for o in rows_of(restored.contents, "parties.organization") if o["slug"] == DRAFT_SLUG
    ]
    assert draft["status"] == Status.DRAFT
    [linked] = [
        row
        for row in rows_of(restored.contents, "parties.historicalorganization")
        if row["history_change_reason"] == LINKS_SUMMARY
    ]
    kept = {
        row["event_id"]
        for row in rows_of(restored.contents, "parties.historicalorganization_events")
        if row["history_id"] == linked["history_id"]
    }
    links = {
        row["event_id"]
        for row in rows_of(restored.contents, "parties.organization_events")
        if row["organization_id"] == linked["id"]
    }
    assert len(kept) >= 2 and kept == links  # the version's links, and the record's


@pytest.mark.slow
def test_new_rows_after_a_restore_get_fresh_ids(backed_up, restored):
    new = python(
        restored.env,
        "from tests.test_backup import ids_of_new_rows; print(json.dumps(ids_of_new_rows()))",
    )
    for label, new_id in new.items():
        key = {"kzpolitics.historicalevent_people": "m2m_history_id"}.get(
            label, "history_id" if ".historical" in label else "id"
        )
        highest = max(row[key] for row in rows_of(backed_up.contents, label))
        assert new_id > highest, label


@pytest.mark.slow
def test_restoring_into_a_database_that_holds_data_is_refused_and_changes_nothing(
    backed_up, restored
):
    done = manage(restored.env, "restore", str(backed_up.path), check=False)
    assert done.returncode != 0
    assert "already holds data" in done.stderr
    assert "Nothing was changed" in done.stderr
    assert differences(restored.contents, contents_of(restored.env)) == {}


# -- damaged backups -----------------------------------------------------------------------------


def empty_the_database() -> None:
    """Delete every row a restore would refuse to overwrite, inside the test's transaction: what
    a freshly migrated database holds (groups, permissions, content types) stays."""
    kept = {Group, Group.permissions.through}
    with connection.cursor() as cursor:
        for model in compared_models():
            if model not in kept:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def truncated(entries: list, data: bytes) -> bytes:
    return data[: len(data) // 2]


def not_a_backup(entries: list, data: bytes) -> bytes:
    return b"Dear editors, the backup is attached.\n"


def foreign_rows(entries: list, data: bytes) -> bytes:
    """A fixture of another kind: loaddata would take it, a restore does not."""
    session = {"model": "sessions.session", "pk": "x", "fields": {"session_data": ""}}
    return gzip.compress(json.dumps([*entries, session]).encode())


def an_unknown_author_halfway(entries: list, data: bytes) -> bytes:
    """Thousands of rows are in when a history row names a user the backup does not hold."""
    history = [e for e in entries if e["model"] == "kzpolitics.historicalcitation"]
    history[len(history) // 2]["fields"]["history_user"] = ["nobody-of-that-name"]
    return gzip.compress(json.dumps(entries).encode())


def a_citation_of_a_missing_source(entries: list, data: bytes) -> bytes:
    """Every row is in before the foreign keys are checked and this one fails."""
    citation = next(e for e in reversed(entries) if e["model"] == "kzpolitics.citation")
    citation["fields"]["source"] = 987654321
    return gzip.compress(json.dumps(entries).encode())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (truncated, "not a complete backup"),
        (not_a_backup, "not a complete backup"),
        (foreign_rows, "not a kzpolitics backup: row .* \\(sessions.session\\)"),
        (an_unknown_author_halfway, "(?s)could not be restored: .*nobody-of-that-name"),
        (a_citation_of_a_missing_source, "(?s)could not be restored: .*987654321"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_damaged_backup_is_refused_and_changes_nothing(backed_up, tmp_path, damage, message):
    data = backed_up.path.read_bytes()
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(damage(json.loads(gzip.decompress(data)), data))
    empty_the_database()
    before = table_contents()

    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(damaged), stdout=io.StringIO())

    assert "Nothing was changed" in str(refused.value)
    assert differences(before, table_contents()) == {}
    assert Organization.objects.count() == 0

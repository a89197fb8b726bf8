"""Editors' API tokens: each staff user makes and revokes their own on the admin's "API token"
page; the key is shown once, the database keeps only its digest, and a script writes with it
as the editor (a change to a published record becomes a pending revision)."""

from __future__ import annotations

import datetime
import html
import json
import logging
import re
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from knox.crypto import hash_token
from knox.models import AuthToken

from kzpolitics.site.api_tokens import MAX_TOKENS_PER_USER

PAGE = "/admin/api-token/"
PUBLISHED = "otan"  # a published party of the article's data
RECORD = f"/api/v1/organizations/{PUBLISHED}/"
KEY_SHOWN = re.compile(r'id="new-token-key"[^>]*value="([0-9a-f]{64})"')

pytestmark = pytest.mark.django_db


def make_token(client) -> str:
    """Press "Create a token" on the page; the key the answer shows."""
    response = client.post(PAGE, {"action": "create"})
    assert response.status_code == 200
    return response.context["new_key"]


def patch_summary(key: str, summary: str, version: int | None = None):
    """A script's PATCH of the published party's summary, with the token only (no session)."""
    body = {"summary": summary}
    if version is not None:
        body["version"] = version
    return Client().patch(
        RECORD,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_X_EDIT_SUMMARY="Summary tightened (token test)",
    )


@pytest.fixture
def other_editor(django_user_model):
    user = django_user_model.objects.create_user("other-editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_an_editor_makes_a_token_sees_it_once_and_writes_a_pending_revision_with_it(
    editor_client, editor
):
    assert b"You have no API token." in editor_client.get(PAGE).content

    made = editor_client.post(PAGE, {"action": "create"})

    key = made.context["new_key"]
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert KEY_SHOWN.search(made.content.decode()).group(1) == key
    assert "Revoke the token made" in made.content.decode()  # listed at once
    assert made.headers["Cache-Control"].count("no-store")  # the admin's never_cache
    again = editor_client.get(PAGE).content.decode()
    assert key not in again  # shown once
    assert "Revoke the token made" in again

    version = Client().get(RECORD).json()["version"]
    response = patch_summary(key, "A summary sent by a script.", version)

    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["state"] == "pending" and answer["fields"] == ["summary"]
    assert "is published: your change is kept as pending revision" in answer["detail"]
    assert Client().get(RECORD).json()["summary"] != "A summary sent by a script."


def test_the_database_keeps_the_keys_digest_never_the_key(editor_client, editor):
    key = make_token(editor_client)

    token = AuthToken.objects.get(user=editor)
    assert token.digest == hash_token(key)  # SHA-512
    stored = [str(getattr(token, f.attname)) for f in AuthToken._meta.concrete_fields]
    assert key not in stored
    lifetime = token.expiry - token.created  # two clocks read a moment apart
    assert abs(lifetime - datetime.timedelta(days=90)) < datetime.timedelta(seconds=5)
    assert b"A token expires 90 days after it is made" in editor_client.get(PAGE).content


def test_the_key_is_in_no_message_log_line_or_admin_history(editor_client, editor, caplog):
    caplog.set_level(logging.DEBUG)

    made = editor_client.post(PAGE, {"action": "create"})
    key = made.context["new_key"]
    told = [str(m) for m in made.context["messages"]]
    token = AuthToken.objects.get(user=editor)
    revoked = editor_client.post(PAGE, {"action": "revoke", "token": token.digest})

    assert any(m.startswith("API token created; it expires ") for m in told)
    told += [str(m) for m in get_messages(revoked.wsgi_request)]
    assert any("is revoked" in m for m in told)
    assert not any(key in m for m in told)
    assert key not in caplog.text
    for entry in LogEntry.objects.all():
        assert key not in f"{entry.object_id} {entry.object_repr} {entry.change_message}"


def test_a_revoked_token_is_refused(editor_client, editor):
    key = make_token(editor_client)
    version = Client().get(RECORD).json()["version"]
    assert patch_summary(key, "Before the revocation.", version).status_code == 202
    token = AuthToken.objects.get(user=editor)

    response = editor_client.post(PAGE, {"action": "revoke", "token": token.digest})

    assert response.status_code == 302 and response["Location"] == PAGE
    assert not AuthToken.objects.filter(user=editor).exists()
    refused = patch_summary(key, "After the revocation.", version)
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/problem+json")
    assert b"You have no API token." in editor_client.get(PAGE).content


def test_another_editor_cannot_revoke_my_token(editor_client, editor, other_editor):
    make_token(editor_client)
    mine = AuthToken.objects.get(user=editor)
    theirs = Client()
    theirs.force_login(other_editor)

    response = theirs.post(PAGE, {"action": "revoke", "token": mine.digest})

    assert response.status_code == 302
    assert AuthToken.objects.filter(pk=mine.pk).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That token is not one of yours: nothing was revoked."
    ]
    assert mine.digest not in theirs.get(PAGE).content.decode()  # nor sees it


def test_a_reviewer_makes_one_too_and_writes_straight_to_the_record(client, reviewer, committed):
    client.force_login(reviewer)
    key = make_token(client)
    version = Client().get(RECORD).json()["version"]

    with committed():
        response = patch_summary(key, "A reviewer's scripted summary.", version)

    assert response.status_code == 200, response.content
    assert Client().get(RECORD).json()["summary"] == "A reviewer's scripted summary."


@pytest.mark.parametrize("who", ["not staff", "inactive"])
def test_a_non_staff_or_inactive_user_cannot_make_one(client, django_user_model, who):
    user = django_user_model.objects.create_user(
        "someone", password="x", is_staff=who != "not staff", is_active=who != "inactive"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)

    for response in (client.get(PAGE), client.post(PAGE, {"action": "create"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not AuthToken.objects.exists()


def test_an_inactive_users_token_is_refused(editor_client, editor):
    key = make_token(editor_client)
    editor.is_active = False
    editor.save()

    assert patch_summary(key, "From a closed account.").status_code == 401


def test_an_expired_token_is_refused_and_shown_as_expired(editor_client, editor):
    _, key = AuthToken.objects.create(user=editor, expiry=datetime.timedelta(seconds=-1))
    page = editor_client.get(PAGE).content.decode()
    assert "expired " in page

    assert patch_summary(key, "Too late.").status_code == 401


def test_one_account_holds_a_few_tokens_at_most(editor_client, editor):
    for _ in range(MAX_TOKENS_PER_USER):
        make_token(editor_client)

    response = editor_client.post(PAGE, {"action": "create"})

    assert response.status_code == 302
    assert AuthToken.objects.filter(user=editor).count() == MAX_TOKENS_PER_USER
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told and "revoke one you no longer use first" in told[0]


@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"action": "nonsense"},
        {"action": "revoke"},
        {"action": "revoke", "token": ""},
        {"action": "revoke", "token": "a\x00b"},
        {"action": "revoke", "token": "f" * 10_000},
        {"action": "revoke", "token": str(10**30)},
        {"action": "revoke", "token": "' OR 1=1 --"},
    ],
)
def test_a_post_that_names_no_token_of_mine_changes_nothing(editor_client, editor, posted):
    make_token(editor_client)

    response = editor_client.post(PAGE, posted)

    assert response.status_code == 302 and response["Location"] == PAGE
    assert AuthToken.objects.filter(user=editor).count() == 1
    assert get_messages(response.wsgi_request)


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token nonsense", "Token \xff\xfe", "Token " + "0" * 5000],
)
def test_a_malformed_or_wrong_token_is_a_401(client, header):
    response = client.patch(
        RECORD, "{}", content_type="application/json", HTTP_AUTHORIZATION=header
    )

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_write_without_credentials_is_still_a_403_that_names_no_scheme(client):
    response = client.patch(RECORD, "{}", content_type="application/json")

    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


def test_a_superuser_sees_and_revokes_anyones_token_but_never_its_key(
    editor_client, editor, admin_client
):
    key = make_token(editor_client)
    token = AuthToken.objects.get(user=editor)
    listing = admin_client.get("/admin/knox/authtoken/").content.decode()
    assert "editor" in listing
    assert key not in listing and token.token_key not in listing
    assert admin_client.get("/admin/knox/authtoken/add/").status_code == 403
    assert b"Every account\xe2\x80\x99s tokens" in admin_client.get(PAGE).content
    assert b"Every account\xe2\x80\x99s tokens" not in editor_client.get(PAGE).content
    assert editor_client.get("/admin/knox/authtoken/").status_code == 403

    response = admin_client.post(
        "/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    assert patch_summary(key, "After a superuser revoked it.").status_code == 401


def test_the_admin_index_links_the_page(editor_client):
    assert f'href="{PAGE}"'.encode() in editor_client.get("/admin/").content


def test_the_schema_names_the_token_scheme(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }


# -- a real client against a real server -----------------------------------------------------

LIVE_EDITOR = ("token-editor", "a long editor password 17")


def _form_post(opener, url: str, fields: dict[str, str], csrf_from: str):
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', csrf_from).group(1)
    body = urlencode({"csrfmiddlewaretoken": csrf, **fields}).encode()
    request = urllib.request.Request(url, data=body, headers={"Referer": url})
    return opener.open(request, timeout=30)


@pytest.mark.slow
def test_a_script_edits_with_a_token_made_through_the_admin_page_of_a_live_site(shared_site):
    site = shared_site
    site.add_account(*LIVE_EDITOR)
    logged = site.log_size()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    login = f"{site.url}/admin/login/"
    page = opener.open(login, timeout=30).read().decode()
    signed_in = {"username": LIVE_EDITOR[0], "password": LIVE_EDITOR[1], "next": "/admin/"}
    _form_post(opener, login, signed_in, page)
    token_page = f"{site.url}{PAGE}"
    page = opener.open(token_page, timeout=30).read().decode()
    made = _form_post(opener, token_page, {"action": "create"}, page).read().decode()
    key = html.unescape(KEY_SHOWN.search(made).group(1))
    assert key not in opener.open(token_page, timeout=30).read().decode()

    # The script: no cookie, only the token.
    record = f"{site.url}{RECORD}"
    with urllib.request.urlopen(record, timeout=30) as answer:
        version = json.load(answer)["version"]
    request = urllib.request.Request(
        record,
        method="PATCH",
        data=json.dumps({"summary": "Sent by a script.", "version": version}).encode(),
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "X-Edit-Summary": "Summary tightened (live token test)",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 202
        pending = json.load(answer)
    assert pending["state"] == "pending" and pending["fields"] == ["summary"]

    request.add_header("Authorization", "Token " + "0" * 64)  # a wrong one
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401, site.errors(since=logged)

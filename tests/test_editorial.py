"""The editorial workflow: drafts hidden from the public, review and publication by
reviewers only, history with edit summaries and revert, and no lost update."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from elections.models import Election
from kzpolitics.core.models import Citation, Person, Source, Status
from legislation.models import RegistrationDecision
from parties.models import Organization, Relation

from .factories import (
    LegalActFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    RegistrationDecisionFactory,
    RelationFactory,
    ResultFactory,
    RoleFactory,
    SourceFactory,
)
from .page_kinds import sitemap_addresses

pytestmark = pytest.mark.django_db

DRAFT_NAME = "Zzyzx Draft Party"


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def reviewer_client(reviewer):
    reviewer_client = Client()  # its own session, beside editor_client's
    reviewer_client.force_login(reviewer)
    return reviewer_client


@pytest.fixture
def draft():
    return OrganizationFactory(name=DRAFT_NAME, slug="zzyzx-draft-party", status=Status.DRAFT)


def change_form_data(response) -> dict:
    """What a browser would send back from an admin change page, as it was rendered."""
    data = {}

    def put(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "on" if value is True else str(value)

    put(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", ()):
        put(inline.formset.management_form)
        for form in inline.formset.initial_forms:
            put(form)
        prefix = inline.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(inline.formset.initial_forms))
    return data


# -- drafts: hidden from the public, shown to editors in preview ------------------------------


def test_a_draft_is_on_no_public_page_and_in_no_api_answer(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404
    for url in ("/organizations/", "/search/?q=Zzyzx", "/timeline/"):
        assert DRAFT_NAME not in client.get(url).content.decode(), url
    listed = sitemap_addresses(lambda path: client.get(path).content.decode())
    assert "/organizations/otan/" in listed and draft.get_absolute_url() not in listed
    api = client.get("/api/v1/organizations/", {"search": "Zzyzx"}).json()
    assert api["count"] == 0
    assert client.get(f"/api/v1/organizations/{draft.slug}/").status_code == 404
    # Its citation's source is published, but does not list the draft among what cites it.
    source = draft.citations.get().source
    cited_by = client.get(f"/api/v1/sources/{source.slug}/").json()["cited_by"]
    assert cited_by["count"] == 0
    assert client.get(cited_by["url"]).json()["results"] == []


def test_a_record_in_review_is_hidden_too(client, draft):
    draft.status = Status.REVIEW
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_draft_citation_of_a_published_record_is_not_shown(client):
    otan = Organization.objects.get(slug="otan")
    source = SourceFactory(title="A Draft Source Nobody May See", status=Status.DRAFT)
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(otan),
        object_id=otan.pk,
        source=source,
        pages="9",
        status=Status.DRAFT,
    )
    assert (
        "A Draft Source Nobody May See" not in client.get("/organizations/otan/").content.decode()
    )
    body = client.get("/api/v1/organizations/otan/").content.decode()
    assert source.slug not in body
    assert client.get(f"/api/v1/sources/{source.slug}/").status_code == 404


def test_an_editor_previews_a_draft_on_the_public_layout(editor_client, draft):
    response = editor_client.get(draft.get_absolute_url(), {"preview": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert DRAFT_NAME in html
    assert "Preview." in html
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
    # The same address without ?preview is the public page: no draft there.
    assert editor_client.get(draft.get_absolute_url()).status_code == 404


def test_preview_is_for_editors_only(client, draft):
    assert client.get(draft.get_absolute_url(), {"preview": "1"}).status_code == 404


def test_the_api_shows_published_records_even_to_editors(editor_client, draft):
    assert editor_client.get(f"/api/v1/organizations/{draft.slug}/").status_code == 404


# -- who may publish --------------------------------------------------------------------------


def test_the_groups_come_from_a_migration():
    editors = Group.objects.get(name="Editors")
    reviewers = Group.objects.get(name="Reviewers")
    assert not editors.permissions.filter(codename="publish_record").exists()
    assert reviewers.permissions.filter(codename="publish_record").exists()
    assert set(editors.permissions.all()) < set(reviewers.permissions.all())


def publish_through_admin(client, record):
    page = client.get(admin_url(type(record), "change", record.pk))
    data = change_form_data(page)
    data.update(status="published", edit_summary="Checked against the article")
    return client.post(admin_url(type(record), "change", record.pk), data)


def test_an_editor_cannot_publish_in_the_admin(editor_client, draft):
    response = publish_through_admin(editor_client, draft)
    assert response.status_code == 200
    assert "Only a reviewer can publish" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_reviewer_publishes_in_the_admin(reviewer_client, draft, client):
    response = publish_through_admin(reviewer_client, draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_publish_action_is_offered_to_reviewers_only(editor_client, reviewer_client, draft):
    changelist = admin_url(Organization, "changelist")
    editor_actions = editor_client.get(changelist).context["action_form"].fields["action"]
    assert "publish" not in dict(editor_actions.choices)
    assert "send_for_review" in dict(editor_actions.choices)
    asked = reviewer_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert asked.status_code == 200  # a confirmation, with a box for the edit summary
    response = reviewer_client.post(
        changelist,
        {
            "action": "publish",
            "_selected_action": [draft.pk],
            "post": "yes",
            "summary": "Checked against the article",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    assert draft.history.first().history_change_reason == "Checked against the article"


def test_an_editor_cannot_publish_through_the_api(editor_client, reviewer_client, draft):
    url = f"/api/v1/organizations/{draft.slug}/"
    # The API's detail routes show published records: write to the draft by its own route
    # after a reviewer sends it for review? No: editors write drafts through POST.
    created = editor_client.post(
        "/api/v1/organizations/",
        {"slug": "api-draft", "name": "Api Draft", "kind": "party", "status": "published"},
        content_type="application/json",
    )
    assert created.status_code == 403
    assert "Only a reviewer can publish" in created.json()["detail"]
    created = editor_client.post(
        "/api/v1/organizations/",
        {"slug": "api-draft", "name": "Api Draft", "kind": "party"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "draft"
    published = reviewer_client.post(
        "/api/v1/organizations/",
        {"slug": "api-published", "name": "Api Published", "kind": "party", "status": "published"},
        content_type="application/json",
    )
    assert published.status_code == 201
    assert reviewer_client.get("/api/v1/organizations/api-published/").status_code == 200
    assert url  # the draft itself stays out of the API


# who: (admin list, preview a draft, write through the API, publish through the API)
PERMISSIONS = {
    "anonymous": (302, 404, 403, 403),
    "editor": (200, 200, 201, 403),
    "reviewer": (200, 200, 201, 201),
    "superuser": (200, 200, 201, 201),
}


@pytest.mark.parametrize("who", PERMISSIONS)
def test_the_permission_matrix(client, who, editor, reviewer, admin_user, draft):
    users = {"editor": editor, "reviewer": reviewer, "superuser": admin_user}
    if who in users:
        client.force_login(users[who])
    admin_list, preview, write, publish = PERMISSIONS[who]
    assert client.get(admin_url(Organization, "changelist")).status_code == admin_list
    assert client.get(draft.get_absolute_url(), {"preview": "1"}).status_code == preview
    assert client.get(draft.get_absolute_url()).status_code == 404  # never without preview
    response = client.post(
        "/api/v1/organizations/",
        {"slug": f"by-{who}", "name": f"By {who}", "kind": "party"},
        content_type="application/json",
    )
    assert response.status_code == write
    response = client.post(
        "/api/v1/organizations/",
        {"slug": f"out-by-{who}", "name": f"Out by {who}", "kind": "party", "status": "published"},
        content_type="application/json",
    )
    assert response.status_code == publish
    published = client.get(f"/api/v1/organizations/out-by-{who}/").status_code
    assert published == (200 if publish == 201 else 404)


# -- history, edit summaries, diff and revert -------------------------------------------------


def test_a_change_in_the_admin_needs_a_summary_and_is_kept_with_its_author(editor_client, editor):
    # A draft: an editor's change to a published record waits for a reviewer instead
    # (tests/test_revisions.py).
    party = OrganizationFactory(name="Old Name", status=Status.DRAFT)
    url = admin_url(Organization, "change", party.pk)
    data = change_form_data(editor_client.get(url))
    data.update(name="New Name", edit_summary="")
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Say in a few words what you changed" in response.content.decode()
    data.update(edit_summary="Name as the article spells it")
    assert editor_client.post(url, data).status_code == 302
    latest = party.history.first()
    assert latest.name == "New Name"
    assert latest.history_user == editor
    assert latest.history_change_reason == "Name as the article spells it"
    assert latest.history_type == "~"


def test_the_history_page_shows_what_changed_field_by_field(editor_client):
    party = OrganizationFactory(name="Before")
    party.name = "After"
    party._change_reason = "Renamed"
    party.save()
    html = editor_client.get(admin_url(Organization, "history", party.pk)).content.decode()
    assert "Renamed" in html
    assert re.search(
        r"<strong>Name:</strong></th>\s*<td><del>Before</del></td>\s*<td><ins>After</ins></td>",
        html,
    )


def test_reverting_to_an_earlier_version_is_itself_recorded(editor_client):
    party = OrganizationFactory(name="First Name", status=Status.DRAFT)
    first = party.history.first()
    party.name = "Second Name"
    party._change_reason = "A change to undo"
    party.save()
    url = reverse("admin:parties_organization_simple_history", args=[party.pk, first.history_id])
    page = editor_client.get(url)
    assert page.status_code == 200
    data = change_form_data(page)
    assert data["edit_summary"].startswith("Reverted to the version of")
    assert editor_client.post(url, data).status_code == 302
    party.refresh_from_db()
    assert party.name == "First Name"
    assert party.history.count() == 3
    assert party.history.first().history_change_reason.startswith("Reverted to the version of")


# -- no lost update ---------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_shows_what_changed(
    client, editor, reviewer
):
    party = OrganizationFactory(
        name="Shared Name", summary="Original summary.", status=Status.DRAFT
    )
    url = admin_url(Organization, "change", party.pk)
    first, second = Client(), Client()
    first.force_login(editor)
    second.force_login(reviewer)
    first_data = change_form_data(first.get(url))
    second_data = change_form_data(second.get(url))  # both opened version 1

    first_data.update(summary="Summary by the first editor.", edit_summary="First's fix")
    assert first.post(url, first_data).status_code == 302

    second_data.update(name="Second's Name", edit_summary="Second's fix")
    refused = second.post(url, second_data)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "Someone else saved this record after you opened it" in html
    assert "First’s fix" in html or "First&#x27;s fix" in html or "First's fix" in html
    assert "Summary by the first editor." in html  # what changed meanwhile
    assert 'value="Second&#x27;s Name"' in html  # the second editor's input is still there
    party.refresh_from_db()
    assert party.name == "Shared Name"  # nothing of the second save went in
    assert party.summary == "Summary by the first editor."  # the first save is intact

    # Having seen the changes, saving again is a deliberate choice: it goes through.
    again = change_form_data(refused)
    again.update(edit_summary="Second's fix, after reading First's")
    assert second.post(url, again).status_code == 302
    party.refresh_from_db()
    assert party.name == "Second's Name"
    assert party.summary == "Summary by the first editor."


def test_the_api_refuses_a_write_from_a_stale_version(reviewer_client):
    editor_client = reviewer_client  # an editor's write to a published record waits instead
    party = OrganizationFactory(name="Api Shared")
    url = f"/api/v1/organizations/{party.slug}/"
    version = editor_client.get(url).json()["version"]
    ok = editor_client.patch(
        url,
        {"summary": "One.", "version": version},
        content_type="application/json",
        headers={"X-Edit-Summary": "First API edit"},
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == version + 1
    assert party.history.first().history_change_reason == "First API edit"
    stale = editor_client.patch(
        url, {"summary": "Two.", "version": version}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert f"version {version + 1}" in stale.json()["detail"]
    party.refresh_from_db()
    assert party.summary == "One."


# -- deletion ---------------------------------------------------------------------------------


def test_a_cited_source_cannot_be_deleted_and_the_refusal_lists_what_cites_it(reviewer_client):
    # A reviewer's attempt: an editor may not delete a published source at all
    # (tests/test_publication_rights.py).
    editor_client = reviewer_client
    ponomarev = Source.objects.get(slug="ponomarev-1991")
    page = editor_client.get(admin_url(Source, "delete", ponomarev.pk))
    assert "protected" in page.content.decode().lower()
    response = editor_client.delete(f"/api/v1/sources/{ponomarev.slug}/")
    assert response.status_code == 409
    assert "cannot be deleted" in response.json()["detail"]
    assert Source.objects.filter(pk=ponomarev.pk).exists()


def test_a_deletion_is_recorded_in_history(editor_client):
    party = OrganizationFactory(name="Short Lived Party", status=Status.DRAFT)
    pk = party.pk
    refused = editor_client.post(admin_url(Organization, "delete", pk), {"post": "yes"})
    assert refused.status_code == 200  # no summary: the page asks for one, nothing deleted
    assert Organization.objects.filter(pk=pk).exists()
    response = editor_client.post(
        admin_url(Organization, "delete", pk), {"post": "yes", "summary": "A duplicate"}
    )
    assert response.status_code == 302
    deleted = Organization.history.filter(id=pk).first()
    assert deleted.history_type == "-"
    assert deleted.history_change_reason == "A duplicate"


def test_a_deleted_record_is_restored_with_what_was_deleted_with_it(reviewer_client, client):
    # A reviewer: an editor may not delete a published record, and restores one as a draft
    # (tests/test_publication_rights.py).
    editor_client = reviewer_client
    party = OrganizationFactory(name="Comeback Party", slug="comeback-party")
    OrganizationNameFactory(organization=party, name="The Comeback")
    pk = party.pk
    citations = party.citations.count()
    editor_client.post(admin_url(Organization, "delete", pk), {"post": "yes", "summary": "Gone"})
    assert not Organization.objects.filter(pk=pk).exists()

    deleted_page = admin_url(Organization, "deleted")
    listing = editor_client.get(deleted_page)
    assert "Comeback Party" in listing.content.decode()
    row = next(v for v in listing.context["versions"] if v.id == pk)
    response = editor_client.post(
        deleted_page, {"history_id": row.history_id, "summary": "Deleted by mistake"}
    )
    assert response.status_code == 302

    party = Organization.objects.get(pk=pk)
    assert party.name == "Comeback Party"
    assert [n.name for n in party.names.all()] == ["The Comeback"]
    assert party.citations.count() == citations
    assert party.history.first().history_change_reason == "Deleted by mistake"
    assert not any(v.id == pk for v in editor_client.get(deleted_page).context["versions"])
    assert client.get("/organizations/comeback-party/").status_code == 200


def test_only_editors_see_deleted_records(client):
    assert client.get(admin_url(Organization, "deleted")).status_code == 302


# -- drafts reached through a published row ----------------------------------------------------


def test_a_published_relation_to_a_draft_does_not_show_the_draft(client, draft):
    otan = Organization.objects.get(slug="otan")
    RelationFactory(subject=otan, object=draft, kind=Relation.Kind.SPLIT_FROM)
    for url in ("/organizations/otan/", "/api/v1/organizations/otan/", "/timeline/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_NAME not in response.content.decode(), url


def test_a_published_role_in_a_draft_organization_does_not_show_it(client, draft):
    RoleFactory(person=Person.objects.get(slug="nursultan-nazarbaev"), organization=draft)
    for url in ("/people/nursultan-nazarbaev/", "/api/v1/people/nursultan-nazarbaev/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_NAME not in response.content.decode(), url


def test_a_published_result_of_a_draft_organization_does_not_show_it(client, draft):
    ResultFactory(election=Election.objects.get(slug="majilis-2004"), organization=draft)
    for url in (
        "/elections/majilis-2004/",
        "/api/v1/elections/majilis-2004/",
        "/api/v1/results/?election=majilis-2004",
        "/api/v1/results/?election=majilis-2004&format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_NAME not in response.getvalue().decode(), url


def test_a_registration_decided_by_a_draft_body_shows_the_decision_but_not_the_body(client, draft):
    decision = RegistrationDecisionFactory(
        organization=Organization.objects.get(slug="otan"),
        body=draft,
        decision=RegistrationDecision.Decision.REGISTERED,
    )
    page = client.get("/organizations/otan/").content.decode()
    assert DRAFT_NAME not in page
    api = client.get(f"/api/v1/registrations/{decision.pk}/").json()
    assert api["body"] is None


def test_a_registration_under_a_draft_act_shows_the_decision_but_not_the_act(client):
    act = LegalActFactory(title="Zzyzx Draft Law", slug="zzyzx-draft-law", status=Status.DRAFT)
    decision = RegistrationDecisionFactory(
        organization=Organization.objects.get(slug="otan"),
        act=act,
        decision=RegistrationDecision.Decision.REGISTERED,
    )
    page = client.get("/organizations/otan/").content.decode()
    assert "Zzyzx Draft Law" not in page
    assert client.get(f"/api/v1/registrations/{decision.pk}/").json()["act"] is None
    csv = client.get("/api/v1/registrations/?format=csv")
    assert "Zzyzx Draft Law" not in b"".join(csv.streaming_content).decode()


def test_an_act_adopted_by_a_draft_body_shows_without_the_body(client, draft):
    act = LegalActFactory(body=draft)
    assert client.get(f"/api/v1/acts/{act.slug}/").json()["body"] is None
    assert DRAFT_NAME not in client.get(f"/acts/{act.slug}/").content.decode()


def test_public_links_come_in_the_rows_own_query_and_only_while_public(
    django_assert_num_queries, draft
):
    """with_public_links: the act and the body in the registrations' one query, each left
    empty when the public may not see it; an editor's preview keeps it."""
    otan = Organization.objects.get(slug="otan")
    draft_act, public_act = LegalActFactory(status=Status.DRAFT), LegalActFactory()
    hidden = RegistrationDecisionFactory(organization=otan, act=draft_act, body=draft)
    shown = RegistrationDecisionFactory(organization=otan, act=public_act, body=otan)
    rows = RegistrationDecision.objects.filter(pk__in=[hidden.pk, shown.pk])
    with django_assert_num_queries(1):
        public = {row.pk: row for row in rows.with_public_links("act", "body")}
        assert (public[hidden.pk].act, public[hidden.pk].body) == (None, None)
        assert (public[shown.pk].act, public[shown.pk].body) == (public_act, otan)
    with django_assert_num_queries(1):
        preview = {row.pk: row for row in rows.with_public_links("act", "body", public=False)}
        assert (preview[hidden.pk].act, preview[hidden.pk].body) == (draft_act, draft)

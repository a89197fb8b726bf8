"""The editors' admin: every page renders for an editor, in a bounded number of queries."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from kzpolitics.core.models import DataVersion, FeedKey, Person, Revision, Watch, content_apps
from parties.models import Organization

pytestmark = pytest.mark.django_db

CONTENT_APPS = {config.label for config in content_apps()}
CONTENT_MODELS = [
    model
    for label in sorted(CONTENT_APPS)
    for model in apps.get_app_config(label).get_models()
    if admin.site.is_registered(model)
]
MAX_QUERIES = 40


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def test_every_content_model_is_in_the_admin():
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.auto_created or model is DataVersion:
                continue  # DataVersion is bookkeeping the site keeps, not a record
            if model is Revision:
                continue  # pending revisions are read and decided on the review queue
            if model in (Watch, FeedKey):
                continue  # each editor's own, kept on their watchlist page
            if model.__name__.startswith("Historical"):
                continue  # versions are read on their record's history page
            assert admin.site.is_registered(model), model


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_changelist_renders_for_an_editor(editor_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_add_page_renders_for_an_editor(editor_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda m: m._meta.label)
def test_change_page_renders_for_an_editor(editor_client, model, django_assert_max_num_queries):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the article's data has no {model._meta.verbose_name}"
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200


def test_richest_organization_page_stays_within_the_query_bound(
    editor_client, django_assert_max_num_queries
):
    from django.db.models import Count

    richest = (
        Organization.objects.annotate(n=Count("names") + Count("relations_from") + Count("roles"))
        .order_by("-n")
        .first()
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        response = editor_client.get(url(Organization, "change", richest.pk))
    assert response.status_code == 200


def test_change_page_queries_do_not_grow_with_its_rows(editor_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganizationFactory, RelationFactory, RoleFactory

    party = OrganizationFactory()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(url(Organization, "change", party.pk)).status_code == 200
        return len(captured)

    RelationFactory(subject=party)
    RoleFactory(organization=party)
    few = queries()
    for _ in range(15):
        RelationFactory(subject=party)
        RoleFactory(organization=party)
    assert queries() == few


@pytest.mark.parametrize(
    "path",
    [
        "admin:auth_user_changelist",
        "admin:auth_user_add",
        "admin:auth_group_changelist",
    ],
)
def test_an_editor_cannot_reach_superuser_pages(editor_client, path):
    assert editor_client.get(reverse(path)).status_code == 403


def test_uncited_report_renders(editor_client):
    response = editor_client.get(reverse("admin:uncited"))
    assert response.status_code == 200
    assert b"What is uncited" in response.content


def test_uncited_report_lists_a_record_without_citations(editor_client):
    Person.objects.create(slug="uncited-person", name="Uncited Person", description="A fact.")
    response = editor_client.get(reverse("admin:uncited"))
    assert "Uncited Person" in response.content.decode()
    assert "the field Description" in response.content.decode()


def test_search_finds_a_person_by_a_variant_spelling(editor_client):
    response = editor_client.get(url(Person, "changelist"), {"q": "Nazarbayev"})
    assert response.status_code == 200
    assert "Nursultan Nazarbaev" in response.content.decode()


def test_search_finds_an_organization_by_a_translated_name(editor_client):
    response = editor_client.get(url(Organization, "changelist"), {"q": "the Truth"})
    assert "Akikat" in response.content.decode()


def test_an_editor_adds_a_record_with_a_worded_date(editor_client):
    data = {
        "slug": "new-party",
        "kind": "party",
        "name": "New Party",
        "founded_text": "the spring of 1994",
        "founded_edtf": "",
        "status": "draft",
        **empty_inlines(editor_client),
    }
    response = editor_client.post(url(Organization, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    party = Organization.objects.get(slug="new-party")
    assert party.founded_edtf == "1994-21"
    assert str(party.founded_earliest) == "1994-03-01"


def test_a_nonsense_date_is_a_form_error_not_a_crash(editor_client):
    data = {
        "slug": "odd-party",
        "kind": "party",
        "name": "Odd Party",
        "founded_text": "when the snows melted",
        "founded_edtf": "",
        "dissolved_edtf": "1999-14",
        **empty_inlines(editor_client),
    }
    response = editor_client.post(url(Organization, "add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Could not read" in str(errors["founded_edtf"])
    assert "not a valid EDTF date" in str(errors["dissolved_edtf"])
    assert not Organization.objects.filter(slug="odd-party").exists()


def empty_inlines(client) -> dict:
    """Management-form data for every inline on the organization add page, with no rows."""
    response = client.get(url(Organization, "add"))
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_the_editors_group_may_keep_records_but_not_accounts():
    from django.contrib.auth.models import Group

    perms = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    apps = {label for label, _ in perms}
    assert apps == CONTENT_APPS
    for model in CONTENT_MODELS:
        for action in ("add", "change", "delete", "view"):
            assert (model._meta.app_label, f"{action}_{model._meta.model_name}") in perms


def test_the_citation_list_links_each_citation_to_its_record(editor_client):
    from kzpolitics.core.models import Citation

    citation = Citation.objects.filter(content_type__model="organization").first()
    response = editor_client.get(url(Citation, "changelist"), {"q": citation.quote[:30]})
    assert url(Organization, "change", citation.object_id) in response.content.decode()


def test_create_editor_makes_a_staff_account_in_the_editors_group(monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("EDITOR_PASSWORD", "a long enough passphrase")
    call_command("create_editor", "alice", email="alice@example.org")
    alice = get_user_model().objects.get(username="alice")
    assert alice.is_staff and not alice.is_superuser
    assert alice.has_perm("parties.change_organization")
    assert not alice.has_perm("auth.change_user")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_editor", "alice")
    monkeypatch.setenv("EDITOR_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_editor", "bob")


def test_the_admin_home_offers_the_uncited_report(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:uncited") in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:uncited"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]

"""Forms that fit the work: the name first, the slug last and fixed once published, one label
for what a citation backs, and the roles and relations of a party cited from its own form."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from elections.models import Election
from kzpolitics.core.models import Citation, Event, Person, Place, Source, Status
from legislation.models import LegalAct
from parties.models import Organization, Relation, Role

from .factories import OrganizationFactory, PersonFactory, RoleFactory, SourceFactory
from .test_editorial import change_form_data

pytestmark = pytest.mark.django_db

# Every kind of record with a public address, and the field its slug is made from.
NAMED = [
    (Organization, "name"),
    (Election, "name"),
    (LegalAct, "title"),
    (Source, "title"),
    (Person, "name"),
    (Place, "name"),
    (Event, "title"),
]


def admin_url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def form_fields(response) -> list[str]:
    """The fields of a record's form, in the order the page shows them."""
    return [
        field.field["name"] if isinstance(field.field, dict) else field.field.name
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
    ]


def first_fieldset(response) -> list[str]:
    fieldset = next(iter(response.context["adminform"]))
    return [
        field.field["name"] if isinstance(field.field, dict) else field.field.name
        for line in fieldset
        for field in line
    ]


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def draft_party():
    return OrganizationFactory(
        name="Zqforms Draft Party", slug="zqforms-draft", status=Status.DRAFT
    )


@pytest.fixture
def published_party():
    return OrganizationFactory(name="Zqforms Party", slug="zqforms-party")


# -- name first, slug last ---------------------------------------------------------------------


@pytest.mark.parametrize("model, name", NAMED, ids=lambda v: getattr(v, "__name__", v))
def test_the_name_is_the_first_field_and_the_slug_the_last_of_its_fieldset(
    editor_client, model, name
):
    response = editor_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    assert form_fields(response)[0] == name  # the add form's cursor starts in it
    assert first_fieldset(response)[-1] == "slug"
    # Still filled from the name while the record is new.
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [p["field"].name for p in prepopulated] == ["slug"]
    assert [d.name for d in prepopulated[0]["dependencies"]] == [name]


def test_a_drafts_slug_is_editable_and_filled_from_its_name(editor_client, draft_party):
    response = editor_client.get(admin_url(Organization, "change", draft_party.pk))
    form = response.context["adminform"].form
    assert "slug" in form.fields
    assert [p["field"].name for p in response.context["adminform"].prepopulated_fields] == ["slug"]


def test_a_published_records_slug_is_read_only(editor_client, published_party):
    response = editor_client.get(admin_url(Organization, "change", published_party.pk))
    adminform = response.context["adminform"]
    assert "slug" not in adminform.form.fields
    assert "slug" in adminform.readonly_fields
    assert adminform.prepopulated_fields == []
    assert form_fields(response)[0] == "name"
    assert first_fieldset(response)[-1] == "slug"
    assert "zqforms-party" in response.content.decode()


def test_a_posted_slug_change_of_a_published_record_is_not_taken(reviewer_client, published_party):
    url = admin_url(Organization, "change", published_party.pk)
    data = change_form_data(reviewer_client.get(url))
    data.update(slug="a-new-address", name="Zqforms Party (renamed)", edit_summary="Renamed")
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    published_party.refresh_from_db()
    assert published_party.name == "Zqforms Party (renamed)"
    assert published_party.slug == "zqforms-party"


def test_a_reviewer_may_still_change_a_drafts_slug(reviewer_client, draft_party):
    url = admin_url(Organization, "change", draft_party.pk)
    data = change_form_data(reviewer_client.get(url))
    data.update(slug="zqforms-better", edit_summary="A better address")
    assert reviewer_client.post(url, data).status_code == 302
    draft_party.refresh_from_db()
    assert draft_party.slug == "zqforms-better"


def api_patch(client, slug, body):
    return client.patch(
        f"/api/v1/organizations/{slug}/", json.dumps(body), content_type="application/json"
    )


def test_the_api_refuses_to_change_a_published_slug(reviewer_client, published_party):
    response = api_patch(reviewer_client, published_party.slug, {"slug": "a-new-address"})
    assert response.status_code == 400, response.content
    assert "its slug is a public address and cannot change" in response.content.decode()
    published_party.refresh_from_db()
    assert published_party.slug == "zqforms-party"
    # Sent unchanged, with other changes, it is no trouble.
    response = api_patch(
        reviewer_client, "zqforms-party", {"slug": "zqforms-party", "public_note": "Checked"}
    )
    assert response.status_code == 200, response.content


def test_the_api_changes_a_drafts_slug(editor_client, draft_party):
    response = api_patch(editor_client, draft_party.slug, {"slug": "zqforms-renamed"})
    assert response.status_code == 200, response.content
    draft_party.refresh_from_db()
    assert draft_party.slug == "zqforms-renamed"


# -- one label for what a citation backs -------------------------------------------------------


def test_what_a_citation_backs_has_one_label_and_sentence_case_choices(editor_client, draft_party):
    page = editor_client.get(admin_url(Organization, "change", draft_party.pk))
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Citation)
    field = inline.formset.empty_form.fields["field"]
    assert field.label == "Backs the field"
    assert "backs" in field.help_text
    labels = dict(field.choices)
    assert labels[""] == "The record as a whole"
    assert labels["founded"] == "Founded"
    assert labels["founding_place"] == "Founding place"
    assert all(label[0].isupper() for label in labels.values())
    html = page.content.decode()
    assert "Backs the field" in html
    assert ">Backs\n" not in html and ">Backs<" not in html

    # The citation's own page and the list of citations say the same.
    citation = draft_party.citations.get()
    page = editor_client.get(admin_url(Citation, "change", citation.pk))
    field = page.context["adminform"].form.fields["field"]
    assert field.label == "Backs the field"
    assert dict(field.choices)["founding_place"] == "Founding place"
    listing = editor_client.get(admin_url(Citation, "changelist")).content.decode()
    assert "Backs the field" in listing and "The record as a whole" in listing

    # And the API's schema.
    schema = editor_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert "Backs the field" in schema.content.decode()


def test_the_uncited_report_names_fields_as_the_inline_does(editor_client):
    OrganizationFactory(name="Zqforms Uncited", founded={"text": "1993", "edtf": "1993"})
    html = editor_client.get(reverse("admin:uncited")).content.decode()
    assert "the field Founded" in html


# -- rows cited from the parent's form ---------------------------------------------------------


def add_row(data, prefix, fields):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return index


def inline_prefix(response, model) -> str:
    return next(
        i.formset.prefix
        for i in response.context["inline_admin_formsets"]
        if i.formset.model is model
    )


def cite_a_new_role_and_relation(client, party, summary="Leader and a split, cited"):
    """Add a leader and a relation to ``party`` from its change form, each with its citation,
    in one POST."""
    person = PersonFactory(name="Zqforms Leader")
    other = OrganizationFactory(name="Zqforms Parent Party")
    source = SourceFactory(title="Zqforms Handbook")
    url = admin_url(Organization, "change", party.pk)
    page = client.get(url)
    data = change_form_data(page)
    add_row(
        data,
        inline_prefix(page, Role),
        {
            "person": str(person.pk),
            "title": "chairman",
            "kind": Role.Kind.CHAIR,
            "status": Status.DRAFT,
            "cite_source": str(source.pk),
            "cite_pages": "14-15",
            "cite_quote": "He led it from its founding.",
        },
    )
    add_row(
        data,
        inline_prefix(page, Relation),
        {
            "kind": Relation.Kind.SPLIT_FROM,
            "object": str(other.pk),
            "status": Status.DRAFT,
            "cite_source": str(source.pk),
            "cite_pages": "16",
        },
    )
    data["edit_summary"] = summary
    response = client.post(url, data)
    return response, person, other, source


def the_citation_of(row) -> Citation:
    return Citation.objects.get(
        content_type=ContentType.objects.get_for_model(type(row)), object_id=row.pk
    )


def test_an_editor_cites_a_new_role_and_relation_from_a_draft_partys_form(
    editor_client, draft_party
):
    response, person, other, source = cite_a_new_role_and_relation(editor_client, draft_party)
    assert response.status_code == 302, response.content.decode()[:3000]
    role = Role.objects.get(organization=draft_party, person=person)
    relation = Relation.objects.get(subject=draft_party, object=other)
    citation = the_citation_of(role)
    assert (citation.source, citation.pages, citation.field) == (source, "14-15", "")
    assert citation.quote == "He led it from its founding."
    assert citation.status == Status.DRAFT
    assert the_citation_of(relation).pages == "16"
    # Its history carries the record's edit summary.
    assert citation.history.latest().history_change_reason == "Leader and a split, cited"
    # The form lists them now, linked to their own pages.
    html = editor_client.get(admin_url(Organization, "change", draft_party.pk)).content.decode()
    assert admin_url(Citation, "change", citation.pk) in html
    assert "Zqforms" in html and "pp. 14-15" in html


def test_a_reviewer_cites_a_new_role_and_relation_from_a_published_partys_form(
    reviewer_client, published_party
):
    response, person, other, _source = cite_a_new_role_and_relation(
        reviewer_client, published_party
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    role = Role.objects.get(organization=published_party, person=person)
    relation = Relation.objects.get(subject=published_party, object=other)
    # New rows are drafts, and so are their citations, to be published with them.
    assert role.status == Status.DRAFT
    assert the_citation_of(role).status == Status.DRAFT
    assert the_citation_of(relation).status == Status.DRAFT


def test_an_editors_citation_of_a_published_row_is_a_draft_and_the_row_unchanged(
    editor_client, published_party
):
    role = RoleFactory(organization=published_party, title="chairman")
    source = SourceFactory()
    url = admin_url(Organization, "change", published_party.pk)
    page = editor_client.get(url)
    data = change_form_data(page)
    prefix = inline_prefix(page, Role)
    index = _row_index(page, Role, role)
    data[f"{prefix}-{index}-cite_source"] = str(source.pk)
    data[f"{prefix}-{index}-cite_pages"] = "7"
    data["edit_summary"] = "Cited the chairman"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Citation.objects.get(source=source)
    assert new.content_object == role
    assert new.status == Status.DRAFT
    role.refresh_from_db()
    assert (role.status, role.title) == (Status.PUBLISHED, "chairman")


def _row_index(page, model, row) -> int:
    formset = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is model
    )
    return next(i for i, form in enumerate(formset.forms) if form.instance.pk == row.pk)


def test_pages_without_a_source_are_a_form_error_and_nothing_is_lost(editor_client, draft_party):
    url = admin_url(Organization, "change", draft_party.pk)
    page = editor_client.get(url)
    data = change_form_data(page)
    person = PersonFactory()
    add_row(
        data,
        inline_prefix(page, Role),
        {"person": str(person.pk), "title": "leader", "kind": Role.Kind.CHAIR,
         "status": Status.DRAFT, "cite_pages": "3", "cite_source": "99999999999999999999999"},
    )  # fmt: skip
    data["edit_summary"] = "A leader"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    data[next(k for k in data if k.endswith("cite_source") and data[k])] = ""
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Pick the source these pages and quote are from." in response.content.decode()
    assert not Role.objects.filter(organization=draft_party, person=person).exists()

"""A record's history as a wiki keeps it: each version with every change its save made, its
citations and rows included; any two versions, or a version and the record now, side by side;
revert from the comparison; a version's own page read-only."""

import pytest
from django.test import Client
from django.urls import reverse

from kzpolitics.core.models import Citation, Revision, Status
from parties.models import Organization

from .factories import EventFactory, OrganizationFactory, RoleFactory, SourceFactory
from .test_editorial import admin_url, change_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


def newest(record):
    return record.history.order_by("-history_date", "-history_id").first()


def compare_url(record, old, new="current"):
    url = admin_url(type(record), "history_compare", record.pk)
    new = new if isinstance(new, str) else new.history_id
    return f"{url}?old={old.history_id}&new={new}"


def version_url(record, version):
    return admin_url(type(record), "simple_history", record.pk, version.history_id)


def rename(record, name, reason="Renamed"):
    record.name = name
    record._change_reason = reason
    record.save()
    return newest(record)


def test_a_version_shows_the_citation_and_role_changes_made_in_its_save(reviewer_client):
    party = OrganizationFactory(name="Party of the Save")
    role = RoleFactory(organization=party, title="chairman")
    source = SourceFactory(title="The Book Cited")
    url = admin_url(Organization, "change", party.pk)
    page = reviewer_client.get(url)
    data = change_form_data(page)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.model is Citation:
            prefix, index = formset.prefix, len(formset.initial_forms)
            data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
            data.update(
                {
                    f"{prefix}-{index}-field": "founded",
                    f"{prefix}-{index}-source": str(source.pk),
                    f"{prefix}-{index}-pages": "12",
                    f"{prefix}-{index}-status": Status.PUBLISHED,
                }
            )
        elif formset.model is type(role):
            for form in formset.initial_forms:
                if form.instance.pk == role.pk:
                    data[form.add_prefix("title")] = "first secretary"
    data.update(summary="A summary.", edit_summary="Cited the founding; retitled the chair")
    response = reviewer_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    citation = Citation.objects.get(source=source)

    html = reviewer_client.get(admin_url(Organization, "history", party.pk)).content.decode()
    version = newest(party)
    entry = html.split(f'id="version-{version.history_id}"')[1].split("</table>")[0]
    assert f"Citation #{citation.pk} (Founded) added" in entry
    assert "Pages: 12" in entry and f"Source: {source}" in entry
    assert "Role “" in entry and "<del>chairman</del>" in entry
    assert "<ins>first secretary</ins>" in entry
    # A row saved on its own page later is an entry of its own, not part of a version.
    role.refresh_from_db()
    role.title = "honorary chairman"
    role._change_reason = "On the role's own page"
    role.save()
    html = reviewer_client.get(admin_url(Organization, "history", party.pk)).content.decode()
    assert "on its own page" in html and "<ins>honorary chairman</ins>" in html


@pytest.fixture
def three_versions():
    """A party renamed twice, linked to an event on the way, and cited on its own page."""
    party = OrganizationFactory(name="First Name", status=Status.DRAFT)
    first = newest(party)
    event = EventFactory(title="The Founding Congress")
    party.name = "Second Name"
    party._change_reason = "Renamed and linked"
    party.save()
    party.events.add(event)
    second = newest(party)
    third = rename(party, "Third Name")
    cited = SourceFactory(title="A Later Source")
    Citation.objects.create(content_object=party, source=cited, pages="99", field="founded")
    return party, first, second, third


def test_two_arbitrary_versions_side_by_side(editor_client, three_versions):
    party, first, second, third = three_versions
    response = editor_client.get(compare_url(party, first, second))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>First Name</del>" in html and "<ins>Second Name</ins>" in html
    assert "changed</span>" in html  # marked in words, not by colour only
    assert '<ins>The Founding Congress</ins> <span class="kz-mark">added</span>' in html
    assert "Third Name" not in html.split('id="compare-fields"')[1].split("</table>")[0]
    assert "revert-form" not in html  # reverting is from a version against the record now
    # Ticked the other way round: still the older on the left.
    again = editor_client.get(compare_url(party, second, first)).content.decode()
    assert again.index("<del>First Name</del>") < again.index("<ins>Second Name</ins>")


def test_a_version_against_the_record_now_shows_fields_links_and_rows(
    editor_client, three_versions
):
    party, first, second, third = three_versions
    html = editor_client.get(compare_url(party, first)).content.decode()
    assert "The record as it is now" in html
    assert "<del>First Name</del>" in html and "<ins>Third Name</ins>" in html
    rows = html.split('id="compare-rows"')[1].split("</table>")[0]
    assert "(Founded) added" in rows and "<ins>99</ins>" in rows
    assert "<ins>Founded</ins>" in rows  # what it backs, by the field's label
    assert 'id="revert-form"' in html
    assert "Reverted to the version of" in html  # the summary, prefilled


@pytest.mark.parametrize(
    "query",
    [
        "old=abc",
        "old=999999999",
        "old=",
        "new=zzz&old={first}",
        "old={first}&new=123456789",
        "old=99999999999999999999999",
        "old={other}",
        "old={first}&new={other}",
    ],
)
def test_a_bad_or_foreign_version_is_not_found(editor_client, three_versions, query):
    party, first, *_ = three_versions
    other = newest(OrganizationFactory())
    url = admin_url(Organization, "history_compare", party.pk)
    query = query.format(first=first.history_id, other=other.history_id)
    assert editor_client.get(f"{url}?{query}").status_code == 404


def test_a_bad_record_or_version_page_is_not_found(editor_client, three_versions):
    party, first, *_ = three_versions
    for url in (
        reverse("admin:parties_organization_history_compare", args=["abc"]) + "?old=1",
        reverse("admin:parties_organization_history_compare", args=[10**12]) + "?old=1",
        reverse("admin:parties_organization_simple_history", args=[party.pk, "abc"]),
        reverse("admin:parties_organization_simple_history", args=[party.pk, 10**15]),
        reverse("admin:parties_organization_simple_history", args=["x", first.history_id]),
    ):
        assert editor_client.get(url).status_code == 404, url


def test_a_versions_page_is_read_only_with_its_changes_marked(editor_client, three_versions):
    party, first, second, third = three_versions
    html = editor_client.get(version_url(party, third)).content.decode()
    assert 'name="name"' not in html  # no editable field: the values are shown, not a form
    assert "<del>Second Name</del>" in html and "<ins>Third Name</ins>" in html
    assert "changed</span>" in html
    assert 'id="revert-form"' in html and 'name="edit_summary"' in html


def revert_from_comparison(client, record, version, summary=None):
    page = client.get(compare_url(record, version))
    form = page.context["form"]
    data = {
        "_revert": "1",
        "edit_summary": summary or form["edit_summary"].value(),
        "expected_version": form["expected_version"].value(),
    }
    return client.post(version_url(record, version), data)


def test_a_reviewer_reverts_from_the_comparison(reviewer_client, reviewer, three_versions):
    party, first, second, third = three_versions
    before = party.history.count()
    response = revert_from_comparison(reviewer_client, party, first)
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name == "First Name"
    assert list(party.events.all()) == []  # the version's links, too
    assert party.history.count() == before + 1
    reverted = newest(party)
    assert reverted.history_change_reason.startswith("Reverted to the version of")
    assert reverted.history_user == reviewer


def test_a_revert_needs_a_summary_and_the_current_version(reviewer_client, three_versions):
    party, first, *_ = three_versions
    url = version_url(party, first)
    refused = reviewer_client.post(
        url, {"_revert": "1", "edit_summary": "", "expected_version": str(party.version)}
    )
    assert refused.status_code == 200
    assert "Say in a few words what you changed" in refused.content.decode()
    stale = reviewer_client.post(
        url, {"_revert": "1", "edit_summary": "Back", "expected_version": "1"}
    )
    assert stale.status_code == 200
    assert "after you opened it" in stale.content.decode()
    party.refresh_from_db()
    assert party.name == "Third Name"


def test_an_editors_revert_of_a_published_record_waits_for_a_reviewer(editor_client, client):
    party = OrganizationFactory(name="Published Name")
    first = newest(party)
    rename(party, "Reviewed Rename")
    version = Organization.objects.get(pk=party.pk).version
    response = revert_from_comparison(editor_client, party, first)
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.name, party.version) == ("Reviewed Rename", version)
    (revision,) = Revision.objects.pending().of(party)
    assert revision.data["name"] == "Published Name"
    assert revision.summary.startswith("Reverted to the version of")
    assert "Reviewed Rename" in client.get(party.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_revert_from_the_comparison_in_a_real_transaction(reviewer, editor):
    """On PostgreSQL the version check locks the record (select_for_update), which only a
    transaction allows: the revert runs here as the site runs it."""
    clients = {}
    for user in (reviewer, editor):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    party = OrganizationFactory(name="Locked Name", slug="locked-name")
    first = newest(party)
    rename(party, "Renamed Meanwhile")
    assert revert_from_comparison(clients["reviewer"], party, first).status_code == 302
    party.refresh_from_db()
    assert party.name == "Locked Name"
    rename(party, "Renamed Again")
    assert revert_from_comparison(clients["editor"], party, first).status_code == 302
    party.refresh_from_db()
    assert party.name == "Renamed Again"
    assert Revision.objects.pending().of(party).count() == 1


def test_the_history_list_and_the_comparison_take_a_bounded_number_of_queries(
    reviewer_client, django_assert_max_num_queries
):
    party = OrganizationFactory(name="Busy Party")
    events = [EventFactory() for _ in range(3)]
    for i in range(20):
        party.events.set(events[: i % 3 + 1])
        rename(party, f"Busy Party {i}")
        RoleFactory(organization=party, title=f"chair {i}")
        Citation.objects.create(content_object=party, source=SourceFactory(), pages=str(i))
    first = party.history.order_by("history_date").first()
    history = admin_url(Organization, "history", party.pk)
    reviewer_client.get(history)
    with django_assert_max_num_queries(45):
        assert reviewer_client.get(history).status_code == 200
    reviewer_client.get(compare_url(party, first))
    with django_assert_max_num_queries(45):
        assert reviewer_client.get(compare_url(party, first)).status_code == 200


def test_reverting_a_published_record_keeps_its_public_address(reviewer_client):
    """A version from before the slug was settled does not take the published address back:
    the slug is read-only once published, and a revert leaves it as it is."""
    party = OrganizationFactory(name="Early Name", slug="early-name", status=Status.DRAFT)
    early = newest(party)
    party.slug, party.name, party.status = "settled-name", "Settled Name", Status.PUBLISHED
    party._change_reason = "Settled and published"
    party.save()
    response = revert_from_comparison(reviewer_client, party, early)
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name == "Early Name"
    assert party.slug == "settled-name"

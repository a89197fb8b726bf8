"""Citation.public_rows: the citations ``published()`` gives, found by their own flag for a
record with a page of its own, by looking their records up by key for a row that hangs on
records (a source's page and its API count use it), and past BY_KEY_MOST of those by
``published()`` itself."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

import kzpolitics.core.models.citations as citation_models
from kzpolitics.core.models import Citation, Status

from .factories import (
    CitationFactory,
    OrganizationFactory,
    PersonFactory,
    RoleFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def work():
    """A work cited by public records and by ones the public may not see, directly and
    through another work, alongside a draft's citations."""
    work, draft_work = SourceFactory(), SourceFactory(status=Status.DRAFT)
    party = OrganizationFactory()
    draft_party = OrganizationFactory(status=Status.DRAFT)
    role = RoleFactory(organization=party)
    # A link row that is published itself, one of whose ends is a draft.
    role_of_a_draft = RoleFactory(organization=party, person=PersonFactory(status=Status.DRAFT))
    role_in_a_draft = RoleFactory(organization=draft_party)
    for record in (party, draft_party, role, role_of_a_draft, role_in_a_draft):
        CitationFactory(content_object=record, source=work)
        CitationFactory(content_object=record, source=SourceFactory(), via=work)
    CitationFactory(content_object=party, source=work, status=Status.DRAFT)
    CitationFactory(content_object=party, source=work, via=draft_work)
    CitationFactory(content_object=role, source=draft_work, via=work)
    return work


@pytest.mark.parametrize("by_key_most", [citation_models.BY_KEY_MOST, 0])
def test_the_public_rows_of_a_works_citations_are_those_published_gives(
    work, monkeypatch, by_key_most
):
    monkeypatch.setattr(citation_models, "BY_KEY_MOST", by_key_most)
    citing = Citation.objects.filter(Q(source=work) | Q(via=work))
    published = citing.published().values_list("content_type_id", "object_id", "pk")
    assert sorted(citing.public_rows("pk")) == sorted(published)
    assert len(published) == 4  # the party's and the public role's, each straight and via
    assert citing.count() == 13


def test_no_records_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert citation_models.public_records([]) == set()


def test_a_citation_of_a_record_the_public_may_not_see_is_no_citation_at_all(client, work):
    shown, hidden = [], []
    for citation in Citation.objects.filter(Q(source=work) | Q(via=work)):
        public = Citation.objects.published().filter(pk=citation.pk).exists()
        (shown if public else hidden).append(citation.pk)
    for pk in shown:
        assert client.get(f"/api/v1/citations/{pk}/").json()["id"] == pk
    missing = client.get("/api/v1/citations/999999/").json()
    for pk in hidden:
        answer = client.get(f"/api/v1/citations/{pk}/")
        said = {**answer.json(), "instance": missing["instance"]}  # (each names its address)
        assert (answer.status_code, said) == (404, missing)
    assert len(shown) == 4 and len(hidden) == 9


def test_a_records_citations_come_and_go_with_its_publication(work):
    """A record with a page of its own is public when published: its citations' flag
    (``record_published``), which ``public_rows`` reads for it, follows each save."""
    citing = Citation.objects.filter(source=work)
    party = OrganizationFactory(status=Status.DRAFT)
    CitationFactory(content_object=party, source=work)
    before = sorted(citing.public_rows("pk"))
    for status, shown in ((Status.PUBLISHED, True), (Status.DRAFT, False)):
        party.status = status
        party.save()
        rows = sorted(citing.public_rows("pk"))
        assert rows == sorted(citing.published().values_list("content_type_id", "object_id", "pk"))
        assert (len(rows) == len(before) + 1) is shown
    party.delete()
    assert sorted(citing.public_rows("pk")) == before


def test_every_citation_of_the_article_knows_whether_its_record_is_published():
    """``public_rows`` trusts the flag for a record with a page of its own: the loader must
    leave it in step, for every kind of record."""
    out_of_step = []
    for model in citation_models.cited_models():
        content_type = ContentType.objects.get_for_model(model)
        published = set(
            model._base_manager.filter(status=Status.PUBLISHED).values_list("pk", flat=True)
        )
        for pk, object_id, flag in Citation.objects.filter(content_type=content_type).values_list(
            "pk", "object_id", "record_published"
        ):
            if flag != (object_id in published):
                out_of_step.append((model.__name__, pk))
    assert Citation.objects.count() > 1000  # the article's
    assert out_of_step == []

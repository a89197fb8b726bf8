"""``Model.objects.published()`` (and ``Citation.objects.published_own()``, the published
prefetches) built once per model and handed out as copies (kzpolitics.core.models.records
``RecordManager``): each copy reads the rows as they are when it runs, and a related manager
still asks for its own record's rows only."""

from __future__ import annotations

import pytest

from kzpolitics.core.models import Citation, Status
from kzpolitics.core.models.records import _built_prefetch, prefetch_queryset
from parties.lifespans import evidence_of
from parties.models import Organization, Relation, Role
from tests.factories import CitationFactory, OrganizationFactory, RelationFactory, RoleFactory

pytestmark = pytest.mark.django_db


def public(model, *records) -> set:
    """Which of ``records`` ``model.objects.published()`` gives (the database holds the
    article's records too)."""
    return set(model.objects.published().filter(pk__in=[r.pk for r in records]))


def test_each_call_is_a_copy_that_reads_the_rows_as_they_are_then():
    first, second = OrganizationFactory(), OrganizationFactory()
    before = Organization.objects.published()
    assert Organization.objects.published() is not before
    assert first in before  # read: the copies made after keep nothing of it
    assert public(Organization, first, second) == {first, second}
    second.status = Status.DRAFT
    second.save()
    assert public(Organization, first, second) == {first}
    # A copy narrowed does not narrow the next one.
    assert not Organization.objects.published().filter(pk=second.pk).exists()
    assert Organization.objects.published().filter(pk=first.pk).exists()


def test_the_same_rows_and_query_as_a_queryset_built_afresh():
    OrganizationFactory.create_batch(2)
    OrganizationFactory(status=Status.DRAFT)
    RoleFactory()
    RoleFactory(organization=OrganizationFactory(status=Status.DRAFT))
    for model in (Organization, Role):
        fresh = model.objects.all().published()
        assert str(model.objects.published().query) == str(fresh.query)
        assert set(model.objects.published()) == set(fresh)
    built = prefetch_queryset("roles", Role)
    assert str(built.query) == str(prefetch_queryset("roles", Role, Role.objects.all()).query)
    assert built is not prefetch_queryset("roles", Role)


def test_a_related_manager_asks_for_its_own_records_rows():
    one, other = OrganizationFactory(), OrganizationFactory()
    mine = RoleFactory(organization=one)
    theirs = RoleFactory(organization=other)
    assert list(one.roles.published()) == [mine]
    assert public(Role, mine, theirs) == {mine, theirs}


def test_a_manager_bound_to_a_database_builds_its_own():
    organization = OrganizationFactory()
    bound = Organization.objects.db_manager("default").published()
    assert bound.db == "default"
    assert organization in bound


def test_citations_published_is_built_each_time_and_published_own_copied():
    organization = OrganizationFactory()
    shown = CitationFactory(content_object=organization)
    hidden = CitationFactory(content_object=organization, status=Status.DRAFT)
    assert Citation.objects.published_own() is not Citation.objects.published_own()
    # published() names kinds of record by their content types' ids, which are the database's.
    assert "published" not in type(Citation.objects).BUILT_ONCE
    assert shown in Citation.objects.published()
    mine = Citation.objects.published_own().filter(pk__in=[shown.pk, hidden.pk])
    assert list(mine) == [shown]
    assert str(Citation.objects.published_own().query) == str(
        Citation.objects.all().published_own().query
    )


def test_a_prefetch_of_citations_is_built_each_time():
    """Its published() names content type ids (above): not kept."""
    _built_prefetch.cache_clear()
    prefetch_queryset("citations", Citation)
    assert _built_prefetch.cache_info().currsize == 0
    prefetch_queryset("roles", Role)
    assert _built_prefetch.cache_info().currsize == 1


def test_evidence_built_once_reads_the_rows_as_they_are_then():
    """``evidence_of`` builds its union's parts once (``_evidence_rows``) and narrows copies
    of them to the organizations asked for."""
    party, other = OrganizationFactory(), OrganizationFactory()
    split = RelationFactory(
        subject=party,
        object=other,
        date_text="In 1991",
        date_edtf="1991",
        kind=Relation.Kind.SPLIT_FROM,
    )
    assert [e.id for e in evidence_of(Organization, [party.pk])[party.pk]] == [split.pk]
    assert [e.id for e in evidence_of(Organization, [other.pk])[other.pk]] == [split.pk]
    split.status = Status.DRAFT
    split.save()
    assert evidence_of(Organization, [party.pk, other.pk]) == {party.pk: [], other.pk: []}
    # An editor's preview shows the draft.
    assert [e.id for e in evidence_of(Organization, [party.pk], public=False)[party.pk]] == [
        split.pk
    ]

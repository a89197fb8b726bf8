"""What the project's adapters rely on in Django that no public API guarantees: each test
fails when a new Django changes it, naming the adapter to rework.

- ``CitedQuerySet`` (kzpolitics.core.models.citations) attaches citations once a queryset's
  rows are fetched: it carries its state through ``QuerySet._clone`` and attaches in
  ``QuerySet._fetch_all``, reading ``_result_cache``. Django has no public hook that runs
  once a queryset is evaluated.
- ``keep_prefetched`` (same module) gives a row the related rows a query of the project's own
  fetched (the citations of many kinds of record in one query; an organization's relations
  both ways in one query), setting the prefetch cache as ``prefetch_related_objects`` does,
  with the related manager's ``core_filters`` deferred (``_deferred_filter``, what ``filter()``
  keeps after ``_defer_next_filter``) as Django's reverse managers defer theirs. Django has no
  public way to do that. ``kept`` reads that cache back without making the related manager.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.test.utils import CaptureQueriesContext

from kzpolitics.core.models import Citation, CitedQuerySet, keep_prefetched, kept
from parties.models import Organization, OrganizationName
from tests.factories import (
    CitationFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    RelationFactory,
)

pytestmark = pytest.mark.django_db


# -- QuerySet._clone / _fetch_all / _result_cache: CitedQuerySet's hook ---------------------


def test_django_querysets_still_have_the_methods_the_adapter_overrides():
    assert callable(QuerySet._clone)
    assert callable(QuerySet._fetch_all)
    assert QuerySet(model=Organization)._result_cache is None  # the "not fetched yet" mark


def test_every_chained_call_goes_through_clone_and_keeps_the_queryset_class():
    queryset = Organization.objects.with_citations("names")
    for chained in (
        queryset.filter(pk__gt=0),
        queryset.exclude(pk=0),
        queryset.order_by("-pk"),
        queryset.all(),
        queryset.select_related("founding_place"),
        queryset.prefetch_related("names"),
        queryset.using("default"),
        queryset.distinct(),
        queryset[:5],
    ):
        assert isinstance(chained, CitedQuerySet)
        assert chained._citation_paths == ("names",), chained


@pytest.fixture
def cited_organizations():
    organizations = OrganizationFactory.create_batch(3)
    for organization in organizations:
        OrganizationNameFactory(organization=organization)
    return organizations


def fetched_ways():
    """Every way a view, a serializer or a template reads a queryset (each a function of it)."""
    return {
        "list": list,
        "iteration": lambda qs: [*iter(qs)],
        "len then iteration": lambda qs: (len(qs), list(qs))[1],
        "bool then iteration": lambda qs: (bool(qs), list(qs))[1],
        "get": lambda qs: [qs.get(pk=qs.order_by("pk").values_list("pk", flat=True)[0])],
        "first": lambda qs: [qs.order_by("pk").first()],
        "last": lambda qs: [qs.order_by("pk").last()],
        "index": lambda qs: [qs.order_by("pk")[0]],
        "slice": lambda qs: list(qs.order_by("pk")[1:3]),
        "paginator page": lambda qs: list(Paginator(qs.order_by("pk"), 2).page(1).object_list),
    }


@pytest.mark.parametrize("way", fetched_ways())
def test_fetch_all_runs_however_a_queryset_is_read(
    cited_organizations, way, django_assert_num_queries
):
    """The hook runs in ``_fetch_all``: the rows come back with their citations (and their
    names' citations) attached, whichever way the queryset was read."""
    made = Organization.objects.filter(pk__in=[o.pk for o in cited_organizations])
    rows = fetched_ways()[way](made.with_citations("names"))
    assert rows and all(isinstance(row, Organization) for row in rows)
    with django_assert_num_queries(0):
        for row in rows:
            assert len(row.citations.all()) == 1
            for name in row.names.all():
                assert len(name.citations.all()) == 1


def test_fetch_all_runs_for_a_queryset_given_to_prefetch(cited_organizations):
    """A ``Prefetch`` queryset is read through ``_fetch_all`` too (PlaceDetailView's events)."""
    names = OrganizationName.objects.with_citations()
    (row,) = Organization.objects.filter(pk=cited_organizations[0].pk).prefetch_related(
        Prefetch("names", queryset=names)
    )
    with CaptureQueriesContext(connection) as captured:
        assert [len(name.citations.all()) for name in row.names.all()] == [1]
    assert len(captured) == 0


def test_result_cache_holds_the_rows_once_fetched_and_values_rows_are_left_alone(
    cited_organizations,
):
    made = Organization.objects.filter(pk__in=[o.pk for o in cited_organizations])
    queryset = made.with_citations()
    rows = list(queryset)
    assert queryset._result_cache == rows
    # values() rows are no records: nothing is attached, nothing fails.
    assert len(list(made.with_citations().values("pk"))) == 3


def test_after_fetch_runs_before_the_citations_and_once(cited_organizations):
    seen = []
    made = Organization.objects.filter(pk__in=[o.pk for o in cited_organizations])
    queryset = made.with_citations().after_fetch(seen.append)
    rows = list(queryset)
    list(queryset)  # read again from the cache: not attached again
    len(queryset)
    assert seen == [rows]


@pytest.mark.parametrize("error", [TypeError, ValueError])
def test_rows_whose_hook_failed_are_never_read_without_it(cited_organizations, error):
    """``list()`` asks a queryset's ``len()`` first and drops a TypeError it raises, then
    iterates it: rows fetched by that ``len()`` but left without what the hooks attach (or
    hide: ``_drop_hidden``) must not be what the iteration reads. The error reaches the
    caller, however the queryset is read; once the hook works, the rows come with it."""
    failing = [True]
    seen = []

    def hook(records):
        if failing[0]:
            raise error("the hook failed")
        seen.append(records)

    made = Organization.objects.filter(pk__in=[o.pk for o in cited_organizations])
    queryset = made.after_fetch(hook)
    with pytest.raises(error):
        list(queryset)
    with pytest.raises(error):
        len(queryset)
    failing[0] = False
    rows = list(queryset)
    assert seen == [rows] and len(rows) == 3


# -- the prefetch cache: keep_prefetched ----------------------------------------------------


def test_a_kept_list_is_read_as_prefetched(django_assert_num_queries):
    organization = OrganizationFactory()
    other = OrganizationFactory()
    citation = CitationFactory(content_object=other)  # any citation: the list is what is kept
    relation = RelationFactory(subject=organization, object=other)
    organization = Organization.objects.get(pk=organization.pk)
    keep_prefetched(organization, "citations", [citation])
    keep_prefetched(organization, "relations_from", [relation])
    with django_assert_num_queries(0):
        assert list(organization.citations.all()) == [citation]
        assert organization.citations.count() == 1
        assert list(organization.relations_from.all()) == [relation]
        # Django's own prefetch sees them as fetched and runs no query for them.
        prefetch_related_objects([organization], "citations", "relations_from")
    # A query made from a kept list is the row's own, as from Django's: the list is not it.
    own = list(Citation.objects.of_records([organization]).order_by("pk"))
    assert citation not in own
    assert list(organization.citations.order_by("pk")) == own
    assert list(organization.relations_from.order_by("pk")) == [relation]
    # And forgets them as it forgets its own prefetches.
    organization.refresh_from_db()
    with django_assert_num_queries(1):
        assert citation not in organization.citations.all()


def test_kept_lists_are_where_django_keeps_its_own_prefetches():
    """``keep_prefetched`` writes what ``prefetch_related`` writes: this compares the two."""
    organization = OrganizationFactory()
    fetched = Organization.objects.prefetch_related("citations").get(pk=organization.pk)
    theirs = fetched._prefetched_objects_cache["citations"]
    # The organization's own citations: another kind of record may have the same id.
    own = Citation.objects.filter(
        content_type=ContentType.objects.get_for_model(Organization), object_id=organization.pk
    )
    assert theirs._result_cache == list(own)
    assert theirs._prefetch_done is True
    mine = Organization.objects.get(pk=organization.pk)
    keep_prefetched(mine, "citations", list(theirs))
    kept = mine._prefetched_objects_cache["citations"]
    assert type(kept) is type(theirs)
    assert kept._result_cache == theirs._result_cache and kept._prefetch_done is True
    # Its filter is the one the related manager applies, built when its query is.
    assert str(kept.query) == str(theirs.query)


def test_a_deferred_filter_is_built_only_with_the_query():
    """``keep_prefetched`` sets ``_deferred_filter`` as ``filter()`` does after Django's
    reverse managers set ``_defer_next_filter``: ``filter()`` keeps its arguments there, and
    ``query`` (so every copy, every SQL) applies them."""
    queryset = Citation.objects.all()
    queryset._defer_next_filter = True
    deferred = queryset.filter(object_id=7)
    assert queryset._defer_next_filter is False  # the flag holds for one filter()
    assert deferred._deferred_filter == (False, (), {"object_id": 7})
    assert "object_id" in str(deferred.query) and deferred._deferred_filter is None
    kept = Citation.objects.all()
    kept._deferred_filter = (False, (), {"object_id": 7})
    assert "object_id" in str(kept.order_by("pk").query)  # a copy applies it too
    manager = OrganizationFactory().citations
    assert set(manager.core_filters) == {"content_type__pk", "object_id"}


def test_kept_reads_what_django_s_prefetch_and_keep_prefetched_keep(django_assert_num_queries):
    """``kept(row, name)`` is ``row.<name>.all()``: what Django's own prefetch keeps and what
    ``keep_prefetched`` keeps, read with no query; without either, the related rows, queried."""
    organization = OrganizationFactory()
    CitationFactory(content_object=organization)
    OrganizationNameFactory(organization=organization)
    (prefetched,) = Organization.objects.filter(pk=organization.pk).prefetch_related(
        "citations", "names"
    )
    with django_assert_num_queries(0):
        assert list(kept(prefetched, "citations")) == list(prefetched.citations.all())
        assert list(kept(prefetched, "names")) == list(prefetched.names.all())
    citation = CitationFactory(content_object=OrganizationFactory())
    keep_prefetched(prefetched, "citations", [citation])
    with django_assert_num_queries(0):
        assert list(kept(prefetched, "citations")) == [citation]
    plain = Organization.objects.get(pk=organization.pk)
    own = list(Citation.objects.of_records([plain]))
    with django_assert_num_queries(1):
        assert list(kept(plain, "citations")) == own

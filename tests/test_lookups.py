"""``any_of`` (kzpolitics.core.lookups): the rows ``in`` finds, asked with one array parameter
on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from kzpolitics.core.models import Citation
from parties.models import Organization, Relation
from tests.factories import CitationFactory, OrganizationFactory, RelationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    return OrganizationFactory.create_batch(6)


def test_any_of_finds_the_rows_in_finds(organizations):
    wanted = [organizations[0].pk, organizations[3].pk, organizations[5].pk, 10**12]
    assert sorted(Organization.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == (
        sorted(Organization.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    )
    assert Organization.objects.filter(pk__any_of=wanted).count() == 3
    # Negated, and beside other conditions, as ``in`` is.
    assert set(Organization.objects.exclude(pk__any_of=wanted)) == set(
        Organization.objects.exclude(pk__in=wanted)
    )
    either = Q(pk__any_of=wanted[:1]) | Q(pk__any_of=wanted[1:2])
    assert Organization.objects.filter(either).count() == 2


def test_any_of_on_a_foreign_key_asks_its_column(organizations):
    one, two, three = organizations[:3]
    kept = RelationFactory(subject=one, object=two)
    RelationFactory(subject=three, object=two)
    assert list(Relation.objects.filter(subject_id__any_of=[one.pk])) == [kept]
    assert list(Relation.objects.filter(subject__any_of=[one.pk])) == [kept]
    assert Relation.objects.filter(object_id__any_of=[two.pk, 10**12]).count() == 2


def test_any_of_takes_any_iterable_and_skips_none(organizations):
    pks = {organization.pk for organization in organizations[:2]}
    assert Organization.objects.filter(pk__any_of=pks).count() == 2
    assert Organization.objects.filter(pk__any_of=(*pks, None)).count() == 2


def test_any_of_nothing_finds_nothing_without_asking_the_database(organizations):
    with CaptureQueriesContext(connection) as queries:
        assert list(Organization.objects.filter(pk__any_of=[])) == []
        assert list(Organization.objects.filter(pk__any_of=[None])) == []
    assert len(queries) == 0


def test_any_of_is_one_parameter_on_postgresql_however_many_values(organizations):
    wanted = [organization.pk for organization in organizations] + list(range(10**9, 10**9 + 500))
    with CaptureQueriesContext(connection) as queries:
        assert Organization.objects.filter(pk__any_of=wanted).count() == 6
    sql = queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
        assert str(10**9 + 499) in sql  # the array, written into the query text once
    else:
        assert " IN (" in sql


@pytest.mark.postgres
def test_any_of_one_value_is_a_plain_comparison(organizations):
    """A record's own page asks for one value: PostgreSQL prices a plain comparison the same
    for any value in a prepared query's generic plan, and an array it cannot see as ten."""
    one = organizations[2]
    for wanted in ([one.pk], [one.pk, None]):
        with CaptureQueriesContext(connection) as queries:
            assert list(Organization.objects.filter(pk__any_of=wanted)) == [one]
        sql = queries[0]["sql"]
        assert "ANY(" not in sql
        assert (" = " if connection.vendor == "postgresql" else " IN (") in sql
    theirs = Organization.objects.filter(pk__in=[o.pk for o in organizations])
    assert set(theirs.exclude(pk__any_of=[one.pk])) == set(organizations) - {one}


def test_any_of_on_a_generic_relations_id(organizations):
    """``object_id`` (a positive big integer) takes it too: ``attach_citations`` asks so."""
    cited = organizations[1]
    citation = CitationFactory(content_object=cited)
    assert list(Citation.objects.filter(object_id__any_of=[cited.pk])) == (
        list(Citation.objects.filter(object_id__in=[cited.pk]))
    )
    assert citation in Citation.objects.filter(object_id__any_of=[cited.pk])

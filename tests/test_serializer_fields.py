"""``kzpolitics.core.serializers.ModelSerializer``: a serializer class makes its fields from
the model once; every serializer of it gets fields of its own, as DRF would have made them."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework import serializers

from kzpolitics.core.serializers import CitationSerializer, ModelSerializer, PlaceRefSerializer
from kzpolitics.site.api import CitationWriteSerializer, router
from parties.serializers import OrganizationSerializer
from tests.factories import OrganizationFactory


def test_a_serializer_makes_no_field_from_the_model_once_its_class_has():
    CitationSerializer().fields  # noqa: B018 (the class's fields, made if not yet)
    with mock.patch.object(
        serializers.ModelSerializer, "build_field", wraps=serializers.ModelSerializer.build_field
    ) as build_field:
        CitationSerializer().fields  # noqa: B018
    assert build_field.call_count == 0


def test_each_serializer_gets_fields_of_its_own_bound_to_it():
    first, second = PlaceRefSerializer(), PlaceRefSerializer()
    assert list(first.fields) == list(second.fields) == ["id", "slug", "name", "kind", "api_url"]
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second


def test_the_class_copy_of_its_fields_is_never_bound():
    """Plain fields are shallow copies of the class's: what binding sets (name, parent,
    source) goes on the copy, never on the class's, which the next serializer copies."""
    first, second = OrganizationSerializer(), OrganizationSerializer()
    first.fields, second.fields  # noqa: B018 (bound)
    for name, field in OrganizationSerializer._fields_made.items():
        assert field.field_name is None, name
        assert getattr(field, "parent", None) is None, name
        assert first.fields[name].field_name == second.fields[name].field_name == name


def test_a_field_holding_fields_is_made_anew_with_its_children_bound_to_it():
    """A nested serializer, a list of them or a many-related field binds its child to itself:
    shared, two serializers of one class would show each other's context."""
    first, second = OrganizationSerializer(), OrganizationSerializer()
    for name in ("names", "citations", "relations", "founding_place"):
        mine, theirs = first.fields[name], second.fields[name]
        assert mine is not theirs, name
        child = getattr(mine, "child", None) or getattr(mine, "child_relation", None)
        if child is not None:
            assert child is not (getattr(theirs, "child", None) or theirs.child_relation)
            assert child.parent is mine and child.root is first, name


def test_a_change_to_one_serializers_field_stays_its_own():
    first = CitationWriteSerializer()
    first.fields["record_type"].choices = ["parties.organization"]
    assert "legislation.legalact" in CitationWriteSerializer().fields["record_type"].choices


def test_the_fields_are_the_ones_drf_makes():
    """Against DRF's own ModelSerializer given the same Meta and declared fields."""

    class AsDrfMakes(OrganizationSerializer):
        def get_fields(self):
            return serializers.ModelSerializer.get_fields(self)  # DRF's own, every time

    ours, drfs = OrganizationSerializer().fields, AsDrfMakes().fields
    assert [name for name in ours if name not in ("status", "version")] == list(drfs)
    for name in drfs:
        assert type(ours[name]) is type(drfs[name]), name
        assert repr(ours[name]) == repr(drfs[name]), name


def test_every_model_serializer_of_the_project_is_ours():
    """A serializer made on DRF's own class would make its fields at every request."""
    import elections.serializers  # noqa: F401 (every app's serializers, imported)
    import legislation.serializers  # noqa: F401

    def project_serializers(base):
        for cls in base.__subclasses__():
            yield cls
            yield from project_serializers(cls)

    mine = [
        cls
        for cls in project_serializers(serializers.ModelSerializer)
        if cls.__module__.split(".")[0] in ("kzpolitics", "parties", "elections", "legislation")
    ]
    assert mine
    assert all(issubclass(cls, ModelSerializer) for cls in mine), [
        cls.__name__ for cls in mine if not issubclass(cls, ModelSerializer)
    ]


@pytest.mark.django_db
def test_an_answer_is_the_same_from_a_serializer_made_first_or_later(rf):
    organization = OrganizationFactory()
    first = OrganizationSerializer(organization, context={"request": rf.get("/")}).data
    again = OrganizationSerializer(organization, context={"request": rf.get("/")}).data
    assert first == again


@pytest.mark.django_db
def test_a_citation_is_written_as_drf_writes_it(rf):
    """CitationSerializer builds its answer directly, for speed: on every citation of the
    article (with and without a work it goes via, a footnote, pages, a quote), the answer is
    DRF's own, key for key and in the same order."""
    from kzpolitics.core.models import Citation

    citations = list(Citation.objects.select_related("source", "via"))
    assert any(c.via_id for c in citations) and any(not c.via_id for c in citations)
    assert any(c.footnote for c in citations) and any(c.footnote is None for c in citations)
    context = {"request": rf.get("/")}
    ours = CitationSerializer(citations, many=True, context=context).data
    drf = serializers.ListSerializer(child=CitationSerializer(), context=context)
    drfs = [serializers.ModelSerializer.to_representation(drf.child, c) for c in citations]
    assert [list(c.items()) for c in ours] == [list(c.items()) for c in drfs]


@pytest.mark.parametrize("secure", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/organizations/otan/",
        "/api/v1/organizations/otan/roles/",
        "/",
        "/sources/a_b-1",
        "/search/?q=x",  # the rest: as build_absolute_uri gives them
        "/organizations/../sources/",
        "/organizations/alma ata/",
        "/organizations/алматы/",
        "//example.com/x",
        "relative/",
        "",
    ],
)
def test_an_absolute_address_is_the_one_django_builds(rf, settings, path, secure):
    from kzpolitics.core.fields import absolute

    settings.ALLOWED_HOSTS = ["kz.example.org"]
    request = rf.get("/api/v1/", HTTP_HOST="kz.example.org:8443", secure=secure)
    assert absolute(request, path) == request.build_absolute_uri(path)
    assert absolute(request, path) == request.build_absolute_uri(path)  # the root kept
    assert absolute(None, path) == path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        *(f"/api/v1/{prefix}/?page_size=500" for prefix, _, _ in router.registry),
        "/api/v1/organizations/otan/",
        "/api/v1/organizations/otan/roles/",
        "/api/v1/organizations/otan/relations/",
        "/api/v1/people/nursultan-nazarbaev/",
        "/api/v1/results/?format=csv",
    ],
)
def test_every_answer_is_the_one_drf_writes(client, path):
    """``ModelSerializer.to_representation`` reads a column's field straight from the row:
    every record of the article, through every endpoint, is written byte for byte as DRF's own
    ``to_representation`` writes it."""

    def answer() -> bytes:
        for alias in settings.CACHES:
            caches[alias].clear()
        response = client.get(path)
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    ours = answer()
    with mock.patch.object(
        ModelSerializer, "to_representation", serializers.Serializer.to_representation
    ):
        drfs = answer()
    assert len(ours) > 500
    assert ours == drfs

"""Querysets built once and copied for each request (``kzpolitics.core.reuse``): the answers
are those of querysets built afresh for every request, on every kind of record's page and API
record; the kept querysets are never read; what a key leaves out (the public's rows or an
editor's, a later page of a hub's relations) is never served from another key's queryset."""

from __future__ import annotations

import pytest
from django.test import Client

from elections.models import Election
from kzpolitics.core import reuse, views_base, viewsets
from kzpolitics.core.models import Event, Person, Place, Status
from legislation.models import LegalAct
from parties.models import Organization

from . import page_kinds
from .factories import OrganizationFactory, RelationFactory
from .page_kinds import answers

pytestmark = pytest.mark.django_db

KINDS = (
    (Organization, "organizations", "organizations"),
    (Person, "people", "people"),
    (Event, "events", "events"),
    (Place, "places", "places"),
    (Election, "elections", "elections"),
    (LegalAct, "acts", "acts"),
)


@pytest.fixture(autouse=True)
def uncached(settings):
    """Every answer made afresh: the response cache would give the first one back."""
    settings.PAGE_CACHE_ENABLED = False


def record_paths() -> list[str]:
    """Every published record's page and API record, of each kind that reuses its queryset,
    and the lists and later pages of a hub."""
    return page_kinds.record_paths(KINDS, more_than=3) + [
        "/api/v1/organizations/?page_size=500",
        "/api/v1/citations/?page_size=500",
        "/organizations/otan/?relations=2&events=2",
        "/organizations/otan/?relations=99",
    ]


def test_every_answer_is_the_one_a_queryset_built_afresh_gives(client, monkeypatch):
    paths = record_paths()
    reused = answers(client, paths)
    assert reuse._built  # the views kept what they built

    afresh = lambda key, build: build()  # noqa: E731 (the code as it was)
    monkeypatch.setattr(views_base, "built_once", afresh)
    monkeypatch.setattr(viewsets, "built_once", afresh)
    assert answers(client, paths) == reused


def test_a_kept_queryset_is_only_copied_never_read(client):
    answers(client, record_paths()[:40])

    assert reuse._built
    for key, queryset in reuse._built.items():
        assert queryset._result_cache is None, key


def test_a_key_is_built_once_and_each_use_gets_a_copy():
    built = []

    def build():
        built.append(1)
        return Organization.objects.published()

    first = reuse.built_once("test-key", build)
    second = reuse.built_once("test-key", build)

    assert built == [1]
    assert first is not second
    assert first is not reuse._built["test-key"]
    assert list(first) == list(second)


def test_past_the_most_kept_they_are_built_again(monkeypatch):
    monkeypatch.setattr(reuse, "BUILT_MOST", 3)
    for n in range(7):
        reuse.built_once(("many", n), Organization.objects.published)

    assert len(reuse._built) <= 3
    assert list(reuse.built_once(("many", 0), Organization.objects.published)) == list(
        Organization.objects.published()
    )


def test_an_editors_preview_and_the_public_page_never_share_a_queryset(client, editor):
    party = OrganizationFactory(name="Public Party")
    draft = OrganizationFactory(name="Draft Party", status=Status.DRAFT)
    RelationFactory(subject=draft, object=party)
    editors = Client()
    editors.force_login(editor)

    preview = editors.get(f"/organizations/{party.slug}/?preview=1")
    public = client.get(f"/organizations/{party.slug}/")

    assert "Draft Party" in preview.content.decode()
    assert "Draft Party" not in public.content.decode()


def test_a_later_page_of_a_hubs_relations_is_not_the_first_one_kept(client, monkeypatch):
    from parties import record_pages

    monkeypatch.setattr(record_pages, "RECORD_PAGE", 2)
    hub = OrganizationFactory(name="Hub Party")
    for n in range(5):
        RelationFactory(subject=OrganizationFactory(name=f"Split {n}"), object=hub)

    first = client.get(f"/organizations/{hub.slug}/").content.decode()
    second = client.get(f"/organizations/{hub.slug}/?relations=2").content.decode()
    first_again = client.get(f"/organizations/{hub.slug}/").content.decode()

    assert "Split 0" in first and "Split 2" not in first
    assert "Split 2" in second and "Split 0" not in second
    assert first_again == first

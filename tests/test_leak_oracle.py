"""The leak oracle (issue 12): what the public can ask of the site does not depend on drafts.

A small database of its own (the article's data is removed inside the test's transaction, so
it comes back afterwards) holds published records of every kind, a draft of every kind, draft
rows of published records, published rows of draft records, draft citations of published
records, published citations of drafts and via a draft source, published rows linked to
drafts (a role of a draft person, a relation to a draft bloc, a result of a draft party, an
event linked to a draft organization, an organization founded in a draft place, ...) and
pending revisions of published records.

Every public address is asked by an anonymous visitor: every page kind and every record page
(published and draft slugs), the HTML lists with their filters, the timeline (with cursors at
drafts), search for each draft's names, every API list with every filter of its FilterSet
given each slug (and each choice, a few dates, the footnotes for the others), ``?search=``
with each draft's names, ``?format=csv``, every API detail (published and draft keys) and
what it pages of its own (an organization's relations each way), the export zip, the feed,
the sitemap, robots.txt and a missing page. The addresses are found by introspection (the URL
patterns, the API router and its viewsets' actions, each FilterSet's filters). Each is asked
with GET and HEAD; POST, PUT, DELETE, TRACE and OPTIONS ask every address without parameters
(lists, pages, every draft's record and the first published one of each kind) and every
address whose parameters name a draft; ``LEAK_ORACLE=full`` sends all seven everywhere
(three times the requests: over the two minutes this test keeps to).

Then the drafts, their rows and the pending revisions are deleted (through the models, so
signals run), the response cache and the kept exports are emptied so that everything is
computed again, and the same requests are sent once more. The specification: the two crawls
are identical, request for request: the status, the body byte for byte (the export zip
member by member) and every header but Date, Set-Cookie and a CSRF token. A visitor cannot
tell whether a draft exists, not even from Last-Modified or an ETag.

It runs on PostgreSQL (CI's second ``make test``); on SQLite it is deselected unless
``LEAK_ORACLE=1`` (tests/conftest.py, the ``sweep`` marker). A failure lists the kinds of
request whose answers differ, with the first difference of each.
"""

from __future__ import annotations

import difflib
import io
import json
import logging
import os
import re
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import django_filters
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import ProtectedError, Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from elections.models import Election, Result
from kzpolitics.core.coverage import cited_models
from kzpolitics.core.filters import DateQueryFilter
from kzpolitics.core.models import (
    Citation,
    DataVersion,
    Event,
    Person,
    Place,
    Revision,
    Source,
    Status,
    content_apps,
)
from kzpolitics.core.revisions import propose
from kzpolitics.site.api import router
from kzpolitics.site.export.writer import version_id
from kzpolitics.site.sitemaps import SITEMAPS
from kzpolitics.site.views.timeline_kinds import TIMELINE_KINDS
from legislation.models import LegalAct, RegistrationDecision
from parties.models import Organization, Relation, Role, Stance
from parties.views import SORTS

from .factories import (
    CitationFactory,
    ElectionFactory,
    EventFactory,
    LegalActFactory,
    MembershipFigureFactory,
    OrganizationFactory,
    OrganizationNameFactory,
    PersonFactory,
    PersonNameFactory,
    PlaceFactory,
    PlaceNameFactory,
    ProvisionFactory,
    RegistrationDecisionFactory,
    RelationFactory,
    ResultFactory,
    RoleFactory,
    RoundFactory,
    SourceFactory,
    StanceFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS")
CONTENT_APPS = tuple(config.label for config in content_apps())
# Pages that are the same whatever the data (and cost seconds): not crawled.
STATIC_ROUTES = {"api:schema", "api:docs", "healthz"}
DATES = ("1989-06-01", "1991-12-16", "1999-01-01")
DATETIMES = ("2000-01-01T00:00:00Z",)
YEARS = ("1989", "1991", "1999")
DIFFERENCES_SHOWN = 30
IGNORED_HEADERS = {"date", "set-cookie"}
CSRF_IN_BODY = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
SECRET = "Quasar"  # in the name of every draft: a search for it must find nothing more


def dated(text: str, edtf: str) -> dict:
    return {"text": text, "edtf": edtf}


# -- the small database --------------------------------------------------------------------------


def remove_every_record() -> None:
    """Empty the site's tables (records, links, history, revisions) in the test's transaction;
    the data version is left as it is."""
    for label in CONTENT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model is not DataVersion:
                table = connection.ops.quote_name(model._meta.db_table)
                with connection.cursor() as cursor:  # no signals, no history of the deletion
                    cursor.execute(f"DELETE FROM {table}")


@dataclass
class World:
    """What the crawl needs to know of the small database: the non-public rows to delete
    between the crawls (in an order the database's protections allow), and the words a
    search for a draft would use."""

    doomed: list = field(default_factory=list)
    names: dict[type | None, list[str]] = field(default_factory=dict)  # drafts' names, by kind
    published_names: list[str] = field(default_factory=list)

    def hidden(self, row, *names: str):
        self.doomed.append(row)
        self.name(type(row), *names)
        return row

    def name(self, model, *names: str) -> None:
        """Names only a draft bears: of a record of ``model`` or of one of its rows (None: of
        every kind)."""
        while getattr(model, "PARENT", ""):
            model = model._meta.get_field(model.PARENT).related_model
        self.names.setdefault(model, []).extend(names)

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(name for names in self.names.values() for name in names))


def build_world(editor) -> World:
    world = World()
    draft = {"status": Status.DRAFT}
    book = SourceFactory(slug="babak-2003", authors="V. Babak", title="How it came into being")
    other = SourceFactory(slug="ponomarev-1991", authors="V. Ponomarev", title="Informal groups")
    cite = {"cite__source": book}

    # Published records of every kind.
    almaty = PlaceFactory(slug="alma-ata", name="Alma Ata", **cite)
    PlaceNameFactory(place=almaty, name="Almaty", **cite)
    suleimenov = PersonFactory(
        slug="olzhas-suleimenov", name="Olzhas Suleimenov", description="A poet.", **cite
    )
    PersonNameFactory(person=suleimenov, name="Suleymenov", **cite)
    nevada = OrganizationFactory(
        slug="nevada-semipalatinsk",
        name="Nevada-Semipalatinsk",
        kind=Organization.Kind.MOVEMENT,
        founded=dated("February 1989", "1989-02"),
        founding_place=almaty,
        summary="An anti-nuclear movement.",
        **cite,
    )
    azat = OrganizationFactory(
        slug="azat", name="Azat", founded=dated("1990", "1990"), summary="A party.", **cite
    )
    bloc = OrganizationFactory(
        slug="respublika", name="Respublika", kind=Organization.Kind.BLOC, **cite
    )
    OrganizationNameFactory(organization=nevada, name="Nevada", **cite)
    StanceFactory(organization=azat, stance=Stance.Kind.OPPOSITION, **cite)
    MembershipFigureFactory(organization=nevada, wording="about 1,000", low=1000, **cite)
    RoleFactory(
        person=suleimenov, organization=nevada, kind=Role.Kind.CHAIR, title="chairman", **cite
    )
    RelationFactory(subject=azat, object=bloc, kind=Relation.Kind.MEMBER_OF, **cite)
    rally = EventFactory(
        slug="rally-1989",
        title="Rally at the Writers' Union",
        place=almaty,
        **cite,
        date=dated("28 February 1989", "1989-02-28"),
    )
    rally.people.add(suleimenov)
    nevada.events.add(rally)
    election = ElectionFactory(
        slug="majilis-1995",
        name="Majilis 1995",
        date=dated("1995", "1995"),
        seats_total=67,
        **cite,
    )
    election.events.add(rally)
    first_round = RoundFactory(election=election, number=1, **cite)
    ResultFactory(
        election=election, round=first_round, organization=azat, seats=2, seats_of=67, **cite
    )
    ResultFactory(
        election=election, organization=None, person=suleimenov, tier=Result.Tier.TOTAL, **cite
    )
    law = LegalActFactory(
        slug="law-1996",
        title="Law on Public Associations",
        adopted=dated("1996", "1996"),
        **cite,
    )
    law.events.add(rally)
    ProvisionFactory(act=law, reference="Art 10", summary="3,000 members.", **cite)
    RegistrationDecisionFactory(organization=azat, act=law, date=dated("1996", "1996"), **cite)
    CitationFactory(
        content_object=nevada, source=other, via=book, field="founded", footnote=1, pages="14"
    )
    world.published_names += ["Nevada", "Suleimenov", "Almaty", "Azat"]

    # A draft of every kind, each with a published citation (from the factory) and published
    # rows of its own.
    secret_source = world.hidden(
        SourceFactory(slug="quasar-memoir", authors="Q. Hidden", title="Quasar memoir", **draft),
        "Quasar memoir",
    )
    quasargrad = world.hidden(
        PlaceFactory(slug="quasargrad", name="Quasargrad", **draft, **cite), "Quasargrad"
    )
    PlaceNameFactory(place=quasargrad, name="Old Quasargrad", **cite)
    quasarov = world.hidden(
        PersonFactory(
            slug="zh-quasarov", name="Zhaksylyk Quasarov", description="Unseen.", **draft, **cite
        ),
        "Zhaksylyk Quasarov",
        "Quasarov",
    )
    PersonNameFactory(person=quasarov, name="Kvazarov", **cite)
    world.name(Person, "Kvazarov")
    quasar_bloc = world.hidden(
        OrganizationFactory(
            slug="quasar-bloc",
            name="Quasar Bloc",
            kind=Organization.Kind.BLOC,
            founded=dated("1991", "1991"),
            founding_place=quasargrad,
            **draft,
            **cite,
        ),
        "Quasar Bloc",
    )
    OrganizationNameFactory(organization=quasar_bloc, name="Kvazar Alliance", **cite)
    StanceFactory(organization=quasar_bloc, stance=Stance.Kind.PRO_PRESIDENTIAL, **cite)
    MembershipFigureFactory(organization=quasar_bloc, wording="about 7,000", low=7000, **cite)
    RegistrationDecisionFactory(organization=quasar_bloc, act=law, **cite)
    world.name(Organization, "Kvazar Alliance")
    in_review = world.hidden(
        OrganizationFactory(
            slug="quasar-review-party", name="Quasar Review Party", status=Status.REVIEW, **cite
        ),
        "Quasar Review Party",
    )
    congress = world.hidden(
        EventFactory(
            slug="quasar-congress",
            title="Quasar Congress",
            place=quasargrad,
            date=dated("1991", "1991"),
            **draft,
            **cite,
        ),
        "Quasar Congress",
    )
    congress.people.add(suleimenov)
    referendum = world.hidden(
        ElectionFactory(
            slug="quasar-referendum",
            name="Quasar Referendum",
            date=dated("1991", "1991"),
            **draft,
            **cite,
        ),
        "Quasar Referendum",
    )
    RoundFactory(election=referendum, number=1, **cite)
    ResultFactory(election=referendum, organization=azat, seats=1, seats_of=5, **cite)
    decree = world.hidden(
        LegalActFactory(
            slug="quasar-decree",
            title="Decree on Quasars",
            adopted=dated("1991", "1991"),
            **draft,
            **cite,
        ),
        "Decree on Quasars",
    )
    ProvisionFactory(act=decree, reference="Art 1", summary="Quasar rules.", **cite)

    # Drafts of published records' rows, and draft citations of published records (listed
    # first: they go before the records they link).
    rows = [
        OrganizationNameFactory(organization=nevada, name="Nevada Quasar", **draft, **cite),
        StanceFactory(organization=nevada, stance=Stance.Kind.MODERATE_OPPOSITION, **draft, **cite),
        MembershipFigureFactory(
            organization=nevada, wording="exactly 4,242", low=4242, **draft, **cite
        ),
        RoleFactory(
            person=suleimenov,
            organization=azat,
            kind=Role.Kind.LEADER,
            title="Quasar leader",
            **draft,
            **cite,
        ),
        RelationFactory(subject=nevada, object=bloc, kind=Relation.Kind.MEMBER_OF, **draft, **cite),
        PersonNameFactory(person=suleimenov, name="Suleimenov-Quasar", **draft, **cite),
        PlaceNameFactory(place=almaty, name="Quasar-Ata", **draft, **cite),
        RoundFactory(election=election, number=2, **draft, **cite),
        ResultFactory(
            election=election, organization=nevada, seats=1, seats_of=67, **draft, **cite
        ),
        ProvisionFactory(act=law, reference="Art 99", summary="Quasar clause.", **draft, **cite),
        RegistrationDecisionFactory(
            organization=nevada,
            act=law,
            decision=RegistrationDecision.Decision.BANNED,
            **draft,
            **cite,
        ),
        CitationFactory(
            content_object=nevada,
            source=book,
            field="summary",
            footnote=42,
            quote="Quasar quote",
            **draft,
        ),
        CitationFactory(content_object=suleimenov, source=other, pages="99", **draft),
        # Published citations of a published record from, and via, a draft source.
        CitationFactory(content_object=azat, source=secret_source, pages="7"),
        CitationFactory(content_object=rally, source=other, via=secret_source, footnote=43),
    ]
    world.name(Organization, "Nevada Quasar")
    world.name(Person, "Suleimenov-Quasar", "Quasar leader")
    world.name(Place, "Quasar-Ata")

    # Published rows linked to drafts: not public while a record they link is not.
    second_round = rows[7]
    rows += [
        RoleFactory(person=quasarov, organization=azat, kind=Role.Kind.CHAIR, **cite),
        RoleFactory(person=suleimenov, organization=quasar_bloc, kind=Role.Kind.MEMBER, **cite),
        RelationFactory(subject=azat, object=quasar_bloc, kind=Relation.Kind.MEMBER_OF, **cite),
        ResultFactory(election=election, organization=quasar_bloc, seats=3, seats_of=67, **cite),
        ResultFactory(
            election=election, organization=None, person=quasarov, tier=Result.Tier.TOTAL, **cite
        ),
        ResultFactory(
            election=election,
            round=second_round,
            organization=azat,
            tier=Result.Tier.SINGLE_MEMBER,
            seats=1,
            seats_of=67,
            **cite,
        ),
    ]
    for row in rows:
        world.hidden(row)
    # Published records whose links to drafts are attributes (kept, emptied on deletion).
    meeting = EventFactory(
        slug="bloc-meeting",
        title="Bloc meeting",
        place=quasargrad,
        date=dated("1991", "1991"),
        **cite,
    )
    meeting.people.add(quasarov)
    quasar_bloc.events.add(meeting)
    nevada.events.add(congress)
    election.events.add(congress)
    law.events.add(congress)
    Organization._base_manager.filter(pk=azat.pk).update(founding_place=quasargrad)
    Place._base_manager.filter(pk=almaty.pk).update(parent=quasargrad)
    LegalAct._base_manager.filter(pk=law.pk).update(body=quasar_bloc)
    RegistrationDecisionFactory(
        organization=azat,
        act=decree,
        body=quasar_bloc,
        decision=RegistrationDecision.Decision.RE_REGISTERED,
        **cite,
    )

    # The drafts last: deleting one takes its rows and the citations of it with it.
    for record in (
        secret_source,
        in_review,
        quasar_bloc,
        quasarov,
        congress,
        referendum,
        decree,
        quasargrad,
    ):
        world.doomed.remove(record)
        world.doomed.append(record)

    propose_revisions(world, editor, nevada, suleimenov, rally, election, law, meeting)
    world.name(None, SECRET, "Kvazar")
    return world


def propose_revisions(world: World, editor, nevada, suleimenov, rally, election, law, meeting):
    """Pending revisions of published records (fields and links), by an editor who may not
    publish."""
    nevada.name = "Nevada Quasar Revised"
    nevada.summary = "Revised: a Quasar movement."
    events = [*nevada.events.all(), meeting]
    propose(nevada, editor, summary="Rename, and link", links={"events": events})
    suleimenov.description = "Revised: a Quasar poet."
    propose(suleimenov, editor, summary="Describe")
    rally.title = "Quasar rally revised"
    propose(rally, editor, summary="Retitle")
    election.seats_total = 99
    propose(election, editor, summary="Seats")
    law.summary = "Revised Quasar summary."
    propose(law, editor, summary="Summarise")
    for record in (nevada, suleimenov, rally, election, law):
        record.refresh_from_db()
    revisions = list(Revision.objects.all())
    assert len(revisions) == 5, "every proposed change waits as a pending revision"
    world.doomed[:0] = revisions
    world.name(Organization, "Nevada Quasar Revised")
    world.name(Event, "Quasar rally revised")


def delete_hidden(world: World) -> None:
    """Delete every row the public may not see, through the models (signals run)."""
    waiting = list(world.doomed)
    for _ in range(len(waiting) + 1):
        protected = []
        for row in waiting:
            stored = type(row)._base_manager.filter(pk=row.pk).first()
            if stored is None:
                continue  # gone already with the record it belonged to
            try:
                with transaction.atomic():
                    stored.delete()
            except ProtectedError:
                protected.append(row)  # a row it protects goes first (a round's result)
        if not protected:
            return
        waiting = protected
    raise AssertionError(f"these could not be deleted: {waiting}")


# -- the addresses ---------------------------------------------------------------------------------


SLUGGED = (Organization, Person, Place, Event, Election, LegalAct, Source)


def slugs(model=None) -> list[str]:
    """Every slug of every record of ``model`` (of every kind: None), draft or published."""
    found = []
    for kind in SLUGGED if model is None else (model,):
        found += kind._base_manager.order_by("pk").values_list("slug", flat=True)
    return found


def filter_values(filterset, name: str, declared) -> list[str]:
    """The values a filter is asked with: each choice, a few days, each footnote or field a
    citation names; for a slug filter, every slug of the kind of record it names (every slug
    of every kind for one that runs a method of its own)."""
    if isinstance(declared, django_filters.ChoiceFilter):
        choices = declared.extra["choices"]
        return [str(value) for value, _ in (choices() if callable(choices) else choices)]
    if isinstance(declared, django_filters.IsoDateTimeFilter):
        return list(DATETIMES)
    if isinstance(declared, django_filters.DateFilter):
        return list(DATES)
    if isinstance(declared, DateQueryFilter):  # a day, a year, a season or a span
        return [*DATES, *YEARS, "1991-21", "1989/1991"]
    if declared.method is None and declared.field_name.endswith("_id"):
        # Another dataset's identifier (partyfacts, wikidata): each one a record holds.
        held = filterset._meta.model._base_manager.values_list(declared.field_name, flat=True)
        return sorted({str(value) for value in held if value not in (None, "")})
    if isinstance(declared, django_filters.NumberFilter):
        footnotes = Citation._base_manager.exclude(footnote=None).values_list("footnote", flat=True)
        return sorted({str(n) for n in footnotes})
    if isinstance(declared, django_filters.CharFilter):
        if declared.method is not None:
            return slugs()
        *path, last = declared.field_name.split("__")
        if last == "slug":
            model = filterset._meta.model
            for step in path:
                model = model._meta.get_field(step).related_model
            return slugs(model)
        if declared.field_name == "field":
            return sorted(set(Citation._base_manager.values_list("field", flat=True)) - {""})
    raise AssertionError(f"the oracle has no values for filter {name} ({type(declared)})")


def filtered(base: str, filterset) -> list[str]:
    urls = []
    for name, declared in filterset.base_filters.items() if filterset else ():
        values = filter_values(filterset, name, declared)
        urls += [f"{base}?{urlencode({name: value})}" for value in values]
    return urls


def named_routes(patterns=None, namespace: str = "", prefix: str = ""):
    """(name, route, has arguments) of every named URL pattern of the site."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_routes(entry.url_patterns, space, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route, bool(entry.pattern.converters) or "(" in route


def api_addresses(world: World) -> list[str]:
    """Every list of the router: plain, as CSV, a second page, each filter with each value,
    ``?search=`` with the words every draft's name shares and each name of a draft of its
    kind; and every record of it, published or not, by its key."""
    urls = ["/api/v1/", *export_addresses(), *reconcile_addresses(world)]
    for prefix, viewset, _ in router.registry:
        base = f"/api/v1/{prefix}/"
        urls += [base, f"{base}?format=csv", f"{base}?page=2&page_size=1"]
        urls += filtered(base, viewset.filterset_class)
        model = viewset.serializer_class.Meta.model
        terms = [*world.names[None], *world.names.get(model, ())]
        urls += [f"{base}?{urlencode({'search': term})}" for term in terms]
        keys = model._base_manager.order_by("pk").values_list(viewset.lookup_field, flat=True)
        urls += [f"{base}{key}/" for key in keys]
        # What a record pages of its own (an organization's relations each way), two a page.
        for extra in viewset.get_extra_actions():
            if extra.detail:
                urls += [f"{base}{key}/{extra.url_path}/" for key in keys]
                urls += [f"{base}{key}/{extra.url_path}/?page=2&page_size=2" for key in keys]
    return urls


def page_addresses(world: World, terms: list[str]) -> list[str]:
    """The HTML pages: every page without arguments (a list with the filters of the API list
    of the same name), every record page, the timeline's and search's parameters, each kind
    of record citing a source on its page."""
    filtersets = {prefix: viewset.filterset_class for prefix, viewset, _ in router.registry}
    urls = ["/no-such-page/"]
    for path in list_pages():
        urls.append(path)
        urls += filtered(path, filtersets.get(path.strip("/")))
    urls += [f"/organizations/?sort={sort}" for sort in SORTS]
    urls += [f"/search/?{urlencode({'q': term})}" for term in terms]
    urls += [f"/timeline/?kind={kind}" for kind, _ in TIMELINE_KINDS]
    urls += [f"/timeline/?from={year}&to={year}" for year in YEARS]
    urls += timeline_cursors(world)
    # The sitemap of each kind, and a page past the last (a 404 in both worlds).
    urls += [f"/sitemap-{section}.xml" for section in SITEMAPS]
    urls += ["/sitemap-organizations.xml?p=2"]
    for model in SLUGGED:
        urls += [row.get_absolute_url() for row in model._base_manager.order_by("pk")]
        # Each record's feed of its published changes (kzpolitics.site.feeds).
        urls += [
            f"{row.get_absolute_url()}changes.atom" for row in model._base_manager.order_by("pk")
        ]
    models = {ContentType.objects.get_for_model(model).pk: model for model in cited_models()}
    for source in Source._base_manager.order_by("pk"):
        citing = Citation._base_manager.filter(Q(source=source) | Q(via=source))
        kinds = sorted(set(citing.values_list("content_type", flat=True)))
        page = source.get_absolute_url()
        urls += [f"{page}?kind={models[kind]._meta.model_name}" for kind in kinds]
    return urls


def list_pages() -> list[str]:
    """The public pages that take no argument (lists, home, timeline, search, the feed, the
    sitemap, robots.txt), from the URL patterns."""
    return [
        "/" + route
        for name, route, has_arguments in named_routes()
        if not has_arguments
        and name not in STATIC_ROUTES
        and not name.startswith(("admin:", "api:"))
    ]


def timeline_cursors(world: World) -> list[str]:
    """``?after=`` and ``?before=`` at each dated draft's place in the timeline (the cursor
    is the visitor's to write; a published record's is a link the pages give)."""
    ranks = {kind: rank for rank, (kind, _) in enumerate(TIMELINE_KINDS)}
    dated_rows = [
        ("event", Event, "date"),
        ("founding", Organization, "founded"),
        ("election", Election, "date"),
        ("act", LegalAct, "adopted"),
        ("registration", RegistrationDecision, "date"),
    ]
    urls = []
    for kind, model, name in dated_rows:
        assert kind in ranks, f"the timeline has no kind {kind}"
        drafts = [row.pk for row in world.doomed if isinstance(row, model)]
        rows = model._base_manager.filter(pk__in=drafts).exclude(**{f"{name}_earliest": None})
        for pk, first, last in rows.values_list("pk", f"{name}_earliest", f"{name}_latest"):
            key = f"{first.isoformat()}.{last.isoformat()}.{kind}.{pk}"
            urls += [f"/timeline/?after={key}", f"/timeline/?before={key}"]
    return urls


def requests(world: World) -> list[tuple[str, str]]:
    """(method, address) of every request of a crawl. Every address is asked with GET and
    HEAD. The other methods ask the lists and pages, every record address of a hidden row (a
    draft's, a citation of one) and the first published one of each kind, and every address
    whose parameters name a draft (a slug, a name): a method that widened what a read returns
    would show a draft there. With LEAK_ORACLE=full they ask every address."""
    terms = [*world.terms, *world.published_names]
    urls = list(dict.fromkeys([*page_addresses(world, terms), *api_addresses(world)]))
    hidden = {*world.terms, *hidden_keys(world)}
    everywhere = os.environ.get("LEAK_ORACLE") == "full"
    fixed, sampled = fixed_paths(), set()
    asked = []
    for url in urls:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if query:
            every_method = any(value in hidden for values in query.values() for value in values)
        elif parts.path in fixed:
            every_method = True
        else:  # a record's address: a hidden record's, or the first published of its kind
            route = family("", url, fixed)
            every_method = parts.path.rstrip("/").rsplit("/")[-1] in hidden or route not in sampled
            sampled.add(route)
        every_method = every_method or everywhere
        asked += [(method, url) for method in (METHODS if every_method else METHODS[:2])]
    asked += [("POST", url) for url in urls if url.startswith(f"{RECONCILE}?queries=")]
    return list(dict.fromkeys(asked))


def hidden_keys(world: World) -> set[str]:
    """The keys (slugs, ids) of the rows the public may not see, and of their citations."""
    keys = set()
    for row in world.doomed:
        keys |= {str(row.pk), getattr(row, "slug", str(row.pk))}
        if hasattr(row, "citations"):
            keys |= {str(pk) for pk in row.citations.values_list("pk", flat=True)}
    return keys


RECONCILE = "/api/v1/reconcile/"


def reconcile_addresses(world: World) -> list[str]:
    """The reconciliation service (kzpolitics.site.reconcile): its manifest; a batch of one
    query for each name (a draft's, a published record's), alone and as each type, and one
    batch of them all; entity suggest for each; the preview and the view of every
    organization and person, published or not. ``requests`` POSTs each batch too."""
    terms = [*world.terms, *world.published_names]
    batches = [{"q0": {"query": term}} for term in terms]
    batches += [
        {"q0": {"query": term, "type": kind}}
        for term in terms
        for kind in ("organization", "person")
    ]
    batches.append({f"q{n}": {"query": term} for n, term in enumerate(terms[:50])})
    urls = [RECONCILE]
    urls += [f"{RECONCILE}?{urlencode({'queries': json.dumps(batch)})}" for batch in batches]
    urls += [f"{RECONCILE}suggest/entity/?{urlencode({'prefix': term})}" for term in terms]
    for model, prefix in ((Organization, "organizations"), (Person, "people")):
        for slug in slugs(model):
            wanted = urlencode({"id": f"{prefix}/{slug}"})
            urls += [f"{RECONCILE}preview/?{wanted}", f"{RECONCILE}view/?{wanted}"]
    return urls


def send(client: Client, method: str, url: str):
    """One request. A POST of reconciliation queries carries them as a form, as OpenRefine
    sends them."""
    parts = urlsplit(url)
    if method == "POST" and parts.path == RECONCILE and parts.query:
        form = "application/x-www-form-urlencoded"
        return client.post(parts.path, parts.query, content_type=form)
    return client.generic(method, url)


def export_addresses() -> list[str]:
    """The downloads: the current export, the list of versions, and the current version's
    zip and SQLite file at their own addresses (a draft must change neither)."""
    current = version_id(DataVersion.current())
    return [
        "/api/v1/export/",
        "/api/v1/export/versions/",
        f"/api/v1/export/{current}/kzpolitics.zip",
        f"/api/v1/export/{current}/kzpolitics.sqlite3",
    ]


def fixed_paths() -> set[str]:
    """The addresses that name no record: the pages without arguments and the API's lists."""
    return {
        *list_pages(),
        "/no-such-page/",
        "/api/v1/",
        *export_addresses(),
        RECONCILE,
        *(f"/api/v1/{prefix}/" for prefix, _, _ in router.registry),
    }


# -- the crawl -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes | tuple  # a zip: its members' (name, date_time, bytes)


def answer(response) -> Answer:
    body = b"".join(response.streaming_content) if response.streaming else bytes(response.content)
    headers = tuple(
        sorted(
            (name.lower(), value)
            for name, value in response.headers.items()
            if name.lower() not in IGNORED_HEADERS and "csrf" not in name.lower()
        )
    )
    if body[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return Answer(
                response.status_code,
                headers,
                tuple((i.filename, i.date_time, archive.read(i)) for i in archive.infolist()),
            )
    return Answer(response.status_code, headers, CSRF_IN_BODY.sub(rb"\1-\2", body))


def fresh_start() -> None:
    """Nothing kept from before: the next answers are computed, not served from a cache."""
    caches["pages"].clear()
    for kept in Path(settings.EXPORT_CACHE_DIR).glob("kzpolitics-*.zip"):
        kept.unlink()


def crawl(asked: list[tuple[str, str]]) -> dict[tuple[str, str], Answer]:
    """Every request, in order, from one anonymous visitor (who keeps the cookies the site
    gives), after emptying every cache."""
    fresh_start()
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    return {(method, url): answer(send(client, method, url)) for method, url in asked}


# -- saying what differs -------------------------------------------------------------------------


def family(method: str, url: str, pages: set[str]) -> str:
    """A request's kind: the method, the address with a record's key as <key>, and the names
    of its parameters."""
    parts = urlsplit(url)
    path = parts.path if parts.path in pages else re.sub(r"/[^/]+/$", "/<key>/", parts.path)
    names = sorted(parse_qs(parts.query))
    return f"{method} {path}" + (f"?{'&'.join(names)}=" if names else "")


def shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def body_difference(before, after) -> list[str]:
    if isinstance(before, tuple) or isinstance(after, tuple):
        if not (isinstance(before, tuple) and isinstance(after, tuple)):
            return ["  body: a zip in one crawl only"]
        names = {name: (stamp, data) for name, stamp, data in after}
        lines, moved = [], []
        for name, stamp, data in before:
            if name not in names:
                lines.append(f"  zip member {name}: with drafts only")
                continue
            if names[name][0] != stamp:
                moved.append(f"{stamp} -> {names[name][0]}")
            if names[name][1] != data:
                lines.append(f"  zip member {name} differs:")
                lines += body_difference(data, names[name][1])[1:6]
        if moved:
            lines.insert(0, f"  zip members' time: {len(moved)} of {len(before)}, {moved[0]}")
        lines += [
            f"  zip member {name}: without drafts only"
            for name in names
            if name not in {entry[0] for entry in before}
        ]
        return lines
    old = before.decode("utf-8", "replace").splitlines()
    new = after.decode("utf-8", "replace").splitlines()
    shown = []
    for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(0):
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                continue
            if i2 - i1 == j2 - j1 == 1:
                shown += around_difference(old[i1], new[j1])
            else:
                shown += [f"    -{shorten(line)}" for line in old[i1:i2][:3]]
                shown += [f"    +{shorten(line)}" for line in new[j1:j2][:3]]
    return ["  body:", *shown[:6], *(["    …"] if len(shown) > 6 else [])]


def around_difference(old: str, new: str, before: int = 60, after: int = 100) -> list[str]:
    """Two versions of a long line (a JSON body is one) cut to where they start to differ."""
    start = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    start = min(len(old), len(new)) if start is None else start
    cut = max(0, start - before)
    mark = "…" if cut else ""
    return [
        f"    -{mark}{shorten(old[cut:], before + after)}",
        f"    +{mark}{shorten(new[cut:], before + after)}",
    ]


def difference(before: Answer, after: Answer) -> list[str]:
    lines = []
    if before.status != after.status:
        lines.append(f"  status: {before.status} with drafts, {after.status} without")
    old, new = dict(before.headers), dict(after.headers)
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            lines.append(f"  {name}: {old.get(name)!r} -> {new.get(name)!r}")
    if before.body != after.body:
        lines += body_difference(before.body, after.body)
    return lines


def report(differing: list, before: dict, after: dict, seconds: float) -> str:
    """The kinds of request whose answers differ, how many of each and in what (status, body,
    headers), and the differences of the first request of each kind."""
    pages = fixed_paths()
    kinds = Counter(family(method, url, pages) for method, url in before)
    first: dict[str, tuple[str, str]] = {}
    parts: dict[str, Counter] = {}
    for method, url in differing:
        kind = family(method, url, pages)
        first.setdefault(kind, (method, url))
        old, new = before[method, url], after[method, url]
        parts.setdefault(kind, Counter()).update(
            part
            for part, differs in (
                ("status", old.status != new.status),
                ("body", old.body != new.body),
                ("headers", old.headers != new.headers),
            )
            if differs
        )
    lines = [
        f"{len(differing)} of {len(before)} answers differ once the drafts and pending "
        f"revisions are gone ({seconds:.0f} s). Kinds of request: differing / asked (in what):",
        *(
            f"  {kind}: {sum(1 for key in differing if family(*key, pages) == kind)} / "
            f"{kinds[kind]} ({', '.join(f'{part} {n}' for part, n in parts[kind].items())})"
            for kind in first
        ),
        f"The first of each kind (at most {DIFFERENCES_SHOWN}), with drafts -> without:",
    ]
    for method, url in list(first.values())[:DIFFERENCES_SHOWN]:
        lines.append(f"{method} {url}")
        lines += difference(before[method, url], after[method, url])
    return "\n".join(lines)


# -- the specification ---------------------------------------------------------------------------


@pytest.fixture
def quiet_4xx():
    """Django logs every 4xx as a warning: thousands here, all expected (a 5xx still is)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_no_answer_shows_that_drafts_exist(editor, quiet_4xx):
    started = time.monotonic()
    remove_every_record()
    world = build_world(editor)
    asked = requests(world)
    version = DataVersion.current()
    built = time.monotonic()

    with_drafts = crawl(asked)
    crawled = time.monotonic()
    delete_hidden(world)
    assert not Revision.objects.pending().exists(), "the pending revisions are gone"
    without_drafts = crawl(asked)

    seconds = time.monotonic() - started
    print(
        f"\nleak oracle on {connection.vendor}: {len(asked)} requests "
        f"({len({url for _, url in asked})} addresses) twice; {seconds:.1f} s in all, "
        f"{built - started:.1f} s to build, {crawled - built:.1f} s a crawl"
    )
    differing = [key for key in asked if with_drafts[key] != without_drafts[key]]
    assert not differing, report(differing, with_drafts, without_drafts, seconds)
    assert DataVersion.current() == version, "deleting the drafts moved the data version"

"""The API's one public read path: every read (list, record, nested rows, filter, search,
CSV, the export) shows what the public may see, whatever the method and whoever asks.

With a draft of each kind, and published rows linked to drafts, a reader must learn nothing
of them: a filter or search given a draft's slug or name answers exactly as for one that no
record has; the answers are the same before and after every row the public may not see is
deleted; an editor's GET reads what the public's does. Drafts are named ``Zqdraft...`` /
``zq-draft-...`` so that a trace of one anywhere in a response shows.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zipfile
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.core.cache import caches
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone

from elections.models import Election, Result, Round
from kzpolitics.core.models import (
    Citation,
    Event,
    Period,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    Status,
)
from kzpolitics.site.export.tables import TABLES as EXPORT_TABLES
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)

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
from .page_kinds import body_of

pytestmark = pytest.mark.django_db

API = "/api/v1/"
DRAFT = Status.DRAFT
TRACE_OF_A_DRAFT = re.compile(r"zq-?draft", re.IGNORECASE)
UNKNOWN = "zq-no-such-record"
UNKNOWN_TEXT = "Zqnosuchname"

# Every kind of record, those others point at (PROTECT) first: the order to delete them in.
RECORDS = (
    Citation,
    Result,
    Round,
    Provision,
    RegistrationDecision,
    Relation,
    Role,
    Stance,
    MembershipFigure,
    OrganizationName,
    PersonName,
    PlaceName,
    Election,
    LegalAct,
    Event,
    Period,
    Organization,
    Person,
    Place,
    Source,
)


@pytest.fixture
def world():
    """A draft of each kind, and published rows that link drafts (or belong to one)."""
    since = timezone.now() - datetime.timedelta(seconds=2)
    place = PlaceFactory(status=DRAFT, slug="zq-draft-place", name="Zqdraftplace")
    PlaceNameFactory(place=place, name="Zqdraftplaceformer")
    bloc = OrganizationFactory(
        status=DRAFT, slug="zq-draft-bloc", name="Zqdraftbloc", kind=Organization.Kind.BLOC
    )
    person = PersonFactory(status=DRAFT, slug="zq-draft-person", name="Zqdraftperson")
    act = LegalActFactory(status=DRAFT, slug="zq-draft-act", title="Zqdraftact")
    election = ElectionFactory(status=DRAFT, slug="zq-draft-election", name="Zqdraftelection")
    event = EventFactory(status=DRAFT, slug="zq-draft-event", title="Zqdraftevent")
    source = SourceFactory(status=DRAFT, slug="zq-draft-source", title="Zqdraftsource")

    # A published party: founded at a draft place, with a draft name, stance and figure, a
    # member of the draft bloc, led by the draft person, in a draft election, cited from a
    # draft source, via one, and by a draft citation.
    party = OrganizationFactory(slug="zq-party", name="Zqparty", founding_place=place)
    OrganizationNameFactory(organization=party, name="Zqdraftvariant", status=DRAFT)
    StanceFactory(organization=party, stance=Stance.Kind.MODERATE_OPPOSITION, status=DRAFT)
    MembershipFigureFactory(organization=party, wording="Zqdraft figure", status=DRAFT)
    RelationFactory(subject=party, object=bloc, kind=Relation.Kind.MEMBER_OF)
    RoleFactory(person=person, organization=party, kind=Role.Kind.LEADER, title="Zqdraft leader")
    ResultFactory(election=election, organization=party, wording="Zqdraft result")
    ResultFactory(election=ElectionFactory(slug="zq-poll"), organization=party, wording="Zq won")
    CitationFactory(content_object=party, source=source, quote="Zqdraft by its source")
    CitationFactory(content_object=party, via=source, quote="Zqdraft by its via")
    CitationFactory(content_object=party, status=DRAFT, quote="Zqdraft citation")
    CitationFactory(content_object=bloc, quote="Zqdraft of a draft record")

    # A published person with a draft variant, holding a role in the draft bloc.
    leader = PersonFactory(slug="zq-person", name="Zqperson")
    PersonNameFactory(person=leader, name="Zqdraftpersonvariant", status=DRAFT)
    RoleFactory(person=leader, organization=bloc, kind=Role.Kind.CHAIR, title="Zqdraft chair")

    # A published event at the draft place, concerning drafts of every kind.
    happening = EventFactory(slug="zq-event", title="Zqevent", place=place)
    happening.people.add(person)
    bloc.events.add(happening)
    election.events.add(happening)
    act.events.add(happening)
    # The draft event concerns published records.
    event.people.add(leader)
    party.events.add(event)

    # A published election with a draft round, a result of the draft bloc, one in the draft
    # round and one of the draft person.
    poll = ElectionFactory(slug="zq-election", name="Zqelection")
    draft_round = RoundFactory(election=poll, status=DRAFT)
    ResultFactory(election=poll, organization=bloc, wording="Zqdraft bloc's")
    ResultFactory(election=poll, organization=party, round=draft_round, wording="Zqdraft round")
    ResultFactory(election=poll, organization=None, person=person, wording="Zqdraft person's")

    # A published act adopted by the draft bloc, with a draft provision; a published decision
    # on the party under the draft act, taken by the draft bloc; one on the draft bloc.
    law = LegalActFactory(slug="zq-act", title="Zqact", body=bloc)
    ProvisionFactory(act=law, text="Zqdraft provision", status=DRAFT)
    decision = RegistrationDecisionFactory(organization=party, act=act, body=bloc)
    RegistrationDecisionFactory(organization=bloc, note="Zqdraft decision")

    hidden = {
        model: list(model.objects.exclude(pk__in=model.objects.published().values("pk")))
        for model in RECORDS
    }
    return SimpleNamespace(
        since=since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        party=party,
        party_source=Citation.objects.published().of_records([party]).get().source.slug,
        leader=leader,
        happening=happening,
        poll=poll,
        law=law,
        decision=decision,
        hidden=hidden,
    )


LINK_TABLES = (
    Organization.events.through,
    Event.people.through,
    Election.events.through,
    LegalAct.events.through,
)


def delete_what_the_public_may_not_see() -> None:
    """Delete every row that is not public (those that others protect, once those are gone).

    The links of drafts go first, from their tables: deleting a record linked to others gives
    each of them a new version in its history (kzpolitics.core.editorial), which is not what this
    compares (a world in which the drafts never were)."""
    for through in LINK_TABLES:
        keys = [f for f in through._meta.concrete_fields if f.is_relation]
        public = through.objects.filter(
            **{f"{key.name}__in": key.related_model.objects.published() for key in keys}
        )
        through.objects.exclude(pk__in=public.values("pk")).delete()
    for _ in range(len(RECORDS)):
        protected = False
        for model in RECORDS:
            hidden = model.objects.exclude(pk__in=model.objects.published().values("pk"))
            try:
                hidden.delete()
            except ProtectedError:
                protected = True
        if not protected:
            return
    raise AssertionError("Rows the public may not see could not all be deleted.")


def draft_key_urls(world) -> list[tuple[str, str]]:
    """Pairs of addresses: one naming a draft (by slug, id or name), one naming nothing."""
    pairs = []
    filters = {
        "organizations": {"member_of": "zq-draft-bloc", "leader": "zq-draft-person"},
        "people": {"organization": "zq-draft-bloc"},
        "events": {"participant": "zq-draft-bloc"},
        "elections": {"party": "zq-draft-bloc"},
        "results": {
            "election": "zq-draft-election",
            "organization": "zq-draft-bloc",
            "person": "zq-draft-person",
        },
        "registrations": {"act": "zq-draft-act", "organization": "zq-draft-bloc"},
        "citations": {"source": "zq-draft-source", "via": "zq-draft-source"},
    }
    for endpoint, given in filters.items():
        for name, slug in given.items():
            pairs.append((listed(endpoint, **{name: slug}), listed(endpoint, **{name: UNKNOWN})))
    pairs.append(
        (listed("events", participant="zq-draft-person"), listed("events", participant=UNKNOWN))
    )
    searches = {
        "organizations": ("Zqdraftbloc", "Zqdraftvariant"),
        "people": ("Zqdraftperson", "Zqdraftpersonvariant"),
        "events": ("Zqdraftevent", "Zqdraftplace", "Zqdraftplaceformer"),
        "places": ("Zqdraftplace", "Zqdraftplaceformer"),
        "elections": ("Zqdraftelection",),
        "results": ("Zqdraftbloc", "Zqdraftvariant", "Zqdraftperson"),
        "acts": ("Zqdraftact", "Zqdraft provision"),
        "registrations": ("Zqdraftvariant", "Zqdraft decision"),
        "sources": ("Zqdraftsource",),
        "citations": ("Zqdraft", "Zqdraftsource"),
    }
    for endpoint, terms in searches.items():
        for term in terms:
            pairs.append((listed(endpoint, search=term), listed(endpoint, search=UNKNOWN_TEXT)))
    details = {
        "organizations": "zq-draft-bloc",
        "people": "zq-draft-person",
        "events": "zq-draft-event",
        "places": "zq-draft-place",
        "elections": "zq-draft-election",
        "acts": "zq-draft-act",
        "sources": "zq-draft-source",
    }
    for endpoint, slug in details.items():
        pairs.append((f"{endpoint}/{slug}/", f"{endpoint}/{UNKNOWN}/"))
    by_id = {"results": Result, "registrations": RegistrationDecision, "citations": Citation}
    for endpoint, model in by_id.items():
        for row in world.hidden[model]:
            pairs.append((f"{endpoint}/{row.pk}/", f"{endpoint}/999999999/"))
    return pairs


def listed(endpoint: str, **params) -> str:
    return f"{endpoint}/?{urlencode(params)}"


def public_urls(world) -> list[str]:
    """What a reader may ask for around the drafts: the lists of the rows the test made (in
    JSON and CSV), the published records linked to drafts, and the draft-naming addresses."""
    endpoints = (
        "organizations",
        "people",
        "elections",
        "results",
        "acts",
        "registrations",
        "events",
        "places",
        "sources",
        "citations",
    )
    urls = []
    for endpoint in endpoints:
        urls.append(listed(endpoint, updated_since=world.since, page_size=500))
        urls.append(listed(endpoint, updated_since=world.since, page_size=500, format="csv"))
    urls += [
        "organizations/zq-party/",
        "organizations/zq-party/?format=csv",
        "people/zq-person/",
        "events/zq-event/",
        "elections/zq-election/",
        "acts/zq-act/",
        f"registrations/{world.decision.pk}/",
        listed("organizations", stance="moderate_opposition", page_size=500),
        listed("organizations", leader="zq-person"),
        listed("people", organization="zq-party"),
        listed("elections", party="zq-party"),
        listed("results", organization="zq-party"),
        listed("registrations", organization="zq-party"),
        listed("citations", source=world.party_source),
    ]
    urls += [url for pair in draft_key_urls(world) for url in pair]
    return urls


def read(client, url: str, method: str = "get"):
    response = getattr(client, method)(API + url)
    body = body_of(response)
    if response["Content-Type"] == "application/problem+json" and body:
        body = without_echo(url, body)
    return response.status_code, body


def without_echo(url: str, body: bytes) -> bytes:
    """A problem's body without what the request itself said: its ``instance`` (the address)
    and, in its sentences, the values it was given (“No published organization has the slug
    “zq-draft-bloc””) and the key in its path. Nothing else is taken out: a trace of a draft
    that the request did not name stays, and two requests that differ only in the key they
    name must then get the same bytes."""
    split = urlsplit(API + url)
    said = [value for _, value in parse_qsl(split.query)] + split.path.rstrip("/").split("/")[-1:]
    problem = json.loads(body)
    problem.pop("instance")

    def unsaid(text: str) -> str:
        for value in sorted(said, key=len, reverse=True):
            text = text.replace(f"“{value}”", "“…”")
        return text

    problem["detail"] = unsaid(problem["detail"])
    for item in problem.get("invalid-params", []):
        item["reason"] = unsaid(item["reason"])
    return json.dumps(problem, ensure_ascii=False).encode()


def test_what_names_a_draft_answers_as_what_names_nothing(client, world):
    for drafted, unknown in draft_key_urls(world):
        assert read(client, drafted) == read(client, unknown), drafted
        assert read(client, drafted, "head") == read(client, unknown, "head"), drafted


def test_no_read_shows_a_trace_of_a_draft(client, world):
    for url in public_urls(world):
        status, body = read(client, url)
        # 400: a slug filter given a draft's slug, refused as one nobody has (the pairs above).
        refused_slug = status == 400 and "has the slug “…”" in body.decode()
        assert status in (200, 404) or refused_slug, (url, status, body[:300])
        found = TRACE_OF_A_DRAFT.search(body.decode())
        assert found is None, (url, body.decode()[max(found.start() - 200, 0) : found.end() + 50])


def test_published_records_show_only_the_public_rows_they_link(client, world):
    def get(url):
        response = client.get(API + url)
        assert response.status_code == 200, url
        return response.json()

    party = get("organizations/zq-party/")
    assert party["founding_place"] is None
    assert [n["name"] for n in party["names"]] == []
    assert party["stances"] == party["membership_figures"] == party["roles"] == []
    assert party["relations"] == []
    assert {c["source"]["slug"] for c in party["citations"]} == {
        c.source.slug for c in Citation.objects.published().of_records([world.party])
    }
    assert len(party["citations"]) == 1  # the factory's own; the draft-linked three hidden
    person = get("people/zq-person/")
    assert person["names"] == person["roles"] == []
    event = get("events/zq-event/")
    assert event["place"] is None
    assert event["organizations"] == event["people"] == event["elections"] == event["acts"] == []
    poll = get("elections/zq-election/")
    assert poll["rounds"] == poll["results"] == []
    assert [r["wording"] for r in get("elections/zq-poll/")["results"]] == ["Zq won"]
    assert get(listed("elections", party="zq-party"))["count"] == 1
    assert [r["wording"] for r in get(listed("results", organization="zq-party"))["results"]] == [
        "Zq won"
    ]
    law = get("acts/zq-act/")
    assert law["body"] is None
    assert law["provisions"] == []
    decision = get(f"registrations/{world.decision.pk}/")
    assert decision["act"] is None
    assert decision["body"] is None
    assert get("organizations/?leader=zq-person")["count"] == 0
    stance = get("organizations/?stance=moderate_opposition&page_size=500")
    assert "zq-party" not in {o["slug"] for o in stance["results"]}


@pytest.mark.slow  # a differential crawl of every list, filter and detail, twice
def test_the_answers_are_the_same_once_every_draft_is_gone(client, world):
    methods = ("get", "head", "options")
    before = {(url, m): read(client, url, m) for url in public_urls(world) for m in methods}
    delete_what_the_public_may_not_see()
    caches["pages"].clear()  # the data version did not move: drafts are not public
    for (url, method), answer in before.items():
        assert read(client, url, method) == answer, (method, url)


def test_an_editor_reads_what_the_public_reads(editor_client, world):
    anonymous = Client()
    for url in public_urls(world):
        assert read(editor_client, url) == read(anonymous, url), url


WRITES = ("post", "put", "patch", "delete")


def test_no_one_writes_without_signing_in_and_no_write_reveals_a_draft(client, world):
    for drafted, unknown in (
        ("organizations/zq-draft-bloc/", f"organizations/{UNKNOWN}/"),
        ("people/zq-draft-person/", f"people/{UNKNOWN}/"),
        ("sources/zq-draft-source/", f"sources/{UNKNOWN}/"),
        (f"citations/{world.hidden[Citation][0].pk}/", "citations/999999999/"),
    ):
        for method in WRITES:
            answer = read(client, drafted, method)
            # POST is no record address's method: a 405 before any credentials are asked.
            assert answer[0] in ((405,) if method == "post" else (401, 403)), (method, drafted)
            assert answer == read(client, unknown, method), (method, drafted)
    for method in ("post",):
        assert read(client, "organizations/", method)[0] in (401, 403)


@pytest.mark.parametrize("who", ["client", "editor_client"])
def test_trace_and_unknown_methods_are_405(request, who, world):
    reader = request.getfixturevalue(who)  # the anonymous client, or one signed in
    for url in ("organizations/", "organizations/zq-party/", "organizations/zq-draft-bloc/"):
        assert reader.generic("TRACE", API + url).status_code == 405, url
        assert reader.generic("PROPFIND", API + url).status_code == 405, url


def test_an_editor_writes_a_draft_it_cannot_read_through_the_api(editor_client, world):
    """Writes look the record up among every row; reads never show it."""
    response = editor_client.patch(
        API + "organizations/zq-draft-bloc/",
        data=json.dumps({"public_note": "Zqdraft checked"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content[:300]
    assert Organization.objects.get(slug="zq-draft-bloc").public_note == "Zqdraft checked"
    assert editor_client.get(API + "organizations/zq-draft-bloc/").status_code == 404


# -- The export ------------------------------------------------------------------------------


def export_archive(client) -> zipfile.ZipFile:
    response = client.get(API + "export/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def csv_rows(archive, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode(), newline="")))


def test_the_export_holds_no_trace_of_a_draft(client, world):
    archive = export_archive(client)
    for name in archive.namelist():
        text = archive.read(name).decode()
        found = TRACE_OF_A_DRAFT.search(text)
        assert found is None, (name, text[max(found.start() - 200, 0) : found.end() + 50])


def test_the_export_names_only_public_records_by_id_and_slug(client, world):
    archive = export_archive(client)
    public_ids = {m: set(m.objects.published().values_list("pk", flat=True)) for m in RECORDS}
    public_slugs = {
        m: set(m.objects.published().values_list("slug", flat=True))
        for m in RECORDS
        if any(f.name == "slug" for f in m._meta.concrete_fields)
    }
    by_label = {m._meta.label_lower: m for m in RECORDS}
    for row in csv_rows(archive, "citations.csv"):
        assert int(row["object_id"]) in public_ids[by_label[row["content_type"]]], row
    for table in EXPORT_TABLES:
        model = table.model
        for row in csv_rows(archive, table.path):
            assert int(row["id"]) in public_ids[model], (table.path, row["id"])
            for field in model._meta.concrete_fields:
                target = field.related_model
                if target not in public_ids:
                    continue
                if f"{field.name}_slug" in row:
                    value = row[f"{field.name}_slug"]
                    assert value == "" or value in public_slugs[target], (table.path, field.name)
                else:
                    value = row[field.attname]
                    assert value == "" or int(value) in public_ids[target], (table.path, field)
    for entry in json.loads(archive.read("kzpolitics.json")):
        model = next(t.model for t in EXPORT_TABLES if t.label == entry["model"])
        assert entry["pk"] in public_ids[model], entry["model"]
        for field in model._meta.concrete_fields:
            if field.related_model in public_ids and entry["fields"][field.name] is not None:
                assert entry["fields"][field.name] in public_ids[field.related_model], entry
        for field in model._meta.local_many_to_many:
            assert set(entry["fields"][field.name]) <= public_ids[field.related_model], entry


def test_the_export_writes_a_link_to_a_draft_empty(client, world):
    archive = export_archive(client)

    def row(name, **match):
        (found,) = [r for r in csv_rows(archive, name) if all(r[k] == v for k, v in match.items())]
        return found

    assert row("organizations.csv", slug="zq-party")["founding_place_slug"] == ""
    assert row("legal-acts.csv", slug="zq-act")["body_slug"] == ""
    decision = row("registration-decisions.csv", id=str(world.decision.pk))
    assert (decision["act_slug"], decision["body_slug"]) == ("", "")
    assert row("events.csv", slug="zq-event")["place_slug"] == ""
    links = [
        r
        for name in (
            "event-organizations.csv",
            "event-people.csv",
            "event-elections.csv",
            "event-acts.csv",
        )
        for r in csv_rows(archive, name)
        if r["event_slug"] in ("zq-event", "zq-draft-event")
    ]
    assert links == []
    party_citations = [
        r
        for r in csv_rows(archive, "citations.csv")
        if (r["content_type"], r["object_id"]) == ("parties.organization", str(world.party.pk))
    ]
    assert len(party_citations) == 1  # its own; not those of or via the draft source, or drafts
    assert row("organizations.csv", slug="zq-party")["citations"] == "1"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
def test_the_export_answers_get_and_head_only(client, method):
    response = client.generic(method.upper(), API + "export/")
    assert response.status_code == 405


def test_every_draft_of_the_world_is_hidden(world):
    """The fixture's drafts are there, and none is public: the tests above test something."""
    for model in (Organization, Person, Place, Event, Election, LegalAct, Source, Citation):
        assert world.hidden[model], model
    assert Place.objects.filter(slug="zq-draft-place").exists()
    assert PersonName.objects.filter(name="Zqdraftpersonvariant").exists()
    assert not Event.objects.published().filter(slug="zq-draft-event").exists()

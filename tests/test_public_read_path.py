"""One explicit public read path: the public pages, the sitemap, search and the home page's
counts read what the public may see by name (``published()``), and an editor's preview
(``?preview=1``) is the only way to see more. A draft is on no public page; a published
record linked to a draft shows without it; every method but GET and HEAD is a 405 that shows
nothing."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from elections.models import Election, Result
from kzpolitics.core.models import (
    Citation,
    Event,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    Status,
)
from kzpolitics.site.article_loader import ARTICLE_SLUG
from legislation.models import LegalAct
from parties.models import Organization, OrganizationName, Relation, Role, Stance

from .factories import (
    ElectionFactory,
    EventFactory,
    LegalActFactory,
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
from .page_kinds import (
    NOT_FOUND,
    PAGES,
    SITEMAP,
    SITEMAP_SECTION,
    home_figures,
    sitemap_addresses,
)

pytestmark = pytest.mark.django_db

SECRET = "Aaqwxv"  # in every draft's name: none of the article's records holds it; sorts first


def article():
    return Source.objects.get(slug=ARTICLE_SLUG)


def body(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


# -- a draft record: no page, and in no list, search, count or sitemap -------------------------

# kind: (make a draft named ``name``, the list that would show it, its figure on the home page)
DRAFTS = {
    "organization": (
        lambda name: OrganizationFactory(name=name, slug="qwxv-org", cite__source=article()),
        "/organizations/",
        "organizations",
    ),
    "person": (
        lambda name: PersonFactory(name=name, slug="qwxv-person", cite__source=article()),
        "/people/",
        "people",
    ),
    "election": (
        lambda name: ElectionFactory(
            name=name,
            slug="qwxv-election",
            date={"text": "1999", "edtf": "1999"},
            cite__source=article(),
        ),
        "/elections/",
        "elections",
    ),
    "act": (
        lambda name: LegalActFactory(
            title=name,
            slug="qwxv-act",
            adopted={"text": "1997", "edtf": "1997"},
            cite__source=article(),
        ),
        "/acts/",
        "legal acts",
    ),
    "source": (
        lambda name: SourceFactory(title=name, slug="qwxv-source", footnotes="30"),
        "/sources/",
        "sources",
    ),
    "event": (
        lambda name: EventFactory(
            title=name,
            slug="qwxv-event",
            date={"text": "1993", "edtf": "1993"},
            cite__source=article(),
        ),
        "/timeline/",
        "events",
    ),
    "place": (
        lambda name: PlaceFactory(name=name, slug="qwxv-place", cite__source=article()),
        None,
        None,
    ),
}


@pytest.mark.parametrize("kind", DRAFTS)
@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW])
def test_a_draft_has_no_page_and_is_in_no_list_search_count_or_sitemap(
    client, kind, status, django_capture_on_commit_callbacks
):
    make, list_url, figure = DRAFTS[kind]
    before = home_figures(client)
    with django_capture_on_commit_callbacks(execute=True):  # committed: its purges made
        record = make(f"{SECRET} {kind}")
        record.status = status
        record.save()
    assert client.get(record.get_absolute_url()).status_code == 404
    if list_url:
        assert SECRET not in body(client, list_url)
    # (The search page repeats what was asked for: the record's full name is what it shows.)
    assert "Nothing matches" in body(client, "/search/", q=SECRET)
    assert record.get_absolute_url() not in sitemap_addresses(lambda path: body(client, path))
    assert home_figures(client) == before
    if figure:
        assert before[figure] == type(record).objects.published().count()

    # Published, it shows wherever the draft did not: the checks above can fail.
    with django_capture_on_commit_callbacks(execute=True):
        record.status = Status.PUBLISHED
        record.save()
    assert client.get(record.get_absolute_url()).status_code == 200
    if list_url:
        assert SECRET in body(client, list_url)
    assert f"{SECRET} {kind}" in body(client, "/search/", q=SECRET)
    assert record.get_absolute_url() in sitemap_addresses(lambda path: body(client, path))
    if figure:
        assert home_figures(client)[figure] == before[figure] + 1


def test_search_does_not_find_a_record_by_a_draft_name(client, committed):
    draft = {"status": Status.DRAFT}
    OrganizationNameFactory(
        organization=Organization.objects.get(slug="otan"), name=f"{SECRET} Fatherland", **draft
    )
    PersonNameFactory(
        person=Person.objects.get(slug="nursultan-nazarbaev"), name=f"{SECRET} Nursultan", **draft
    )
    PlaceNameFactory(place=Place.objects.get(slug="alma-ata"), name=f"{SECRET} Verny", **draft)
    assert "Nothing matches" in body(client, "/search/", q=SECRET)
    with committed():
        for model in (OrganizationName, PersonName, PlaceName):
            for name in model.objects.filter(name__startswith=SECRET):
                name.status = Status.PUBLISHED
                name.save()
    found = body(client, "/search/", q=SECRET)
    for record in ("/organizations/otan/", "/people/nursultan-nazarbaev/", "Verny"):
        assert record in found


def test_search_does_not_find_what_was_founded_or_happened_at_a_draft_place(client, committed):
    with committed():
        place = PlaceFactory(name=f"{SECRET} Town", status=Status.DRAFT)
        OrganizationFactory(name="Townsfolk Party", founding_place=place)
        EventFactory(title="A gathering of townsfolk", place=place)
    found = body(client, "/search/", q=SECRET)
    assert "Nothing matches" in found
    with committed():
        place.status = Status.PUBLISHED
        place.save()
    found = body(client, "/search/", q=SECRET)
    assert "Townsfolk Party" in found and "A gathering of townsfolk" in found


# -- a published record linked to a draft shows without it ------------------------------------


def test_an_organization_founded_in_a_draft_place_shows_no_place(client, committed):
    with committed():
        place = PlaceFactory(name=f"{SECRET} Town", slug="qwxv-town", status=Status.DRAFT)
        org = OrganizationFactory(name="Aaplainfolk Party", founding_place=place)
    for url in (org.get_absolute_url(), "/organizations/", "/search/?q=Aaplainfolk"):
        page = body(client, url)
        assert "Aaplainfolk Party" in page, url
        assert SECRET not in page and place.slug not in page, url
    with committed():
        place.status = Status.PUBLISHED
        place.save()
    assert SECRET in body(client, org.get_absolute_url())


def test_an_organization_page_names_no_draft_row_nor_draft_record(client):
    otan = Organization.objects.get(slug="otan")
    draft_person = PersonFactory(name=f"{SECRET} Leader", status=Status.DRAFT)
    RoleFactory(organization=otan, person=draft_person, kind=Role.Kind.LEADER, title="chairman")
    RoleFactory(
        organization=otan,
        person=PersonFactory(name=f"{SECRET} Deputy"),
        kind=Role.Kind.DEPUTY,
        title="deputy",
        status=Status.DRAFT,
    )
    draft_org = OrganizationFactory(name=f"{SECRET} Splinter", status=Status.DRAFT)
    RelationFactory(subject=draft_org, object=otan, kind=Relation.Kind.SPLIT_FROM)
    RelationFactory(
        subject=otan,
        object=OrganizationFactory(name=f"{SECRET} Bloc", kind=Organization.Kind.BLOC),
        kind=Relation.Kind.MEMBER_OF,
        status=Status.DRAFT,
    )
    OrganizationNameFactory(organization=otan, name=f"{SECRET} Name", status=Status.DRAFT)
    StanceFactory(organization=otan, wording=f"{SECRET} stance", status=Status.DRAFT)
    ResultFactory(
        organization=otan, election=ElectionFactory(name=f"{SECRET} Election", status=Status.DRAFT)
    )
    RegistrationDecisionFactory(
        organization=otan,
        act=LegalActFactory(title=f"{SECRET} Act", status=Status.DRAFT),
        body=OrganizationFactory(name=f"{SECRET} Ministry", status=Status.DRAFT),
    )
    otan.events.add(EventFactory(title=f"{SECRET} Congress", status=Status.DRAFT))
    page = body(client, "/organizations/otan/")
    assert "Otan" in page
    assert SECRET not in page


def test_draft_citations_and_citations_of_draft_sources_are_not_shown_nor_counted(client):
    otan = Organization.objects.get(slug="otan")
    before = home_figures(client)
    draft_source = SourceFactory(title=f"{SECRET} Memoir", status=Status.DRAFT)
    of_otan = {"content_type": ContentType.objects.get_for_model(otan), "object_id": otan.pk}
    Citation.objects.create(**of_otan, source=draft_source, pages="3", status=Status.PUBLISHED)
    Citation.objects.create(**of_otan, source=draft_source, pages="4", status=Status.DRAFT)
    Citation.objects.create(
        **of_otan,
        source=SourceFactory(title=f"{SECRET} Draft note"),
        pages="5",
        status=Status.DRAFT,
    )
    Citation.objects.create(
        **of_otan,
        source=SourceFactory(title="Published Memoir"),
        via=draft_source,
        pages="6",
        status=Status.PUBLISHED,
    )
    assert SECRET not in body(client, "/organizations/otan/")
    assert "Published Memoir" not in body(client, "/organizations/otan/")
    figures = home_figures(client)
    assert figures["citations"] == before["citations"]
    assert figures["citations"] == Citation.objects.published().count()


def test_a_source_page_lists_only_public_records_that_cite_it(client):
    source = SourceFactory(title="Chronicle of Parties", slug="chronicle")
    OrganizationFactory(name="Listed Party", cite__source=source)
    OrganizationFactory(name=f"{SECRET} Party", cite__source=source, status=Status.DRAFT)
    hidden = OrganizationFactory(name="Quiet Party")
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(hidden),
        object_id=hidden.pk,
        source=source,
        pages="2",
        status=Status.DRAFT,
    )
    page = body(client, "/sources/chronicle/")
    assert "Listed Party" in page
    assert SECRET not in page and "Quiet Party" not in page


def test_a_person_page_shows_no_draft_row_nor_draft_record(client):
    person = PersonFactory(name="Public Person", slug="public-person")
    RoleFactory(
        person=person, organization=OrganizationFactory(name=f"{SECRET} Club", status=Status.DRAFT)
    )
    RoleFactory(person=person, title=f"{SECRET} title", status=Status.DRAFT)
    PersonNameFactory(person=person, name=f"{SECRET} Alias", status=Status.DRAFT)
    ResultFactory(
        person=person,
        organization=None,
        election=ElectionFactory(name=f"{SECRET} Poll", status=Status.DRAFT),
    )
    EventFactory(title=f"{SECRET} Rally", status=Status.DRAFT).people.add(person)
    page = body(client, "/people/public-person/")
    assert "Public Person" in page
    assert SECRET not in page
    listed = body(client, "/people/")
    assert "Public Person" in listed and SECRET not in listed


def test_an_event_page_shows_no_draft_place_or_participant(client):
    event = EventFactory(
        title="Public Gathering",
        slug="public-gathering",
        place=PlaceFactory(name=f"{SECRET} Square", status=Status.DRAFT),
    )
    event.people.add(PersonFactory(name=f"{SECRET} Speaker", status=Status.DRAFT))
    event.organizations.add(OrganizationFactory(name=f"{SECRET} Movement", status=Status.DRAFT))
    event.elections.add(ElectionFactory(name=f"{SECRET} Vote", status=Status.DRAFT))
    event.acts.add(LegalActFactory(title=f"{SECRET} Decree", status=Status.DRAFT))
    page = body(client, "/events/public-gathering/")
    assert "Public Gathering" in page
    assert SECRET not in page
    assert SECRET not in body(client, "/search/", q="Public Gathering")


def test_a_place_page_shows_no_draft_parent_name_event_or_organization(client):
    place = PlaceFactory(
        name="Public Town",
        slug="public-town",
        parent=PlaceFactory(name=f"{SECRET} Region", status=Status.DRAFT),
    )
    PlaceFactory(name=f"{SECRET} Suburb", parent=place, status=Status.DRAFT)
    PlaceNameFactory(place=place, name=f"{SECRET} Oldname", status=Status.DRAFT)
    EventFactory(title=f"{SECRET} Fair", place=place, status=Status.DRAFT)
    OrganizationFactory(name=f"{SECRET} Guild", founding_place=place, status=Status.DRAFT)
    page = body(client, "/places/public-town/")
    assert "Public Town" in page
    assert SECRET not in page


def test_an_election_page_shows_no_result_of_a_draft_party_or_round(client):
    election = ElectionFactory(name="Public Election", slug="public-election")
    ResultFactory(
        election=election,
        organization=OrganizationFactory(name="Shown Party"),
        seats=3,
        seats_of=10,
    )
    ResultFactory(
        election=election,
        organization=OrganizationFactory(name=f"{SECRET} Party", status=Status.DRAFT),
        seats=5,
        seats_of=10,
    )
    ResultFactory(
        election=election,
        organization=OrganizationFactory(name="Draft Round Party"),
        round=RoundFactory(election=election, number=2, status=Status.DRAFT),
    )
    ResultFactory(
        election=election,
        organization=OrganizationFactory(name="Draft Result Party"),
        status=Status.DRAFT,
    )
    RoundFactory(
        election=election, number=7, date={"text": "1994", "edtf": "1994"}, status=Status.DRAFT
    )
    election.events.add(EventFactory(title=f"{SECRET} Campaign", status=Status.DRAFT))
    page = body(client, "/elections/public-election/")
    assert "Shown Party" in page
    assert SECRET not in page
    assert "Draft Round Party" not in page and "Draft Result Party" not in page
    assert "Round 7" not in page


def test_an_act_page_shows_no_draft_body_provision_or_decision(client):
    act = LegalActFactory(
        title="Public Law",
        slug="public-law",
        body=OrganizationFactory(name=f"{SECRET} Parliament", status=Status.DRAFT),
    )
    ProvisionFactory(act=act, text=f"{SECRET} article", status=Status.DRAFT)
    RegistrationDecisionFactory(
        act=act, organization=OrganizationFactory(name=f"{SECRET} Applicant", status=Status.DRAFT)
    )
    RegistrationDecisionFactory(
        act=act,
        organization=OrganizationFactory(name="Registered Party"),
        body=OrganizationFactory(name=f"{SECRET} Ministry", status=Status.DRAFT),
    )
    act.events.add(EventFactory(title=f"{SECRET} Signing", status=Status.DRAFT))
    page = body(client, "/acts/public-law/")
    assert "Public Law" in page and "Registered Party" in page
    assert SECRET not in page
    listed = body(client, "/acts/")
    assert "Public Law" in listed and SECRET not in listed


def test_the_timeline_shows_no_draft_and_no_row_of_a_draft(client, committed):
    draft_org = OrganizationFactory(
        name=f"{SECRET} Party", founded={"text": "1992", "edtf": "1992"}, status=Status.DRAFT
    )
    OrganizationNameFactory(
        organization=draft_org, name="Renamed Draft", start={"text": "1993", "edtf": "1993"}
    )
    RegistrationDecisionFactory(organization=draft_org, date={"text": "1994", "edtf": "1994"})
    EventFactory(
        title=f"{SECRET} Event", date={"text": "1992", "edtf": "1992"}, status=Status.DRAFT
    )
    urls = [f"/timeline/?from=1992&to=1994&kind={kind}" for kind in ("founding", "renaming")]
    urls += ["/timeline/?from=1992&to=1994", "/timeline/?from=1994&to=1994&kind=registration"]
    for url in urls:
        page = body(client, url)
        assert SECRET not in page and "Renamed Draft" not in page, url
    with committed():
        draft_org.status = Status.PUBLISHED
        draft_org.save()
    assert SECRET in body(client, urls[0])
    assert "Renamed Draft" in body(client, urls[1])
    assert SECRET in body(client, urls[-1])  # the decision, by its organization's name


# -- the HTML lists' filters reach related rows through public ones only ----------------------


def test_organization_filters_do_not_reach_through_drafts(client, committed):
    bloc = OrganizationFactory(
        name="Draft Bloc", slug="qwxv-bloc", kind=Organization.Kind.BLOC, status=Status.DRAFT
    )
    member = OrganizationFactory(name="Bloc Member Party")
    RelationFactory(subject=member, object=bloc, kind=Relation.Kind.MEMBER_OF)
    leader = PersonFactory(slug="qwxv-leader", status=Status.DRAFT)
    RoleFactory(person=leader, organization=member, kind=Role.Kind.LEADER)
    StanceFactory(
        organization=member, stance=Stance.Kind.CONSTRUCTIVE_OPPOSITION, status=Status.DRAFT
    )
    for query in ("member_of=qwxv-bloc", "leader=qwxv-leader"):
        assert "Bloc Member Party" not in body(client, f"/organizations/?{query}"), query
    listed = body(client, "/organizations/?stance=constructive_opposition")
    assert "Bloc Member Party" not in listed
    # Published, each link shows.
    with committed():
        for record in (bloc, leader, *Stance.objects.filter(organization=member)):
            record.status = Status.PUBLISHED
            record.save()
    for query in ("member_of=qwxv-bloc", "leader=qwxv-leader", "stance=constructive_opposition"):
        assert "Bloc Member Party" in body(client, f"/organizations/?{query}"), query


def test_the_people_list_names_no_draft_organization_as_a_role(client):
    PersonFactory(name="Joiner", slug="joiner")
    RoleFactory(
        person=Person.objects.get(slug="joiner"),
        organization=OrganizationFactory(name=f"{SECRET} Circle", status=Status.DRAFT),
        title="founder",
    )
    assert SECRET not in body(client, "/people/")


# -- methods ----------------------------------------------------------------------------------

READ_ONLY = {
    **PAGES,
    "sitemap": SITEMAP,
    "sitemap-section": SITEMAP_SECTION,
    "feed": "/changes.atom",
    "robots": "/robots.txt",
}
REFUSED = ("post", "put", "patch", "delete", "options", "trace")


@pytest.mark.parametrize("method", REFUSED)
@pytest.mark.parametrize("kind", READ_ONLY)
def test_public_pages_answer_get_and_head_only(kind, method):
    client = Client(enforce_csrf_checks=True)  # as a browser meets it: CSRF is checked
    response = getattr(client, method)(READ_ONLY[kind])
    assert response.status_code == 405, (kind, method)
    assert response["Allow"] == "GET, HEAD"
    assert response.content == b""


@pytest.mark.parametrize("kind", READ_ONLY)
def test_head_answers_as_get_does_without_a_body(client, kind):
    got = client.get(READ_ONLY[kind])
    head = client.head(READ_ONLY[kind])
    assert (got.status_code, head.status_code) == (200, 200)
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


@pytest.mark.parametrize("method", REFUSED)
def test_no_method_shows_a_draft(editor_client, method):
    draft = OrganizationFactory(name=f"{SECRET} Party", slug="qwxv-party", status=Status.DRAFT)
    for url in (draft.get_absolute_url(), "/organizations/otan/", SITEMAP, SITEMAP_SECTION):
        for query in ("", "?preview=1"):
            response = getattr(editor_client, method)(url + query)
            assert response.status_code == 405, (url, method)
            assert SECRET.encode() not in response.content
    assert editor_client.get(NOT_FOUND).status_code == 404


# -- preview ----------------------------------------------------------------------------------


@pytest.fixture
def drafts():
    place = PlaceFactory(name=f"{SECRET} Town", status=Status.DRAFT)
    party = OrganizationFactory(
        name=f"{SECRET} Party", slug="qwxv-party", founding_place=place, status=Status.DRAFT
    )
    published = OrganizationFactory(name="Public Party", slug="public-party", founding_place=place)
    return party, published


def test_an_editor_previews_drafts_on_every_page_kind(editor_client, drafts):
    party, published = drafts
    for url in (party.get_absolute_url(), published.get_absolute_url(), "/organizations/"):
        response = editor_client.get(url, {"preview": "1"})
        assert response.status_code == 200, url
        assert SECRET in response.content.decode(), url
        assert "Preview." in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"
        assert "ETag" not in response and "Last-Modified" not in response
        # Without ?preview=1 the editor reads the public page.
        public = editor_client.get(url)
        assert SECRET not in public.content.decode() or public.status_code == 404
        assert "Preview." not in public.content.decode()
    found = editor_client.get("/search/", {"q": SECRET, "preview": "1"}).content.decode()
    assert "Public Party" in found and f"{SECRET} Party" in found


def test_a_visitor_asking_for_a_preview_gets_the_public_page(client, drafts, django_user_model):
    party, published = drafts
    assert client.get(party.get_absolute_url(), {"preview": "1"}).status_code == 404
    for url in (published.get_absolute_url(), "/organizations/"):
        preview = client.get(url, {"preview": "1"})
        assert preview.status_code == 200
        assert SECRET not in preview.content.decode()
        assert "Preview." not in preview.content.decode()
        assert "no-store" not in preview.get("Cache-Control", "")
    found = client.get("/search/", {"q": SECRET, "preview": "1"}).content.decode()
    assert "Nothing matches" in found
    # Signed in but not staff: no preview either.
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    assert client.get(party.get_absolute_url(), {"preview": "1"}).status_code == 404


def test_the_sitemap_has_no_preview(editor_client, drafts):
    party, _ = drafts
    for url in (SITEMAP, SITEMAP_SECTION):
        assert party.slug not in editor_client.get(url, {"preview": "1"}).content.decode()
    preview = sitemap_addresses(lambda path: body(editor_client, path, preview="1"))
    assert "/organizations/otan/" in preview and party.get_absolute_url() not in preview


def test_home_counts_in_preview_count_drafts_for_the_editor_only(editor_client, client, drafts):
    public = home_figures(client)
    editor_client.get("/")  # the editor's own figures without preview are the public's
    assert home_figures(editor_client) == public
    previewed = {
        label: number
        for label, number, _ in editor_client.get("/", {"preview": "1"}).context["figures"]
    }
    assert previewed["organizations"] == Organization.objects.count()
    assert previewed["organizations"] == public["organizations"] + 1


def test_every_public_page_reads_through_published_querysets(client):
    """The leak check in small: every page kind, with drafts linked to what it shows, names
    none of them."""
    otan = Organization.objects.get(slug="otan")
    draft = OrganizationFactory(name=f"{SECRET} Shadow", status=Status.DRAFT)
    RelationFactory(subject=draft, object=otan, kind=Relation.Kind.SPLIT_FROM)
    nazarbaev = Person.objects.get(slug="nursultan-nazarbaev")
    RoleFactory(person=nazarbaev, organization=draft)
    Event.objects.get(slug="december-1986-events-alma-ata").organizations.add(draft)
    ResultFactory(election=Election.objects.get(slug="majilis-2004"), organization=draft)
    RegistrationDecisionFactory(
        act=LegalAct.objects.get(slug="law-on-political-parties-2002"), organization=draft
    )
    draft.founding_place = Place.objects.get(slug="alma-ata")
    draft.save()
    for kind, url in PAGES.items():
        page = body(client, url)
        assert SECRET not in page, kind
    assert Result.objects.filter(organization=draft).exists()  # the links are there

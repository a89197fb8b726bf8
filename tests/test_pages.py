"""The public pages, on the article's data: what each page shows, its footnotes, its filters,
and a query count that does not grow with the number of records."""

import functools
import re
from html import unescape as html_unescape
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db.models import Count, Q
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from elections.models import Election, Result
from elections.seatchart import hemicycle, rows_for
from elections.views import ElectionListView
from kzpolitics.core import dates
from kzpolitics.core.models import Citation, Event, Person, PersonName, Place, Source, Status
from kzpolitics.site.sitemaps import SITEMAPS, RecordSitemap
from kzpolitics.site.views.places import PlaceListView
from kzpolitics.site.views.sources import CITING_PAGE, SourceListView
from kzpolitics.site.views.timeline_keyset import TIMELINE_PAGE
from legislation.models import LegalAct
from legislation.views import LegalActListView
from parties.models import Organization

from .factories import (
    ElectionFactory,
    EventFactory,
    LegalActFactory,
    OrganizationFactory,
    PersonFactory,
    PlaceFactory,
    ProvisionFactory,
    RegistrationDecisionFactory,
    RelationFactory,
    ResultFactory,
    RoleFactory,
    SourceFactory,
)
from .page_kinds import PAGES, SITEMAP, sitemap_addresses

pytestmark = pytest.mark.django_db

ARTICLE = "babak-kazakhstan-multiparty-system"


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's words without tags or footnote markers, spaces collapsed."""
    html = re.sub(r"<sup class=\"(cite|citation-needed)\">.*?</sup>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def markers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a href="#ref-(\d+)"', html)]


def reference_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li id="ref-(\d+)"', html)]


class Structure(HTMLParser):
    """What a page's markup must get right that a regex cannot see: nesting, ids, labels."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "circle", "rect", "line", "source"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.problems = [], [], []
        self.labelled_by, self.fragments, self.labels, self.controls = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for ref in (attrs.get("aria-labelledby") or "").split():
            self.labelled_by.append(ref)
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self.fragments.append(attrs["href"][1:])
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id"))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()


def check_structure(html: str) -> None:
    # <p> and <li> may close implicitly in HTML; the templates close them all explicitly.
    parser = Structure()
    parser.feed(html)
    parser.close()
    assert not parser.problems, parser.problems[:5]
    assert not parser.stack, parser.stack
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, duplicates
    assert set(parser.labelled_by) <= set(parser.ids), set(parser.labelled_by) - set(parser.ids)
    assert set(parser.fragments) <= set(parser.ids), set(parser.fragments) - set(parser.ids)
    unlabelled = [c for c in parser.controls if c not in parser.labels]
    assert not unlabelled, unlabelled


# -- every page kind ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_kind_is_a_whole_accessible_page(client, kind):
    html = page(client, PAGES[kind])
    assert html.count("<h1") == 1
    assert '<html lang="en">' in html
    assert '<a class="skip" href="#main">' in html
    assert '<main id="main">' in html
    assert html.count("<nav") >= 1 and "<header" in html and "<footer" in html
    assert 'role="search"' in html  # the search box on every page
    assert "<script" not in html
    check_structure(html)
    # No asset from another host: every stylesheet, image and script is local.
    assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(css|js|png|svg|woff2?)"', html)


@pytest.mark.parametrize(
    "url, status",
    [
        ("/organizations/?kind=bogus&active_on=1991-13-45&stance=x", 200),
        ("/organizations/?kind=party&stance=opposition&active_on=1995-01-01&sort=-founded", 200),
        ("/timeline/?from=abc&to=99999&kind=war", 200),
        ("/timeline/?from=1999&to=1990", 200),
        ("/acts/?jurisdiction=atlantis", 200),
        ("/search/?q=Almaty", 200),
        ("/search/?q=", 200),
        ("/search/?q=Otan", 200),
        (f"/sources/{ARTICLE}/", 200),
        ("/elections/presidential-1999/", 200),
        ("/elections/majilis-1999/", 200),
        ("/organizations/peoples-congress-of-kazakhstan/", 200),
        ("/no-such-page/", 404),
    ],
)
def test_more_pages_are_well_formed(client, url, status):
    html = page(client, url, status=status)
    assert html.count("<h1") == 1
    check_structure(html)


@pytest.mark.parametrize(
    "url_name, args",
    [
        ("kzpolitics:home", []),
        ("kzpolitics:person-list", []),
        ("kzpolitics:person-detail", ["nursultan-nazarbaev"]),
        ("kzpolitics:source-list", []),
        ("kzpolitics:source-detail", [ARTICLE]),
        ("kzpolitics:event-detail", ["december-1986-events-alma-ata"]),
        ("kzpolitics:timeline", []),
        ("kzpolitics:search", []),
        ("elections:election-list", []),
        ("elections:election-detail", ["majilis-1995"]),
        ("legislation:act-list", []),
        ("legislation:act-detail", ["constitution-of-kazakhstan"]),
        ("parties:organization-list", []),
    ],
)
def test_url_names_resolve_to_pages(client, url_name, args):
    page(client, reverse(url_name, args=args))


def test_every_record_page_in_the_sitemap_answers(client):
    index = client.get(SITEMAP)
    assert index.status_code == 200
    assert index["Content-Type"].startswith("application/xml")
    xml = index.content.decode()
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex ')
    sections = re.findall(r"<loc>http://testserver(.*?)</loc>", xml)
    assert sections == [f"/sitemap-{section}.xml" for section in SITEMAPS]
    for section in sections:
        response = client.get(section)
        assert response["Content-Type"].startswith("application/xml")
        assert "<urlset " in response.content.decode()
    locations = sitemap_addresses(lambda path: page(client, path))
    assert "/organizations/otan/" in locations
    assert "/people/nursultan-nazarbaev/" in locations
    assert f"/sources/{ARTICLE}/" in locations
    assert "/timeline/" in locations
    assert "/places/" in locations
    expected = (
        8
        + Place.objects.count()
        + Organization.objects.count()
        + Person.objects.count()
        + Election.objects.count()
        + LegalAct.objects.count()
        + Event.objects.count()
        + Source.objects.count()
    )
    assert len(locations) == len(set(locations)) == expected
    for location in locations[:: max(1, len(locations) // 25)]:
        page(client, location)


def test_a_kind_past_a_sitemaps_limit_goes_on_in_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(RecordSitemap, "limit", 5)
    people = Person.objects.published().count()
    pages = -(-people // 5)
    assert pages > 2
    index = page(client, SITEMAP)
    for number in range(2, pages + 1):
        assert f"<loc>http://testserver/sitemap-people.xml?p={number}</loc>" in index
    assert f"sitemap-people.xml?p={pages + 1}<" not in index
    listed = [
        re.findall(r"<loc>http://testserver(.*?)</loc>", page(client, f"/sitemap-people.xml?p={n}"))
        for n in range(1, pages + 1)
    ]
    assert [len(one) for one in listed] == [5] * (pages - 1) + [people - 5 * (pages - 1)]
    every = [url for one in listed for url in one]
    assert len(set(every)) == people
    assert client.get(f"/sitemap-people.xml?p={pages + 1}").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


# -- home --------------------------------------------------------------------------------------


def test_home_says_what_the_site_is_and_links_the_periods_into_the_timeline(client):
    html = page(client, "/")
    words = text_of(html)
    assert "Every fact on the site carries a numbered footnote" in words
    for years in ("from=1986&amp;to=1991", "from=1995&amp;to=1999", "from=2002&amp;to=2004"):
        assert f'href="/timeline/?{years}"' in html
    assert f"<strong>{Organization.objects.count()}</strong> organizations" in html
    assert f"<strong>{Person.objects.count()}</strong> people" in html
    assert f"<strong>{Source.objects.count()}</strong> sources" in html
    assert f"<strong>{Citation.objects.count()}</strong> citations" in html
    # The periods are footnoted to the article's sections.
    assert "section “The First Political Parties”" in html


# -- organizations -----------------------------------------------------------------------------


def test_peoples_congress_page_shows_its_registration_of_31_december_with_a_footnote(client):
    html = page(client, "/organizations/peoples-congress-of-kazakhstan/")
    match = re.search(
        r'<li id="registration-\d+">Registered, <time datetime="1991-12-31" '
        r'title="The source: “31 December”">31 December 1991</time>(<sup class="cite">.*?</sup>)',
        html,
    )
    assert match, "the registration line with its footnote marker"
    number = markers(match.group(1))[0]
    assert f'<li id="ref-{number}"' in html


def test_alash_party_page_shows_its_membership_as_worded(client):
    html = page(client, "/organizations/party-of-national-independence-alash/")
    assert "between 80 and 200 members in the beginning" in html


def test_organization_list_filters_by_kind(client):
    html = page(client, "/organizations/?kind=movement")
    assert "Green Front" in html
    assert "Republican (Homeland) Party Otan" not in html
    assert '<option value="movement" selected>' in html


def test_organization_list_filters_by_stance(client):
    html = page(client, "/organizations/?stance=constructive_opposition")
    assert "People’s Congress of Kazakhstan" in html
    assert "Republican (Homeland) Party Otan" not in html


def test_organization_list_filters_by_the_day_it_was_active(client):
    html = page(client, "/organizations/?active_on=1992-06-01")
    assert "People’s Congress of Kazakhstan" in html  # founded October 1991
    assert "Republican (Homeland) Party Otan" not in html  # founded 1999


def test_organization_list_sorts_and_keeps_the_filters_in_the_sort_links(client):
    html = page(client, "/organizations/?kind=party&sort=-founded")
    rows = re.findall(r'<th scope="row"><a href="/organizations/([^/]+)/">', html)
    founded = dict(Organization.objects.values_list("slug", "founded_earliest"))
    dated = [founded[slug] for slug in rows if founded[slug]]
    assert dated == sorted(dated, reverse=True)
    assert 'href="?kind=party&amp;sort=founded"' in html
    assert '<strong aria-current="true">founded, latest first</strong>' in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("kind=bogus", "Select a valid choice"),
        ("active_on=31-12-1991", "“31-12-1991” is not a date. Give a year (1990)"),
        ("founded_after=soon", "“soon” is not a date. Give a year (1990)"),
    ],
)
def test_organization_list_explains_an_invalid_filter_instead_of_failing(client, query, message):
    html = page(client, f"/organizations/?{query}")
    assert 'class="form-errors" role="alert"' in html
    assert message in html


def test_organization_list_pages_keep_the_query_string(client):
    OrganizationFactory.create_batch(60, kind=Organization.Kind.CLUB)
    html = page(client, "/organizations/?kind=club")
    assert 'href="?kind=club&amp;page=2"' in html


# -- people ------------------------------------------------------------------------------------


def test_person_list_shows_each_main_role(client):
    html = page(client, "/people/")
    assert '<a href="/people/nursultan-nazarbaev/">Nursultan Nazarbaev</a>' in html
    row = html.split('href="/people/nursultan-nazarbaev/"')[1].split("</tr>")[0]
    assert "President" in row  # an office says more than his party posts
    assert '<td class="num">4</td>' in row
    row = html.split('href="/people/khasen-kozha-akhmet/"')[1].split("</tr>")[0]
    assert 'href="/organizations/zheltoksan-public-committee/"' in row  # a leading role


def test_person_page_shows_names_roles_results_events_and_references(client):
    html = page(client, "/people/nursultan-nazarbaev/")
    words = text_of(html)
    assert "Nazarbayev (variant spelling)" in words
    assert '<a href="/organizations/otan/">Republican (Homeland) Party Otan</a>' in html
    assert "On 1 March, 1999" in html
    result = Result.objects.get(person__slug="nursultan-nazarbaev")
    assert f'href="/elections/presidential-1999/#result-{result.pk}"' in html
    assert "79.78%" in html
    assert 'id="references"' in html and "Cite this page" in html


# -- elections ---------------------------------------------------------------------------------


def test_election_list_is_in_order_of_date(client):
    html = page(client, "/elections/")
    slugs = re.findall(r'<a href="/elections/([^/]+)/">', html)
    assert (
        slugs.index("majilis-1995") < slugs.index("presidential-1999") < slugs.index("majilis-2004")
    )


def test_2004_election_shows_42_of_77_with_a_seat_chart_per_tier(client):
    html = page(client, "/elections/majilis-2004/")
    words = text_of(html)
    assert "42 of 77" in words and "7 of 10" in words and "35 of 67" in words
    assert "Round 1: 19 September 2004" in words and "Round 2: 3 October 2004" in words
    charts = re.findall(r"<svg[^>]*role=\"img\".*?</svg>", html, flags=re.S)
    assert len(charts) == 3  # party list, single-member districts, total
    total = charts[-1]
    assert "<title" in total and "<desc" in total
    assert total.count("<circle") == 77
    assert "Otan: 42 seats of 77" in total
    assert "Not attributed in the sources: 35 seats of 77" in total
    # The text alternative: the legend table.
    assert '<td class="num">42 of 77</td>' in html
    for result in Result.objects.filter(election__slug="majilis-2004"):
        assert f'<tr id="result-{result.pk}">' in html
        assert result.get_absolute_url().endswith(f"#result-{result.pk}")


def test_presidential_election_shows_its_vote_share_and_no_seat_chart(client):
    html = page(client, "/elections/presidential-1999/")
    assert "79.78%" in html
    assert "Share of the votes" in html
    assert "seats won of" not in html
    assert "<circle" not in html


def test_election_without_seats_at_stake_draws_no_seat_chart(client):
    html = page(client, "/elections/majilis-1995/")
    assert '<td class="num">27</td>' in html
    assert "<svg" not in html.split('<main id="main">')[1]


def test_seat_chart_geometry():
    for total in (1, 2, 10, 67, 77, 450):
        rows = rows_for(total)
        assert sum(count for _, count in rows) == total
    chart = hemicycle([("A", 4, "/a/"), ("B", 2, "/b/")], 10, "Unknown")
    assert [(b.label, b.seats, len(b.places)) for b in chart.blocs] == [
        ("A", 4, 4),
        ("B", 2, 2),
        ("Unknown", 4, 4),
    ]
    assert chart.blocs[-1].unknown
    # A wedge per party, left to right.
    assert max(s.x for s in chart.blocs[0].places) < max(s.x for s in chart.blocs[2].places)
    # More seats known than the total claims: the chart grows rather than lose any.
    assert hemicycle([("A", 12, "")], 10, "Unknown").total == 12


# -- legal acts --------------------------------------------------------------------------------


def test_act_list_groups_by_jurisdiction_in_order(client):
    html = page(client, "/acts/")
    headings = re.findall(r'<h2 id="jurisdiction-([a-z_]+)">', html)
    assert headings == ["ussr", "kazakh_ssr", "kazakhstan"]
    kazakhstan = html.split('id="jurisdiction-kazakhstan"')[1]
    # By date of adoption (31 May 1996, 2 July 1996, 15 July 2002), the undated last.
    slugs = re.findall(r'<th scope="row"><a href="/acts/([^/]+)/">', kazakhstan)
    order = [
        "decision-on-public-associations-1996",
        "law-on-political-parties-1996",
        "law-on-political-parties-2002",
    ]
    assert [s for s in slugs if s in order] == order
    assert not LegalAct.objects.get(slug=slugs[-1]).adopted


def test_act_list_filters_by_jurisdiction_and_explains_a_bad_value(client):
    html = page(client, "/acts/?jurisdiction=ussr")
    assert re.findall(r'<h2 id="jurisdiction-([a-z_]+)">', html) == ["ussr"]
    html = page(client, "/acts/?jurisdiction=atlantis")
    assert "Select a valid choice" in html


def test_2002_law_shows_provisions_requirements_and_the_registrations_it_led_to(client):
    act = LegalAct.objects.get(slug="law-on-political-parties-2002")
    html = page(client, act.get_absolute_url())
    assert "Minimum members:</strong> 50,000" in html
    assert "Minimum members per regional cell:</strong> 700" in html
    for decision in act.registrations.select_related("organization"):
        assert f"#registration-{decision.pk}" in html
    assert act.registrations.exists()
    if act.body_id:
        assert act.body.get_absolute_url() in html


# -- timeline ----------------------------------------------------------------------------------


def timeline_pages(client, url: str = "/timeline/", rel: str = "next") -> list[str]:
    """Every page of the timeline from ``url`` on, following its “Later entries” links (or,
    ``rel="prev"``, its “Earlier entries”)."""
    pages = []
    while url:
        pages.append(page(client, url))
        link = re.search(rf'<a href="([^"]+)" rel="{rel}">', pages[-1])
        url = html_unescape(link[1]) if link else None
    return pages


def entries(html: str) -> list[str]:
    """A timeline page's entries: kind, date and what, as the reader sees them."""
    items = re.findall(r'<li class="kind-(\w+)">(.*?)</li>', html, flags=re.S)
    return [f"{kind}: {text_of(item).strip()}" for kind, item in items]


def test_timeline_merges_every_kind_in_date_order_with_dates_as_worded(client):
    pages = timeline_pages(client)
    assert len(pages) > 1  # the article's timeline runs to several pages
    whole = "".join(pages)
    years = [int(y) for y in re.findall(r'<h2 id="year-(\d+)">', whole)]
    assert years == sorted(years)
    for kind in ("event", "founding", "renaming", "registration", "election", "act"):
        assert f'class="kind-{kind}"' in whole, kind
    assert "December 1986" in whole
    assert whole.index("The events of December 1986 in Alma Ata") < whole.index(
        "Majilis elections of 2004"
    )
    # Undated events come last.
    last_year = list(re.finditer(r'<h2 id="year-\d+">', whole))[-1].start()
    assert last_year < whole.index('<h2 id="year-undated">')


def test_timeline_pages_hold_a_bounded_number_of_entries_each_once(client):
    forward = timeline_pages(client)
    assert all(len(entries(p)) <= TIMELINE_PAGE for p in forward)
    assert len(entries(forward[0])) == TIMELINE_PAGE
    ahead = [entry for p in forward for entry in entries(p)]
    # Back from the last page, by its “Earlier entries” links: the same entries, in order.
    last = re.search(r'<a href="([^"]+)" rel="prev">', forward[-1])[1]
    back = timeline_pages(client, html_unescape(last), rel="prev")
    behind = [entry for p in reversed(back) for entry in entries(p)] + entries(forward[-1])
    assert behind == ahead
    events = Event.objects.count()
    assert sum(entry.startswith("event: ") for entry in ahead) == events


def test_timeline_page_links_keep_the_filters_and_page_through_entries_of_one_date(
    client, cached_dates
):
    # More elections than a page holds, all on the same days: their ids order them.
    ElectionFactory.create_batch(TIMELINE_PAGE + 30, date={"text": "2000", "edtf": "2000"})
    url = "/timeline/?kind=election&from=2000&to=2000"
    pages = timeline_pages(client, url)
    in_2000 = Election.objects.filter(date_earliest__year=2000).count()  # the article's too
    assert [len(entries(p)) for p in pages] == [TIMELINE_PAGE, in_2000 - TIMELINE_PAGE]
    later = html_unescape(re.search(r'<a href="([^"]+)" rel="next">', pages[0])[1])
    assert "kind=election" in later and "from=2000" in later and "to=2000" in later
    assert "after=" in later
    assert set(re.findall(r'class="kind-(\w+)"', "".join(pages))) == {"election"}
    assert '<h2 id="year-2000">2000 <span class="meta">(continued)</span></h2>' in pages[1]
    earlier = re.search(r'<a href="([^"]+)" rel="prev">', pages[1])[1]
    assert entries(page(client, html_unescape(earlier))) == entries(pages[0])
    assert 'rel="prev"' not in pages[0]  # the first page has nothing before it
    assert len(set(entries("".join(pages)))) == sum(len(entries(p)) for p in pages)


def test_every_later_page_continues_the_year_the_page_before_ended_in(client):
    pages = timeline_pages(client)
    for before, after in zip(pages, pages[1:], strict=False):
        last_year = re.findall(r'<h2 id="year-([\w-]+)">', before)[-1]
        first_year = re.findall(r'<h2 id="year-([\w-]+)">([^<]*)', after)[0]
        continued = "(continued)" in after.split("</h2>", 1)[0].split("<h2", 1)[-1]
        assert continued == (first_year[0] == last_year), (last_year, first_year)


@pytest.mark.parametrize(
    "position",
    ["after=nonsense", "before=1990-13-01.1990-12-31.event.1", "after=1990-01-01.1990-12-31.war.1"],
)
def test_a_link_to_no_place_in_the_timeline_shows_its_beginning(client, position):
    html = page(client, f"/timeline/?{position}")
    assert "not one this site made" in html and 'role="alert"' in html
    assert entries(html) == entries(page(client, "/timeline/"))


def test_the_timeline_links_the_articles_periods(client):
    html = page(client, "/timeline/")
    for years in ("from=1986&amp;to=1991", "from=1995&amp;to=1999"):
        assert f'href="/timeline/?{years}"' in html
    assert 'aria-current="page"' in page(client, "/timeline/?from=1995&to=1999")


def test_timeline_year_filter(client):
    html = "".join(timeline_pages(client, "/timeline/?from=1990&to=1991"))
    years = {int(y) for y in re.findall(r'<h2 id="year-(\d+)">', html)}
    assert years and years <= {1989, 1990, 1991}
    assert "Majilis elections of 2004" not in html
    assert "year-undated" not in html


def test_timeline_kind_filter(client):
    html = "".join(timeline_pages(client, "/timeline/?kind=election"))
    assert set(re.findall(r'class="kind-(\w+)"', html)) == {"election"}


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=abc", "Give the year as four digits"),
        ("to=19999", "Give a year from"),
        ("from=1999&to=1990", "comes after the last"),
        ("kind=war", "Select a valid choice"),
    ],
)
def test_timeline_explains_invalid_filters(client, query, message):
    html = page(client, f"/timeline/?{query}")
    assert message in html
    assert 'role="alert"' in html


# -- sources -----------------------------------------------------------------------------------


def test_bibliography_puts_the_article_first_then_the_footnoted_works_with_their_numbers(client):
    html = page(client, "/sources/")
    article_at = html.index(f'href="/sources/{ARTICLE}/"')
    assert article_at < html.index('href="/sources/ponomarev-1991/"')
    assert html.index('href="/sources/ponomarev-1991/"') < html.index(
        'href="/sources/nazarbaev-1996/"'
    )
    assert "Footnotes 1, 9." in html  # Ponomarev
    assert "Glagol Publishers" in html


def test_bibliography_orders_the_footnoted_works_by_their_first_footnote_across_its_pages(
    client, monkeypatch
):
    monkeypatch.setattr(SourceListView, "paginate_by", 7)
    SourceFactory(slug="late-work", footnotes="99,3")  # named first in footnote 3
    SourceFactory(slug="unnamed-work", authors="A. Aardvark", footnotes="")
    SourceFactory(slug="draft-work", footnotes="2", status=Status.DRAFT)
    # An article the footnotes name is one of those works, not the founding article.
    SourceFactory(slug="named-article", kind=Source.Kind.ARTICLE, footnotes="5")
    SourceFactory(slug="unnamed-article", kind=Source.Kind.ARTICLE, footnotes="")
    order, number = [], 1
    while True:
        html = page(client, f"/sources/?page={number}")
        order += [
            (group or "", url)
            for group, url in re.findall(
                r'<h2 id="(article|footnoted|others)"|<li><a href="(/sources/[^"]+)"', html
            )
        ]
        if 'rel="next"' not in html:
            break
        number += 1
    urls = [url for _, url in order if url]
    published = list(Source.objects.published())
    assert len(urls) == len(set(urls)) == len(published)
    assert number == -(-len(published) // 7) > 2
    article = [s.get_absolute_url() for s in published if s.slug == ARTICLE]
    firsts = {
        s.get_absolute_url(): min(s.footnote_list)
        for s in published
        if s.slug != ARTICLE and s.footnote_list
    }
    assert urls[: len(article)] == article == [f"/sources/{ARTICLE}/"]
    named = urls[len(article) : len(article) + len(firsts)]
    assert set(named) == set(firsts)
    assert [firsts[url] for url in named] == sorted(firsts.values())
    later = [url for url in named if firsts[url] > 3]  # named in “99,3”: by 3, not by 99
    assert later and named.index("/sources/late-work/") < named.index(later[0])
    assert "/sources/named-article/" in named
    assert "/sources/unnamed-work/" in urls[len(article) + len(firsts) :]
    assert "/sources/unnamed-article/" in urls[len(article) + len(firsts) :]
    # Each group's heading once, where it begins (again at the top of a page it goes on to).
    headings = [group for group, _ in order if group]
    assert [h for i, h in enumerate(headings) if i == 0 or headings[i - 1] != h] == [
        "article",
        "footnoted",
        "others",
    ]


def source_pages(client, url: str) -> dict[str, list[str]]:
    """What cites a source, kind by kind (the page's “Kinds of record”), page by page."""
    first = page(client, url)
    pages = {}
    for kind in re.findall(r'<a href="\?kind=(\w+)#cites-\1"', first):
        address = f"{url}?kind={kind}"
        pages[kind] = []
        while address:
            pages[kind].append(page(client, address))
            link = re.search(r'<a href="\?([^"]+)" rel="next">', pages[kind][-1])
            address = f"{url}?{html_unescape(link[1])}" if link else None
    return pages


def readable(html: str) -> str:
    return html.replace("&#x27;", "'").replace("&quot;", '"')


def test_source_page_lists_every_record_and_fact_that_cites_it(client):
    source = Source.objects.get(slug="ponomarev-1991")
    pages = source_pages(client, source.get_absolute_url())
    html = readable("".join(p for kind in pages.values() for p in kind))
    citations = Citation.objects.filter(source=source)
    assert citations.exists()
    for citation in citations:
        assert str(citation.content_object) in html
    assert "pp. 14-15 (fn. 1)" in html
    assert f'cited in <a href="/sources/{ARTICLE}/">Babak</a>' in html


def test_the_article_page_lists_records_of_every_kind_with_their_fields(client):
    first = page(client, f"/sources/{ARTICLE}/")
    pages = source_pages(client, f"/sources/{ARTICLE}/")
    for kind in ("organization", "person", "event", "election", "result", "legalact", "provision"):
        assert kind in pages, kind
        assert all(f'id="cites-{kind}"' in p for p in pages[kind]), kind
    assert f'<h3 id="cites-{next(iter(pages))}">' in first  # the first kind, listed at once
    assert "Founded: " in text_of(pages["organization"][0])
    whole = "".join(p for kind in pages.values() for p in kind)
    # A citation through the article of another work names that work.
    assert "as the work through which" in whole
    assert 'href="/organizations/otan/"' in whole
    listed = sum(int(n) for n in re.findall(r"\((\d+)\)</a></li>", first.split("</nav>", 2)[1]))
    cites = Citation.objects.filter(Q(source__slug=ARTICLE) | Q(via__slug=ARTICLE))
    assert listed == cites.values_list("content_type", "object_id").distinct().count()
    assert f"{cites.count()} citations, by kind of record" in first


def test_a_source_cited_by_more_records_than_a_page_holds_lists_them_in_pages(client, cached_dates):
    _extra_source(CITING_PAGE + 20)
    ponomarev = Source.objects.get(slug="ponomarev-1991")
    cited = Citation.objects.filter(
        source=ponomarev, content_type=ContentType.objects.get_for_model(Organization)
    )
    records = cited.values("object_id").distinct().count()
    pages = source_pages(client, ponomarev.get_absolute_url())["organization"]
    assert len(pages) == -(-records // CITING_PAGE) > 1
    assert f"Organizations 1 to {CITING_PAGE} of {records}; {cited.count()} citations." in pages[0]
    assert f"Organizations ({records})" in pages[0]
    listed = [n for p in pages for n in re.findall(r'<a href="/organizations/([\w-]+)/">', p)]
    assert len(listed) == len(set(listed)) == records  # each on one page, once
    # The records the source backs the most facts of come first.
    most = cited.values("object_id").annotate(n=Count("pk")).order_by("-n", "object_id")[0]
    assert listed[0] == Organization.objects.get(pk=most["object_id"]).slug


def test_a_source_page_asked_for_a_kind_nothing_of_which_cites_it_says_so(client):
    html = page(client, "/sources/ponomarev-1991/?kind=nonsense")
    assert "No record of the kind “nonsense” cites this source" in html


# -- events ------------------------------------------------------------------------------------


def test_event_page_shows_date_place_summary_and_what_it_concerns(client):
    html = page(client, "/events/december-1986-events-alma-ata/")
    words = text_of(html)
    assert "December 1986" in words and "Alma Ata" in words
    assert "the rally was suppressed by force" in words
    assert 'href="/people/khasen-kozha-akhmet/"' in html
    assert 'href="/organizations/zheltoksan-public-committee/"' in html
    assert 'id="references"' in html


# -- search ------------------------------------------------------------------------------------


def test_search_finds_a_person_by_a_variant_spelling(client):
    html = page(client, "/search/?q=Nazarbayev")
    assert '<a href="/people/nursultan-nazarbaev/">Nursultan Nazarbaev</a>' in html
    assert "also spelt “Nazarbayev”" in html


def test_search_almaty_finds_what_happened_in_alma_ata(client):
    html = page(client, "/search/?q=Almaty")
    assert 'href="/events/december-1986-events-alma-ata/"' in html
    assert "also called “Almaty”" in html
    assert 'href="/organizations/green-front/"' in html  # founded in Alma Ata
    assert re.findall(r'<h2 id="results-(\w+)">', html)[:1] == ["organizations"]


def test_search_finds_organizations_by_a_former_name(client):
    html = page(client, "/search/?q=National+Party+of+Kazakhstan+Alash")
    assert "/organizations/" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "Type a name or a word"),
        ("   ", "Type a name or a word"),
        ("x", "at least 2 characters"),
        ("n" * 101, "use at most 100"),
        ("zzzzqqq", "Nothing matches"),
    ],
)
def test_search_explains_an_empty_short_long_or_fruitless_query(client, query, message):
    html = page(client, f"/search/?q={query}")
    assert message in html


# -- footnotes ---------------------------------------------------------------------------------


def test_one_number_per_source_and_markers_link_to_the_references(client):
    html = page(client, "/organizations/peoples-congress-of-kazakhstan/")
    used = markers(html)
    listed = reference_numbers(html)
    assert listed == list(range(1, len(listed) + 1))
    assert set(used) == set(listed)
    assert used.count(1) > 1  # the article, cited many times, keeps number 1


def test_same_source_cited_twice_gets_one_number(client):
    source = SourceFactory(authors="Jane Roe", title="One Book")
    org = OrganizationFactory(founded={"text": "1990", "edtf": "1990"})
    content_type = ContentType.objects.get_for_model(org)
    for field in ("founded", ""):
        Citation.objects.create(
            content_type=content_type,
            object_id=org.pk,
            source=source,
            field=field,
            pages="5",
            status=Status.PUBLISHED,
        )
    html = page(client, org.get_absolute_url())
    roe = [
        m.group(1)
        for m in re.finditer(
            r'<li id="ref-(\d+)" value="\d+">(?:(?!</li>).)*?<a href="/sources/' + source.slug,
            html,
            flags=re.S,
        )
    ]
    assert len(roe) == 1
    assert markers(html).count(int(roe[0])) >= 2


def test_one_fact_cited_at_two_places_in_one_source_shows_one_marker_naming_both(client):
    source = SourceFactory(authors="Jane Roe", title="Another Book")
    org = OrganizationFactory(founded={"text": "1990", "edtf": "1990"})
    content_type = ContentType.objects.get_for_model(org)
    for pages in ("5", "9"):
        Citation.objects.create(
            content_type=content_type,
            object_id=org.pk,
            source=source,
            field="founded",
            pages=pages,
            status=Status.PUBLISHED,
        )
    html = page(client, org.get_absolute_url())
    founded = re.search(
        r'<th scope="row">Founded</th><td><time datetime="1990">1990</time>(<sup.*?</sup>)', html
    ).group(1)
    assert len(re.findall(r"<a ", founded)) == 1, founded
    assert 'title="p. 5; p. 9"' in founded


def test_a_via_citation_reads_cited_in_babak(client):
    html = page(client, "/organizations/peoples-congress-of-kazakhstan/")
    assert re.search(
        r'<a href="/sources/diachenko-2000/">D’iachenko et al\. 2000</a>, [^<]*p\. 23[^<]*, '
        rf'cited in <a href="/sources/{ARTICLE}/">Babak</a>',
        html.replace("&#x27;", "’").replace("D'iachenko", "D’iachenko"),
    )


def test_a_filled_fact_without_a_citation_shows_citation_needed(client):
    org = OrganizationFactory(summary="It was founded to test the footnotes.")
    html = page(client, org.get_absolute_url())
    assert "It was founded to test the footnotes." in html
    assert "[citation needed]" in html
    person = PersonFactory(description="A person with no source for this.")
    assert "[citation needed]" in page(client, person.get_absolute_url())
    event = EventFactory(summary="An uncited summary.")
    assert "[citation needed]" in page(client, event.get_absolute_url())


def test_a_cited_fact_shows_no_citation_needed(client):
    html = page(client, "/events/december-1986-events-alma-ata/")
    assert "citation needed" not in html


# -- errors ------------------------------------------------------------------------------------


def test_404_page_in_the_sites_style(client):
    html = page(client, "/no-such-page/", status=404)
    assert "<h1>Page not found</h1>" in html
    assert '<a class="skip" href="#main">' in html
    assert 'role="search"' in html
    page(client, "/organizations/no-such-party/", status=404)
    page(client, "/sources/no-such-source/", status=404)


def test_500_page_needs_no_context_and_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = get_template("500.html").render()
        response = server_error(RequestFactory().get("/"))
    assert "Something went wrong" in html
    assert response.status_code == 500
    assert b'<main id="main">' in response.content


# -- queries -----------------------------------------------------------------------------------


def _extra_home(n):
    OrganizationFactory.create_batch(n)


def _extra_organizations(n):
    # Founded somewhere: the page then fetches the places the public may see (one query).
    OrganizationFactory.create_batch(n, founding_place=Place.objects.get(slug="alma-ata"))


def _extra_people(n):
    RoleFactory.create_batch(n)


def _extra_person(n):
    person = Person.objects.get(slug="nursultan-nazarbaev")
    RoleFactory.create_batch(n, person=person)
    for event in EventFactory.create_batch(n, date={"text": "1995", "edtf": "1995"}):
        event.people.add(person)
    ResultFactory.create_batch(n, person=person, organization=None, vote_share=50)
    PersonName.objects.bulk_create(
        PersonName(person=person, name=f"Nazarbaev {i}") for i in range(n)
    )


def _extra_sources(n):
    SourceFactory.create_batch(n, footnotes="30")


def _extra_source(n):
    ponomarev = Source.objects.get(slug="ponomarev-1991")
    article = Source.objects.get(slug=ARTICLE)
    for org in OrganizationFactory.create_batch(n):
        Citation.objects.create(
            status=Status.PUBLISHED,
            content_type=ContentType.objects.get_for_model(org),
            object_id=org.pk,
            source=ponomarev,
            via=article,
            footnote=1,
            pages="14",
        )


def _extra_event(n):
    event = Event.objects.get(slug="december-1986-events-alma-ata")
    event.organizations.add(*OrganizationFactory.create_batch(n))
    event.people.add(*PersonFactory.create_batch(n))
    event.elections.add(*ElectionFactory.create_batch(n))
    event.acts.add(*LegalActFactory.create_batch(n))


def _extra_timeline(n):
    EventFactory.create_batch(n, date={"text": "1993", "edtf": "1993"})
    OrganizationFactory.create_batch(n, founded={"text": "1994", "edtf": "1994"})
    RegistrationDecisionFactory.create_batch(n, date={"text": "1995", "edtf": "1995"})


def _extra_search(n):
    for i in range(n):
        person = PersonFactory(name=f"Nazarbayev Namesake {i}")
        PersonName.objects.create(person=person, name=f"Nazarbayev {i}", status=Status.PUBLISHED)
    OrganizationFactory.create_batch(n, name=factory_name("Nazarbayev Foundation"))
    EventFactory.create_batch(n, title=factory_name("Nazarbayev speaks"))


def factory_name(prefix):
    import factory

    return factory.Sequence(lambda i: f"{prefix} {i}")


def _extra_elections(n):
    ElectionFactory.create_batch(n, date={"text": "2000", "edtf": "2000"})


def _extra_election(n):
    election = Election.objects.get(slug="majilis-2004")
    ResultFactory.create_batch(n, election=election, vote_share=1)
    ResultFactory.create_batch(n, election=election, tier=Result.Tier.TOTAL, seats=0, seats_of=77)


def _extra_acts(n):
    LegalActFactory.create_batch(n, adopted={"text": "1997", "edtf": "1997"})


def _extra_act(n):
    act = LegalAct.objects.get(slug="law-on-political-parties-2002")
    ProvisionFactory.create_batch(n, act=act)
    RegistrationDecisionFactory.create_batch(n, act=act)
    act.events.add(*EventFactory.create_batch(n))


def _extra_organization(n, slug="otan"):
    organization = Organization.objects.get(slug=slug)
    RoleFactory.create_batch(n, organization=organization)
    organization.events.add(*EventFactory.create_batch(n))
    RelationFactory.create_batch(n, subject=organization)


# page: (url, make extra records, queries of a miss: the data version's row and the page's;
# a page's citations take two: the citations, then the works they cite, each once)
QUERY_PAGES = {
    "home": ("/", _extra_home, 12),  # the periods, their citations and the works cited: 3
    "organization-list": ("/organizations/?kind=party&sort=founded", _extra_organizations, 4),
    # Names of the time: its founding place's names (a query); those of the organizations it
    # is related to come with its own names.
    "organization-detail": ("/organizations/otan/", _extra_organization, 13),
    # One founded at a place (its names: a query) with relations.
    "organization-detail-founded": (
        "/organizations/memorial-tselinograd/",
        functools.partial(_extra_organization, slug="memorial-tselinograd"),
        14,
    ),
    "person-list": ("/people/", _extra_people, 5),
    "person-detail": ("/people/nursultan-nazarbaev/", _extra_person, 7),
    "source-list": ("/sources/", _extra_sources, 2),
    "source-detail": ("/sources/ponomarev-1991/", _extra_source, 6),
    # Names of the time: the place's names and the organizations' names (one query each).
    "event-detail": ("/events/december-1986-events-alma-ata/", _extra_event, 9),
    "timeline": ("/timeline/", _extra_timeline, 11),
    "timeline-filtered": ("/timeline/?from=1990&to=1995&kind=event", _extra_timeline, 5),
    # One query per kind of record found, one per kind of row shown with them (other names;
    # an event's place and an organization's founding place come joined), the footnotes:
    # forgiving search finds more kinds of "Nazarbayev".
    "search": ("/search/?q=Nazarbayev", _extra_search, 11),
    "election-list": ("/elections/", _extra_elections, 4),  # a page of them, and their count
    "election-detail": ("/elections/majilis-2004/", _extra_election, 7),  # parties' names
    "act-list": ("/acts/", _extra_acts, 4),  # a page of them, and their count
    "act-detail": ("/acts/law-on-political-parties-2002/", _extra_act, 7),  # parties' names
    # Each kind's count and latest change (the index lists a sitemap a page); then one kind's.
    "sitemap": ("/sitemap.xml", _extra_home, 14),
    "sitemap-section": ("/sitemap-organizations.xml", _extra_home, 2),  # the count, the page
}


@pytest.fixture
def cached_dates(monkeypatch):
    """Parse each EDTF value once: creating hundreds of records is otherwise slow."""
    monkeypatch.setattr(dates, "bounds", functools.lru_cache(maxsize=None)(dates.bounds))


# A query per row would show at 60 rows as plainly as at 200 (ceilings are at most 14), in a
# third of the time the factories take; the fast run checks the ceilings at 10 rows only.
@pytest.mark.parametrize("size", [10, pytest.param(60, marks=pytest.mark.slow)])
@pytest.mark.parametrize("kind", QUERY_PAGES)
def test_query_count_does_not_grow_with_the_records(
    client, django_assert_max_num_queries, cached_dates, kind, size
):
    url, make, expected = QUERY_PAGES[kind]
    make(size)
    page(client, url)  # warm the content-type cache, as any running server has
    caches["pages"].clear()
    with django_assert_max_num_queries(expected):  # a ceiling, for 10 records as for 200
        page(client, url)
    with django_assert_max_num_queries(1):  # the same page again, from the response cache
        page(client, url)


def _extra_places(n):
    PlaceFactory.create_batch(n // 2, kind=Place.Kind.TOWN)
    PlaceFactory.create_batch(n - n // 2, kind=Place.Kind.REGION)


def _extra_bibliography(n):
    # Works the footnotes name (not in number order) and others.
    for i in range(n):
        SourceFactory(footnotes=f"{90 - i % 50},{95 + i}" if i % 3 else "")


TABLE_ROW = r'<th scope="row"><a href="([^"]+)"'
PLACE_ROW = r'<li>\s*<a href="(/places/[^"]+)"'
SOURCE_ROW = r'<li><a href="(/sources/[^"]+)"'


@pytest.mark.parametrize(
    ("url", "make", "per_page", "row"),
    [
        ("/acts/?kind=law", _extra_acts, LegalActListView.paginate_by, TABLE_ROW),
        ("/elections/", _extra_elections, ElectionListView.paginate_by, TABLE_ROW),
        ("/places/", _extra_places, PlaceListView.paginate_by, PLACE_ROW),
        ("/sources/", _extra_bibliography, SourceListView.paginate_by, SOURCE_ROW),
    ],
)
def test_a_list_that_grows_is_paged_and_its_links_keep_the_filter(client, url, make, per_page, row):
    """Acts, elections and places come a page at a time, in the order of the whole list (its
    groups too: by jurisdiction, by kind), with plain links to the next page that keep the
    filter: a list as long as the data allows is not one page of megabytes."""
    make(per_page + 5)
    first = page(client, url)
    rows = re.findall(row, first)
    assert len(rows) == per_page
    link = re.search(r'<a href="\?([^"]+)" rel="next">', first)
    assert link, "no link to the next page"
    query = html_unescape(link[1])
    assert query.endswith("page=2") and ("kind=law" in query) == ("kind=law" in url)
    second = page(client, f"{url.split('?')[0]}?{query}")
    rest = re.findall(row, second)
    assert rest and not set(rest) & set(rows)
    assert 'rel="next"' not in second and 'rel="prev"' in second
    # One order across the pages, groups included: only the group the first page ends with
    # may go on into the second, where it comes first.
    before, after = (
        re.findall(r'<h2 id="(jurisdiction-[^"]+|kind-[^"]+|article|footnoted|others)"', p)
        for p in (first, second)
    )
    shared = set(before) & set(after)
    assert shared <= {before[-1]} if before else not shared
    assert not shared or after[0] == before[-1]
    # The heading of a group that goes on from the page before says so, and only that one.
    continued = re.findall(r'<h2 id="([^"]+)">[^<]*\(continued\)</h2>', first + second)
    assert continued == sorted(shared)

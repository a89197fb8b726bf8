"""Dates for readers: every date a page shows is a phrase with its year, made from its EDTF
value and fitted to the words before it; the source's wording stays one pointer away."""

import re
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from elections.models import Election
from kzpolitics.core.date_phrases import phrase, wording_phrase
from kzpolitics.core.dates import UncertainDateValue
from kzpolitics.core.models import Citation, Event, Person, Place, Source
from legislation.models import LegalAct
from parties.models import Organization

# EDTF value, then the phrase with no lead word (an infobox cell), after "in", after "from",
# and after "until" (the end of a span).
PHRASES = [
    (
        "1999-01-19",
        "19 January 1999",
        "on 19 January 1999",
        "from 19 January 1999",
        "until 19 January 1999",
    ),
    ("1996-07-02", "2 July 1996", "on 2 July 1996", "from 2 July 1996", "until 2 July 1996"),
    ("1990-05", "May 1990", "in May 1990", "from May 1990", "until May 1990"),
    ("1991", "1991", "in 1991", "from 1991", "until 1991"),
    (
        "1995/1999",
        "late 1990s",
        "in the late 1990s",
        "from the late 1990s",
        "until the late 1990s",
    ),
    (
        "1990/1994",
        "early 1990s",
        "in the early 1990s",
        "from the early 1990s",
        "until the early 1990s",
    ),
    ("1994-21", "spring 1994", "in spring 1994", "from spring 1994", "until spring 1994"),
    ("1990-22", "summer 1990", "in summer 1990", "from summer 1990", "until summer 1990"),
    ("1998-23", "autumn 1998", "in autumn 1998", "from autumn 1998", "until autumn 1998"),
    ("1994-24", "winter 1994", "in winter 1994", "from winter 1994", "until winter 1994"),
    (
        "1991-40",
        "first half of 1991",
        "in the first half of 1991",
        "from the first half of 1991",
        "until the first half of 1991",
    ),
    (
        "1991-41",
        "second half of 1991",
        "in the second half of 1991",
        "from the second half of 1991",
        "until the second half of 1991",
    ),
    (
        "1994-33",
        "first quarter of 1994",
        "in the first quarter of 1994",
        "from the first quarter of 1994",
        "until the first quarter of 1994",
    ),
    (
        "1992-06~",
        "about June 1992",
        "around June 1992",
        "from about June 1992",
        "until about June 1992",
    ),
    ("1994?", "probably 1994", "probably in 1994", "probably from 1994", "probably until 1994"),
    (
        "1990-05?",
        "probably May 1990",
        "probably in May 1990",
        "probably from May 1990",
        "probably until May 1990",
    ),
    (
        "1994%",
        "probably about 1994",
        "probably around 1994",
        "probably from about 1994",
        "probably until about 1994",
    ),
    (
        "1994-10/1995-03",
        "October 1994 to March 1995",
        "between October 1994 and March 1995",
        "from October 1994 to March 1995",
        "until some time between October 1994 and March 1995",
    ),
    (
        "2004-09-19/2004-10-03",
        "19 September to 3 October 2004",
        "between 19 September and 3 October 2004",
        "from 19 September to 3 October 2004",
        "until some time between 19 September and 3 October 2004",
    ),
    (
        "1999-01/1999-02",
        "January to February 1999",
        "in January and February 1999",
        "from January to February 1999",
        "until some time between January and February 1999",
    ),
    (
        "1991/1992",
        "1991 to 1992",
        "in 1991 and 1992",
        "from 1991 to 1992",
        "until some time between 1991 and 1992",
    ),
    (
        "1990/1993",
        "1990 to 1993",
        "between 1990 and 1993",
        "from 1990 to 1993",
        "until some time between 1990 and 1993",
    ),
    (
        "/1998-23",
        "by autumn 1998",
        "by autumn 1998",
        "by autumn 1998",
        "until autumn 1998 at the latest",
    ),
    ("../1996", "by 1996", "by 1996", "by 1996", "until 1996 at the latest"),
    (
        "/1999-01-10",
        "by 10 January 1999",
        "by 10 January 1999",
        "by 10 January 1999",
        "until 10 January 1999 at the latest",
    ),
    (
        "1991-08/..",
        "after August 1991",
        "after August 1991",
        "from August 1991",
        "until some time after August 1991",
    ),
    (
        "2002-07-15/..",
        "after 15 July 2002",
        "after 15 July 2002",
        "from 15 July 2002",
        "until some time after 15 July 2002",
    ),
    ("199X", "1990s", "in the 1990s", "from the 1990s", "until the 1990s"),
    (
        "19XX",
        "20th century",
        "in the 20th century",
        "from the 20th century",
        "until the 20th century",
    ),
    ("1985-04-XX", "April 1985", "in April 1985", "from April 1985", "until April 1985"),
    ("[1994, 1995]", "1994 or 1995", "in 1994 or 1995", "from 1994 or 1995", "until 1994 or 1995"),
    (
        "[..1998-12-01]",
        "by 1 December 1998",
        "by 1 December 1998",
        "by 1 December 1998",
        "until 1 December 1998 at the latest",
    ),
    (
        "{1994,1995}",
        "1994 and 1995",
        "in 1994 and 1995",
        "from 1994 and 1995",
        "until 1994 and 1995",
    ),
]


@pytest.mark.parametrize(("edtf", "plain", "in_", "from_", "until"), PHRASES)
def test_a_date_reads_with_its_year_after_any_lead_word(edtf, plain, in_, from_, until):
    assert phrase(edtf).text == plain
    assert phrase(edtf, "in").text == in_
    assert phrase(edtf, "from").text == from_
    assert phrase(edtf, "until").text == until


def test_every_phrase_in_the_table_names_its_year_or_decade():
    for edtf, *phrases in PHRASES:
        for words in phrases:
            assert re.search(r"\b\d{4}s?\b|century", words), (edtf, words)


def test_a_date_beginning_a_line_or_cell_is_capitalized():
    assert phrase("/1998-23").capitalized().text == "By autumn 1998"
    assert phrase("1992-06~").capitalized().text == "About June 1992"
    assert phrase("1999-01-19").capitalized().text == "19 January 1999"


def test_the_end_of_a_span_reads_after_to():
    assert phrase("1995", "to").text == "to 1995"
    assert phrase("/1998-23", "to").text == "to autumn 1998 at the latest"


@pytest.mark.parametrize(
    ("wording", "lead", "expected"),
    [
        ("On 19 January", "from", "from 19 January"),
        ("On 19 January", "in", "on 19 January"),
        ("On 19 January", "", "19 January"),
        ("from the very beginning", "from", "from the very beginning"),
        ("After the aborted coup of August 1991", "from", "after the aborted coup of August 1991"),
        ("In December of the same year [1988]", "from", "from December of the same year [1988]"),
        ("In December of the same year [1988]", "in", "in December of the same year [1988]"),
        ("Since its very first day", "from", "since its very first day"),
        ("Early in 1990", "", "early in 1990"),
    ],
)
def test_a_date_known_only_as_worded_drops_its_sentences_preposition(wording, lead, expected):
    assert wording_phrase(wording, lead).text == expected


def test_a_date_is_marked_up_as_a_time_with_the_sources_wording_as_its_tooltip():
    html = phrase("1999-01-19", "from").html("On 19 January [1999]")
    assert html == (
        'from <time datetime="1999-01-19" title="The source: “On 19 January [1999]”">'
        "19 January 1999</time>"
    )
    # The wording says no more than the phrase: no tooltip.
    assert phrase("1999-01-10").html("10 January, 1999") == (
        '<time datetime="1999-01-10">10 January 1999</time>'
    )
    assert (
        phrase("1990-05", "in").html("In May 1990") == 'in <time datetime="1990-05">May 1990</time>'
    )


def test_machine_values_are_valid_html_dates_and_never_claim_more_than_the_date():
    assert 'datetime="1994"' in phrase("1994-21").html()  # a season: its year
    assert 'datetime="1992-06"' in phrase("1992-06~").html()
    # A span within one year is one element holding what both ends share.
    assert phrase("2004-09-19/2004-10-03").html() == (
        '<time datetime="2004">19 September to 3 October 2004</time>'
    )
    # Across years, each end is its own element; the tooltip wraps the whole.
    assert phrase("1994-10/1995-03", "in").html("In late 1994-early 1995") == (
        '<span class="date" title="The source: “In late 1994-early 1995”">between '
        '<time datetime="1994-10">October 1994</time> and '
        '<time datetime="1995-03">March 1995</time></span>'
    )
    # An open date: only the known end is a machine date, the relation stays in words.
    assert phrase("1991-08/..").html() == 'after <time datetime="1991-08">August 1991</time>'
    # A decade has no HTML date value: it is not marked as one.
    assert phrase("199X").html() == '<span class="date">1990s</span>'


def render(template: str, **context) -> str:
    return Template("{% load kz %}" + template).render(Context(context))


def test_the_udate_filter_takes_the_word_before_it():
    amended = UncertainDateValue("By the fall of 1998", "/1998-23")
    signed = UncertainDateValue("On 19 January [1999]", "1999-01-19")
    assert render('Adopted {{ d|udate:"from" }}', d=amended) == (
        'Adopted by <time datetime="1998" title="The source: “By the fall of 1998”">'
        "autumn 1998</time>"
    )
    assert "from On" not in render('from {{ d|udate:"from" }}', d=signed)
    assert render('{{ d|udate_text:"in" }}', d=signed) == "on 19 January 1999"
    assert render('{{ d|udate:"capfirst" }}', d=amended).startswith("By <time")
    assert render("{{ d|udate }}", d=UncertainDateValue()) == ""
    # Only wording: no machine date is claimed, and the wording is escaped.
    assert render('{{ d|udate:"in" }}', d=UncertainDateValue("In the <b>spring</b>", "")) == (
        "in the &lt;b&gt;spring&lt;/b&gt;"
    )


# -- the article's pages ------------------------------------------------------------------------


class Dates(HTMLParser):
    """The dates a page marks up (``<time>`` and ``<span class="date">``) with their text,
    and the page's text outside tags."""

    def __init__(self):
        super().__init__()
        self.dates: list[list] = []  # [tag, attributes, text]
        self.open: list[list] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "time" or (tag == "span" and "date" in (attrs.get("class") or "").split()):
            entry = [tag, attrs, ""]
            self.dates.append(entry)
            self.open.append(entry)
        elif tag == "span" and self.open:
            self.open.append(None)

    def handle_endtag(self, tag):
        if tag in ("time", "span") and self.open:
            self.open.pop()

    def handle_data(self, data):
        self.words.append(data)
        for entry in self.open:
            if entry is not None:
                entry[2] += data


def public_pages() -> list[str]:
    urls = ["/", "/organizations/", "/people/", "/elections/", "/acts/", "/sources/"]
    for model in (Organization, Person, Election, LegalAct, Event, Place, Source):
        urls += [record.get_absolute_url() for record in model.objects.published()]
    return urls


def timeline_pages(client) -> list[str]:
    pages, url = [], "/timeline/"
    while url:
        pages.append(client.get(url).content.decode())
        link = re.search(r'<a href="([^"]+)" rel="next">', pages[-1])
        url = link[1].replace("&amp;", "&") if link else None
    return pages


DATE_VALUE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
MISREAD = re.compile(r"\b(from|in|on|until|to) (On|In|At|from|From|After|after|By|Since)\b")


@pytest.mark.django_db
def test_no_page_of_the_article_prints_a_date_without_its_year_or_after_a_wrong_word(client):
    pages = []
    for url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append((url, response.content.decode()))
    pages += [("/timeline/", html) for html in timeline_pages(client)]
    seen = 0
    for url, html in pages:
        parser = Dates()
        parser.feed(html)
        words = re.sub(r"\s+", " ", "".join(parser.words))
        assert not MISREAD.search(words), (url, MISREAD.search(words)[0])
        for tag, attrs, text in parser.dates:
            seen += 1
            assert re.search(r"\b\d{4}s?\b", text), (url, tag, text)
            if tag == "time":
                assert DATE_VALUE.fullmatch(attrs.get("datetime") or ""), (url, attrs)
            title = attrs.get("title")
            assert title is None or title.startswith("The source: “"), (url, title)
    assert seen > 300


@pytest.mark.django_db
def test_the_law_of_1996_shows_its_year_and_the_sources_wording_on_hover(client):
    html = client.get("/acts/law-on-political-parties-1996/").content.decode()
    assert '<dd><time datetime="1996-07-02" title="The source: “2 July”">2 July 1996</time>' in html


def listed(html: str, prefix: str) -> list[str]:
    return re.findall(rf'<th scope="row"><a href="{prefix}([^/]+)/">', html)


def day_order(value) -> tuple:
    far = "9999-12-31"
    latest = value.latest or value.earliest
    earliest = value.earliest or value.latest
    return (str(latest) if latest else far, str(earliest) if earliest else far)


@pytest.mark.django_db
def test_elections_are_listed_in_date_order(client):
    slugs = listed(client.get("/elections/").content.decode(), "/elections/")
    assert slugs.index("presidential-1999") < slugs.index("majilis-1999")
    dates = [Election.objects.get(slug=slug).date for slug in slugs]
    assert [day_order(d) for d in dates] == sorted(day_order(d) for d in dates)


@pytest.mark.django_db
def test_legal_acts_are_listed_in_date_order_within_each_jurisdiction(client):
    html = client.get("/acts/").content.decode()
    kazakhstan = listed(html.split('id="jurisdiction-kazakhstan"')[1], "/acts/")
    assert kazakhstan.index("constitutional-amendments-1998") < kazakhstan.index(
        "law-on-political-parties-2002"
    )
    for section in html.split('<h2 id="jurisdiction-')[1:]:
        dates = [LegalAct.objects.get(slug=slug).adopted for slug in listed(section, "/acts/")]
        assert [day_order(d) for d in dates] == sorted(day_order(d) for d in dates)


PLACED_BY_THE_ARTICLE = {
    "alash-autonomy-announcement": "1917-10/..",
    "nazarbaev-on-the-anti-nuclear-movement": "/1996",
    "nazarbaev-party-system-built-from-above": "/1996",
    "republican-peoples-party-memorandum": "2003-12~",
    "kazhegeldin-removed-from-1999-campaign": "/1999-01-10",
    "us-state-department-statement-1999": "1999-01-10/..",
    "opposition-protest-law-against-political-parties": "2002-07-15/..",
    "opposition-reports-violations-2004": "2004-09-19/..",
    "eu-statement-2004-elections": "2004-10-03/..",
    "tuiakbay-rejects-mandate-2004": "2004-10-03/..",
}


@pytest.mark.django_db
def test_events_the_article_places_in_time_are_dated_and_the_date_is_cited():
    for slug, edtf in PLACED_BY_THE_ARTICLE.items():
        event = Event.objects.get(slug=slug)
        assert event.date.edtf == edtf, slug
        quotes = [c.quote for c in Citation.objects.of_records([event]) if c.field == "date"]
        assert quotes and all(quotes), slug

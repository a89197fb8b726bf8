"""Footnotes as in a reference work: each reference links back to every marker citing it
(“^ a b c”), and shows the quotes the facts rest on."""

import html as htmllib
import re

import pytest

from kzpolitics.core.references import letters

pytestmark = pytest.mark.django_db

PAGES = (
    "/organizations/peoples-congress-of-kazakhstan/",
    "/organizations/otan/",
    "/elections/majilis-2004/",
    "/events/december-1986-events-alma-ata/",
)


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def reference_items(html: str) -> dict[str, str]:
    """Each reference's anchor and its list item's markup (nested lists included)."""
    section = html.split('id="references"', 1)[1].split("</section>", 1)[0]
    items = re.split(r'<li id="(ref-\d+)" value="\d+">', section)[1:]
    return dict(zip(items[::2], items[1::2], strict=True))


@pytest.mark.parametrize("url", PAGES)
def test_every_marker_has_an_id_its_reference_links_back_to(client, url):
    html = get(client, url)
    marker_ids = re.findall(r'<a href="#(ref-\d+)" id="(cite-ref-\d+-[a-z]+)"', html)
    assert marker_ids
    ids = [marker for _, marker in marker_ids]
    assert len(ids) == len(set(ids))  # one id per marker
    references = reference_items(html)
    for anchor, item in references.items():
        expected = [marker for target, marker in marker_ids if target == anchor]
        backlinks = re.findall(r'<a (?:class="backlink" )?href="#(cite-ref-[^"]+)"', item)
        assert backlinks == expected, anchor
        if len(expected) == 1:
            assert 'class="backlink"' in item and ">^</a>" in item
        else:
            letters_shown = re.findall(r'aria-label="Back to citation ([a-z]+) ', item)
            assert letters_shown == [letters(i) for i in range(len(expected))]


@pytest.mark.parametrize("url", PAGES)
def test_the_quotes_a_page_rests_on_are_in_its_reference_list(client, url):
    html = get(client, url)
    items = htmllib.unescape("".join(reference_items(html).values()))
    # The markers' titles carry each quote; the list must show every one of them.
    titles = re.findall(r'<a href="#ref-\d+" id="cite-ref-[^"]+" title="([^"]*)"', html)
    quotes = {
        q for t in titles for q in re.findall(r"(?:^|: )“(.*?)”(?=; |$)", htmllib.unescape(t))
    }
    assert quotes
    for quote in quotes:
        assert f"<q>{quote}</q>" in items, quote


def test_a_quote_says_which_markers_it_backs(client):
    html = htmllib.unescape(get(client, "/organizations/peoples-congress-of-kazakhstan/"))
    first = reference_items(html)["ref-1"]
    assert re.search(r'</q> <span class="quote-uses">\(<span class="visually-hidden">', first)


def test_letters_run_a_to_z_then_aa():
    assert [letters(i) for i in (0, 1, 25, 26, 27, 51, 52)] == [
        "a",
        "b",
        "z",
        "aa",
        "ab",
        "az",
        "ba",
    ]

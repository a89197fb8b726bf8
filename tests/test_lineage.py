"""The lineage diagram: every relation drawn once, names whole, in plain English read from the
page's organization (“Split from: X”, “X split from it”), and said again in words below."""

import html as htmllib
import re

import pytest

from kzpolitics.core.models import Status
from parties import record_pages
from parties.lineage import lineage
from parties.models import Organization, Relation

from .factories import OrganizationFactory, RelationFactory

pytestmark = pytest.mark.django_db

K = Relation.Kind


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return htmllib.unescape(response.content.decode())


def boxes(html: str) -> list[str]:
    """The text of each box of the diagram, tags dropped and spaces collapsed."""
    found = re.findall(r'<li class="lineage-box">(.*?)</li>', html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", box)).strip() for box in found]


def words(html: str) -> str:
    listed = html.split('<ul class="lineage-list">')[1].split("</ul>")[0]
    listed = re.sub(r'<sup class="cite">.*?</sup>', "", listed, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", listed))


def test_each_relation_is_one_box_with_the_whole_name(client):
    otan = Organization.objects.get(slug="otan")
    relations = list(otan.relations_from.all()) + list(otan.relations_to.all())
    drawn = boxes(get(client, otan.get_absolute_url()))
    assert len(drawn) == len(relations) >= 5
    for relation in relations:
        other = relation.object if relation.subject == otan else relation.subject
        assert sum(other.name in box for box in drawn) == 1, other.name
    assert not any("…" in box for box in drawn)


def starts(html: str, text: str) -> bool:
    return any(box.startswith(text) for box in boxes(html))


def test_labels_read_from_the_pages_organization_in_plain_english(client):
    otan = get(client, "/organizations/otan/")
    assert starts(otan, "Democratic Party of Kazakhstan merged into it")
    assert starts(otan, "Based on: Republican Staff")
    communists = get(client, "/organizations/communist-party-of-kazakhstan/")
    assert starts(communists, "Split from: Communist Party of Kazakhstan (Soviet era)")
    assert starts(communists, "Member of bloc: Popular Front")
    soviet = get(client, "/organizations/communist-party-of-kazakhstan-soviet-era/")
    assert starts(soviet, "Socialist Party split from it")
    front = get(client, "/organizations/popular-front-of-kazakhstan/")
    assert starts(front, "Lad joined it")
    for page in (otan, communists, soviet, front):
        text = words(page) + " ".join(boxes(page))
        assert "Joined / merged into" not in text and "joined / merged into" not in text
        assert "Before it:" not in text and "After it:" not in text


def test_the_words_below_say_each_relation_as_a_sentence(client):
    text = words(get(client, "/organizations/otan/"))
    assert "Democratic Party of Kazakhstan merged into Republican (Homeland) Party Otan" in text
    assert "Republican (Homeland) Party Otan was based on Republican Staff" in text


def test_no_relation_or_other_kind_of_link_is_left_out_however_many(client):
    hub = OrganizationFactory(name="Hub Party")
    kinds = list(K)
    for i in range(24):
        kind = kinds[i % len(kinds)]
        other = OrganizationFactory(name=f"A rather long organization name number {i} of many")
        if i % 2:
            RelationFactory(subject=hub, object=other, kind=kind)
        else:
            RelationFactory(subject=other, object=hub, kind=kind)
    hidden = OrganizationFactory(name="Quiet Draft Party", status=Status.DRAFT)
    RelationFactory(subject=hidden, object=hub, kind=K.SPLIT_FROM)
    # Across its pages of links (parties.record_pages), each drawn once.
    drawn, url, pages = [], hub.get_absolute_url(), 0
    while url:
        html = get(client, url)
        assert "Quiet Draft Party" not in html
        drawn += boxes(html)
        pages += 1
        nav = html.partition('aria-label="Pages of links"')[2].partition("</nav>")[0]
        following = re.search(r'href="([^"]+)" rel="next"', nav)
        url = following and following.group(1).replace("&amp;", "&")
    assert pages == -(-24 // record_pages.RECORD_PAGE)
    assert len(drawn) == 24
    for i in range(24):
        assert sum(f"number {i} of many" in box for box in drawn) == 1


@pytest.mark.parametrize(
    ("kind", "outgoing", "before", "after"),
    [
        (K.SPLIT_FROM, True, "Split from", ""),
        (K.SPLIT_FROM, False, "", "split from it"),
        (K.MERGED_INTO, True, "Merged into", ""),
        (K.MERGED_INTO, False, "", "merged into it"),
        (K.RENAMED_TO, True, "Renamed to", ""),
        (K.RENAMED_TO, False, "Renamed from", ""),
        (K.BASED_ON, True, "Based on", ""),
        (K.FOUNDED_BY, True, "Founded by", ""),
        (K.FOUNDED_BY, False, "", "was founded by it"),
        (K.MEMBER_OF, False, "", "joined it"),
        (K.SET_UP_TO_COUNTER, False, "", "was set up to counter it"),
    ],
)
def test_a_link_reads_in_its_direction(kind, outgoing, before, after):
    page, other = OrganizationFactory(), OrganizationFactory()
    subject, object_ = (page, other) if outgoing else (other, page)
    RelationFactory(subject=subject, object=object_, kind=kind)
    found = lineage(Organization.objects.with_record().get(pk=page.pk))
    (link,) = found.links
    assert (link.before, link.after) == (before, after)
    assert link.other == other

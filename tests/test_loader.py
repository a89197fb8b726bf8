"""The fixture loader refuses bad data whole, naming each problem, and saves nothing."""

from pathlib import Path

import pytest
import yaml

from kzpolitics.core.models import Citation, Source
from kzpolitics.site.article_loader import FILES, Loader, LoadError, normalize
from parties.models import Organization

pytestmark = pytest.mark.django_db

ARTICLE = "babak-kazakhstan-multiparty-system"
GOOD_QUOTE = "In April, the Party of National Independence Alash was set up."


def minimal(**overrides) -> dict[str, dict]:
    data = {name: {} for name in FILES}
    data["sources.yaml"] = {
        "sources": [{"slug": ARTICLE, "kind": "article", "title": "The article"}]
    }
    data["organizations.yaml"] = {
        "organizations": [
            {
                "slug": "test-alash",
                "kind": "party",
                "name": "Test Alash",
                "founded": {"text": "In April", "edtf": "1990-04"},
                "citations": [
                    {"section": "The First Political Parties", "quote": GOOD_QUOTE},
                    {"field": "founded", "quote": GOOD_QUOTE},
                ],
            }
        ]
    }
    data.update(overrides)
    return data


def write(tmp_path: Path, data: dict) -> Path:
    for name, content in data.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, allow_unicode=True))
    return tmp_path


def load(tmp_path, data, settings):
    return Loader(write(tmp_path, data), settings.ARTICLE_PATH).load()


def test_a_minimal_valid_set_loads(tmp_path, settings):
    counts = load(tmp_path, minimal(), settings)
    assert counts["parties.Organization"] == 1
    party = Organization.objects.get(slug="test-alash")
    assert party.founded_earliest.isoformat() == "1990-04-01"
    assert sorted(party.citations.values_list("field", flat=True)) == ["", "founded"]


def problems_for(tmp_path, settings, data) -> list[str]:
    before = (Organization.objects.count(), Citation.objects.count(), Source.objects.count())
    with pytest.raises(LoadError) as caught:
        load(tmp_path, data, settings)
    after = (Organization.objects.count(), Citation.objects.count(), Source.objects.count())
    assert before == after, "a refused load must change nothing"
    return caught.value.problems


def org_with(**changes) -> dict:
    data = minimal()
    data["organizations.yaml"]["organizations"][0].update(changes)
    return data


def test_a_quote_not_in_the_article_is_refused(tmp_path, settings):
    data = org_with(citations=[{"quote": "The party was founded on the moon."}])
    assert any(
        "quote not found in the article" in p for p in problems_for(tmp_path, settings, data)
    )


def test_an_uncited_filled_field_is_refused(tmp_path, settings):
    data = org_with(citations=[{"quote": GOOD_QUOTE}])
    assert any("filled but uncited: founded" in p for p in problems_for(tmp_path, settings, data))


def test_a_record_without_a_record_citation_is_refused(tmp_path, settings):
    data = org_with(citations=[{"field": "founded", "quote": GOOD_QUOTE}])
    problems = problems_for(tmp_path, settings, data)
    assert any("test-alash: no citation for the record as a whole" in p for p in problems)


def test_an_invalid_edtf_date_is_refused(tmp_path, settings):
    data = org_with(founded={"text": "In April", "edtf": "1990-April"})
    assert any("not a valid EDTF date" in p for p in problems_for(tmp_path, settings, data))


def test_an_unknown_slug_is_refused(tmp_path, settings):
    data = org_with(founding_place="atlantis")
    assert any("unknown place “atlantis”" in p for p in problems_for(tmp_path, settings, data))


def test_an_unknown_key_and_an_unknown_choice_are_refused(tmp_path, settings):
    data = org_with(kind="sect", colour="red")
    problems = problems_for(tmp_path, settings, data)
    assert any("unknown key(s): colour" in p for p in problems)
    assert any("kind" in p and "not a valid choice" in p for p in problems)


def test_a_footnote_that_does_not_name_the_source_is_refused(tmp_path, settings):
    data = minimal()
    data["sources.yaml"]["sources"].append(
        {"slug": "a-book", "kind": "book", "title": "A book", "footnotes": [1]}
    )
    data["organizations.yaml"]["organizations"][0]["citations"].append(
        {"source": "a-book", "footnote": 2, "pages": "3"}
    )
    problems = problems_for(tmp_path, settings, data)
    assert any("footnote 2 does not name a-book" in p for p in problems)


def test_a_footnoted_source_is_cited_via_the_article(tmp_path, settings):
    data = minimal()
    data["sources.yaml"]["sources"].append(
        {
            "slug": "a-book",
            "kind": "book",
            "title": "A book",
            "authors": "V.A. Ponomarev",
            "date": {"text": "1991", "edtf": "1991"},
            "footnotes": [1],
        }
    )
    data["organizations.yaml"]["organizations"][0]["citations"].append(
        {"source": "a-book", "footnote": 1, "pages": "14-15"}
    )
    load(tmp_path, data, settings)
    citation = Citation.objects.get(source__slug="a-book")
    assert citation.via.slug == ARTICLE
    assert citation.locator_text.startswith("Ponomarev 1991, pp. 14-15, cited in")
    assert citation.locator_text.endswith("fn. 1")


def test_normalize_ignores_footnote_markers_and_page_break_hyphens():
    assert normalize("the law legal-\n\nized what¹⁰ was") == "the law legalized what was"


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"authors": "V.A. Ponomarev", "date": {"edtf": "1991"}}, "Ponomarev 1991"),
        (
            {"authors": "S. D'iachenko, L. Karmazina, S. Seydumanov", "date": {"edtf": "2000"}},
            "D'iachenko et al. 2000",
        ),
        ({"editors": "V. Babak, D. Vaisman", "date": {"edtf": "2003"}}, "Babak et al. (ed.) 2003"),
        (
            {"container": "Nezavisimaia gazeta", "date": {"edtf": "1992-06-02"}},
            "Nezavisimaia gazeta 1992",
        ),
        ({"title": "navi.kz, articles/?artid=3125"}, "navi.kz"),
    ],
)
def test_sources_have_an_author_date_label(fields, label):
    assert Source(title=fields.pop("title", "T"), **fields).short_reference == label


def test_without_the_articles_text_the_fixtures_load_and_quotes_go_unchecked(tmp_path, settings):
    """A clone of the repository has no ../shared: the fixtures are the data."""
    missing = tmp_path / "no-such-article.txt"
    data = org_with(
        citations=[
            {"section": "The First Political Parties", "quote": "Founded on the moon."},
            {"field": "founded", "quote": GOOD_QUOTE},
        ]
    )
    counts = Loader(write(tmp_path, data), missing).load()
    assert counts["parties.Organization"] == 1


@pytest.mark.slow  # the whole article, loaded again
def test_load_article_without_the_text_says_so_in_a_sentence_and_loads(tmp_path, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.ARTICLE_PATH = tmp_path / "no-such-article.txt"
    out = StringIO()
    call_command("load_article", "--check", stdout=out)
    text = out.getvalue()
    assert f"The article's text is not at {settings.ARTICLE_PATH}" in text
    assert "rows checked (rolled back)" in text

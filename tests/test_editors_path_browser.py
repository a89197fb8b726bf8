"""The editors' desk in a real browser: an editor's and a reviewer's whole path, as they work.

Debian's Chromium, driven by Playwright, on a throwaway copy of the site served by gunicorn
(tests/site_server.py) on this run's kind of database, so on PostgreSQL in CI: every save,
lock and revert runs in real transactions. Two people work side by side, each in a browser
of their own: an editor, who drafts and proposes, and a reviewer, who publishes.

The path, in order (each step builds on the one before):
1. the editor adds a party with a leader, a relation and a cited founding date, in one form,
   the role and the relation cited from that form too, and picks the related records with
   the pickers (typing the exact name puts it first);
2. sends it for review with an edit summary;
3. the reviewer reviews it in the queue and publishes it;
4. the reviewer changes it, compares two versions from its history, and reverts from the
   comparison;
5. the editor imports a sheet with one change and one bad row: the preview shows exactly
   those, the reason in plain sight;
6. the editor watches a record; a colleague (the reviewer) changes it; the change shows on the
   editor's watchlist and in their personal feed, read by a client with no session.

Screenshots of the form, the review queue, the comparison and the import preview at 1366 px go
to build/test-artefacts/ (admin-*.png).
"""

import html
import xml.etree.ElementTree as ET

import pytest

from .checkers import ARTEFACTS, missing_browser
from .test_browser import expect, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-"),
]

EDITOR = ("path-editor", "a long editor password 42")
REVIEWER = ("path-reviewer", "a long reviewer password 42")
PARTY = "Party of the Browser Path"
SLUG = "party-of-the-browser-path"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(shared_site):
    shared_site.add_account(*EDITOR)
    shared_site.add_account(*REVIEWER, reviewer=True)
    return shared_site.url


def signed_in(browser, site, account):
    context = browser.new_context(base_url=site, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, account)
    return page


@pytest.fixture(scope="module")
def editor_page(browser, site):
    page = signed_in(browser, site, EDITOR)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def reviewer_page(browser, site):
    page = signed_in(browser, site, REVIEWER)
    yield page
    page.context.close()


def pick(page, select_id: str, typed: str) -> str:
    """Type ``typed`` into the picker of ``select_id`` and take its first option; returns the
    option's text (the record, its kind and dates)."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    first = page.locator(".select2-container--open .select2-results__option").first
    expect()(first).to_contain_text(typed)
    text = first.inner_text()
    first.click()
    return text


def add_row(page, inline: str) -> None:
    """Click the inline's “Add another …” (Django's inlines.js draws it)."""
    link = page.locator(f"#{inline}-group .add-row a")
    link.scroll_into_view_if_needed()
    link.click()
    expect()(page.locator(f"#{inline}-0")).to_be_visible()


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"admin-{name}.png", full_page=True)


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 1366"


def party_change_url(page) -> str:
    page.goto(f"/admin/parties/organization/?q={SLUG}")
    page.locator("#result_list tbody th a").first.click()
    return page.url


def test_1_an_editor_adds_a_party_with_a_leader_a_relation_and_a_cited_founding(editor_page):
    page = editor_page
    page.goto("/admin/parties/organization/add/")
    # The name comes first and has the cursor; the slug follows it.
    assert page.evaluate("document.activeElement.name") == "name"
    page.locator("#id_name").fill(PARTY)
    page.locator("#id_kind").select_option("party")
    page.locator("#id_founded_text").fill("founded in the spring of 1994")
    page.locator("#id_founded_edtf").fill("1994-21")
    assert page.locator("#id_slug").input_value() == SLUG  # filled from the name

    # The leader, cited from the party's own form.
    add_row(page, "roles")
    leader = pick(page, "id_roles-0-person", "Nazarbaev")
    assert "person" in leader
    page.locator("#id_roles-0-title").fill("chairman")
    page.locator("#id_roles-0-kind").select_option(index=1)
    pick(page, "id_roles-0-cite_source", "Babak")
    page.locator("#id_roles-0-cite_pages").fill("12")

    # A relation: the exact name comes first in the picker, with its kind and dates.
    add_row(page, "relations_from")
    page.locator("#id_relations_from-0-kind").select_option(index=1)
    related = pick(page, "id_relations_from-0-object", "Democratic Party of Kazakhstan")
    assert related.startswith("Democratic Party of Kazakhstan — political party")
    pick(page, "id_relations_from-0-cite_source", "Babak")

    # The founding date, cited: the citation backs the field "Founded".
    prefix = "id_kzpolitics-citation-content_type-object_id-0"
    page.locator(f"#{prefix}-field").select_option(label="Founded")
    pick(page, f"{prefix}-source", "Babak")
    page.locator(f"#{prefix}-pages").fill("12")
    no_sideways_scroll(page)
    shot(page, "form")
    page.get_by_role("button", name="Save and continue editing").click()
    expect()(page.locator(".messagelist")).to_contain_text("was added successfully")

    # One save: the role and the relation exist, each with its citation.
    expect()(page.locator("#id_roles-0-title")).to_have_value("chairman")
    roles = page.locator("#roles-group").inner_text()
    relations = page.locator("#relations_from-group").inner_text()
    assert "Babak" in roles and "Babak" in relations, (roles, relations)


def test_2_the_editor_sends_it_for_review(editor_page):
    page = editor_page
    party_change_url(page)
    page.locator("#id_status").select_option(label="In review")
    page.locator("#id_edit_summary").fill("Ready for review: founding cited")
    page.get_by_role("button", name="Save and continue editing").click()
    expect()(page.locator(".messagelist")).to_contain_text("changed successfully")


def test_3_the_reviewer_reviews_and_publishes_it(reviewer_page, site):
    page = reviewer_page
    page.goto("/admin/review/")
    item = page.locator(".review-item", has=page.get_by_role("link", name=PARTY))
    expect()(item).to_contain_text("Ready for review: founding cited")
    no_sideways_scroll(page)
    shot(page, "review-queue")
    item.get_by_role("button", name="Publish").click()
    expect()(page.locator(".messagelist")).to_be_visible()
    # The public sees it now, with the founding date as a phrase with its year.
    page.goto(f"/organizations/{SLUG}/")
    expect()(page.get_by_role("heading", level=1)).to_contain_text(PARTY)
    expect()(page.locator("main")).to_contain_text("1994")


def test_4_the_reviewer_compares_two_versions_and_reverts_from_the_comparison(reviewer_page):
    page = reviewer_page
    party_change_url(page)
    page.locator("#id_summary").fill("A party made to test the editors' path.")
    page.locator("#id_edit_summary").fill("Summary added")
    page.get_by_role("button", name="Save and continue editing").click()
    expect()(page.locator(".messagelist")).to_contain_text("changed successfully")

    page.get_by_role("link", name="History").click()
    # Compare the first version with the current record.
    page.locator("input[name=old]").last.check()
    page.locator("input[name=new][value=current]").check()
    page.get_by_role("button", name="Compare the selected versions").first.click()
    expect()(page.locator("#content")).to_contain_text("Summary")
    expect()(page.locator("#content")).to_contain_text("changed")
    no_sideways_scroll(page)
    shot(page, "comparison")

    # Compare the version before the last save with the current record, and revert to it.
    page.get_by_role("link", name="History").first.click()
    page.locator("input[name=old]").nth(1).check()
    page.locator("input[name=new][value=current]").check()
    page.get_by_role("button", name="Compare the selected versions").first.click()
    expect()(page.locator("#content")).to_contain_text("A party made to test the editors")
    page.locator("#id_edit_summary").fill("Reverted: the summary needs a source first")
    page.get_by_role("button", name="Revert to this version").click()
    expect()(page.locator(".messagelist")).to_be_visible()
    party_change_url(page)
    expect()(page.locator("#id_summary")).to_have_value("")


def test_5_an_import_preview_shows_only_the_change_and_the_bad_row(editor_page):
    page = editor_page
    page.goto("/admin/parties/organization/import/")
    page.get_by_label("Format").select_option(label="csv")
    sheet = (
        "slug,kind,name\n"
        "otan,party,Republican Party Otan (renamed in a test)\n"
        "a-bad-row,no-such-kind,A Bad Row\n"
    )
    page.get_by_label("File to import").set_input_files(
        files=[{"name": "sheet.csv", "mimeType": "text/csv", "buffer": sheet.encode()}]
    )
    page.get_by_role("button", name="Submit").click()
    content = page.locator("#content")
    expect()(content).to_contain_text("renamed in a test")
    expect()(content).to_contain_text("no-such-kind")  # the refusal, in plain sight
    no_sideways_scroll(page)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height
    shot(page, "import-preview")


def test_6_a_watched_record_shows_a_colleagues_change_on_the_watchlist_and_feed(
    editor_page, reviewer_page, browser, site
):
    editor, colleague = editor_page, reviewer_page
    editor.goto("/admin/parties/organization/?q=azat")
    editor.locator("#result_list tbody th a").first.click()
    record = editor.url
    editor.get_by_role("button", name="Watch", exact=True).click()
    expect()(editor.get_by_role("button", name="Unwatch")).to_be_visible()

    colleague.goto(record)
    colleague.locator("#id_note").fill("Checked against the article, page 14.")
    colleague.locator("#id_edit_summary").fill("A colleague's check")
    colleague.get_by_role("button", name="Save and continue editing").click()
    expect()(colleague.locator(".messagelist")).to_contain_text("changed successfully")

    editor.goto("/admin/watchlist/")
    expect()(editor.locator("#content")).to_contain_text("A colleague's check")
    expect()(editor.locator("#content")).to_contain_text(REVIEWER[0])
    editor.get_by_role("button", name="Make a feed address").click()
    address = editor.locator("#feed-address").input_value()

    # A feed reader: no session, only the secret address.
    reader = browser.new_context()
    answer = reader.request.get(address)
    assert answer.status == 200
    feed = ET.fromstring(answer.body())
    texts = html.unescape(" ".join(" ".join(e.itertext()) for e in feed.iter(f"{ATOM}entry")))
    assert "A colleague's check" in texts
    reader.close()

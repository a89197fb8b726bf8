"""A party's form on a 1366 px screen, in a real browser (Debian's Chromium, Playwright).

An editor opens an organization's change form and the add form at 1366×900, with the admin's
sidebar open and then collapsed: the page does not scroll sideways, and the citations table
(and every table of statement rows, with their citing columns) is no wider than its box. On
the add form the cursor starts in the name. Screenshots go to build/test-artefacts/.
"""

import pytest

from .checkers import ARTEFACTS, CHROMIUM, CHROMIUM_ARGS, missing_browser
from .test_browser import expect, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-"),
]

EDITOR = ("forms-editor", "a long editor password 42")
WIDTH, HEIGHT = 1366, 900
SHOTS = ARTEFACTS

# How far each kind of inline table overflows its box (0 when it fits), by its inline's id.
TABLES_WIDER_THAN_THEIR_BOX = """() => Array.from(
    document.querySelectorAll('.inline-group .tabular fieldset.module'),
    box => {
        const table = box.querySelector('table');
        return [
            box.closest('.inline-group').id,
            Math.ceil(table.getBoundingClientRect().width - box.clientWidth),
        ];
    }
).filter(([, overflow]) => overflow > 0)"""


@pytest.fixture(scope="module")
def site(shared_site):
    shared_site.add_account(*EDITOR)
    return shared_site.url


@pytest.fixture(scope="module")
def page(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=site, viewport={"width": WIDTH, "height": HEIGHT})
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, EDITOR)
        yield page
        browser.close()


def fits(page) -> None:
    """The page does not scroll sideways, and no inline table is wider than its box."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"
    assert page.evaluate(TABLES_WIDER_THAN_THEIR_BOX) == []


def with_the_sidebar(page, shown: bool) -> None:
    """Open or collapse Django's navigation sidebar (its state is kept for the next page)."""
    # The admin's nav_sidebar.js (deferred) shows the sidebar from the state it kept. Until it
    # has run, the sidebar looks collapsed, and a click would then close what it opens.
    page.wait_for_load_state("load")
    sidebar = page.locator("#nav-sidebar")
    if sidebar.count() and sidebar.is_visible() != shown:
        page.locator("#toggle-nav-sidebar").click()
        expect()(sidebar).to_be_visible() if shown else expect()(sidebar).to_be_hidden()


def test_a_partys_change_form_fits_a_1366_px_screen(page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/admin/parties/organization/?q=otan")
    page.locator("#result_list tbody th a").first.click()
    expect()(page.get_by_label("Edit summary")).to_be_visible()
    expect()(page.locator(".kz-citations th.column-field")).to_contain_text("Backs the field")
    for shown, name in ((True, "sidebar"), (False, "no-sidebar")):
        with_the_sidebar(page, shown)
        fits(page)
        page.screenshot(path=SHOTS / f"forms-change-1366-{name}.png", full_page=True)
        page.locator(".kz-citations").screenshot(path=SHOTS / f"forms-citations-1366-{name}.png")
        rows = page.locator("fieldset.kz-rows", has_text="Relations to other organizations")
        rows.screenshot(path=SHOTS / f"forms-relations-1366-{name}.png")
    with_the_sidebar(page, True)


def test_the_add_form_fits_and_starts_in_the_name(page):
    page.goto("/admin/parties/organization/add/")
    expect()(page.locator("#id_name")).to_be_focused()
    for shown, name in ((True, "sidebar"), (False, "no-sidebar")):
        with_the_sidebar(page, shown)
        fits(page)
        page.screenshot(path=SHOTS / f"forms-add-1366-{name}.png", full_page=True)
    with_the_sidebar(page, True)
    # The slug is filled from the name as it is typed.
    page.locator("#id_name").press_sequentially("A Party Typed In")
    expect()(page.locator("#id_slug")).to_have_value("a-party-typed-in")


def pick(page, select_id: str, typed: str, option: str) -> None:
    """Choose ``option`` in the autocomplete of the select ``select_id``, typing ``typed``."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_a_new_party_comes_out_of_one_save_with_its_leader_cited(page):
    """The editor's path: a party with its leader, the leader cited in the leader's own row."""
    page.goto("/admin/parties/organization/add/")
    page.locator("#id_name").press_sequentially("Zqforms Browser Party")
    page.locator("#id_kind").select_option("party")
    group = page.locator("#roles-group")
    group.locator(".add-row a").click()
    pick(page, "id_roles-0-person", "Nazarba", "Nazarba")
    page.locator("#id_roles-0-title").fill("chairman")
    page.locator("#id_roles-0-kind").select_option("chair")
    pick(page, "id_roles-0-cite_source", "Babak", "Babak")
    page.locator("#id_roles-0-cite_pages").fill("214")
    page.locator("#id_roles-0-cite_quote").fill("Its chairman was the president.")
    fits(page)
    group.screenshot(path=SHOTS / "forms-add-role-cited-1366.png")
    page.get_by_role("button", name="Save and continue editing").click()
    expect()(page.locator(".messagelist")).to_contain_text("was added successfully")
    # The leader's row lists its citation now, linked to the citation's own page.
    cited = page.locator("#roles-group td.field-row_citations a")
    expect()(cited).to_have_count(1)
    expect()(cited).to_contain_text("214")
    expect()(cited.locator("xpath=..")).to_contain_text("(draft)")
    fits(page)
    page.locator("#roles-group").screenshot(path=SHOTS / "forms-role-cited-1366.png")

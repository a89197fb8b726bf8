"""The public site in a real browser: Debian's Chromium driven by Playwright.

A reader's path through the site (home, a party, a footnote, its source, back), search by a
variant spelling, the organization filters, the site without JavaScript and on a phone, a
screenshot of an election page, and axe-core on every kind of page. The site is a throwaway
copy served by gunicorn with DEBUG off, on this run's kind of database (tests/site_server.py);
screenshots and axe's figures go to build/test-artefacts/.
"""

import json
import re

import pytest

from .checkers import ARTEFACTS, AXE_JS, missing_axe, missing_browser
from .page_kinds import NOT_FOUND, PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-"),
]


EDITOR = ("browser-editor", "a long editor password 42")  # an account in the throwaway site


@pytest.fixture(scope="module")
def site(shared_site):
    shared_site.add_account(*EDITOR)
    return shared_site.url


@pytest.fixture
def page(browser, site, request):
    # axe is injected into the page as an inline script: the site's CSP would refuse it.
    bypass_csp = request.node.get_closest_marker("inject_axe") is not None
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Nothing may load from another host: every request the page makes stays on the site.
    elsewhere = []
    page.on("request", lambda r: r.url.startswith(site) or elsewhere.append(r.url))
    yield page
    context.close()
    assert not elsewhere, f"requests to another host: {elsewhere}"


def expect():
    from playwright.sync_api import expect

    return expect


def sign_in(page, account: tuple[str, str]) -> None:
    """Sign in to the admin as ``account`` (a user name and a password), as a person does."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Log in").click()
    expect()(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_reader_goes_from_home_to_a_party_follows_a_footnote_to_its_source_and_back(page):
    page.goto("/")
    expect()(page.locator("h1")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organizations").click()
    expect()(page).to_have_url(re.compile(r"/organizations/$"))
    page.get_by_label("Kind").select_option("party")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Republican (Homeland) Party Otan", exact=True).click()
    expect()(page).to_have_url(re.compile(r"/organizations/otan/$"))
    expect()(page.locator("h1")).to_contain_text("Otan")

    marker = page.locator("sup.cite a").first
    target = marker.get_attribute("href")
    assert re.fullmatch(r"#ref-\d+", target)
    marker.click()
    expect()(page).to_have_url(re.compile(rf"/organizations/otan/{target}$"))
    reference = page.locator(target)
    expect()(reference).to_be_in_viewport()

    source_link = reference.locator("a[href^='/sources/']").first
    source_name = source_link.inner_text()
    source_link.click()
    expect()(page).to_have_url(re.compile(r"/sources/[\w-]+/$"))
    expect()(page.locator("main")).to_contain_text("Otan")  # the source lists what cites it
    assert source_name.split()[0] in page.locator("h1").inner_text() + page.title()

    page.go_back()
    expect()(page).to_have_url(re.compile(rf"/organizations/otan/{target}$"))
    expect()(page.locator("h1")).to_contain_text("Otan")


def test_searching_for_nazarbayev_finds_nazarbaev(page):
    page.goto("/elections/")
    page.get_by_role("searchbox", name="Search").fill("Nazarbayev")
    page.get_by_role("searchbox", name="Search").press("Enter")
    expect()(page).to_have_url(re.compile(r"/search/\?q=Nazarbayev$"))
    results = page.locator("main")
    expect()(results.get_by_role("heading", name=re.compile("People"))).to_be_visible()
    results.get_by_role("link", name=re.compile(r"^Nursultan Nazarbaev")).first.click()
    expect()(page).to_have_url(re.compile(r"/people/nursultan-nazarbaev/$"))


def test_filtering_the_organization_list_by_kind_and_stance(page):
    page.goto("/organizations/")
    everything = organization_count(page)
    page.get_by_label("Kind").select_option("party")
    page.get_by_role("button", name="Show").click()
    expect()(page).to_have_url(re.compile(r"kind=party"))
    parties = organization_count(page)
    assert 0 < parties < everything
    kinds = page.locator("table.data tbody tr td:nth-child(2)").all_inner_texts()
    assert set(kinds) == {"Political party"}

    page.get_by_label("Stance").select_option("opposition")
    page.get_by_role("button", name="Show").click()
    expect()(page).to_have_url(re.compile(r"kind=party.*stance=opposition"))
    assert 0 < organization_count(page) < parties
    expect()(page.get_by_label("Kind")).to_have_value("party")  # the form keeps its choices


def organization_count(page) -> int:
    text = page.locator("main p.meta", has_text="organization").first.inner_text()
    return int(re.match(r"(\d+) organizations?\.", text).group(1))


def test_the_site_works_without_javascript(browser, site):
    context = browser.new_context(base_url=site, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("searchbox", name="Search").fill("Almaty")
    page.get_by_role("button", name="Search").click()
    expect()(page).to_have_url(re.compile(r"/search/\?q=Almaty$"))
    expect()(page.locator("main")).to_contain_text("Alma Ata")
    page.goto("/timeline/?from=1990&to=1991")
    assert page.locator("main li").count() > 0
    context.close()


def test_an_election_page_on_a_wide_screen_and_a_phone(browser, site):
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in {"wide": (1440, 1000), "phone": (390, 844)}.items():
        context = browser.new_context(
            base_url=site, viewport={"width": viewport[0], "height": viewport[1]}
        )
        page = context.new_page()
        page.goto(PAGES["election-detail"])
        chart = page.locator("svg").first
        expect()(chart).to_be_visible()
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-labelledby")
        path = ARTEFACTS / f"election-majilis-2004-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        context.close()


def test_no_page_scrolls_sideways_on_a_phone(browser, site):
    """Readable on a phone: wide tables scroll inside their own box, long addresses wrap, and
    the page itself is never wider than the screen."""
    context = browser.new_context(base_url=site, viewport={"width": 360, "height": 780})
    page = context.new_page()
    too_wide = {}
    for kind, url in PAGES.items():
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[kind] = overflow
    context.close()
    assert not too_wide, f"pages wider than a 360px screen (px too wide): {too_wide}"


def csp_refusals(page) -> list[tuple[str, str]]:
    """What the page's console says the Content Security Policy refused, as it happens: the
    address and the message."""
    refused = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and refused.append((page.url, m.text)),
    )
    return refused


def test_the_site_and_the_api_docs_work_under_the_content_security_policy(browser, site):
    """No page breaks the policy: the browser reports no refused script, style or image, and
    the API docs (Swagger UI, served from the site) render the operations."""
    context = browser.new_context(base_url=site)
    page = context.new_page()
    refused = csp_refusals(page)
    for url in [*PAGES.values(), "/admin/login/"]:
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto("/api/v1/docs/")
    expect()(page.get_by_text("/api/v1/organizations/").first).to_be_visible()
    context.close()
    assert not refused, refused


# An editor's working pages: lists with their import and export, a form, history, reports.
ADMIN_PAGES = (
    "/admin/",
    "/admin/parties/organization/",
    "/admin/parties/organization/export/",
    "/admin/parties/organization/import/",
    "/admin/parties/organization/deleted/",
    "/admin/parties/organization/add/",
    "/admin/kzpolitics/citation/export/",
    "/admin/uncited/",
    "/admin/recent-changes/",
)


def test_the_editors_admin_works_under_the_content_security_policy(browser, site):
    """Signed in as an editor, no admin page has a script, style or image refused: the
    import and export pages included (their templates come from django-import-export)."""
    context = browser.new_context(base_url=site)
    page = context.new_page()
    refused = csp_refusals(page)
    sign_in(page, EDITOR)
    for url in ADMIN_PAGES:
        response = page.goto(url)
        assert response.status == 200, url
    # An import's preview: the table of what would change, before anything is saved.
    page.goto("/admin/parties/organization/import/")
    page.get_by_label("Format").select_option(label="csv")
    page.get_by_label("File to import").set_input_files(
        files=[
            {
                "name": "organizations.csv",
                "mimeType": "text/csv",
                "buffer": b"slug,kind,name\na-party-from-a-file,party,A Party From a File\n",
            }
        ]
    )
    page.get_by_role("button", name="Submit").click()
    expect()(page.get_by_role("button", name="Confirm import")).to_be_visible()
    page.goto("/admin/parties/organization/?q=otan")
    page.locator("#result_list tbody th a").first.click()
    expect()(page.get_by_label("Edit summary")).to_be_visible()
    page.get_by_role("link", name="History").click()
    expect()(page.get_by_role("heading", name=re.compile("history", re.I))).to_be_visible()
    context.close()
    assert not refused, refused


AXE_PAGES = {**PAGES, "not-found": NOT_FOUND}


@pytest.fixture(scope="module")
def axe_report():
    report = {}
    yield report
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "axe.json").write_text(json.dumps(report, indent=2))


@pytest.mark.skipif(bool(missing_axe()), reason=missing_axe() or "-")
@pytest.mark.inject_axe
@pytest.mark.parametrize("kind", AXE_PAGES)
def test_axe_finds_no_serious_or_critical_violation(page, kind, axe_report):
    page.goto(AXE_PAGES[kind])
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', "
        "'best-practice']})"
    )
    violations = results["violations"]
    axe_report[kind] = {
        "url": AXE_PAGES[kind],
        "passes": len(results["passes"]),
        "incomplete": len(results["incomplete"]),
        "violations": {v["id"]: v["impact"] for v in violations},
    }
    grave = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not grave, [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in grave
    ]

"""No page of the editors' admin scrolls sideways on a 1366 px screen.

A reviewer (who sees every page an editor sees, and the publishing ones) signs in to a
throwaway copy of the site and follows the admin's own links, breadth first, from its index:
every list, add form, change form, history, comparison, review queue, report, import and
export page, the watchlist and the token page, as far as links lead. Addresses that differ
only in a record's number are one kind of page, measured once. Each page is measured by the
layout check the public pages use (tests/layout_check.js, its "sideways" rule: the page is
wider than the window).
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from .checkers import ARTEFACTS, CHROMIUM, CHROMIUM_ARGS, missing_browser
from .site_server import throwaway_site
from .test_browser import sign_in
from .test_layout_browser import described, layout_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-"),
]

REVIEWER = ("layout-reviewer", "a long reviewer password 42")
WIDTH = 1366
# Links that change something, or leave the admin's pages for another kind of answer.
NOT_FOLLOWED = re.compile(r"/(logout|delete|password_change|autocomplete|jsi18n)/|\.(csv|atom)$")
MAX_PAGES = 400  # a bound on the crawl; the admin has about 250 kinds of page


@pytest.fixture(scope="module")
def site():
    # A copy of its own, not the shared one: there the other modules' editors have changed
    # records, and the crawl follows the history's links to their accounts, which a reviewer
    # may not open (403).
    with throwaway_site(reviewers=(REVIEWER,)) as served:
        yield served.url


# Query keys that change how the admin lays a page out: a popup (no header, rows picked by a
# click), the filters' counts. Any other key (a filter, an order, a search, a later page of
# the recent changes) shows the same page with other rows: one kind more, "filtered", for
# each page, not one for each filter (which alone made 400 kinds and cut the crawl short).
LAYOUT_KEYS = frozenset({"_popup", "_to_field", "_facets"})
# Keys that change nothing shown: the list's filters kept for the way back from a form.
IGNORED_KEYS = frozenset({"_changelist_filters"})


def page_kind(url: str) -> str:
    """An address with every record number made one and its query reduced to what changes
    the layout (``LAYOUT_KEYS``, and whether it is filtered at all): the kind of page."""
    parts = urlsplit(url)
    path = re.sub(r"/[0-9]+(?=/)", "/N", parts.path)
    keys = {q.split("=")[0] for q in parts.query.split("&") if q} - IGNORED_KEYS
    marks = sorted(keys & LAYOUT_KEYS) + (["filtered"] if keys - LAYOUT_KEYS else [])
    return f"{path}?{'&'.join(marks)}" if marks else path


def admin_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href).split("#")[0]
        if url.startswith(f"{base}/admin/") and not NOT_FOLLOWED.search(urlsplit(url).path):
            found.append(url)
    return found


def test_no_admin_page_scrolls_sideways_at_1366(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=site, viewport={"width": WIDTH, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, REVIEWER)

        seen_kinds, measured, too_wide, errors = set(), [], [], []
        queue = deque([f"{site}/admin/"])
        while queue and len(measured) < MAX_PAGES:
            url = queue.popleft()
            kind = page_kind(url)
            if kind in seen_kinds:
                continue
            seen_kinds.add(kind)
            response = page.goto(url)
            if response is None or response.status >= 400:
                errors.append(f"{url}: {response.status if response else 'no answer'}")
                continue
            measured.append(url)
            sideways = [p for p in layout_problems(page) if p["rule"] in ("sideways", "sticks-out")]
            if sideways:
                too_wide.append(described(sideways, url, per_rule=3))
                page.screenshot(
                    path=ARTEFACTS / f"admin-too-wide-{len(too_wide)}.png", full_page=True
                )
            queue.extend(u for u in admin_links(page, site) if page_kind(u) not in seen_kinds)
        context.close()
        browser.close()

    # The crawl reached the pages this check is for, not only the index.
    reached = "\n".join(measured)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "admin-pages-1366.txt").write_text(reached + "\n")
    for wanted in ("/change/", "/add/", "/history/", "/review/", "/uncited/", "/import/"):
        assert wanted in reached, f"the crawl never reached a {wanted} page"
    assert len(measured) > 50, measured
    # Every kind of page was reached: the crawl ended because no link led further, not at its
    # bound (where it once stopped, some 40 kinds short: history versions and comparisons).
    unreached = sorted({page_kind(url) for url in queue} - seen_kinds)
    assert not unreached, f"the crawl stopped at {MAX_PAGES} pages, short of: {unreached[:10]}"
    assert not errors, "\n".join(errors)
    assert not too_wide, "admin pages wider than 1366 px:\n" + "\n".join(too_wide)

"""Every kind of page reads whole, on a wide screen and a phone: no text clipped or cut off by
its box, no label broken inside a word ("Foun ded"), no page that scrolls sideways.

The check is one JavaScript function (tests/layout_check.js) that Chromium runs in the page; it
measures what the browser laid out and returns each problem with the element's CSS path and
text. It is tried first on two small pages of its own, one with each kind of fault and one with
none, so that a pass over the site means the check looked, not that it could not see.
"""

import re
from pathlib import Path

import pytest

from .checkers import missing_browser, missing_page_font
from .page_kinds import NOT_FOUND, PAGES
from .test_browser import site  # noqa: F401  (the throwaway site, a fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-"),
    pytest.mark.skipif(bool(missing_page_font()), reason=missing_page_font() or "-"),
]

LAYOUT_CHECK = (Path(__file__).parent / "layout_check.js").read_text()
WIDTHS = {"wide": 1366, "phone": 390}
# Every kind of page, and the page a mistyped address gets (answered 404).
LAYOUT_PAGES = {**PAGES, "not-found": NOT_FOUND}


def layout_problems(page) -> list[dict]:
    page.evaluate("document.fonts.ready.then(() => true)")  # measured in the type shown
    return page.evaluate(LAYOUT_CHECK, {})


def described(problems: list[dict], where: str, per_rule: int = 8) -> str:
    """One line a problem, at most ``per_rule`` of each rule: a page that scrolls sideways
    pushes hundreds of lines past the edge, and the first few say where to look."""
    lines, counts = [], {}
    for p in problems:
        counts[p["rule"]] = counts.get(p["rule"], 0) + 1
        if counts[p["rule"]] <= per_rule:
            lines.append(f"{where}: {p['rule']}: {p['path']} “{p['text']}” ({p['detail']})")
    lines += [
        f"{where}: {rule}: … and {n - per_rule} more" for rule, n in counts.items() if n > per_rule
    ]
    return "\n".join(lines)


# A page with one of each fault the check is for, at a phone's width.
FAULTY_PAGE = """<!doctype html>
<html lang="en"><head><title>Faults</title><style>
  body { margin: 0; font: 16px/1.4 sans-serif; }
  .clipped { width: 8rem; height: 1.4em; overflow: hidden; white-space: nowrap; }
  .ellipsis { width: 8rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  th { width: 2.5rem; overflow-wrap: anywhere; text-align: left; }
  .too-wide { width: 40rem; }
  #narrow { width: 5rem; }
  .squeezed { width: 3rem; overflow-wrap: anywhere; }
  .spilling { width: 5rem; }
</style></head><body>
  <p class="clipped">A sentence far too long for its little box</p>
  <p class="ellipsis">Another sentence cut short with an ellipsis</p>
  <table><tr><th>Registration</th><td>Re-registered</td></tr></table>
  <dl><dt>Adopted by</dt><dd class="squeezed">Parliament</dd></dl>
  <div class="spilling">Supercalifragilisticexpialidocious</div>
  <div class="too-wide">A box wider than the phone's screen, so the page scrolls sideways</div>
  <svg width="240" height="70" role="img" aria-label="A drawing">
    <rect x="0" y="0" width="100" height="30" fill="none" stroke="black"/>
    <text id="too-long" x="5" y="20">A label much longer than its box</text>
    <text id="cut" x="5" y="50">Cut short…</text>
    <text id="past-the-edge" x="180" y="65">Past the edge of the drawing</text>
  </svg>
  <svg class="shrunk" viewBox="0 0 2000 100" width="300" role="img" aria-label="Shrunk">
    <text id="tiny" x="10" y="50" font-size="20">Too small to read</text>
  </svg>
  <input id="narrow" aria-label="Search" placeholder="A placeholder far longer than its field">
</body></html>"""

# The same things laid out well, with text hidden from sight the accessible ways.
CLEAN_PAGE = """<!doctype html>
<html lang="en"><head><title>Clean</title><style>
  body { margin: 0; font: 16px/1.4 sans-serif; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
  .skip { position: absolute; left: -999px; }
  .scrolls { overflow-x: auto; }
  .fits { width: 20rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  main { overflow-wrap: anywhere; }
</style></head><body>
  <a class="skip" href="#main">Skip to the content</a>
  <nav aria-label="Main"><a href="/organizations/">Organizations</a> <a href="/">People</a></nav>
  <main id="main">
    <h1>A heading long enough to wrap, at word boundaries, onto a second line on a phone</h1>
    <p class="fits">A short line</p>
    <span class="visually-hidden">Words only a screen reader reads, in a box of one pixel</span>
    <div class="scrolls"><table><tr><th>Registration</th><td>1 March 1999</td></tr></table></div>
    <dl><dt>Founded</dt><dd>https://example.org/a/very/long/address/that/wraps/anywhere/it/must</dd></dl>
    <svg width="240" height="40" role="img" aria-label="A drawing">
      <rect x="0" y="0" width="220" height="30" fill="none" stroke="black"/>
      <text x="5" y="20">A label that fits</text>
    </svg>
    <input aria-label="Search" placeholder="Otan">
  </main>
</body></html>"""


def last_step(path: str) -> str:
    """The element's own step in a CSS path, without its position among its siblings."""
    return re.sub(r":nth-of-type\(\d+\)$", "", path.rsplit(" > ", 1)[-1])


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    yield context.new_page()
    context.close()


def test_the_layout_check_finds_each_kind_of_fault_on_a_page_made_of_them(phone):
    phone.set_content(FAULTY_PAGE)
    found = {(p["rule"], last_step(p["path"])) for p in layout_problems(phone)}
    assert {
        ("clipped", "p.clipped"),
        ("clipped", "p.ellipsis"),
        ("mid-word", "th"),
        ("mid-word", "dd.squeezed"),
        ("sideways", "body"),
        ("spills", "div.spilling"),
        ("sticks-out", "div.too-wide"),
        ("off-screen", "div.too-wide"),
        ("svg-text", "text#too-long"),
        ("svg-truncated", "text#cut"),
        ("svg-text", "text#past-the-edge"),
        ("svg-too-small", "text#tiny"),
        ("placeholder", "input#narrow"),
    } <= found, found


def test_a_problem_names_the_element_and_its_text(phone):
    phone.set_content(FAULTY_PAGE)
    broken_label = next(p for p in layout_problems(phone) if p["rule"] == "mid-word")
    assert broken_label["path"] == "body > table > tbody > tr > th"
    assert broken_label["text"] == "Registration"
    assert "Registration" in broken_label["detail"]


def test_the_layout_check_finds_nothing_on_a_page_laid_out_well(phone):
    phone.set_content(CLEAN_PAGE)
    assert layout_problems(phone) == []
    # The address in the clean page did wrap: the check let it, rather than not seeing it.
    assert phone.evaluate("document.querySelector('dd').getClientRects()[0].height > 40")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("kind", LAYOUT_PAGES)
def test_no_text_is_clipped_broken_inside_a_word_or_off_the_page(browser, site, kind, width):  # noqa: F811
    context = browser.new_context(base_url=site, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        response = page.goto(LAYOUT_PAGES[kind])
        expected = 404 if kind == "not-found" else 200
        assert response.status == expected, f"{LAYOUT_PAGES[kind]} answered {response.status}"
        problems = layout_problems(page)
    finally:
        context.close()
    if problems:
        pytest.fail(described(problems, f"{kind} at {width}px"), pytrace=False)

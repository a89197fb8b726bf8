"""Template tags for public pages: footnote markers, the references list, uncertain dates."""

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from kzpolitics.core.date_phrases import date_phrase
from kzpolitics.core.models import kept
from kzpolitics.core.references import Reference, References, Use

register = template.Library()


def _references(context) -> References:
    refs = context.get("refs")
    if refs is None:
        refs = References()
        context.dicts[0]["refs"] = refs
    return refs


@register.simple_tag(takes_context=True)
def cite(context, record, field: str = ""):
    """Footnote markers for the citations backing ``field`` of ``record`` (or the record).

    A filled fact without a citation shows “citation needed”.
    """
    refs = _references(context)
    citations = [c for c in kept(record, "citations") if c.field == field]
    if not citations:
        filled = True if not field else record.field_is_filled(field)
        if not filled:
            return ""
        return format_html(
            '<sup class="citation-needed"><a href="{}" title="{}">[citation needed]</a></sup>',
            "#references",
            "No source is recorded for this yet.",
        )
    # Several citations of one source (different pages of the article) share one number: one
    # marker for it, its title listing every locator and quote the fact rests on, its id the
    # one the references list links back to.
    markers: dict[int, tuple[str, Use, list[str]]] = {}
    for citation in citations:
        reference, locator = refs.add(citation)
        title = locator
        if citation.quote:
            title = f"{locator}: “{citation.quote}”" if locator else f"“{citation.quote}”"
        if reference.number not in markers:
            markers[reference.number] = (reference.anchor, reference.use(), [])
        use, titles = markers[reference.number][1:]
        if citation.quote:
            reference.quote(locator, citation.quote, use)
        if title and title not in titles:
            titles.append(title)
    # Each value escaped, as format_html would (a hub's page has some 240 markers).
    links = "".join(
        f'<a href="#{escape(anchor)}" id="{escape(use.id)}" title="{escape("; ".join(titles))}"'
        f' aria-label="reference {number}">[{number}]</a>'
        for number, (anchor, use, titles) in markers.items()
    )
    return mark_safe(f'<sup class="cite">{links}</sup>')


@register.inclusion_tag("includes/references.html", takes_context=True)
def references(context):
    return {"references": [reference_item(ref) for ref in _references(context)]}


def reference_item(ref: Reference) -> str:
    """One entry of the page's references list, as in Wikipedia: "^" linking back to the one
    marker citing the work, or "^ a b c" to each of several; then the work, the places in it,
    the work it is cited through, and the quotes the facts rest on (each with the letters of
    the markers it backs, when there are several).

    Built here rather than in the template: a hub organization's page lists some 120 works and
    250 quotes, and the template's twenty lookups an entry took 19 ms of that page (an
    ordinary page's dozen entries, 1 ms)."""
    uses, number = ref.uses, ref.number
    if len(uses) == 1:
        back = format_html(
            '<a class="backlink" href="#{}" aria-label="Back to where reference {} is cited">^</a>',
            uses[0].id,
            number,
        )
    elif uses:
        back = format_html(
            '<span class="backlinks"><span aria-hidden="true">^</span>{}</span>',
            format_html_join(
                "",
                ' <a href="#{}" aria-label="Back to citation {} of reference {}">{}</a>',
                ((use.id, use.letter, number, use.letter) for use in uses),
            ),
        )
    else:
        back = ""
    work = _work_link(ref.source)
    if ref.locators:
        work = format_html("{}, {}", work, "; ".join(ref.locators))
    if ref.via is not None:
        work = format_html("{}, cited in {}", work, _work_link(ref.via))
    quotes = ""
    if ref.quotes:
        located, several = ref.quotes_need_locators, len(uses) > 1
        quotes = format_html(
            '\n<ul class="ref-quotes">{}</ul>',
            format_html_join(
                "",
                "<li>{}<q>{}</q>{}</li>",
                (
                    (
                        format_html("{}: ", quote.locator) if located and quote.locator else "",
                        quote.text,
                        format_html(
                            ' <span class="quote-uses">(<span class="visually-hidden">'
                            "cited at </span>{})</span>",
                            quote.letters,
                        )
                        if several
                        else "",
                    )
                    for quote in ref.quotes
                ),
            ),
        )
    return format_html(
        '<li id="{}" value="{}">{}\n{}.{}</li>', ref.anchor, number, back, work, quotes
    )


def _work_link(source) -> str:
    return format_html(
        '<a href="{}">{}</a>', source.get_absolute_url(), source.short_reference or source.title
    )


@register.filter
def udate(value, lead: str = ""):
    """An uncertain date as readers see it: a phrase with its year, made from its EDTF value
    and fitted to the word before it (``{{ x|udate:"from" }}`` is "from 19 January 1999" but
    "by autumn 1998"), each machine date in a ``<time>`` element, the source's own wording in
    a tooltip where it differs."""
    found = date_phrase(value, lead) if value else None
    if found is None:
        return ""
    return found.html(getattr(value, "text", "") or "")


@register.filter
def udate_text(value, lead: str = "") -> str:
    """``udate`` as plain text, for where no markup may go (a page's description, an SVG)."""
    found = date_phrase(value, lead) if value else None
    return found.text if found is not None else ""


@register.simple_tag
def date_span(start, end):
    """When something held, as a phrase: “from 1994 to 1999”, “from 1994”, “until 1999”;
    “in 2004” where both ends read the same (a role begun and ended within 2004)."""
    if start and end and date_phrase(start) == date_phrase(end):
        return udate(start, "in")
    if start and end:
        return format_html("{} {}", udate(start, "from"), udate(end, "to"))
    if start:
        return udate(start, "from")
    if end:
        return udate(end, "until")
    return ""

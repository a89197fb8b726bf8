"""Template tags for public pages: footnote markers, the references list, uncertain dates."""

from django import template
from django.utils.html import format_html, format_html_join

from kzpolitics.core.date_phrases import date_phrase
from kzpolitics.core.references import References, Use

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
    citations = [c for c in record.citations.all() if c.field == field]
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
    return format_html(
        '<sup class="cite">{}</sup>',
        format_html_join(
            "",
            '<a href="#{}" id="{}" title="{}" aria-label="reference {}">[{}]</a>',
            ((a, u.id, "; ".join(t), n, n) for n, (a, u, t) in markers.items()),
        ),
    )


@register.inclusion_tag("includes/references.html", takes_context=True)
def references(context):
    return {"references": list(_references(context))}


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

"""Template tags for public pages: footnote markers, the references list, uncertain dates."""

from django import template
from django.utils.html import format_html, format_html_join

from kzpolitics.core.references import References

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
    # marker for it, its title listing every locator and quote the fact rests on.
    markers: dict[int, tuple[str, list[str]]] = {}
    for citation in citations:
        reference, locator = refs.add(citation)
        title = locator
        if citation.quote:
            title = f"{locator}: “{citation.quote}”" if locator else f"“{citation.quote}”"
        anchor, titles = markers.setdefault(reference.number, (reference.anchor, []))
        if title and title not in titles:
            titles.append(title)
    return format_html(
        '<sup class="cite">{}</sup>',
        format_html_join(
            "",
            '<a href="#{}" title="{}" aria-label="reference {}">[{}]</a>',
            ((a, "; ".join(t), n, n) for n, (a, t) in markers.items()),
        ),
    )


@register.inclusion_tag("includes/references.html", takes_context=True)
def references(context):
    return {"references": list(_references(context))}


@register.filter
def udate(value) -> str:
    """An uncertain date as readers see it: the source's wording, else its EDTF value."""
    return str(value) if value else ""

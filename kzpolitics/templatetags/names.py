"""Names of the time: a place or an organization named as it was on a date, linked to its
page (“Akmola (now Astana)” for a party founded there in 1993)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def named(record, when=None, now=False, fragment="", fragment_id=""):
    """A link to ``record`` under the name it bore on ``when`` (a day or an uncertain date),
    its current name if it has no names of the time. With ``now``, where the names differ,
    today's name follows: “Akmola (now Astana)”. ``fragment`` and ``fragment_id`` make the
    link's ``#fragment`` (``registration-`` and a row's id). The record's names should be prefetched
    (published only) by the view: one query for all, not one per name."""
    if record is None:
        return ""
    current = str(record)
    name_on = getattr(record, "name_on", None)
    then = name_on(when) if name_on is not None and when else current
    url = record.get_absolute_url()
    if fragment:
        url = f"{url}#{fragment}{fragment_id}"
    if now and then != current:
        return format_html('<a href="{}">{}</a> (now {})', url, then, current)
    return format_html('<a href="{}">{}</a>', url, then)

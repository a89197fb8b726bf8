"""No lost update: what colleagues changed since a form was opened.

A record's form (or an inline row's) remembers the version it was opened at; if a colleague
saved it since, the save is refused and the message lists what the colleague changed
(kzpolitics.core.editorial.forms).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from kzpolitics.core.changes import tracked_links
from kzpolitics.core.editorial.links import changed_links


def changes_since(model, pk, version: int) -> list[dict]:
    """What colleagues changed after ``version``: each later save with its author, time,
    summary and the fields it changed."""
    rows = list(
        model.history.filter(id=pk, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    kept = [link.name for link in tracked_links(model)]
    pairs = list(zip(rows, rows[1:], strict=False))
    link_changes = changed_links(model, pairs)
    changes = []
    for previous, row in pairs:
        delta = row.diff_against(previous, excluded_fields=kept)
        fields = [
            f"{change.field} “{_short(change.old)}” → “{_short(change.new)}”"
            for change in delta.changes
            if change.field not in {"version", "updated_at"}
        ]
        fields += [f"{link.name}: {text}" for link, text in link_changes.get(row.history_id, [])]
        changes.append(
            {
                "who": row.history_user.get_username() if row.history_user else "someone",
                "when": row.history_date,
                "summary": row.history_change_reason or "",
                "fields": fields,
            }
        )
    return changes


def conflict_message(model, pk, expected: int, stored: int):
    changes = changes_since(model, pk, expected)
    items = format_html_join(
        "",
        "<li>{} by {}{}: {}</li>",
        (
            (
                date_format(timezone.localtime(c["when"]), "DATETIME_FORMAT"),
                c["who"],
                format_html(" (“{}”)", c["summary"]) if c["summary"] else "",
                format_html_join("; ", "{}", ((field,) for field in c["fields"]))
                or "no field changed",
            )
            for c in changes
        ),
    )
    return format_html(
        "Someone else saved this record after you opened it (you started from version {}; it "
        "is now version {}). Nothing was saved. What changed meanwhile:<ul>{}</ul>The form "
        "below keeps your changes and shows their newer values in the fields you had not "
        "touched: check it, and save again to keep your edit.",
        expected,
        stored,
        items,
    )


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def row_conflict_message(model, pk, expected: int, stored: int):
    changes = changes_since(model, pk, expected)
    items = format_html_join(
        "; ",
        "{} by {}: {}",
        (
            (
                date_format(timezone.localtime(c["when"]), "DATETIME_FORMAT"),
                c["who"],
                format_html_join("; ", "{}", ((field,) for field in c["fields"]))
                or "no field changed",
            )
            for c in changes
        ),
    )
    return format_html(
        "Someone else saved this {} after you opened the page (you started from version {}; "
        "it is now version {}): {}. Nothing was saved. This row keeps your changes and shows "
        "their newer values where you had changed nothing: check it, and save again to keep "
        "both.",
        model._meta.verbose_name,
        expected,
        stored,
        items,
    )

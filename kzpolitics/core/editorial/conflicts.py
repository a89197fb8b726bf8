"""No lost update: what was changed since a form was opened or a file exported.

A record's form (or an inline row's) remembers the version it was opened at; if it was saved
since, the save is refused and the message lists what changed (kzpolitics.core.editorial.forms).
An import checks each row's version the same way (kzpolitics.core.resources). The later save
may be a colleague's, named, or the editor's own in another tab or an earlier import: then the
message says “you”, not “someone else”.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from kzpolitics.core.changes import tracked_links
from kzpolitics.core.editorial.links import changed_links

YOU = "you (in another tab or an earlier save)"


def person(user, viewer=None) -> str:
    """How a message names the author of a save: “you” to the author, else their name."""
    if user is None:
        return "someone"
    if viewer is not None and user.pk == viewer.pk:
        return "you"
    return user.get_full_name() or user.get_username()


def saved_by(model, pk, version: int, viewer=None) -> str:
    """Who saved the record after ``version``, as a message says it to ``viewer``: “you (in
    another tab or an earlier save)”, colleagues by name, “someone else” for saves with no
    recorded author (a script)."""
    authors = (
        model.history.filter(id=pk, version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    names, mine, unknown = [], False, False
    for row in authors:
        user = row.history_user
        if user is None:
            unknown = True
        elif viewer is not None and user.pk == viewer.pk:
            mine = True
        elif person(user) not in names:
            names.append(person(user))
    if unknown or not (names or mine):
        names.append("someone else")
    if mine:
        names.append(YOU)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def changes_since(model, pk, version: int, viewer=None) -> list[dict]:
    """What was changed after ``version``: each later save with its author (“you” when it
    was ``viewer``), time, summary and the fields it changed."""
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
                "who": person(row.history_user, viewer),
                "when": row.history_date,
                "summary": row.history_change_reason or "",
                "fields": fields,
            }
        )
    return changes


def opening(model, pk, expected: int, viewer, what: str, when: str) -> str:
    """The first words of a conflict message: who saved ``what`` after ``when``. The
    colleagues' case keeps “Someone else saved …”, naming them after it."""
    who = saved_by(model, pk, expected, viewer)
    if who == YOU:
        return f"You (in another tab or an earlier save) saved {what} after {when}"
    if who == "someone else":
        return f"Someone else saved {what} after {when}"
    return f"Someone else saved {what} after {when}: {who}"


def conflict_message(model, pk, expected: int, stored: int, user=None):
    """Why a record's save was refused: it was saved after ``expected`` (by ``user`` in
    another tab, or by colleagues), and what each later save changed."""
    changes = changes_since(model, pk, expected, user)
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
        "{} (you started from version {}; it is now version {}). Nothing was saved. What "
        "changed meanwhile:<ul>{}</ul>The form below keeps your changes and shows the newer "
        "values in the fields you had not touched: check it, and save again to keep your edit.",
        opening(model, pk, expected, user, "this record", "you opened it"),
        expected,
        stored,
        items,
    )


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def row_conflict_message(model, pk, expected: int, stored: int, user=None):
    """Why an inline row's save was refused, as ``conflict_message`` says it of a record."""
    changes = changes_since(model, pk, expected, user)
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
        "{} (you started from version {}; it is now version {}): {}. Nothing was saved. This "
        "row keeps your changes and shows the newer values where you had changed nothing: "
        "check it, and save again to keep both.",
        opening(
            model, pk, expected, user, f"this {model._meta.verbose_name}", "you opened the page"
        ),
        expected,
        stored,
        items,
    )

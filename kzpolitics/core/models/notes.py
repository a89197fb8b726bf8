"""The two notes a record or row may carry: one for readers, one for editors only.

Every model with notes declares both through these two functions, so that their labels and
help texts (which the admin shows beside the fields) say the same thing everywhere.
"""

from __future__ import annotations

from django.db import models

from kzpolitics.core.editorial.limits import CEILING

INTERNAL_NOTE_HELP = "For editors only: never shown to the public or in the API."
PUBLIC_NOTE_HELP = (
    "Shown to readers on the public page, under the record, and in the API. Plain English, "
    "one or two sentences (how a date or a name is read, a doubt about a figure): no slugs, "
    "field names or file names."
)


class InternalNoteField(models.TextField):
    """A text only editors read. Its own class so that whatever lists a model's fields for
    the public (the export's tables) can leave it out by what it is, not by its name."""


def internal_note_field() -> InternalNoteField:
    """The editors' remarks and doubts: the admin shows it, nothing public does."""
    return InternalNoteField(
        "internal note", blank=True, help_text=INTERNAL_NOTE_HELP, validators=[CEILING]
    )


def is_internal(model_field) -> bool:
    """Whether the field is for editors only (never in a page, the API or the export)."""
    return isinstance(model_field, InternalNoteField)


def public_note_field() -> models.TextField:
    """What a reader should know about the record: shown on its page and in the API."""
    return models.TextField(
        "note for readers", blank=True, help_text=PUBLIC_NOTE_HELP, validators=[CEILING]
    )

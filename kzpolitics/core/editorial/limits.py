"""How long a text may be, said before the limit and checked after it, never cut silently.

Two kinds of limit, declared here and nowhere else:

- **Hard limits**: a name's ``max_length`` (the database column's), and for free text
  (summaries, notes, aims) a ceiling of ``TEXT_CEILING`` characters, a model validator
  (``CEILING``) so that the admin, the API (a 400) and imports (a refused row) all refuse it.
- **Stated lengths**: a field whose help text gives it a size ("one or two sentences") has
  a soft length (``STATED_LENGTHS``). Past it the admin refuses the form once, saying so,
  and a “Keep this long text” box beside the warning lets the editor save it as it is. The
  API and imports do not ask: only the ceiling holds there.

``LimitsFormMixin`` does it for the admin's forms (records' and inline rows'). Its inputs
carry their limits as data attributes (``data-limit``, ``data-stated``), not ``maxlength``,
which cuts a paste silently: ``admin-limits.js`` shows a counter beside each, and the server
refuses what is too long with the length it has, the text kept in the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.html import format_html
from django.utils.text import capfirst

TEXT_CEILING = 20_000  # characters: some pages of text, far more than any field here needs


@deconstructible
class AtMost(MaxLengthValidator):
    """At most ``limit_value`` characters, the refusal saying how many the text has.

    A ``MaxLengthValidator``, so that the API's serializers take it as the field's
    ``max_length`` (and the OpenAPI schema shows it).
    """

    message = "At most %(limit_value)s characters; this text has %(show_value)s."

    def __init__(self, limit_value, message=None, noun: str = ""):
        super().__init__(limit_value, message)
        self.noun = noun  # plural, capitalised: “Names”; set by the admin's forms

    def __call__(self, value):
        length = len(value)
        if length <= self.limit_value:
            return
        message = self.message
        if self.noun:
            message = (
                f"{self.noun} are at most %(limit_value)s characters; this one has %(show_value)s."
            )
        raise ValidationError(
            message,
            code=self.code,
            params={
                "limit_value": f"{self.limit_value:,}",
                "show_value": f"{length:,}",
                "value": value,
            },
        )


CEILING = AtMost(TEXT_CEILING)  # every free-text field's validators: [CEILING]


@dataclass(frozen=True)
class StatedLength:
    """The size a field's help text asks for, and about how many characters that is."""

    length: int
    purpose: str  # as the help text says it: “one or two sentences”


ONE_OR_TWO_SENTENCES = StatedLength(600, "one or two sentences")
A_SENTENCE = StatedLength(300, "a sentence at most")

# By field name on every model (a note for readers, PUBLIC_NOTE_HELP), or by model and field.
# Each field whose help text states a size is here (tests/test_admin_limits.py checks it).
STATED_LENGTHS: dict[str, StatedLength] = {
    "public_note": ONE_OR_TWO_SENTENCES,
    "parties.organization.summary": ONE_OR_TWO_SENTENCES,
    "kzpolitics.period.summary": ONE_OR_TWO_SENTENCES,
    "kzpolitics.citation.quote": A_SENTENCE,
}


def stated_length(model, name: str) -> StatedLength | None:
    """The stated length of ``model``'s field ``name``, if its help text states one."""
    return STATED_LENGTHS.get(f"{model._meta.label_lower}.{name}") or STATED_LENGTHS.get(name)


def hard_limit(form_field, model_field) -> int | None:
    """The most characters the field may hold: the form field's ``max_length`` (a name's
    column), or the model field's ceiling (free text); None if it has neither."""
    if getattr(form_field, "max_length", None):
        return form_field.max_length
    for validator in getattr(model_field, "validators", ()):
        if isinstance(validator, MaxLengthValidator):
            return validator.limit_value
    return None


def plural(label: str) -> str:
    """A field's label as a plural noun, for a sentence: “Names”, “Notes for readers”."""
    words = str(label).split()
    if not words:
        return "Texts"
    head = next(
        (i - 1 for i, word in enumerate(words) if i and word in {"for", "of", "as", "in"}),
        len(words) - 1,
    )
    word = words[head]
    if word.endswith("s"):
        pass  # “Aims”, “Pages”: already plural
    elif word.endswith("y") and word[-2:-1] not in {"a", "e", "o", "u"}:
        word = word[:-1] + "ies"
    elif word.endswith(("x", "ch", "sh")):
        word += "es"
    else:
        word += "s"
    words[head] = word
    return capfirst(" ".join(words))


KEEP_LONG = "keep_long_{}"  # the checkbox beside a stated-length warning, per field


class LimitsFormMixin:
    """For the admin's ModelForms: limits as data attributes, refusals that give lengths,
    and the stated lengths asked about once (the module's docstring)."""

    class Media:
        js = ("kzpolitics/admin-limits.js",)
        css = {"all": ("kzpolitics/admin-limits.css",)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        self.stated_lengths: dict[str, StatedLength] = {}
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or field.widget.is_hidden:
                continue
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                model_field = None  # a form's own field: the edit summary
            limit = hard_limit(field, model_field)
            stated = stated_length(model, name) if model_field is not None else None
            attrs = field.widget.attrs
            # The browser would cut a paste at maxlength without a word: the counter says it.
            attrs.pop("maxlength", None)
            if limit:
                attrs["data-limit"] = str(limit)
                noun = plural(field.label or name.replace("_", " "))
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ] + [AtMost(limit, noun=noun)]
            if stated:
                self.stated_lengths[name] = stated
                attrs["data-stated"] = str(stated.length)
                attrs["data-purpose"] = stated.purpose

    def keeps_long(self, name: str) -> bool:
        """Whether the editor ticked “Keep this long text” beside the field's warning."""
        return bool(self.data.get(self.add_prefix(KEEP_LONG.format(name))))

    def clean(self):
        cleaned = super().clean()
        for name, stated in self.stated_lengths.items():
            value = cleaned.get(name)
            if not isinstance(value, str) or len(value) <= stated.length:
                continue
            # Only a text the editor is writing now: one already saved long is not asked about
            # again at each save of the record.
            if name not in self.changed_data or self.keeps_long(name):
                continue
            field = self.fields[name]
            self.add_error(
                name,
                ValidationError(
                    format_html(
                        "{} are meant to be {} (about {} characters); this one has {}. Shorten "
                        "it, or tick the box and save again to keep it as it is. "
                        '<label class="kz-keep-long"><input type="checkbox" name="{}" '
                        'value="on"> Keep this long text</label>',
                        plural(field.label or name),
                        stated.purpose,
                        f"{stated.length:,}",
                        f"{len(value):,}",
                        self.add_prefix(KEEP_LONG.format(name)),
                    ),
                    code="stated_length",
                ),
            )
        return cleaned

"""Admin form fields, widgets and actions that check a posted key before any query is run
with it.

Django's many-to-many form field tries each posted key on its own (a lookup that drops a key
out of the column's range), then looks them all up together with ``__in``, which hands SQLite
a key no 64-bit integer holds: ``OverflowError``, a 500 (the group form's permissions, given
10**30). Its autocomplete widgets, when an invalid form is shown again, look up whatever was
posted: ``ValueError`` for a key that is no number (“' OR 1=1 --”), a 500 instead of the form
and its errors. A changelist's actions hand the keys of the records ticked to ``pk__in`` as
posted: the same two errors. Here a key is checked against the key field first: one its
``to_python()`` refuses, one out of the column's range, or one with a NUL (which PostgreSQL
refuses) is no record's key, whatever the database.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from kzpolitics.core.keys import is_usable_key


class KeyCheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-to-many field, refusing a key that is no record's before the lookup."""

    def clean(self, value):
        # Before Django's clean() looks the keys up; a value that is no list is left to it
        # (its "Enter a list of values." error).
        if isinstance(value, list | tuple):
            opts = self.queryset.model._meta
            field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for key in value:
                if isinstance(key, str | int) and not is_usable_key(field, key, self.queryset.db):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": key},
                    )
        return super().clean(value)


class KeyCheckedAutocompleteMixin:
    """For autocomplete widgets: a posted value that is no key is not looked up to label it."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        field = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
        using = self.choices.queryset.db
        empty = self.choices.field.empty_values
        value = [v for v in value if str(v) in empty or is_usable_key(field, v, using)]
        return super().optgroups(name, value, attr)


class KeyCheckedAutocompleteSelect(KeyCheckedAutocompleteMixin, AutocompleteSelect):
    """Django's autocomplete for a foreign key, with posted values checked."""


class KeyCheckedAutocompleteSelectMultiple(KeyCheckedAutocompleteMixin, AutocompleteSelectMultiple):
    """Django's autocomplete for a many-to-many field, with posted values checked."""


class KeyCheckedAdminMixin:
    """For ModelAdmins and inlines: autocompletes, many-to-many fields and (on a ModelAdmin)
    list actions that check the keys posted to them."""

    def response_action(self, request, queryset):
        """Django's list action, refused (with a warning, back to the list, as when nothing is
        ticked) when a record ticked has a key no record can have."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        pk = self.model._meta.pk
        if any(not is_usable_key(pk, key, queryset.db) for key in selected):
            self.message_user(
                request,
                "The records ticked are not records of this list: nothing was changed.",
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", KeyCheckedMultipleChoiceField)
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

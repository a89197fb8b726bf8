"""List filters for the admin: by decade of an uncertain date (``decade_filter``), and
Django's date filter refusing bounds the database cannot compare, registered for every date
field of every admin when this module is imported (by ``kzpolitics.core.admin``)."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

DECADE_START = re.compile(r"[0-9]{1,4}")
MAX_DECADE_START = datetime.MAXYEAR - 9


def decade_filter(date_name: str, title: str | None = None):
    """A list filter grouping records by the decade their uncertain date falls in."""
    column = f"{date_name}_earliest"

    class DecadeFilter(admin.SimpleListFilter):
        parameter_name = f"{date_name}_decade"

        def lookups(self, request, model_admin):
            years = (
                model_admin.get_queryset(request)
                .exclude(**{f"{column}__isnull": True})
                .values_list(f"{column}__year", flat=True)
                .distinct()
            )
            decades = sorted({year - year % 10 for year in years})
            return [(str(d), f"{d}s") for d in decades]

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            # ASCII digits only (int() refuses “²”, which isdigit() passes), and a decade that
            # ends within what datetime.date holds (years 1 to 9999; the 0s start at year 1).
            if not DECADE_START.fullmatch(value) or int(value) > MAX_DECADE_START:
                raise IncorrectLookupParameters(f"“{value[:20]}” is not the year a decade starts.")
            start = int(value)
            return queryset.filter(
                **{
                    f"{column}__gte": datetime.date(max(start, datetime.MINYEAR), 1, 1),
                    f"{column}__lte": datetime.date(start + 9, 12, 31),
                }
            )

    DecadeFilter.title = title or f"{date_name} (decade)"
    return DecadeFilter


class CheckedDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date list filter (“Today”, “Past 7 days”, …), refusing a bound that is no
    date or time the database can compare.

    Django hands ``?field__gte=`` and ``?field__lt=`` to the query as sent: on SQLite a time
    with no UTC value (0001-01-01T00:00:00+05:00) raised OverflowError, a 500. Such a bound
    is now Django's answer to any lookup it cannot make, as a malformed date already was: a
    redirect to the unfiltered list (``?e=1``). Registered for every date field below, so
    the admins of other apps (accounts, tokens, sign-in attempts) use it too.
    """

    def queryset(self, request, queryset):
        for name in (self.lookup_kwarg_since, self.lookup_kwarg_until):
            for value in self.used_parameters.get(name, ()):
                if not is_comparable_date(self.field, value):
                    raise IncorrectLookupParameters(f"“{value[:40]}” is not a date or time.")
        return super().queryset(request, queryset)


def is_comparable_date(field: models.DateField, value: str) -> bool:
    """Whether ``value`` is a date (or time) of ``field`` that has a UTC value."""
    try:
        parsed = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(parsed, datetime.datetime) and settings.USE_TZ:
        try:
            aware = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
            aware.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            return False
    return parsed is not None


# Before Django's own (take_priority); a date field with choices keeps the choices filter.
admin.FieldListFilter.register(
    lambda field: isinstance(field, models.DateField) and not field.choices,
    CheckedDateFieldListFilter,
    take_priority=True,
)

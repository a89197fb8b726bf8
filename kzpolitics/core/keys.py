"""Whether a value from a request can be a record's key, before any query is run with it.

A key no column could hold is no record's key, whatever the database says when asked: a NUL
(PostgreSQL refuses it with an error, a 500), an integer beyond the column's range (SQLite raises
OverflowError for one beyond 64 bits), a value the key field's ``to_python()`` refuses. The
admin's forms (kzpolitics.core.admin_keys) and the API's related fields (core.serializers)
check with this first and answer such a value as they answer an unknown key.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections, models


def is_usable_key(field: models.Field, value: object, using: str) -> bool:
    """Whether ``value`` can be looked up as a value of ``field`` in database ``using``."""
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, str):
        return "\x00" not in key
    if isinstance(field, models.IntegerField) and isinstance(key, int):
        low, high = connections[using].ops.integer_field_range(field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return True

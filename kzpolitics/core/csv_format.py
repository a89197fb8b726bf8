"""The API's CSV: one row per record, every row a list selects, streamed.

The format, as the schema documents it (``CSV_FORMAT_HELP``):

- one row per record; a nested object becomes dotted columns (``election.slug``), an
  uncertain date its four parts (``founded.text``, ``.edtf``, ``.earliest``, ``.latest``);
- a list becomes one cell holding a JSON array (RFC 8259, UTF-8): of scalars as they are, or
  of flat objects, each item the JSON record flattened the same way (``person.slug``,
  ``start.edtf``; a list inside an item by index: ``citations.0.locator``), so an item that
  links to another record names it (a role its person, a relation the other organization);
- the header comes from the serializer, the same whatever the rows hold;
- no cell is longer than a spreadsheet cell holds (``fit``); a JSON array that would be keeps
  the items that fit and ends with ``{"omitted": <n>, "note": ...}``; and no text cell starts
  like a formula (``kzpolitics.core.cells``).

A list asked for as CSV (``?format=csv``, ``Accept: text/csv`` or the ``.csv`` suffix) gives
every row its filters, search and ordering select, in the JSON list's order: ``page`` and
``page_size`` are checked as for JSON but do not apply. The keys are read in chunks
(``QuerySet.iterator(chunk_size=...)``), each chunk's records fetched, prefetched and written
as they come, so memory stays bounded whatever the size of the list.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from rest_framework import renderers, serializers
from rest_framework.settings import api_settings

from kzpolitics.core.cells import safe_cell

SPREADSHEET_CELL = 32_767  # the most characters a spreadsheet cell holds
CHUNK_SIZE = 200  # records read, prefetched and written at a time
TOTAL_HEADER = "X-Total-Count"  # how many rows a streamed CSV holds
# What an address with the .csv suffix answers: it is a read-only view of the list or record
# (the schema declares only GET there), so a write to it is a 405, not a write to the record.
CSV_SUFFIX_METHODS = ("GET", "HEAD", "OPTIONS")

CSV_FORMAT_HELP = (
    "CSV (RFC 4180, UTF-8, a header row): one row per record. A nested object is spread "
    "over dotted columns (election.slug, election.name); an uncertain date over four "
    "(founded.text, founded.edtf, founded.earliest, founded.latest); an empty value is an "
    "empty cell. Every list-valued column holds a JSON array (RFC 8259; read it with "
    "json.loads): of strings or numbers, or of flat objects, each item flattened the same way "
    "(dotted keys such as person.slug, person.name, start.edtf; a list inside an item by "
    "index: citations.0.source.slug, citations.0.locator), so an item that links to another "
    "record names it by slug and name. The header is the same whatever the rows hold. No cell "
    f"is longer than {SPREADSHEET_CELL:,} characters (what a spreadsheet cell holds): a "
    "longer text ends with a note saying it was cut, and an array keeps the items that fit "
    'and ends with {"omitted": <how many items were left out>, "note": "..."}; the JSON '
    "format and /api/v1/export/ have them all. A text cell starting with =, +, -, @, a tab "
    "or a carriage return gets a leading ' so that no spreadsheet runs it as a formula."
)
LIST_CSV_HELP = (
    "Every record the filters, search and ordering select, in the JSON list's order, "
    "streamed: page and page_size are checked but do not apply (there is one response, not "
    f"pages). The {TOTAL_HEADER} header says how many rows follow the header row."
)


class CSVRenderer(renderers.BaseRenderer):
    """A record, a page or an error as CSV (the format above). A list asked for as CSV does
    not come here: ``StreamedCSVMixin`` streams it whole."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        serializer = serializer_of(renderer_context)
        items = list_columns(serializer) if serializer is not None else {}
        flat = [flatten(row, items=items) for row in rows]
        columns = columns_of(serializer) if serializer is not None else []
        if not columns:  # an error, or a response no serializer describes
            for row in flat:
                columns.extend(key for key in row if key not in columns)
        return b"".join(csv_lines(columns, [flat]))


class StreamedCSVMixin:
    """For a viewset: its list asked for as CSV is every row, streamed (the format above);
    an address with the ``.csv`` suffix is read-only (``CSV_SUFFIX_METHODS``)."""

    csv_chunk_size = CHUNK_SIZE

    def csv_suffixed(self) -> bool:
        """Whether the address has the ``.csv`` format suffix (``/organizations.csv``)."""
        kwargs = getattr(self, "kwargs", None) or {}
        return kwargs.get(api_settings.FORMAT_SUFFIX_KWARG) == CSVRenderer.format

    @property
    def allowed_methods(self) -> list[str]:
        # DRF's Allow header and OPTIONS body come from here: the .csv address names its reads.
        methods = super().allowed_methods
        if self.csv_suffixed():
            return [method for method in methods if method in CSV_SUFFIX_METHODS]
        return methods

    def list(self, request, *args, **kwargs):
        if not isinstance(getattr(request, "accepted_renderer", None), CSVRenderer):
            return super().list(request, *args, **kwargs)
        # Everything that may be a 400 is checked before the first byte is sent.
        queryset = self.filter_queryset(self.get_queryset())
        check_paging(self, request)
        serializer = self.get_serializer()
        columns = columns_of(serializer)
        total = queryset.count()
        rows = () if request.method == "HEAD" else self.csv_rows(queryset, list_columns(serializer))
        response = StreamingHttpResponse(
            csv_lines(columns, rows), content_type=f"text/csv; charset={CSVRenderer.charset}"
        )
        response[TOTAL_HEADER] = str(total)
        return response

    def csv_rows(self, queryset, items) -> Iterator[list[dict[str, object]]]:
        """The records as flat rows, a chunk at a time. The keys stream from the database
        (``iterator(chunk_size=...)``); each chunk's records are then read through the
        queryset itself, so that what it attaches once rows are fetched (published citations,
        prefetches, lifespans: ``CitedQuerySet._fetch_all``, which ``iterator()`` skips) is
        attached per chunk, and serialized by the viewset's list serializer (a page of sources
        counts their citations in one query)."""
        keys = queryset.values_list("pk", flat=True).iterator(chunk_size=self.csv_chunk_size)
        chunk: list = []
        for key in keys:
            chunk.append(key)
            if len(chunk) == self.csv_chunk_size:
                yield self.csv_chunk(queryset, chunk, items)
                chunk = []
        if chunk:
            yield self.csv_chunk(queryset, chunk, items)

    def csv_chunk(self, queryset, keys: list, items) -> list[dict[str, object]]:
        """The rows of the records ``keys`` names, in their order."""
        found = {record.pk: record for record in queryset.filter(pk__in=keys).order_by()}
        records = [found[key] for key in keys if key in found]
        return [flatten(row, items=items) for row in self.get_serializer(records, many=True).data]


def check_paging(view, request) -> None:
    """``page`` and ``page_size`` do not apply to a whole CSV, but a malformed one is still
    the 400 it is for JSON (the paginator's own checks): a client learns of its mistake
    whichever format it asked for."""
    paginator = getattr(view, "paginator", None)
    if paginator is None:
        return
    paginator.get_page_size(request)
    paginator.get_page_number(request)


def csv_lines(columns: list[str], chunks: Iterable[list[dict[str, object]]]) -> Iterator[bytes]:
    """The header, then each chunk of flat rows, as UTF-8 CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    yield out.getvalue().encode(CSVRenderer.charset)
    for chunk in chunks:
        out.seek(0)
        out.truncate()
        writer.writerows(chunk)
        yield out.getvalue().encode(CSVRenderer.charset)


def serializer_of(renderer_context):
    """The view's serializer, which gives the CSV's shape; None for an error or a view
    without one."""
    context = renderer_context or {}
    view, response = context.get("view"), context.get("response")
    if view is None or not hasattr(view, "get_serializer"):
        return None
    if response is not None and response.status_code >= 400:
        return None
    try:
        return view.get_serializer()
    except Exception:  # a view whose serializer needs what this request lacks
        return None


def columns_of(serializer, prefix: str = "") -> list[str]:
    """The CSV header from the serializer's shape, the same whatever the rows hold.

    Nested objects become dotted columns (``election.slug``), uncertain dates their four
    parts, lists one column (a JSON array)."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        key = f"{prefix}{name}"
        if is_list(field):
            columns.append(key)
        elif isinstance(field, serializers.BaseSerializer):
            columns.extend(columns_of(field, f"{key}."))
        else:
            columns.extend(scalar_columns(field, key))
    return columns


def list_columns(serializer) -> dict[str, list[str] | None]:
    """Each list-valued column of the serializer's CSV, and the keys of its items (None: a
    list of scalars). ``<n>`` in a key stands for an index from 0. For the schema."""
    found: dict[str, list[str] | None] = {}

    def walk(serializer, prefix: str) -> None:
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            key = f"{prefix}{name}"
            if is_list(field):
                child = getattr(field, "child", None)
                found[key] = item_keys(child) if isinstance(child, serializers.Serializer) else None
            elif isinstance(field, serializers.BaseSerializer):
                walk(field, f"{key}.")

    walk(serializer, "")
    return found


def item_keys(serializer, prefix: str = "") -> list[str]:
    """The keys of a list's items: the item's fields flattened, lists inside it by index."""
    keys = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        key = f"{prefix}{name}"
        child = getattr(field, "child", None) if is_list(field) else None
        if isinstance(child, serializers.Serializer):
            keys.extend(item_keys(child, f"{key}.<n>."))
        elif is_list(field):
            keys.append(f"{key}.<n>")
        elif isinstance(field, serializers.BaseSerializer):
            keys.extend(item_keys(field, f"{key}."))
        else:
            keys.extend(scalar_columns(field, key))
    return keys


def is_list(field) -> bool:
    return isinstance(
        field, serializers.ListSerializer | serializers.ManyRelatedField | serializers.ListField
    )


def scalar_columns(field, key: str) -> list[str]:
    if hasattr(field, "date_name"):  # an uncertain date
        return [f"{key}.{part}" for part in ("text", "edtf", "earliest", "latest")]
    if hasattr(field, "nested_columns"):
        return [f"{key}.{part}" for part in field.nested_columns()]
    return [key]


def flatten(value, prefix: str = "", items: dict | None = None) -> dict[str, object]:
    """A record as one CSV row: dotted columns, lists as JSON arrays, safe cells. ``items``
    (``list_columns``) gives each list's item keys, so every item has them all."""
    if isinstance(value, dict):
        flat: dict[str, object] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}.", items))
        return flat
    key = prefix.rstrip(".")
    if isinstance(value, list):
        return {key: json_array(value, (items or {}).get(key))}
    if value is None:
        return {key: ""}
    if isinstance(value, Decimal):
        return {key: str(value)}
    if isinstance(value, str):
        return {key: safe_cell(fit(value))}  # no formula a spreadsheet would run (cells.py)
    return {key: value}


def flat_item(value, prefix: str = "") -> dict[str, object]:
    """An item of a list as a flat object: nested objects by dotted keys, lists by index."""
    if isinstance(value, dict):
        parts = value.items()
    elif isinstance(value, list):
        parts = enumerate(value)
    else:
        return {prefix.rstrip("."): str(value) if isinstance(value, Decimal) else value}
    flat: dict[str, object] = {}
    for key, item in parts:
        flat.update(flat_item(item, f"{prefix}{key}."))
    return flat


def shaped(flat: dict[str, object], keys: list[str] | None) -> dict[str, object]:
    """An item with every key its list's items have (``keys``), in their order: a related
    record that is null gives null keys (``organization.slug``: null) rather than a bare
    ``organization``. Keys of a list inside the item (``citations.0.locator``) follow."""
    if not keys:
        return flat
    fixed = [key for key in keys if "<n>" not in key]
    stems = {key.rsplit(".", 1)[0] for key in fixed if "." in key}
    rest = {key: value for key, value in flat.items() if key not in fixed and key not in stems}
    return {**{key: flat.get(key) for key in fixed}, **rest}


def json_array(items: list, keys: list[str] | None = None) -> str:
    """A list as one cell: a JSON array of scalars, or of flat objects (with ``keys``, each
    with them all); as many whole items as fit in a spreadsheet cell, then a note of how many
    were left out."""
    encoded = [
        dumps(shaped(flat_item(item), keys) if isinstance(item, dict | list) else scalar(item))
        for item in items
    ]
    text = "[" + ",".join(encoded) + "]"
    if len(text) <= SPREADSHEET_CELL:
        return text
    kept: list[str] = []
    room = SPREADSHEET_CELL - 2 - 400  # the brackets, and the note's room
    for item in encoded:
        room -= len(item) + 1
        if room < 0:
            break
        kept.append(item)
    note = {
        "omitted": len(encoded) - len(kept),
        "note": "cut to fit a spreadsheet cell: the JSON format and /api/v1/export/ have them all",
    }
    return "[" + ",".join([*kept, dumps(note)]) + "]"


def scalar(value):
    return str(value) if isinstance(value, Decimal) else value


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def fit(text: str) -> str:
    """Text cut to what a spreadsheet cell holds, saying so."""
    if len(text) <= SPREADSHEET_CELL:
        return text
    note = " … [cut to fit a spreadsheet cell: the JSON format and /api/v1/export/ have it all]"
    return text[: SPREADSHEET_CELL - len(note)] + note

"""Shared models every app builds on: sources and citations, people, places and events.

These models never import an app: apps point at them, not the other way round.
"""

from kzpolitics.core.models.citations import (
    Citation,
    CitationQuerySet,
    Cited,
    CitedQuerySet,
    Source,
    SourceQuerySet,
    attach_citations,
    attach_sources,
    cited_models,
    keep_prefetched,
    kept,
    present,
    public_records_condition,
)
from kzpolitics.core.models.events import (
    Event,
    EventQuerySet,
)
from kzpolitics.core.models.notes import (
    InternalNoteField,
    internal_note_field,
    is_internal,
    public_note_field,
)
from kzpolitics.core.models.people import (
    Person,
    PersonName,
    PersonQuerySet,
)
from kzpolitics.core.models.periods import (
    Period,
    PeriodQuerySet,
)
from kzpolitics.core.models.places import (
    NameInUse,
    Place,
    PlaceName,
)
from kzpolitics.core.models.records import (
    DataVersion,
    EditConflict,
    RecordQuerySet,
    Status,
    TimeStamped,
    content_apps,
    content_models,
    hangs_on_records,
    prefetch_queryset,
    public_condition,
    published_prefetch,
    required_links,
)
from kzpolitics.core.models.revisions import (
    Revision,
    RevisionQuerySet,
)
from kzpolitics.core.models.watching import FeedKey, Watch, WatchQuerySet

__all__ = [
    "FeedKey",
    "Watch",
    "WatchQuerySet",
    "content_apps",
    "InternalNoteField",
    "internal_note_field",
    "is_internal",
    "public_note_field",
    "content_models",
    "Status",
    "RecordQuerySet",
    "hangs_on_records",
    "required_links",
    "public_condition",
    "published_prefetch",
    "prefetch_queryset",
    "EditConflict",
    "TimeStamped",
    "DataVersion",
    "CitedQuerySet",
    "attach_citations",
    "attach_sources",
    "keep_prefetched",
    "present",
    "kept",
    "Cited",
    "Source",
    "SourceQuerySet",
    "CitationQuerySet",
    "cited_models",
    "public_records_condition",
    "Citation",
    "PersonQuerySet",
    "Person",
    "PersonName",
    "Place",
    "NameInUse",
    "PlaceName",
    "EventQuerySet",
    "Event",
    "PeriodQuerySet",
    "Period",
    "RevisionQuerySet",
    "Revision",
]

"""A record's citations come in ``Citation``'s order when fetched for a page or an API answer
(``attach_citations``), which sorts them in Python rather than in SQL."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from kzpolitics.core.models import Citation, attach_citations, cited_models

pytestmark = pytest.mark.django_db


def test_every_records_citations_come_in_the_order_the_database_gives():
    """On every published record of the article, of every kind: the citations kept for it are
    those the database returns in ``Citation.Meta.ordering``, in that order."""
    compared = several_fields = 0
    for model in cited_models():
        records = list(model.objects.published())
        if not records:
            continue
        attach_citations(records)
        content_type = ContentType.objects.get_for_model(model)
        expected: dict[int, list[int]] = {}
        for pk, object_id in (
            Citation.objects.published_own()
            .filter(content_type=content_type, object_id__in=[r.pk for r in records])
            .values_list("pk", "object_id")
        ):
            expected.setdefault(object_id, []).append(pk)
        for record in records:
            kept = [citation.pk for citation in record.citations.all()]
            assert kept == expected.get(record.pk, []), (model, record.pk)
            several_fields += len({c.field for c in record.citations.all()}) > 2
            compared += 1
    assert compared > 500 and several_fields > 10  # the order had something to decide


def test_the_database_orders_field_names_as_python_does():
    """``Citation.order_in_record`` compares ``field`` as Python does; the database must too
    (SQLite does; PostgreSQL in the C collation these databases are made with)."""
    names = list(Citation.objects.order_by("field").values_list("field", flat=True).distinct())
    assert len(names) > 5 and any("_" in name for name in names)
    assert names == sorted(names)

"""A hash of the synthetic rows, to compare two databases seeded alike."""

from __future__ import annotations

import hashlib
import json

from django.contrib.contenttypes.models import ContentType

from .rows import LABELS, LINKS, link_label, link_rows, model, synthetic_rows


def fingerprint() -> str:
    """A SHA-256 of every synthetic row's values, to compare two seedings.

    Ids are replaced by each row's position among the synthetic rows of its model (and
    content types by their model's label), so two databases seeded alike give the same
    fingerprint even when their ids differ. Timestamps are left out: they say when the rows
    were added.
    """
    positions: dict[str, dict[int, int]] = {}
    tables: dict[str, list] = {}
    content_types = {ct.pk: ct for ct in ContentType.objects.all()}
    ordered_labels = [label for label in LABELS if label != "kzpolitics.Citation"]
    for label in ordered_labels:
        positions[label] = {
            pk: index
            for index, pk in enumerate(
                synthetic_rows(label).order_by("pk").values_list("pk", flat=True)
            )
        }

    def ref(target_label: str, pk):
        if pk is None:
            return None
        found = positions.get(target_label, {}).get(pk)
        return [target_label, found] if found is not None else [target_label, "other", pk]

    for label in (*ordered_labels, "kzpolitics.Citation"):
        cls = model(label)
        columns = [
            f for f in cls._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")
        ]
        rows = []
        for values in (
            synthetic_rows(label).order_by("pk").values_list(*[f.attname for f in columns])
        ):
            row = {}
            for f, value in zip(columns, values, strict=True):
                if f.name == "content_type":
                    ct = content_types[value]
                    value = f"{ct.app_label}.{ct.model}"
                elif f.name == "object_id" and label == "kzpolitics.Citation":
                    value = ref(_label_of_content_type(row["content_type"]), value)
                elif f.is_relation:
                    value = ref(f.related_model._meta.label, value)
                row[f.name] = value
            rows.append(row)
        tables[label] = rows
    for link in LINKS:
        field_ = model(link[0])._meta.get_field(link[1])
        own, other = field_.m2m_column_name(), field_.m2m_reverse_name()
        pairs = link_rows(*link).values_list(own, other)
        tables[link_label(*link)] = sorted(
            [ref(link[0], a), ref(field_.related_model._meta.label, b)] for a, b in pairs
        )
    text = json.dumps(tables, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _label_of_content_type(app_model: str) -> str:
    return model(app_model)._meta.label

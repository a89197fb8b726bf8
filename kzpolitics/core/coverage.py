"""How much of the data is cited: the editors' “uncited” report and `citation_report`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst

from kzpolitics.core.dates import field_label
from kzpolitics.core.models import Citation, Cited


def cited_models() -> list[type[Cited]]:
    """Every concrete model whose records must carry citations, across all apps."""
    return [m for m in apps.get_models() if issubclass(m, Cited)]


@dataclass
class Gap:
    """One record lacking a citation for itself or for some of its filled fields."""

    obj: Cited
    uncited_record: bool
    uncited_fields: list[str]

    @property
    def uncited_labels(self) -> list[str]:
        """The uncited fields by the names the citations inline offers under “Backs the
        field” (“Founded”, “Founding place”)."""
        return [capfirst(field_label(type(self.obj), name)) for name in self.uncited_fields]


@dataclass
class ModelCoverage:
    model: type[Cited]
    records: int = 0
    cited_records: int = 0
    filled_fields: int = 0
    cited_fields: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def records_percent(self) -> float:
        return percent(self.cited_records, self.records)

    @property
    def fields_percent(self) -> float:
        return percent(self.cited_fields, self.filled_fields)


def percent(part: int, whole: int) -> float:
    return 100.0 if whole == 0 else round(100.0 * part / whole, 1)


def coverage() -> list[ModelCoverage]:
    """Citation coverage per model: one query for all citations, one per model for records."""
    named: dict[tuple[int, int], set[str]] = defaultdict(set)
    for ct_id, object_id, cited_field in Citation.objects.values_list(
        "content_type_id", "object_id", "field"
    ):
        named[(ct_id, object_id)].add(cited_field)
    content_types = ContentType.objects.get_for_models(*cited_models())
    report = []
    for model, ct in content_types.items():
        row = ModelCoverage(model)
        for obj in model.objects.all():
            fields = named.get((ct.id, obj.pk), set())
            filled = obj.filled_cited_fields()
            missing = [name for name in filled if name not in fields]
            row.records += 1
            row.cited_records += bool(fields)
            row.filled_fields += len(filled)
            row.cited_fields += len(filled) - len(missing)
            if missing or not fields:
                row.gaps.append(Gap(obj, not fields, missing))
        report.append(row)
    report.sort(key=lambda r: (r.model._meta.app_label, r.model._meta.model_name))
    return report


def totals(report: list[ModelCoverage]) -> ModelCoverage:
    total = ModelCoverage(Cited)
    for row in report:
        total.records += row.records
        total.cited_records += row.cited_records
        total.filled_fields += row.filled_fields
        total.cited_fields += row.cited_fields
        total.gaps.extend(row.gaps)
    return total

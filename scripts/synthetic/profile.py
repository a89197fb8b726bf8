"""What the article's data looks like: the proportions the synthetic data copies."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q

from kzpolitics.core import dates
from kzpolitics.core.dates import uncertain_dates

from .rows import LABELS, LINKS, link_label, link_rows, model, synthetic_citations_q, synthetic_q


def edtf_form(value: str) -> str:
    """The precision of an EDTF value, as the date pool words them: day, month, season..."""
    if value.startswith("/") or value.endswith("/.."):
        return "open"
    if "/" in value:
        return "span"
    if value.endswith("~"):
        return "approx"
    if value.endswith("?"):
        return "uncertain"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return "day"
    if re.fullmatch(r"\d{4}-4[01]", value):
        return "half"
    if re.fullmatch(r"\d{4}-2[1-4]", value):
        return "season"
    if re.fullmatch(r"\d{4}-\d\d", value):
        return "month"
    return "year"


@dataclass
class Profile:
    """The shape of the data already in the database, which the synthetic data copies."""

    counts: dict[str, int] = field(default_factory=dict)
    # (label, field) -> [(value, rows)], sorted by value
    choices: dict[tuple[str, str], list[tuple[str, int]]] = field(default_factory=dict)
    # (label, field or uncertain date) -> share of rows where it is filled
    rates: dict[tuple[str, str], float] = field(default_factory=dict)
    # (label, cited field or "" for the record) -> citations per record where it is filled
    citations_per: dict[tuple[str, str], float] = field(default_factory=dict)
    direct_share: float = 1.0  # citations citing an article directly, not via its footnote
    pages_share: float = 0.0  # of citations via a footnote, those giving pages
    quote_share: float = 1.0
    citation_note_share: float = 0.0
    date_forms: list[tuple[str, int]] = field(default_factory=list)
    event_links: dict[str, list[int]] = field(default_factory=dict)  # per-event counts

    @classmethod
    def measure(cls) -> Profile:
        profile = cls()
        cited_counts: Counter = Counter()
        citation_model = model("kzpolitics.Citation")
        article_citations = citation_model._base_manager.exclude(synthetic_citations_q())
        for ct_id, name in article_citations.values_list("content_type_id", "field"):
            cited_counts[(ct_id, name)] += 1
        forms: Counter = Counter()
        for label in LABELS:
            cls_ = model(label)
            rows = (
                article_citations
                if label == "kzpolitics.Citation"
                else cls_._base_manager.exclude(synthetic_q(label))
            )
            total = rows.count()
            profile.counts[label] = total
            for f in cls_._meta.concrete_fields:
                if f.choices or f.name == "language":
                    tally = Counter(rows.values_list(f.attname, flat=True))
                    profile.choices[(label, f.name)] = sorted(tally.items())
            for name, filled in _fill_counts(cls_, rows).items():
                profile.rates[(label, name)] = filled / total if total else 0.0
            for declared in uncertain_dates(cls_):
                forms.update(
                    edtf_form(v)
                    for v in rows.exclude(**{f"{declared.name}_edtf": ""}).values_list(
                        f"{declared.name}_edtf", flat=True
                    )
                )
            if hasattr(cls_, "CITED_FIELDS") and total:
                ct_id = ContentType.objects.get_for_model(cls_).pk
                filled = Counter({"": total})
                for obj in rows.iterator():
                    filled.update(obj.filled_cited_fields())
                for name in ("", *cls_.CITED_FIELDS):
                    if filled[name]:
                        profile.citations_per[(label, name)] = (
                            cited_counts[(ct_id, name)] / filled[name]
                        )
        profile.date_forms = sorted(forms.items())
        total = article_citations.count()
        if total:
            direct = article_citations.filter(source__kind="article").count()
            profile.direct_share = direct / total
            indirect = article_citations.exclude(source__kind="article")
            if direct < total:
                profile.pages_share = indirect.exclude(pages="").count() / (total - direct)
            profile.quote_share = article_citations.exclude(quote="").count() / total
            profile.citation_note_share = article_citations.exclude(note="").count() / total
        for link in LINKS:
            article_links = link_rows(*link).model._base_manager.exclude(
                pk__in=link_rows(*link).values("pk")
            )
            profile.counts[link_label(*link)] = article_links.count()
        events = model("kzpolitics.Event")._base_manager.exclude(synthetic_q("kzpolitics.Event"))
        for name in ("organizations", "people", "elections", "acts"):
            profile.event_links[name] = sorted(
                events.annotate(n=Count(name)).values_list("n", flat=True)
            )
        return profile

    def weights(self, label: str, name: str) -> list[tuple[str, int]]:
        return self.choices.get((label, name), [])

    def rate(self, label: str, name: str) -> float:
        return self.rates.get((label, name), 0.0)


def _fill_counts(cls, rows) -> dict[str, int]:
    """Rows where each optional field is filled; uncertain dates by their name."""
    counts = {}
    for f in cls._meta.concrete_fields:
        if f.name in ("id", "created_at", "updated_at", "status", "version"):
            continue
        if isinstance(f, dates.DerivedDateField) or not (f.blank or f.null):
            continue
        empty = Q(**{f"{f.attname}__isnull": True})
        if isinstance(f, models.CharField | models.TextField):
            empty |= Q(**{f.attname: ""})
        counts[f.name] = rows.exclude(empty).count()
    for declared in uncertain_dates(cls):
        counts[declared.name] = counts.pop(f"{declared.name}_edtf", 0)
        counts.pop(f"{declared.name}_text", None)
    return counts

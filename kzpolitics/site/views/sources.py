"""The bibliography, and each source with the records and facts that cite it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.views.generic import DetailView, ListView

from elections.models import Election, Result, Round
from kzpolitics.core.dates import UncertainDate, field_label
from kzpolitics.core.models import (
    Citation,
    Event,
    Period,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    SourceQuerySet,
    attach_sources,
    cited_models,
)
from kzpolitics.core.references import locator_of
from kzpolitics.core.views_base import PagedListMixin, PublicPageMixin
from kzpolitics.site.article_loader import ARTICLE_SLUG
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)

CITING_PAGE = 50  # records a page of a source's “what cites it” lists

# The kinds of record a source page lists what cites it by, in this order, each with the
# related rows its label (``str(record)``) and its page link (``get_absolute_url()``) read,
# fetched with it. Each is a row the record requires, so a public record has it public too.
CITING_KINDS: dict[type, tuple[str, ...]] = {
    Organization: (),
    OrganizationName: ("organization",),
    Stance: ("organization",),
    MembershipFigure: ("organization",),
    Relation: ("subject", "object"),
    Role: ("person", "organization"),
    Person: (),
    PersonName: ("person",),
    Event: (),
    Period: (),
    Election: (),
    Round: ("election",),
    Result: ("election", "organization", "person"),
    LegalAct: (),
    Provision: ("act",),
    RegistrationDecision: ("organization",),
    Place: (),
    PlaceName: ("place",),
}


def citing_models() -> list[type]:
    """Every kind of record that takes citations: those of CITING_KINDS in its order, then
    any it does not name yet, so that no citation goes uncounted."""
    return [*CITING_KINDS, *(model for model in cited_models() if model not in CITING_KINDS)]


def backed_field(model, name: str) -> str:
    """What a citation backs, as a reader's phrase: “founded”, “summary”, “the record”."""
    if not name:
        return "the record"
    label = field_label(model, name)
    return label.lower() if isinstance(getattr(model, name, None), UncertainDate) else label


@dataclass
class CitingRecord:
    label: str
    url: str
    citations: list[dict]


class SourceListView(PublicPageMixin, PagedListMixin, ListView):
    """The bibliography: the founding article, then the works its footnotes name (articles
    among them), in order, then the other sources; ``paginate_by`` a page, each group going
    on where the last page left it."""

    template_name = "kzpolitics/source_list.html"
    paginate_by = 100
    GROUPS = {
        SourceQuerySet.FOUNDING: "The founding article",
        SourceQuerySet.FOOTNOTED: "Works the article’s footnotes name",
        SourceQuerySet.OTHERS: "Other sources",
    }

    def get_queryset(self):
        return Source.objects.visible(self.public)

    def paginate_queryset(self, queryset, page_size):
        """A page of the bibliography's order (``bibliography_order``: one light query of
        every source), then that page's sources (one query)."""
        order = queryset.bibliography_order(first=ARTICLE_SLUG)
        paginator, page, _, paged = super().paginate_queryset(order, page_size)
        self.groups_of = dict(page.object_list)
        self.before = order[page.start_index() - 2][1] if page.number > 1 else None
        sources = queryset.in_order_of(list(self.groups_of)).without_timestamps()
        return paginator, page, sources, paged

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = {key: [] for key in self.GROUPS}
        for source in context["object_list"]:
            groups[self.groups_of[source.pk]].append(source)
        context.update(
            title="Sources",
            groups=[
                {
                    "id": key,
                    "label": self.GROUPS[key],
                    "sources": sources,
                    "continued": key == self.before,
                }
                for key, sources in groups.items()
                if sources
            ],
        )
        return context


class SourceDetailView(PublicPageMixin, DetailView):
    """A source, and the records and facts that cite it: how many of each kind of record,
    and those of one kind (``?kind=organization``, by default the first), CITING_PAGE
    records a page (``?page=``) with their citations of it, so that a source cited thousands
    of times makes a page no longer than one cited a hundred times. The records it backs the
    most facts of come first: what the source is most about."""

    template_name = "kzpolitics/source_detail.html"

    def get_queryset(self):
        return Source.objects.visible(self.public)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.object
        # Citations the public may see: of records it may see, through sources it may see.
        citing = Citation.objects.filter(Q(source=source) | Q(via=source))
        if self.public:
            rows = citing.public_rows()
            citing = citing.published_own()  # and of the records among ``rows``, asked below
        else:
            rows = list(citing.order_by().values_list("content_type_id", "object_id"))
        # Content type: how many citations of each record. Counted by (content type, record)
        # in one pass of C first: a Counter made per row (``setdefault``'s default) and a
        # count in Python cost 3.3 ms for the 100x most-cited work's 5,666 citations, this
        # 0.9 ms.
        by_kind: dict[int, Counter] = defaultdict(Counter)
        for (content_type_id, object_id), number in Counter(rows).items():
            by_kind[content_type_id][object_id] = number
        counts = {
            content_type: (citations.total(), len(citations))
            for content_type, citations in by_kind.items()
        }
        kinds = []
        for model in citing_models():
            content_type = ContentType.objects.get_for_model(model)  # cached: no query
            if content_type.pk in counts:
                citations, records = counts[content_type.pk]
                kinds.append(
                    {
                        "id": model._meta.model_name,
                        "label": str(model._meta.verbose_name_plural).capitalize(),
                        "citations": citations,
                        "records": records,
                        "model": model,
                        "content_type": content_type,
                    }
                )
        asked = self.request.GET.get("kind", "")
        kind = next((k for k in kinds if k["id"] == asked), kinds[0] if kinds else None)
        context.update(
            title=source.short_reference or source.title,
            citation_count=sum(k["citations"] for k in kinds),
            kinds=kinds,
            kind=kind,
            unknown_kind=asked if asked and kind and kind["id"] != asked else "",
        )
        if kind is not None:
            of_kind = citing.filter(content_type=kind["content_type"])
            # The records it backs the most facts of first.
            cited = by_kind[kind["content_type"].pk]
            order = sorted(cited, key=lambda object_id: (-cited[object_id], object_id))
            page = Paginator(order, CITING_PAGE).get_page(self.request.GET.get("page"))
            context.update(
                page_obj=page,
                records=self.citing_records(
                    source, kind["model"], of_kind, list(page), self.public
                ),
                query_string=urlencode({"kind": kind["id"]}),
            )
        return context

    @staticmethod
    def citing_records(
        source, model, citations, ids: list[int], public: bool = True
    ) -> list[CitingRecord]:
        """The records of ``model`` with these ids (one query), in that order, each with the
        ``citations`` of it (one query)."""
        related = CITING_KINDS.get(model, ())
        records = model.objects.visible(public).select_related(*related)
        records = records.without_timestamps(*related).order_by().in_bulk(ids)
        entries: dict[int, CitingRecord] = {}
        for pk in ids:
            record = records.get(pk)
            if record is not None:  # else a citation of a record since deleted
                entries[pk] = CitingRecord(str(record), record.get_absolute_url(), [])
        rows = citations.filter(object_id__in=list(entries)).order_by("object_id", "field", "pk")
        rows = rows.without_timestamps()  # a work's page shows hundreds, none when it changed
        for citation in attach_sources(list(rows), known=(source,)):
            entries[citation.object_id].citations.append(
                {
                    "field": backed_field(model, citation.field),
                    "locator": locator_of(citation),
                    "quote": citation.quote,
                    # The record cites another work that is known through this one.
                    "through": citation.source if citation.via_id == source.pk else None,
                    "via": citation.via if citation.source_id == source.pk else None,
                }
            )
        return list(entries.values())

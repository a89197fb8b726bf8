from kzpolitics.core.models import published_prefetch
from kzpolitics.core.viewsets import RecordViewSet

from .filters import ElectionFilter, ResultFilter
from .models import Election, Result, Round
from .serializers import ElectionSerializer, ResultSerializer


class ElectionViewSet(RecordViewSet):
    """Presidential, Majilis and municipal elections, with rounds and results nested."""

    figure = "elections"
    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    search_fields = ("name", "summary", "slug")
    ordering_fields = ("date_earliest", "name", "kind", "updated_at")
    ordering = None  # the QuerySet's own: by date, undated last on every database
    queryset = Election.objects.all()

    def published_queryset(self):
        return (
            Election.objects.published()
            .chronological()
            .prefetch_related(
                published_prefetch("rounds", Round),
                # A result is public with its party or candidate and its round: these
                # joins are of published rows only.
                published_prefetch(
                    "results",
                    Result,
                    Result.objects.select_related("organization", "person", "round"),
                ),
            )
            .with_citations("rounds", "results")
        )


class ResultViewSet(RecordViewSet):
    """One row per result, flat, for spreadsheets. Results have no name: the id is their key."""

    lookup_field = "pk"
    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    search_fields = ("organization__name", "organization__names__name", "person__name", "wording")
    ordering_fields = ("election__date_earliest", "seats", "vote_share", "tier", "updated_at")
    ordering = ("election__date_earliest", "tier", "-seats")
    queryset = Result.objects.all()

    def published_queryset(self):
        # published(): the election, round, party or candidate are each published too.
        return (
            Result.objects.published()
            .select_related("election", "organization", "person", "round")
            .with_citations()
        )

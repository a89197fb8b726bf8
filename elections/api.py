from django.db.models import Prefetch

from kzpolitics.viewsets import RecordViewSet

from .filters import ElectionFilter, ResultFilter
from .models import Election, Result
from .serializers import ElectionSerializer, ResultSerializer


class ElectionViewSet(RecordViewSet):
    """Presidential, Majilis and municipal elections, with rounds and results nested."""

    serializer_class = ElectionSerializer
    filterset_class = ElectionFilter
    search_fields = ("name", "summary", "slug")
    ordering_fields = ("date_earliest", "name", "kind", "updated_at")
    ordering = None  # the QuerySet's own: by date, undated last on every database
    queryset = (
        Election.objects.chronological()
        .prefetch_related(
            "rounds",
            Prefetch(
                "results", queryset=Result.objects.select_related("organization", "person", "round")
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
    queryset = Result.objects.select_related(
        "election", "organization", "person", "round"
    ).with_citations()

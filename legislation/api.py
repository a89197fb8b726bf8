from kzpolitics.viewsets import RecordViewSet

from .filters import LegalActFilter, RegistrationDecisionFilter
from .models import LegalAct, RegistrationDecision
from .serializers import LegalActSerializer, RegistrationDecisionSerializer


class LegalActViewSet(RecordViewSet):
    """Laws, constitutions, declarations and decisions, with their provisions."""

    serializer_class = LegalActSerializer
    filterset_class = LegalActFilter
    search_fields = ("title", "summary", "slug", "provisions__text", "provisions__summary")
    ordering_fields = ("adopted_earliest", "title", "jurisdiction", "updated_at")
    ordering = None  # the QuerySet's own: by date, undated last on every database
    queryset = (
        LegalAct.objects.chronological()
        .select_related("body")
        .prefetch_related("provisions")
        .with_citations("provisions")
    )


class RegistrationDecisionViewSet(RecordViewSet):
    """Registration decisions: registered, re-registered, denied, banned, never registered."""

    lookup_field = "pk"
    serializer_class = RegistrationDecisionSerializer
    filterset_class = RegistrationDecisionFilter
    search_fields = ("organization__name", "organization__names__name", "note")
    ordering_fields = ("date_earliest", "decision", "updated_at")
    ordering = ("date_earliest",)
    queryset = RegistrationDecision.objects.select_related(
        "organization", "act", "body"
    ).with_citations()

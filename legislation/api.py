from kzpolitics.core.models import published_prefetch
from kzpolitics.core.viewsets import RecordViewSet

from .filters import LegalActFilter, RegistrationDecisionFilter
from .models import LegalAct, Provision, RegistrationDecision
from .serializers import LegalActSerializer, RegistrationDecisionSerializer


class LegalActViewSet(RecordViewSet):
    """Laws, constitutions, declarations and decisions, with their provisions."""

    figure = "legal acts"
    serializer_class = LegalActSerializer
    filterset_class = LegalActFilter
    search_fields = ("title", "summary", "slug", "provisions__text", "provisions__summary")
    ordering_fields = ("adopted_earliest", "title", "jurisdiction", "updated_at")
    ordering = None  # the QuerySet's own: by date, undated last on every database
    queryset = LegalAct.objects.all()

    def published_queryset(self):
        return (
            LegalAct.objects.published()
            .chronological()
            # The body that adopted it is shown while it is public (else null).
            .with_public_links("body")
            .prefetch_related(published_prefetch("provisions", Provision))
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
    queryset = RegistrationDecision.objects.all()

    def published_queryset(self):
        # published(): its organization is too; the act and the deciding body are shown
        # while they are public (else null).
        return (
            RegistrationDecision.objects.published()
            .select_related("organization")
            .with_public_links("act", "body")
            .with_citations()
        )

from kzpolitics.core.models import Person, PersonName, published_prefetch
from kzpolitics.core.viewsets import RecordViewSet

from .filters import OrganizationFilter, PersonFilter
from .models import Organization, Role
from .serializers import OrganizationSerializer, PersonSerializer


class OrganizationViewSet(RecordViewSet):
    """Parties, movements, public organizations, blocs and state bodies.

    Search matches every name an organization bore (official, short, translated, variant).
    """

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    search_fields = ("name", "names__name", "slug")
    ordering_fields = ("name", "kind", "founded_earliest", "dissolved_earliest", "updated_at")
    ordering = ("name",)
    queryset = Organization.objects.all()

    def published_queryset(self):
        return Organization.objects.published().with_profile()


class PersonViewSet(RecordViewSet):
    """People, their name variants (Nazarbaev / Nazarbayev) and their roles over time."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ("name", "names__name", "slug")
    ordering_fields = ("name", "updated_at")
    ordering = ("name",)
    queryset = Person.objects.all()

    def published_queryset(self):
        return (
            Person.objects.published()
            .prefetch_related(
                published_prefetch("names", PersonName),
                published_prefetch("roles", Role, Role.objects.select_related("organization")),
            )
            .with_citations("names", "roles")
        )

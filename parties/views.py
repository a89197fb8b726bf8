from django.db.models import prefetch_related_objects
from django.views.generic import DetailView, ListView

from kzpolitics.core.models import Place, PlaceName, published_prefetch
from kzpolitics.core.views_base import PublicPageMixin

from .filters import OrganizationFilter
from .lineage import lineage
from .models import Organization, OrganizationName, RoleQuerySet

SORTS = {
    "name": ("name",),
    "founded": ("founded_earliest", "name"),
    "-founded": ("-founded_earliest", "name"),
    "kind": ("kind", "name"),
}


class OrganizationListView(PublicPageMixin, ListView):
    """Organizations with filters (kind, stance, decade, active on a day) and sorting."""

    template_name = "parties/organization_list.html"
    paginate_by = 50

    def get_queryset(self):
        organizations = (
            Organization.objects.visible(self.public)
            .prefetch_related(published_prefetch("founding_place", Place, public=self.public))
            .with_citations(public=self.public)
        )
        self.filterset = OrganizationFilter(
            self.request.GET or None, queryset=organizations, public=self.public
        )
        queryset = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        if self.filterset.is_bound and not self.filterset.is_valid():
            queryset = Organization.objects.none()
        self.sort = (
            self.request.GET.get("sort") if self.request.GET.get("sort") in SORTS else "name"
        )
        return queryset.order_by(*SORTS[self.sort])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter=self.filterset,
            sort=self.sort,
            sorts=SORTS,
            query_string=query.urlencode(),
            title="Organizations",
        )
        return context


class OrganizationDetailView(PublicPageMixin, DetailView):
    """An organization: infobox, names, lineage, results, registrations, events, references."""

    template_name = "parties/organization_detail.html"

    def get_queryset(self):
        return Organization.objects.visible(self.public).with_record(public=self.public)

    def prefetch_names_of_the_time(self, organization) -> None:
        """The names of its founding place and of the organizations it is related to, each
        shown as it was named then: one query for each kind, however many there are."""
        if organization.founding_place is not None:
            prefetch_related_objects(
                [organization.founding_place],
                published_prefetch("names", PlaceName, public=self.public),
            )
        # Every instance: each relation holds its own copy of the organization at its ends.
        related = [
            other
            for relation in [*organization.relations_from.all(), *organization.relations_to.all()]
            for other in (relation.subject, relation.object)
            if other.pk != organization.pk
        ]
        if related:
            prefetch_related_objects(
                related,
                published_prefetch("names", OrganizationName, public=self.public),
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        self.prefetch_names_of_the_time(organization)
        roles = list(organization.roles.all())
        context.update(
            title=organization.name,
            lineage=lineage(organization),
            leaders=[r for r in roles if r.kind in RoleQuerySet.LEADING],
            other_roles=[r for r in roles if r.kind not in RoleQuerySet.LEADING],
        )
        return context

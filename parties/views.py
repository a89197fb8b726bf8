import functools

from django.db.models import prefetch_related_objects
from django.views.generic import DetailView, ListView

from kzpolitics.core.models import PlaceName, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PagedListMixin, PublicPageMixin

from .filters import OrganizationFilter
from .lineage import lineage
from .models import Organization, leaders_and_others
from .record_pages import (
    attach_event_page,
    attach_relation_page,
    attach_result_page,
    attach_role_page,
    page_number,
)

SORTS = {
    "name": ("name",),
    "founded": ("founded_earliest", "name"),
    "-founded": ("-founded_earliest", "name"),
    "kind": ("kind", "name"),
}


class OrganizationListView(PublicPageMixin, PagedListMixin, ListView):
    """Organizations with filters (kind, stance, decade, active on a day) and sorting."""

    template_name = "parties/organization_list.html"
    paginate_by = 50

    def get_queryset(self):
        organizations = (
            Organization.objects.visible(self.public)
            .with_public_links("founding_place", public=self.public)
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
        # Only a list of what was active on a day says how certainly each was (``certainty``,
        # annotated by ``active_on``): asked of a row without it, the template's lookup fails
        # the slow way (Django lists the row's attributes to tell why), 1 ms a page of 50.
        form = self.filterset.form
        dated = (
            self.filterset.is_bound and form.is_valid() and bool(form.cleaned_data.get("active_on"))
        )
        context.update(
            filter=self.filterset, sort=self.sort, sorts=SORTS, title="Organizations", dated=dated
        )
        return context


class OrganizationDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """An organization: infobox, names, lineage, results, registrations, events, references."""

    template_name = "parties/organization_detail.html"
    # A page of a hub's relations, events, roles and election results (parties.record_pages):
    # the query parameters that ask for a later one, the anchor each page's links go to, and
    # what keeps that page of the organization's rows.
    PAGES = {"relations": "lineage", "events": "events", "roles": "roles", "results": "results"}
    ATTACH = {
        "relations": attach_relation_page,
        "events": attach_event_page,
        "roles": attach_role_page,
        "results": attach_result_page,
    }

    def queryset_key(self) -> tuple:
        """The page asked for of each list ``get_queryset`` attaches one page of."""
        return tuple(page_number(self.request.GET.get(name)) for name in self.ATTACH)

    def get_queryset(self):
        public = self.public
        pages = {
            name: functools.partial(attach, number=number, public=public)
            for (name, attach), number in zip(self.ATTACH.items(), self.queryset_key(), strict=True)
        }
        return Organization.objects.visible(public).with_record(public=public, **pages)

    def page_links(self, pages: dict, name: str) -> dict:
        """The addresses of the pages before and after the page of ``name`` (relations,
        events or roles) in ``pages`` (each one's page), keeping the others' pages as shown
        (a number past the last reads as the last): plain links, no script needed."""
        page, links = pages[name], {}
        for rel, number in (
            ("previous", page.previous_page_number() if page.has_previous() else None),
            ("next", page.next_page_number() if page.has_next() else None),
        ):
            if number is None:
                continue
            query = self.request.GET.copy()
            for other, shown in {**{n: p.number for n, p in pages.items()}, name: number}.items():
                if shown == 1:
                    query.pop(other, None)
                else:
                    query[other] = str(shown)
            encoded = f"?{query.urlencode()}" if query else ""
            links[rel] = f"{self.request.path}{encoded}#{self.PAGES[name]}"
        return links

    def prefetch_names_of_the_time(self, organization) -> None:
        """The names of its founding place, each shown as it was named then (those of the
        organizations it is related to came with its own: ``with_record``)."""
        if organization.founding_place is not None:
            prefetch_related_objects(
                [organization.founding_place],
                published_prefetch("names", PlaceName, public=self.public),
            )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        self.prefetch_names_of_the_time(organization)
        # Its roles, leaders first (parties.record_pages.attach_role_page). A hub's, more
        # than a page, show a page at a time in one list of their own; the infobox then says
        # how many leaders there are and links to it.
        leaders, other_roles = leaders_and_others(organization.roles.all())
        pages = {
            "relations": organization.relation_page,
            "events": organization.event_page,
            "roles": organization.role_page,
            "results": organization.result_page,
        }
        context.update(
            title=organization.name,
            lineage=lineage(organization),
            relation_page=pages["relations"],
            relation_links=self.page_links(pages, "relations"),
            event_page=pages["events"],
            event_links=self.page_links(pages, "events"),
            role_page=pages["roles"],
            role_links=self.page_links(pages, "roles"),
            roles_paged=pages["roles"].paginator.num_pages > 1,
            leader_count=organization.leader_count,
            leaders=leaders,
            other_roles=other_roles,
            result_page=pages["results"],
            result_links=self.page_links(pages, "results"),
        )
        return context

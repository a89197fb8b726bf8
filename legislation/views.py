from django.views.generic import DetailView, ListView

from kzpolitics.core.models import Event, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PagedListMixin, PublicPageMixin
from parties.models import OrganizationName

from .filters import LegalActFilter
from .models import LegalAct, Provision, RegistrationDecision

JURISDICTIONS = [key for key, _ in LegalAct.Jurisdiction.choices]


class LegalActListView(PublicPageMixin, PagedListMixin, ListView):
    """Legal acts grouped by jurisdiction (U.S.S.R., Kazakh S.S.R., Kazakhstan), each by date,
    ``paginate_by`` a page."""

    template_name = "legislation/legalact_list.html"
    paginate_by = 100

    def get_queryset(self):
        acts = (
            LegalAct.objects.visible(self.public)
            .by_jurisdiction()
            .with_public_links("body", public=self.public)
            .with_citations(public=self.public)
        )
        self.filterset = LegalActFilter(self.request.GET or None, queryset=acts, public=self.public)
        if not self.filterset.is_bound:
            return self.filterset.queryset
        if not self.filterset.is_valid():
            return LegalAct.objects.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        acts = list(context["object_list"])  # this page's, in jurisdiction order
        labels = dict(LegalAct.Jurisdiction.choices)
        before = self.group_before(context["page_obj"], "jurisdiction")
        groups = [
            {
                "key": key,
                "label": labels[key],
                "acts": [a for a in acts if a.jurisdiction == key],
                "continued": key == before,
            }
            for key in JURISDICTIONS
        ]
        context.update(
            title="Legal acts",
            filter=self.filterset,
            groups=[g for g in groups if g["acts"]],
            count=context["paginator"].count,  # paged: there is always a paginator
        )
        return context


class LegalActDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """An act: who adopted it, its provisions, the registration decisions it led to, events."""

    template_name = "legislation/legalact_detail.html"

    def get_queryset(self):
        public = self.public
        # A decision is public with its organization (joining it is safe); who took it is
        # only an attribute, shown while the public may see it.
        decisions = RegistrationDecision.objects.select_related("organization").with_public_links(
            "body", public=public
        )
        return (
            LegalAct.objects.visible(public)
            .with_public_links("body", public=public)
            .prefetch_related(
                published_prefetch("provisions", Provision, public=public),
                published_prefetch("registrations", RegistrationDecision, decisions, public=public),
                # Each organization named as it was when the decision was taken.
                published_prefetch(
                    "registrations__organization__names", OrganizationName, public=public
                ),
                published_prefetch("events", Event, public=public),
            )
            .with_citations("provisions", "registrations", "events", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.title
        return context

from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from kzpolitics.views_base import ReferencesMixin

from .filters import LegalActFilter
from .models import LegalAct, RegistrationDecision

JURISDICTIONS = [key for key, _ in LegalAct.Jurisdiction.choices]


class LegalActListView(ReferencesMixin, ListView):
    """Legal acts grouped by jurisdiction (U.S.S.R., Kazakh S.S.R., Kazakhstan), each by date."""

    template_name = "legislation/legalact_list.html"

    def get_queryset(self):
        self.filterset = LegalActFilter(
            self.request.GET or None,
            queryset=LegalAct.objects.chronological().select_related("body").with_citations(),
        )
        if not self.filterset.is_bound:
            return self.filterset.queryset
        if not self.filterset.is_valid():
            return LegalAct.objects.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        acts = sorted(context["object_list"], key=lambda a: JURISDICTIONS.index(a.jurisdiction))
        labels = dict(LegalAct.Jurisdiction.choices)
        groups = [
            {"key": key, "label": labels[key], "acts": [a for a in acts if a.jurisdiction == key]}
            for key in JURISDICTIONS
        ]
        context.update(
            title="Legal acts",
            filter=self.filterset,
            groups=[g for g in groups if g["acts"]],
            count=len(acts),
        )
        return context


class LegalActDetailView(ReferencesMixin, DetailView):
    """An act: who adopted it, its provisions, the registration decisions it led to, events."""

    template_name = "legislation/legalact_detail.html"
    queryset = (
        LegalAct.objects.select_related("body")
        .prefetch_related(
            "provisions",
            Prefetch(
                "registrations",
                queryset=RegistrationDecision.objects.select_related("organization", "body"),
            ),
            "events",
        )
        .with_citations("provisions", "registrations", "events")
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.title
        return context

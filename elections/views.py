from dataclasses import dataclass

from django.views.generic import DetailView, ListView

from kzpolitics.core.models import Event, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PagedListMixin, PublicPageMixin
from parties.models import OrganizationName

from .models import Election, Result, Round
from .seatchart import SeatChart, ShareChart, hemicycle, share_bars

UNATTRIBUTED = "Not attributed in the sources"


@dataclass
class Tier:
    """One tier of an election's results (party list, single-member districts, total)."""

    key: str
    label: str
    results: list[Result]
    chart: SeatChart | None = None

    @property
    def caption(self) -> str:
        return f"{self.label}: seats won of {self.chart.total}" if self.chart else self.label

    @property
    def has_seats(self) -> bool:
        return any(r.seats is not None for r in self.results)

    @property
    def has_shares(self) -> bool:
        return any(r.vote_share is not None for r in self.results)

    @property
    def seats_of(self) -> int | None:
        known = [r.seats_of for r in self.results if r.seats_of]
        return max(known) if known else None


class ElectionListView(PublicPageMixin, PagedListMixin, ListView):
    """Elections by date, with what the sources say of each at a glance, ``paginate_by`` a
    page."""

    template_name = "elections/election_list.html"
    paginate_by = 100

    def get_queryset(self):
        return (
            Election.objects.visible(self.public).chronological().with_citations(public=self.public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = "Elections"
        return context


class ElectionDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """An election: rounds, a results table per tier, a seat chart where seats are known."""

    template_name = "elections/election_detail.html"

    def get_queryset(self):
        public = self.public
        # A result is public with its party or candidate (and round): joining them is safe.
        results = Result.objects.select_related("organization", "person")
        return (
            Election.objects.visible(public)
            .prefetch_related(
                published_prefetch("rounds", Round, public=public),
                published_prefetch("results", Result, results, public=public),
                # Each party named as it was at the election.
                published_prefetch("results__organization__names", OrganizationName, public=public),
                published_prefetch("events", Event, public=public),
            )
            .with_citations("rounds", "results", "events", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        election = self.object
        results = list(election.results.all())
        tiers = []
        for key, label in Result.Tier.choices:
            rows = [r for r in results if r.tier == key]
            if not rows:
                continue
            rows.sort(key=lambda r: (-(r.seats or 0), -(r.vote_share or 0), str(r.contestant)))
            tier = Tier(key, label, rows)
            if tier.seats_of and any(r.seats for r in rows):
                tier.chart = hemicycle(
                    [
                        (str(r.contestant), r.seats or 0, r.contestant.get_absolute_url())
                        for r in rows
                    ],
                    tier.seats_of,
                    UNATTRIBUTED,
                )
            tiers.append(tier)
        shares = [r for r in results if r.vote_share is not None]
        share_chart: ShareChart | None = None
        if election.kind == Election.Kind.PRESIDENTIAL and shares:
            shares.sort(key=lambda r: -r.vote_share)
            share_chart = share_bars(
                [(str(r.contestant), r.vote_share, r.contestant.get_absolute_url()) for r in shares]
            )
        context.update(title=election.name, tiers=tiers, share_chart=share_chart)
        return context

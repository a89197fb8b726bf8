"""People the sources name: the list, and each person's names, roles, results and events."""

from __future__ import annotations

from django.views.generic import DetailView, ListView

from elections.models import Result
from kzpolitics.core.models import Event, Person, PersonName, published_prefetch
from kzpolitics.core.views_base import BuiltOnceMixin, PagedListMixin, PublicPageMixin
from parties.models import Role, RoleQuerySet


def main_role(roles: list[Role]) -> Role | None:
    """The role that best says who someone was: a public office (President, prime minister),
    else the lead of an organization, else the first recorded."""
    for kinds in ((Role.Kind.OFFICE,), RoleQuerySet.LEADING):
        for role in roles:
            if role.kind in kinds:
                return role
    return roles[0] if roles else None


class PersonListView(PublicPageMixin, PagedListMixin, ListView):
    """People the sources name, with their main role and how many roles are recorded."""

    template_name = "kzpolitics/person_list.html"
    paginate_by = 100

    def get_queryset(self):
        public = self.public
        # A role is public with its organization: joining it is safe.
        roles = Role.objects.select_related("organization")
        return (
            Person.objects.visible(public)
            .prefetch_related(published_prefetch("roles", Role, roles, public=public))
            .with_citations("roles", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for person in context["object_list"]:
            roles = list(person.roles.all())
            person.role_count = len(roles)
            person.main_role = main_role(roles)
        context.update(title="People")
        return context


class PersonDetailView(BuiltOnceMixin, PublicPageMixin, DetailView):
    """A person: names and spellings, description, roles over time, results, events."""

    template_name = "kzpolitics/person_detail.html"

    def get_queryset(self):
        public = self.public
        # A role is public with its organization, a result with its election: joining is safe.
        roles = Role.objects.select_related("organization")
        results = Result.objects.select_related("election")
        return (
            Person.objects.visible(public)
            # Each kind of row read only if the person has one (most have few kinds).
            .prefetch_present(
                published_prefetch("names", PersonName, public=public),
                published_prefetch("roles", Role, roles, public=public),
                published_prefetch("results", Result, results, public=public),
                published_prefetch("events", Event, Event.objects.chronological(), public=public),
            )
            .with_citations("names", "roles", "results", "events", public=public)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.object.name
        return context

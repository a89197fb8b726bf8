import django_filters
from django.core.validators import RegexValidator

from kzpolitics.core.filters import (
    DATE_QUERY_FORMS,
    DateAfter,
    DateBefore,
    DateQueryFilter,
    QueryDate,
    RecordFilterSet,
    SlugFilter,
    WholeNumberFilter,
)
from kzpolitics.core.models import Person

from . import lifespans
from .models import Organization, Role, Stance


class OrganizationFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Organization.Kind.choices, help_text="Kind of organization."
    )
    stance = django_filters.ChoiceFilter(
        method="filter_stance",
        choices=Stance.Kind.choices,
        help_text="Organizations that took this stance at some time.",
    )
    founded_after = DateAfter("founded")
    founded_before = DateBefore("founded")
    active_on = DateQueryFilter(
        method="filter_active_on",
        help_text=(
            "Certainly or possibly existed on this day, or on some day of this period (a "
            f"year, a month, an EDTF span: {DATE_QUERY_FORMS}); each match carries its "
            "certainty. An organization's own founded / dissolved date counts where it has "
            "one; else bounds derived from published evidence: it came into being at a "
            "relation it is the subject of (split from, based on, founded by, set up to "
            "counter) or the new end of (renamed to); it ended at one it is the subject of "
            "(merged into, renamed to) or at a ban or liquidation; it existed at any other "
            "relation (member of, branch of, the other end of any), an election result or a "
            "registration decision; an event it is linked to shows only that it had not "
            "ended before. Certain: founded by the day (its founding's latest day) and "
            "still there (dissolved no earlier, or named by dated evidence on or after it). "
            "Possible: founded no later (or unknown) and dissolved no earlier (or unknown). "
            "An organization with no known end is possible after its last dated mention; "
            "one that nothing dates is left out."
        ),
    )
    certainty = django_filters.ChoiceFilter(
        method="filter_certainty",
        choices=lifespans.CERTAINTIES,
        help_text="With active_on: only the certain, or only the possible (not certain) matches.",
    )
    member_of = SlugFilter(
        model=Organization,
        kind_label="organization",
        method="filter_member_of",
        help_text="Slug of a bloc or alliance it belonged to.",
    )
    leader = SlugFilter(
        model=Person,
        kind_label="person",
        method="filter_leader",
        help_text="Slug of a person who led it (leader, chair, co-chair).",
    )
    # Another dataset's identifiers: one no record holds matches nothing (an empty list), as
    # any value of a field does; only a malformed one is refused.
    partyfacts = WholeNumberFilter(
        field_name="partyfacts_id",
        min_value=1,
        help_text="Its Party Facts ID, a whole number (e.g. 5840).",
    )
    wikidata = django_filters.CharFilter(
        field_name="wikidata_id",
        max_length=20,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata item's ID: Q and a number.")],
        help_text="Its Wikidata item, Q and a number (e.g. Q1186246).",
    )

    class Meta:
        model = Organization
        fields = ("kind",)

    def filter_stance(self, queryset, name, value):
        stances = self.visible(Stance).filter(stance=value)
        return queryset.filter(pk__in=stances.values("organization"))

    def is_valid(self):
        valid = super().is_valid()
        data = self.form.cleaned_data if valid else {}
        if data.get("certainty") and not data.get("active_on"):
            self.form.add_error("certainty", "certainty narrows active_on: give active_on with it.")
            return False
        return valid

    def filter_active_on(self, queryset, name, value: QueryDate):
        return queryset.active_on(
            value.earliest,
            value.latest,
            certainty=self.form.cleaned_data.get("certainty") or None,
            public=self.public,
        )

    def filter_certainty(self, queryset, name, value):
        return queryset  # applied with active_on, which it narrows (is_valid requires both)

    def filter_member_of(self, queryset, name, value):
        return queryset.members_of(value)

    def filter_leader(self, queryset, name, value):
        return queryset.led_by(value)


class PersonFilter(RecordFilterSet):
    organization = SlugFilter(
        model=Organization,
        kind_label="organization",
        method="filter_organization",
        help_text="Slug of an organization they held a role in.",
    )

    class Meta:
        model = Person
        fields = ()

    def filter_organization(self, queryset, name, value):
        # A role is public only with its organization: a draft's slug finds no one.
        roles = self.visible(Role).filter(organization__slug=value)
        return queryset.filter(pk__in=roles.values("person"))

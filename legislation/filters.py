import django_filters

from kzpolitics.core.filters import DateAfter, DateBefore, RecordFilterSet, SlugFilter
from parties.models import Organization

from .models import LegalAct, RegistrationDecision


class LegalActFilter(RecordFilterSet):
    jurisdiction = django_filters.ChoiceFilter(
        choices=LegalAct.Jurisdiction.choices, help_text="U.S.S.R., Kazakh S.S.R. or Kazakhstan."
    )
    kind = django_filters.ChoiceFilter(choices=LegalAct.Kind.choices, help_text="Kind of act.")
    adopted_after = DateAfter("adopted")
    adopted_before = DateBefore("adopted")

    class Meta:
        model = LegalAct
        fields = ("jurisdiction", "kind")


class RegistrationDecisionFilter(RecordFilterSet):
    organization = SlugFilter(
        model=Organization,
        kind_label="organization",
        field_name="organization__slug",
        help_text="Slug of the organization.",
    )
    act = SlugFilter(
        model=LegalAct, kind_label="legal act", method="filter_act", help_text="Slug of the act."
    )
    decision = django_filters.ChoiceFilter(
        choices=RegistrationDecision.Decision.choices, help_text="The decision."
    )
    date_after = DateAfter("date")
    date_before = DateBefore("date")

    class Meta:
        model = RegistrationDecision
        fields = ("decision",)

    def filter_act(self, queryset, name, value):
        # The act is an attribute of a public decision, shown only while public itself.
        return queryset.filter(act__in=self.visible(LegalAct).filter(slug=value))

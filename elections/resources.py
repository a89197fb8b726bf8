"""Election results in and out of spreadsheets (the admin's import and export; see
``kzpolitics.core.resources`` for the rules every record's file follows)."""

from import_export.fields import Field
from import_export.widgets import ForeignKeyWidget

from kzpolitics.core.models import Person
from kzpolitics.core.resources import RecordResource, SlugWidget
from parties.models import Organization

from .models import Election, Result, Round


class RoundWidget(ForeignKeyWidget):
    """A round as its number within the row's election (rounds have no slug of their own)."""

    def __init__(self):
        super().__init__(Round, field="number")

    def get_queryset(self, value, row, *args, **kwargs):
        return Round.objects.filter(election__slug=str(row.get("election") or "").strip())

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (Round.DoesNotExist, ValueError):
            election = str(row.get("election") or "").strip() if row else ""
            raise ValueError(f"The election “{election}” has no round “{value}”.") from None


class ResultResource(RecordResource):
    """Results by id (they have no slug); the election, party and candidate by slug, the round
    by its number in the election."""

    election = Field(attribute="election", column_name="election", widget=SlugWidget(Election))
    round = Field(attribute="round", column_name="round", widget=RoundWidget())
    organization = Field(
        attribute="organization", column_name="organization", widget=SlugWidget(Organization)
    )
    person = Field(attribute="person", column_name="person", widget=SlugWidget(Person))

    class Meta:
        model = Result
        fields = (
            "id",
            "election",
            "round",
            "organization",
            "person",
            "tier",
            "seats",
            "seats_of",
            "vote_share",
            "wording",
            "public_note",
            "note",
            "status",
            "version",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("election", "round", "organization", "person")

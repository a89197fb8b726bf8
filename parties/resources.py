"""Organizations in and out of spreadsheets (the admin's import and export; see
``kzpolitics.core.resources`` for the rules every record's file follows)."""

from import_export.fields import Field

from kzpolitics.core.dates import date_columns
from kzpolitics.core.models import Place
from kzpolitics.core.resources import RecordResource, SlugWidget

from .models import Organization


class OrganizationResource(RecordResource):
    """Organizations by slug; the founding place by its slug; dates as wording and EDTF.

    Names, stances, roles and relations have lists of their own; the events an organization
    took part in are linked on its page, not in the file.
    """

    founding_place = Field(
        attribute="founding_place", column_name="founding_place", widget=SlugWidget(Place)
    )

    class Meta:
        model = Organization
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "kind",
            "name",
            *date_columns("founded", "dissolved"),
            "founding_place",
            "aims",
            "ideology",
            "social_base",
            "summary",
            "public_note",
            "note",
            "status",
            "version",
        )

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("founding_place")

from rest_framework import serializers

from kzpolitics.core.fields import ApiLink, PageUrlField, RefField, UncertainDateField
from kzpolitics.core.models import Person, PersonName
from kzpolitics.core.serializers import (
    NOTE_HELP,
    RECORD_HELP,
    ModelCleanMixin,
    PersonRefSerializer,
    PlaceRefSerializer,
    RefSerializer,
    citations_field,
)

from .models import MembershipFigure, Organization, OrganizationName, Relation, Role, Stance

ORGANIZATION_KIND_HELP = {"help_text": "What sort of organization."}
ROLE_HELP = {
    "kind": {"help_text": "What sort of role (leader, chair, member, office, ...)."},
    "public_note": NOTE_HELP,
}
RELATION_HELP = {
    "kind": {"help_text": "How the organizations are related (split from, member of, ...)."},
    "public_note": NOTE_HELP,
}


class OrganizationRefSerializer(RefSerializer):
    """An organization, in brief."""

    view_name = "organization-detail"

    class Meta:
        model = Organization
        fields = ("id", "slug", "name", "kind")
        extra_kwargs = {"id": RECORD_HELP["id"], "kind": ORGANIZATION_KIND_HELP}


class OrganizationNameSerializer(serializers.ModelSerializer):
    """A name an organization bore, and when."""

    start = UncertainDateField("start", help_text="When the name came into use.")
    end = UncertainDateField("end", help_text="When the name went out of use.")
    citations = citations_field()

    class Meta:
        model = OrganizationName
        fields = ("name", "kind", "language", "start", "end", "public_note", "citations")
        extra_kwargs = {
            "kind": {"help_text": "Official, short, translated, variant or former name."},
            "public_note": NOTE_HELP,
        }


class StanceSerializer(serializers.ModelSerializer):
    """The organization's stance towards the president in a period."""

    start = UncertainDateField("start", help_text="When it took the stance.")
    end = UncertainDateField("end", help_text="When it gave the stance up.")
    citations = citations_field()

    class Meta:
        model = Stance
        fields = ("stance", "wording", "start", "end", "citations")
        extra_kwargs = {"stance": {"help_text": "Its stance towards the president."}}


class MembershipFigureSerializer(serializers.ModelSerializer):
    """A membership figure as the source gives it, with its date."""

    date = UncertainDateField("date", help_text="When the figure held.")
    citations = citations_field()

    class Meta:
        model = MembershipFigure
        fields = ("wording", "low", "high", "regional_organizations", "date", "citations")


class OrganizationRoleSerializer(serializers.ModelSerializer):
    """A position someone held in the organization."""

    person = PersonRefSerializer(read_only=True, help_text="Who held the role.")
    start = UncertainDateField("start", help_text="When they took the role.")
    end = UncertainDateField("end", help_text="When they left it.")
    citations = citations_field()

    class Meta:
        model = Role
        fields = ("person", "title", "kind", "start", "end", "public_note", "citations")
        extra_kwargs = ROLE_HELP


class RelationSerializer(serializers.ModelSerializer):
    """A link from this organization to another: split from, member of, renamed to, ..."""

    to = OrganizationRefSerializer(
        source="object", read_only=True, help_text="The organization it is related to."
    )
    date = UncertainDateField("date", help_text="When the link began.")
    end = UncertainDateField("end", help_text="When the link ended, e.g. leaving a bloc.")
    citations = citations_field()

    class Meta:
        model = Relation
        fields = ("kind", "to", "date", "end", "public_note", "citations")
        extra_kwargs = RELATION_HELP


class IncomingRelationSerializer(serializers.ModelSerializer):
    """A link from another organization to this one: split from it, joined it, ..."""

    organization = OrganizationRefSerializer(
        source="subject", read_only=True, help_text="The organization that has the relation."
    )
    date = UncertainDateField("date", help_text="When the link began.")
    end = UncertainDateField("end", help_text="When the link ended, e.g. leaving a bloc.")
    citations = citations_field()

    class Meta:
        model = Relation
        fields = ("organization", "kind", "date", "end", "public_note", "citations")
        extra_kwargs = RELATION_HELP


class OrganizationSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A party, movement, organization or bloc with everything known of it over time."""

    url = PageUrlField()
    api_url = ApiLink("api:organization-detail")
    founded = UncertainDateField("founded", help_text="When it was founded.")
    dissolved = UncertainDateField("dissolved", help_text="When it ceased to exist.")
    founding_place = RefField(
        PlaceRefSerializer,
        allow_null=True,
        required=False,
        help_text="The place where it was founded, or null (write its slug).",
    )
    names = OrganizationNameSerializer(
        many=True, read_only=True, help_text="Every name it bore: official, short, translated."
    )
    stances = StanceSerializer(
        many=True, read_only=True, help_text="Its stances towards the president over time."
    )
    membership_figures = MembershipFigureSerializer(
        many=True, read_only=True, help_text="Membership figures, as the sources give them."
    )
    roles = OrganizationRoleSerializer(
        many=True, read_only=True, help_text="Its leaders, founders and other officers."
    )
    relations = RelationSerializer(
        source="relations_from",
        many=True,
        read_only=True,
        help_text="Its relations to other organizations (split from, member of, ...).",
    )
    related_from = IncomingRelationSerializer(
        source="relations_to",
        many=True,
        read_only=True,
        help_text="Relations other organizations have to this one (split from it, ...).",
    )
    citations = citations_field()

    class Meta:
        model = Organization
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "kind",
            "name",
            "names",
            "founded",
            "dissolved",
            "founding_place",
            "aims",
            "ideology",
            "social_base",
            "summary",
            "public_note",
            "stances",
            "membership_figures",
            "roles",
            "relations",
            "related_from",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {**RECORD_HELP, "kind": ORGANIZATION_KIND_HELP}


class PersonNameSerializer(serializers.ModelSerializer):
    """A spelling or form of a person's name (Nazarbaev / Nazarbayev)."""

    citations = citations_field()

    class Meta:
        model = PersonName
        fields = ("name", "kind", "public_note", "citations")
        extra_kwargs = {
            "kind": {"help_text": "As printed in the article, variant, full or transliteration."},
            "public_note": NOTE_HELP,
        }


class PersonRoleSerializer(serializers.ModelSerializer):
    """A position the person held, in an organization or as an office."""

    organization = OrganizationRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="Where they held it; null for an office outside any recorded organization.",
    )
    start = UncertainDateField("start", help_text="When they took the role.")
    end = UncertainDateField("end", help_text="When they left it.")
    citations = citations_field()

    class Meta:
        model = Role
        fields = ("organization", "title", "kind", "start", "end", "public_note", "citations")
        extra_kwargs = ROLE_HELP


class PersonSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A person, their name variants and their roles over time."""

    url = PageUrlField()
    api_url = ApiLink("api:person-detail")
    names = PersonNameSerializer(
        many=True, read_only=True, help_text="Other spellings and forms of the name."
    )
    roles = PersonRoleSerializer(many=True, read_only=True, help_text="Positions they held.")
    citations = citations_field()

    class Meta:
        model = Person
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "name",
            "names",
            "description",
            "public_note",
            "roles",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = RECORD_HELP

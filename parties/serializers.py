from rest_framework import serializers

from kzpolitics.models import Person, PersonName, Place
from kzpolitics.serializers import (
    ApiLink,
    PersonRefSerializer,
    RefSerializer,
    UncertainDateField,
    citations_field,
)

from .models import MembershipFigure, Organization, OrganizationName, Relation, Role, Stance


class OrganizationRefSerializer(RefSerializer):
    view_name = "organization-detail"

    class Meta:
        model = Organization
        fields = ("id", "slug", "name", "kind")


class OrganizationNameSerializer(serializers.ModelSerializer):
    start = UncertainDateField("start")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = OrganizationName
        fields = ("name", "kind", "language", "start", "end", "note", "citations")


class StanceSerializer(serializers.ModelSerializer):
    start = UncertainDateField("start")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = Stance
        fields = ("stance", "wording", "start", "end", "citations")


class MembershipFigureSerializer(serializers.ModelSerializer):
    date = UncertainDateField("date")
    citations = citations_field()

    class Meta:
        model = MembershipFigure
        fields = ("wording", "low", "high", "regional_organizations", "date", "citations")


class OrganizationRoleSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    start = UncertainDateField("start")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = Role
        fields = ("person", "title", "kind", "start", "end", "note", "citations")


class RelationSerializer(serializers.ModelSerializer):
    to = OrganizationRefSerializer(source="object", read_only=True)
    date = UncertainDateField("date")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = Relation
        fields = ("kind", "to", "date", "end", "note", "citations")


class IncomingRelationSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(
        source="subject", read_only=True, help_text="The organization that has the relation."
    )
    date = UncertainDateField("date")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = Relation
        fields = ("organization", "kind", "date", "end", "note", "citations")


class OrganizationSerializer(serializers.ModelSerializer):
    """A party, movement, organization or bloc with everything known of it over time."""

    api_url = ApiLink("api:organization-detail")
    founded = UncertainDateField("founded")
    dissolved = UncertainDateField("dissolved")
    founding_place = serializers.SlugRelatedField(
        slug_field="slug", queryset=Place.objects.all(), allow_null=True, required=False
    )
    names = OrganizationNameSerializer(many=True, read_only=True)
    stances = StanceSerializer(many=True, read_only=True)
    membership_figures = MembershipFigureSerializer(many=True, read_only=True)
    roles = OrganizationRoleSerializer(many=True, read_only=True)
    relations = RelationSerializer(source="relations_from", many=True, read_only=True)
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
            "note",
            "stances",
            "membership_figures",
            "roles",
            "relations",
            "related_from",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)


class PersonNameSerializer(serializers.ModelSerializer):
    citations = citations_field()

    class Meta:
        model = PersonName
        fields = ("name", "kind", "note", "citations")


class PersonRoleSerializer(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    start = UncertainDateField("start")
    end = UncertainDateField("end")
    citations = citations_field()

    class Meta:
        model = Role
        fields = ("organization", "title", "kind", "start", "end", "note", "citations")


class PersonSerializer(serializers.ModelSerializer):
    """A person, their name variants and their roles over time."""

    api_url = ApiLink("api:person-detail")
    names = PersonNameSerializer(many=True, read_only=True)
    roles = PersonRoleSerializer(many=True, read_only=True)
    citations = citations_field()

    class Meta:
        model = Person
        fields = (
            "id",
            "slug",
            "api_url",
            "name",
            "names",
            "description",
            "note",
            "roles",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)

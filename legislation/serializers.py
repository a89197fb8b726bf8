from rest_framework import serializers

from kzpolitics.serializers import ApiLink, RefSerializer, UncertainDateField, citations_field
from parties.models import Organization
from parties.serializers import OrganizationRefSerializer

from .models import LegalAct, Provision, RegistrationDecision


class LegalActRefSerializer(RefSerializer):
    view_name = "legalact-detail"

    class Meta:
        model = LegalAct
        fields = ("id", "slug", "title", "jurisdiction")


class ProvisionSerializer(serializers.ModelSerializer):
    citations = citations_field()

    class Meta:
        model = Provision
        fields = (
            "reference",
            "text",
            "summary",
            "requirement_kind",
            "requirement_value",
            "position",
            "citations",
        )


class LegalActSerializer(serializers.ModelSerializer):
    """A legal act with its provisions."""

    api_url = ApiLink("api:legalact-detail")
    adopted = UncertainDateField("adopted")
    body = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the adopting body.",
    )
    provisions = ProvisionSerializer(many=True, read_only=True)
    citations = citations_field()

    class Meta:
        model = LegalAct
        fields = (
            "id",
            "slug",
            "api_url",
            "jurisdiction",
            "kind",
            "title",
            "adopted",
            "body",
            "summary",
            "note",
            "provisions",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)


class RegistrationDecisionSerializer(serializers.ModelSerializer):
    """A decision on an organization's registration. It has no name: the id is its key."""

    api_url = ApiLink("api:registrationdecision-detail", lookup_field="pk")
    organization = OrganizationRefSerializer(read_only=True)
    act = LegalActRefSerializer(read_only=True, allow_null=True)
    body = OrganizationRefSerializer(read_only=True, allow_null=True)
    date = UncertainDateField("date")
    citations = citations_field()

    class Meta:
        model = RegistrationDecision
        fields = (
            "id",
            "api_url",
            "organization",
            "decision",
            "date",
            "act",
            "body",
            "note",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)

from rest_framework import serializers

from kzpolitics.serializers import (
    ApiLink,
    PersonRefSerializer,
    RefSerializer,
    UncertainDateField,
    citations_field,
)
from parties.serializers import OrganizationRefSerializer

from .models import Election, Result, Round


class ElectionRefSerializer(RefSerializer):
    view_name = "election-detail"

    class Meta:
        model = Election
        fields = ("id", "slug", "name", "kind")


class RoundSerializer(serializers.ModelSerializer):
    date = UncertainDateField("date")
    citations = citations_field()

    class Meta:
        model = Round
        fields = ("number", "date", "citations")


class ResultFields(serializers.ModelSerializer):
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    person = PersonRefSerializer(read_only=True, allow_null=True)
    round = serializers.IntegerField(
        source="round.number", read_only=True, allow_null=True, help_text="Round number."
    )
    citations = citations_field()

    class Meta:
        model = Result
        fields = (
            "id",
            "organization",
            "person",
            "tier",
            "round",
            "seats",
            "seats_of",
            "vote_share",
            "wording",
            "note",
            "citations",
        )


class ResultSerializer(ResultFields):
    """One result: what a party or candidate won in one tier of an election."""

    api_url = ApiLink("api:result-detail", lookup_field="pk")
    election = ElectionRefSerializer(read_only=True)

    class Meta(ResultFields.Meta):
        fields = ("id", "api_url", "election", *ResultFields.Meta.fields[1:], "updated_at")


class ElectionSerializer(serializers.ModelSerializer):
    """An election with its rounds and every result."""

    api_url = ApiLink("api:election-detail")
    date = UncertainDateField("date")
    rounds = RoundSerializer(many=True, read_only=True)
    results = ResultFields(many=True, read_only=True)
    citations = citations_field()

    class Meta:
        model = Election
        fields = (
            "id",
            "slug",
            "api_url",
            "kind",
            "name",
            "date",
            "parties_taking_part",
            "parties_wording",
            "seats_total",
            "summary",
            "note",
            "rounds",
            "results",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)

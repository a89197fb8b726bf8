from rest_framework import serializers

from kzpolitics.core.fields import ApiLink, PageUrlField, RefField, UncertainDateField
from kzpolitics.core.serializers import (
    NOTE_HELP,
    RECORD_HELP,
    ModelCleanMixin,
    ModelSerializer,
    PersonRefSerializer,
    RefSerializer,
    citations_field,
)
from parties.serializers import OrganizationRefSerializer

from .models import Election, Result, Round

ELECTION_HELP = {
    "id": RECORD_HELP["id"],
    "name": {"help_text": "Name of the election, e.g. “1999 Majilis election”."},
    "kind": {"help_text": "Presidential, Majilis (parliamentary) or municipal."},
}


class ElectionRefSerializer(RefSerializer):
    """An election, in brief."""

    view_name = "election-detail"

    class Meta:
        model = Election
        fields = ("id", "slug", "name", "kind")
        extra_kwargs = ELECTION_HELP


class RoundSerializer(ModelSerializer):
    """One round of voting."""

    date = UncertainDateField("date", help_text="Polling day.")
    citations = citations_field()

    class Meta:
        model = Round
        fields = ("number", "date", "citations")


class ResultFields(ModelSerializer):
    """What one party or candidate won in one tier of seats."""

    organization = OrganizationRefSerializer(
        read_only=True, allow_null=True, help_text="The party, for a party's result; else null."
    )
    person = PersonRefSerializer(
        read_only=True, allow_null=True, help_text="The candidate, for a candidate's result."
    )
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
            "public_note",
            "citations",
        )
        extra_kwargs = {
            **RECORD_HELP,
            "tier": {"help_text": "Seats by party list, in single-member districts, or in all."},
            "seats": {"help_text": "Seats won (in this tier), where the source gives them."},
            "public_note": NOTE_HELP,
        }


class ResultSerializer(ModelCleanMixin, ResultFields):
    """One result: what a party or candidate won in one tier of an election."""

    url = PageUrlField(help_text="The result's row on its election's page.")
    api_url = ApiLink("api:result-detail", lookup_field="pk")
    election = RefField(ElectionRefSerializer, help_text="The election (write its slug).")
    organization = RefField(
        OrganizationRefSerializer,
        allow_null=True,
        required=False,
        help_text="The party, or null for a candidate (write its slug).",
    )
    person = RefField(
        PersonRefSerializer,
        allow_null=True,
        required=False,
        help_text="The candidate, or null for a party (write its slug).",
    )

    class Meta(ResultFields.Meta):
        fields = ("id", "url", "api_url", "election", *ResultFields.Meta.fields[1:], "updated_at")


class ElectionSerializer(ModelCleanMixin, ModelSerializer):
    """An election with its rounds and every result."""

    url = PageUrlField()
    api_url = ApiLink("api:election-detail")
    date = UncertainDateField("date", help_text="Polling day (of the first round).")
    rounds = RoundSerializer(
        many=True, read_only=True, help_text="Rounds of voting, where there was more than one."
    )
    results = ResultFields(
        many=True, read_only=True, help_text="Every result: per party or candidate, per tier."
    )
    citations = citations_field()

    class Meta:
        model = Election
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "kind",
            "name",
            "date",
            "parties_taking_part",
            "parties_wording",
            "seats_total",
            "summary",
            "public_note",
            "rounds",
            "results",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {**RECORD_HELP, **ELECTION_HELP}

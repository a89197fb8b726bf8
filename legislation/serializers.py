from kzpolitics.core.fields import ApiLink, PageUrlField, RefField, UncertainDateField
from kzpolitics.core.serializers import (
    NOTE_HELP,
    RECORD_HELP,
    ModelCleanMixin,
    ModelSerializer,
    RefSerializer,
    citations_field,
)
from parties.serializers import OrganizationRefSerializer

from .models import LegalAct, Provision, RegistrationDecision

LEGAL_ACT_HELP = {
    "id": RECORD_HELP["id"],
    "title": {"help_text": "Title of the act, as the sources give it."},
    "jurisdiction": {"help_text": "Whose act: the U.S.S.R., the Kazakh S.S.R. or Kazakhstan."},
    "kind": {"help_text": "What sort of act (constitution, law, decree, ...)."},
}


class LegalActRefSerializer(RefSerializer):
    """A legal act, in brief."""

    view_name = "legalact-detail"

    class Meta:
        model = LegalAct
        fields = ("id", "slug", "title", "jurisdiction")
        extra_kwargs = LEGAL_ACT_HELP


class ProvisionSerializer(ModelSerializer):
    """An article or paragraph of the act, and any numeric requirement it sets."""

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
        extra_kwargs = {
            "requirement_value": {
                "help_text": "The number the requirement sets (e.g. 50000 members), or null."
            }
        }


class LegalActSerializer(ModelCleanMixin, ModelSerializer):
    """A legal act with its provisions."""

    url = PageUrlField()
    api_url = ApiLink("api:legalact-detail")
    adopted = UncertainDateField("adopted", help_text="When it was adopted or signed.")
    body = RefField(
        OrganizationRefSerializer,
        allow_null=True,
        required=False,
        help_text="The body that adopted it, or null (write its slug).",
    )
    provisions = ProvisionSerializer(
        many=True, read_only=True, help_text="Its provisions, in order."
    )
    citations = citations_field()

    class Meta:
        model = LegalAct
        fields = (
            "id",
            "slug",
            "url",
            "api_url",
            "jurisdiction",
            "kind",
            "title",
            "adopted",
            "body",
            "summary",
            "public_note",
            "provisions",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {**RECORD_HELP, **LEGAL_ACT_HELP}


class RegistrationDecisionSerializer(ModelCleanMixin, ModelSerializer):
    """A decision on an organization's registration. It has no name: the id is its key."""

    url = PageUrlField(help_text="The decision in its organization's registration history.")
    api_url = ApiLink("api:registrationdecision-detail", lookup_field="pk")
    organization = RefField(
        OrganizationRefSerializer,
        help_text="The organization the decision concerns (write its slug).",
    )
    act = RefField(
        LegalActRefSerializer,
        allow_null=True,
        required=False,
        help_text="The act under which it was decided, or null (write its slug).",
    )
    body = RefField(
        OrganizationRefSerializer,
        allow_null=True,
        required=False,
        help_text="Who decided (the Ministry of Justice, a court), or null (write its slug).",
    )
    date = UncertainDateField("date", help_text="When it was decided.")
    citations = citations_field()

    class Meta:
        model = RegistrationDecision
        fields = (
            "id",
            "url",
            "api_url",
            "organization",
            "decision",
            "date",
            "act",
            "body",
            "public_note",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {
            **RECORD_HELP,
            "decision": {"help_text": "What was decided (registered, denied, banned, ...)."},
            "public_note": NOTE_HELP,
        }

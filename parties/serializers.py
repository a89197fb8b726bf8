from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kzpolitics.core.fields import (
    ApiLink,
    PageUrlField,
    RefField,
    UncertainDateField,
    UncertainDateSchema,
)
from kzpolitics.core.models import Person, PersonName
from kzpolitics.core.serializers import (
    NOTE_HELP,
    RECORD_HELP,
    ModelCleanMixin,
    ModelSerializer,
    PersonRefSerializer,
    PlaceRefSerializer,
    RefSerializer,
    citations_field,
)

from . import lifespans
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


class OrganizationNameSerializer(ModelSerializer):
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


class StanceSerializer(ModelSerializer):
    """The organization's stance towards the president in a period."""

    start = UncertainDateField("start", help_text="When it took the stance.")
    end = UncertainDateField("end", help_text="When it gave the stance up.")
    citations = citations_field()

    class Meta:
        model = Stance
        fields = ("stance", "wording", "start", "end", "citations")
        extra_kwargs = {"stance": {"help_text": "Its stance towards the president."}}


class MembershipFigureSerializer(ModelSerializer):
    """A membership figure as the source gives it, with its date."""

    date = UncertainDateField("date", help_text="When the figure held.")
    citations = citations_field()

    class Meta:
        model = MembershipFigure
        fields = ("wording", "low", "high", "regional_organizations", "date", "citations")


class OrganizationRoleSerializer(ModelSerializer):
    """A position someone held in the organization."""

    person = PersonRefSerializer(read_only=True, help_text="Who held the role.")
    start = UncertainDateField("start", help_text="When they took the role.")
    end = UncertainDateField("end", help_text="When they left it.")
    citations = citations_field()

    class Meta:
        model = Role
        fields = ("person", "title", "kind", "start", "end", "public_note", "citations")
        extra_kwargs = ROLE_HELP


class RelationSerializer(ModelSerializer):
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


class IncomingRelationSerializer(ModelSerializer):
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


class EvidenceRefSchema(serializers.Serializer):
    """The organization, event or election a piece of evidence links to."""

    id = serializers.IntegerField(help_text="Its id.")
    slug = serializers.CharField(help_text="Its slug.")
    name = serializers.CharField(help_text="Its name (an event's title).")
    kind = serializers.CharField(help_text="Its kind.")
    api_url = serializers.URLField(help_text="It in the API.")


class EvidenceSchema(serializers.Serializer):
    """A published row that dates the organization (``parties.lifespans``)."""

    shows = serializers.ChoiceField(
        choices=(lifespans.FOUNDING, lifespans.EXISTENCE, lifespans.MENTION, lifespans.ENDING),
        help_text=(
            "What it shows: founding (it came into being then), existence (it existed then), "
            "mention (an event: it had not ended before), ending (it ended then)."
        ),
    )
    type = serializers.ChoiceField(
        choices=("relation", "event", "result", "registration"), help_text="What sort of row."
    )
    id = serializers.IntegerField(help_text="The row's id.")
    kind = serializers.CharField(
        help_text="The relation's kind, the event's kind, the result's tier or the decision."
    )
    role = serializers.ChoiceField(
        choices=lifespans.SIDES,
        allow_null=True,
        help_text="For a relation: which end of it this organization is; else null.",
    )
    date = UncertainDateSchema(help_text="Its date (a result's: its election's).")
    end = UncertainDateSchema(allow_null=True, help_text="When a relation ended, or null.")
    organization = EvidenceRefSchema(
        allow_null=True, help_text="A relation's other organization; else null."
    )
    event = EvidenceRefSchema(allow_null=True, help_text="The event, or null.")
    election = EvidenceRefSchema(allow_null=True, help_text="A result's election, or null.")
    api_url = serializers.URLField(
        allow_null=True, help_text="A result or registration decision in the API; else null."
    )


class LifespanBoundsSchema(serializers.Serializer):
    """When the organization came into being (or ended): the earliest and latest day."""

    earliest = serializers.DateField(allow_null=True, help_text="Earliest day; null if unknown.")
    latest = serializers.DateField(allow_null=True, help_text="Latest day; null if unknown.")
    derived = serializers.BooleanField(
        help_text="True: derived from evidence, its own date being empty; false: its own date."
    )
    evidence = EvidenceSchema(many=True, help_text="The rows that give the derived bounds.")


@extend_schema_field(LifespanBoundsSchema)
class LifespanBoundsField(serializers.Field):
    """One end of the organization's lifespan (``Organization.lifespan``), read-only."""

    def __init__(self, side: str, **kwargs):
        self.side = side
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        models = lifespans.evidence_models(type(obj))
        return getattr(obj.lifespan, self.side).as_dict(models, self.context.get("request"))


# How many of an organization's relations each way its API record gives (the first, in the
# order of its paged list of them): a hub has hundreds, which would make one record megabytes.
# As many as its page shows of each (parties.record_pages.RECORD_PAGE). At 50 (and 50 roles)
# the 100x hub's record was 137 KB and 77 to 116 ms in one process; at 15, 69 KB and 62 to
# 71 ms (three runs each, alternated, on a slow machine). No organization of the article has
# more than seven relations either way, nor more than five roles.
RELATIONS_SHOWN = 15


@extend_schema_field(OpenApiTypes.INT)
class RelationCountField(serializers.Field):
    """How many relations the organization has one way (``from`` or ``to`` it): all of them,
    not only those its record gives."""

    WAYS = {"from": ("subject", 0), "to": ("object", 1)}

    def __init__(self, way: str, **kwargs):
        self.way = way
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, organization):
        end, index = self.WAYS[self.way]
        counts = getattr(organization, "relation_counts", None)  # parties.models.attach_relations
        if counts is None:  # an organization not read as the API reads them (a write's answer)
            return Relation.objects.published().filter(**{end: organization}).count()
        return counts[index]


# How many of an organization's roles its API record gives (the first, in the order of its
# paged list of them): a hub has scores of leaders and officers over the years. As many as
# its relations (RELATIONS_SHOWN).
ROLES_SHOWN = 15


@extend_schema_field(OpenApiTypes.INT)
class RoleCountField(serializers.Field):
    """How many roles the organization has: all of them, not only those its record gives."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, organization):
        count = getattr(organization, "role_count", None)  # parties.models.attach_roles
        if count is None:  # an organization not read as the API reads them (a write's answer)
            return Role.objects.published().filter(organization=organization).count()
        return count


class OrganizationSerializer(ModelCleanMixin, ModelSerializer):
    """A party, movement, organization or bloc with everything known of it over time."""

    url = PageUrlField()
    api_url = ApiLink("api:organization-detail")
    founded = UncertainDateField("founded", help_text="When it was founded.")
    dissolved = UncertainDateField("dissolved", help_text="When it ceased to exist.")
    founding = LifespanBoundsField(
        "founding",
        help_text=(
            "When it came into being: its founded date's bounds, or, where that is empty, "
            "bounds derived from its dated relations, results and registrations (derived: "
            "true, with the evidence)."
        ),
    )
    ending = LifespanBoundsField(
        "ending",
        help_text=(
            "When it ended: its dissolved date's bounds, or, where that is empty, derived: "
            "earliest is its last dated mention (it existed at least until then), latest the "
            "earliest end evidence allows (merged into, renamed to, banned, liquidated)."
        ),
    )
    certainty = serializers.ChoiceField(
        choices=lifespans.CERTAINTIES,
        read_only=True,
        allow_null=True,
        help_text="With ?active_on=: certain or possible (it may have existed then); else null.",
    )
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
        many=True,
        read_only=True,
        help_text=(
            f"Its leaders, founders and other officers: the first {ROLES_SHOWN}; all of them "
            f"at roles_url."
        ),
    )
    roles_count = RoleCountField(help_text="How many roles it has, in all.")
    roles_url = ApiLink("api:organization-roles", help_text="All its roles, a page at a time.")
    relations = RelationSerializer(
        source="relations_from",
        many=True,
        read_only=True,
        help_text=(
            f"Its relations to other organizations (split from, member of, ...): the first "
            f"{RELATIONS_SHOWN}; all of them at relations_url."
        ),
    )
    related_from = IncomingRelationSerializer(
        source="relations_to",
        many=True,
        read_only=True,
        help_text=(
            f"Relations other organizations have to this one (split from it, ...): the first "
            f"{RELATIONS_SHOWN}; all of them at related_from_url."
        ),
    )
    relations_count = RelationCountField(
        "from", help_text="How many relations it has to other organizations, in all."
    )
    relations_url = ApiLink(
        "api:organization-relations",
        help_text="All its relations to other organizations, a page at a time.",
    )
    related_from_count = RelationCountField(
        "to", help_text="How many relations other organizations have to it, in all."
    )
    related_from_url = ApiLink(
        "api:organization-related-from",
        help_text="All the relations other organizations have to it, a page at a time.",
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
            "founding",
            "ending",
            "certainty",
            "founding_place",
            "aims",
            "ideology",
            "social_base",
            "summary",
            "partyfacts_id",
            "wikidata_id",
            "public_note",
            "stances",
            "membership_figures",
            "roles",
            "roles_count",
            "roles_url",
            "relations",
            "relations_count",
            "relations_url",
            "related_from",
            "related_from_count",
            "related_from_url",
            "updated_at",
            "citations",
        )
        read_only_fields = ("updated_at",)
        extra_kwargs = {**RECORD_HELP, "kind": ORGANIZATION_KIND_HELP}


class PersonNameSerializer(ModelSerializer):
    """A spelling or form of a person's name (Nazarbaev / Nazarbayev)."""

    citations = citations_field()

    class Meta:
        model = PersonName
        fields = ("name", "kind", "public_note", "citations")
        extra_kwargs = {
            "kind": {"help_text": "As printed in the article, variant, full or transliteration."},
            "public_note": NOTE_HELP,
        }


class PersonRoleSerializer(ModelSerializer):
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


class PersonSerializer(ModelCleanMixin, ModelSerializer):
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

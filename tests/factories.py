"""factory_boy factories: small valid records, each with its record-level citation."""

import factory
from django.contrib.contenttypes.models import ContentType

from elections.models import Election, Result, Round
from kzpolitics.core.models import (
    Citation,
    Event,
    Period,
    Person,
    PersonName,
    Place,
    PlaceName,
    Source,
    Status,
)
from legislation.models import LegalAct, Provision, RegistrationDecision
from parties.models import (
    MembershipFigure,
    Organization,
    OrganizationName,
    Relation,
    Role,
    Stance,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    slug = factory.Sequence(lambda n: f"source-{n}")
    status = Status.PUBLISHED
    kind = Source.Kind.BOOK
    authors = factory.Sequence(lambda n: f"A. Author{n}")
    title = factory.Sequence(lambda n: f"A Book {n}")
    date = {"text": "1991", "edtf": "1991"}


class CitedFactory(factory.django.DjangoModelFactory):
    """Adds a citation for the record as a whole after creation."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    status = Status.PUBLISHED  # factories make records the public sees; drafts say so

    @factory.post_generation
    def cite(obj, create, extracted, **kwargs):
        # ``cite__source=`` cites a given source (one source for many records keeps a small
        # database small); by default each record cites a new one.
        if create:
            Citation.objects.create(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                source=kwargs.get("source") or SourceFactory(),
                pages="1",
                status=Status.PUBLISHED,
            )


class PlaceFactory(CitedFactory):
    class Meta:
        model = Place

    slug = factory.Sequence(lambda n: f"place-{n}")
    name = factory.Sequence(lambda n: f"Place {n}")
    kind = Place.Kind.CITY


class PersonFactory(CitedFactory):
    class Meta:
        model = Person

    slug = factory.Sequence(lambda n: f"person-{n}")
    name = factory.Sequence(lambda n: f"Person {n}")


class OrganizationFactory(CitedFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"organization-{n}")
    name = factory.Sequence(lambda n: f"Party {n}")
    kind = Organization.Kind.PARTY


class EventFactory(CitedFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Event {n}")
    kind = Event.Kind.OTHER


class PeriodFactory(CitedFactory):
    class Meta:
        model = Period

    slug = factory.Sequence(lambda n: f"period-{n}")
    label = "1990–1994"
    start_year = 1990
    end_year = 1994
    title = factory.Sequence(lambda n: f"Period {n}")
    summary = "The first parties appear."


class RelationFactory(CitedFactory):
    class Meta:
        model = Relation

    subject = factory.SubFactory(OrganizationFactory)
    object = factory.SubFactory(OrganizationFactory)
    kind = Relation.Kind.SPLIT_FROM


class RoleFactory(CitedFactory):
    class Meta:
        model = Role

    person = factory.SubFactory(PersonFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "chairman"
    kind = Role.Kind.CHAIR


class MembershipFigureFactory(CitedFactory):
    class Meta:
        model = MembershipFigure

    organization = factory.SubFactory(OrganizationFactory)
    wording = "about 1,000"


class ElectionFactory(CitedFactory):
    class Meta:
        model = Election

    slug = factory.Sequence(lambda n: f"election-{n}")
    name = factory.Sequence(lambda n: f"Election {n}")
    kind = Election.Kind.MAJILIS


class ResultFactory(CitedFactory):
    class Meta:
        model = Result

    election = factory.SubFactory(ElectionFactory)
    organization = factory.SubFactory(OrganizationFactory)
    tier = Result.Tier.PARTY_LIST


class LegalActFactory(CitedFactory):
    class Meta:
        model = LegalAct

    slug = factory.Sequence(lambda n: f"act-{n}")
    title = factory.Sequence(lambda n: f"Law {n}")
    jurisdiction = LegalAct.Jurisdiction.KAZAKHSTAN
    kind = LegalAct.Kind.LAW


class ProvisionFactory(CitedFactory):
    class Meta:
        model = Provision

    act = factory.SubFactory(LegalActFactory)
    reference = "Art 1"


class RegistrationDecisionFactory(CitedFactory):
    class Meta:
        model = RegistrationDecision

    organization = factory.SubFactory(OrganizationFactory)
    decision = RegistrationDecision.Decision.REGISTERED


# Factories for the rows records nest (names, stances, rounds, ...). Like the ones above they
# cite themselves when created; ``build()`` makes unsaved rows for ``bulk_create``, which
# neither saves nor cites: pair it with ``CitationFactory.build``.


class CitationFactory(factory.django.DjangoModelFactory):
    """A citation of a record (``content_object``) to a source."""

    class Meta:
        model = Citation

    content_object = factory.SubFactory(OrganizationFactory)
    source = factory.SubFactory(SourceFactory)
    pages = "1"
    status = Status.PUBLISHED
    record_published = True  # as save() would set it: bulk_create of build()s skips save()


class PersonNameFactory(CitedFactory):
    class Meta:
        model = PersonName

    person = factory.SubFactory(PersonFactory)
    name = factory.Sequence(lambda n: f"Variant {n}")
    kind = PersonName.Kind.VARIANT


class PlaceNameFactory(CitedFactory):
    class Meta:
        model = PlaceName

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Former Place {n}")
    kind = PlaceName.Kind.FORMER


class OrganizationNameFactory(CitedFactory):
    class Meta:
        model = OrganizationName

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Party Name {n}")
    kind = OrganizationName.Kind.VARIANT


class StanceFactory(CitedFactory):
    class Meta:
        model = Stance

    organization = factory.SubFactory(OrganizationFactory)
    stance = Stance.Kind.OPPOSITION


class RoundFactory(CitedFactory):
    class Meta:
        model = Round

    election = factory.SubFactory(ElectionFactory)
    number = factory.Sequence(lambda n: n + 1)


def save_organization(slug: str, reason: str = "A test's edit", **changes) -> Organization:
    """An editor's save of an organization through the model, as the admin's form makes it:
    the fields changed, an edit summary, and the version moved on."""
    record = Organization.objects.get(slug=slug)
    for name, value in changes.items():
        setattr(record, name, value)
    record._change_reason = reason
    record.save()
    return record

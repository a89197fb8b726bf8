"""The database itself refuses impossible data, whatever writes it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from kzpolitics.core.models import Citation
from tests.factories import (
    ElectionFactory,
    MembershipFigureFactory,
    OrganizationFactory,
    PersonFactory,
    RelationFactory,
    ResultFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_an_organization_cannot_be_related_to_itself():
    party = OrganizationFactory()
    refused(lambda: RelationFactory(subject=party, object=party))


def test_the_same_relation_is_recorded_once():
    a, b = OrganizationFactory(), OrganizationFactory()
    RelationFactory(subject=a, object=b, kind="split_from")
    refused(lambda: RelationFactory(subject=a, object=b, kind="split_from"))


def test_seats_cannot_exceed_the_seats_at_stake():
    refused(lambda: ResultFactory(seats=11, seats_of=10))
    assert ResultFactory(seats=10, seats_of=10).seats == 10


@pytest.mark.parametrize("share", [-0.01, 100.01, 250])
def test_vote_share_is_a_percentage(share):
    refused(lambda: ResultFactory(vote_share=share))


def test_a_result_is_for_a_party_or_a_candidate_not_both_nor_neither():
    election = ElectionFactory()
    refused(lambda: ResultFactory(election=election, person=PersonFactory()))
    refused(lambda: ResultFactory(election=election, organization=None))
    assert ResultFactory(election=election, organization=None, person=PersonFactory()).person


def test_membership_low_cannot_exceed_high():
    refused(lambda: MembershipFigureFactory(low=200, high=80))


def test_a_citation_cannot_go_via_its_own_source():
    party = OrganizationFactory()
    source = SourceFactory()

    def make():
        Citation.objects.create(
            content_type=ContentType.objects.get_for_model(party),
            object_id=party.pk,
            source=source,
            via=source,
        )

    refused(make)

"""``record_path`` gives what ``reverse`` gives, without matching the patterns for each record
(``kzpolitics.core.paths``)."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from elections.models import Election
from kzpolitics.core.fields import api_path_of, api_route
from kzpolitics.core.models import Event, Person, Place, Source
from kzpolitics.core.models.citations import cited_models
from kzpolitics.core.paths import record_path
from legislation.models import LegalAct
from parties.models import Organization

pytestmark = pytest.mark.django_db


PAGES = {
    Organization: "parties:organization-detail",
    Person: "kzpolitics:person-detail",
    Source: "kzpolitics:source-detail",
    Event: "kzpolitics:event-detail",
    Place: "kzpolitics:place-detail",
    Election: "elections:election-detail",
    LegalAct: "legislation:act-detail",
}


def test_every_records_page_and_api_address_is_what_reverse_gives():
    checked = 0
    for model in cited_models():
        route = api_route(model)
        for record in model.objects.published()[:40]:
            if model in PAGES:
                assert record.get_absolute_url() == reverse(PAGES[model], args=[record.slug])
                checked += 1
            if route is not None:
                view_name, key = route
                expected = reverse(view_name, kwargs={key: getattr(record, key)})
                assert api_path_of(record) == expected
                checked += 1
    assert checked > 300


def test_keys_reverse_would_quote_or_refuse_go_through_reverse():
    # A key outside letters, digits, - and _ is not put in by hand.
    with pytest.raises(NoReverseMatch):
        record_path("parties:organization-detail", "a b")
    for key in (12, "12", "otan"):  # the router's id pattern takes any plain key
        assert record_path("api:citation-detail", key) == reverse("api:citation-detail", args=[key])
    assert record_path("parties:organization-detail", "1999") == "/organizations/1999/"


def test_the_script_prefix_and_the_url_configuration_are_read_each_time():
    assert record_path("parties:organization-detail", "otan") == "/organizations/otan/"
    set_script_prefix("/kz/")
    try:
        assert record_path("parties:organization-detail", "otan") == "/kz/organizations/otan/"
    finally:
        set_script_prefix("/")
    with override_settings(ROOT_URLCONF="tests.urls_elsewhere"):
        assert record_path("parties:organization-detail", "otan") == "/elsewhere/otan/"
    assert record_path("parties:organization-detail", "otan") == "/organizations/otan/"

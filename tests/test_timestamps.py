"""Rows shown inside another record's page or answer are read without their timestamps
(``RecordQuerySet.without_timestamps``), and nothing shown reads them later, which would
cost a query a row. (tests/test_surrogate_keys.py checks the second on every public answer.)"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import models

pytestmark = pytest.mark.django_db

TIMESTAMPS = {"created_at", "updated_at"}
SHOWN = [
    "/organizations/otan/",
    "/organizations/azat/",
    "/people/nursultan-nazarbaev/",
    "/sources/babak-kazakhstan-multiparty-system/",
    *(
        f"/sources/babak-kazakhstan-multiparty-system/?kind={kind}"
        for kind in ("relation", "role", "result", "organizationname", "provision", "event")
    ),
    "/api/v1/organizations/otan/",
    "/organizations/",
    "/organizations/?page=2",
    "/people/",
    "/places/",
    "/elections/",
    "/acts/",
    "/sources/",
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/elections/",
]


def test_the_rows_an_organizations_page_shows_come_without_their_timestamps(client):
    response = client.get("/organizations/otan/")
    organization = response.context["object"]
    assert not TIMESTAMPS & organization.get_deferred_fields()  # its own: “last changed”
    citations = [*organization.citations.all()]
    names = list(organization.names.all())
    relations = [*organization.relations_from.all(), *organization.relations_to.all()]
    roles = list(organization.roles.all())
    for name in names:
        citations += name.citations.all()
    assert citations and names and relations and roles
    rows = [*citations, *(c.source for c in citations), *names, *relations, *roles]
    rows += [end for relation in relations for end in (relation.subject, relation.object)]
    rows += [role.person for role in roles]
    left = [
        row
        for row in rows
        if row is not organization and not row.get_deferred_fields() >= TIMESTAMPS
    ]
    assert left == []


@pytest.mark.parametrize("path", SHOWN)
def test_no_answer_reads_a_timestamp_it_left_out(client, path):
    refresh = models.Model.refresh_from_db
    with mock.patch.object(models.Model, "refresh_from_db", autospec=True) as loaded:
        loaded.side_effect = refresh
        response = client.get(path)
    assert response.status_code == 200
    assert not loaded.called, [call.kwargs.get("fields") for call in loaded.call_args_list][:5]


@pytest.mark.parametrize("path", ["/organizations/", "/people/", "/acts/", "/sources/"])
def test_a_list_page_reads_its_records_without_their_timestamps(client, path):
    shown = list(client.get(path).context["object_list"])
    assert len(shown) > 5
    assert all(row.get_deferred_fields() >= TIMESTAMPS for row in shown)

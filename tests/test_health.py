"""/healthz, and what a visitor gets while the database does not answer: a 503, not a 500."""

import pytest
from django.db import OperationalError
from django.test import Client

from kzpolitics.site import health
from kzpolitics.site.views import home
from parties import api as parties_api

pytestmark = pytest.mark.django_db


def test_healthz_says_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_is_a_503_without_internals_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.7", port 5432 failed')

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert response["Retry-After"] == "5"
    assert "10.0.0.7" not in response.content.decode()


def fail(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def test_a_page_during_an_outage_is_the_sites_503_page(monkeypatch):
    monkeypatch.setattr(home.HomeView, "get", fail)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "<h1>Temporarily unavailable</h1>" in html
    assert "server closed" not in html
    assert response["Retry-After"] == "5"


def test_an_api_call_during_an_outage_is_a_json_503(monkeypatch):
    monkeypatch.setattr(parties_api.OrganizationViewSet, "list", fail)
    response = Client(raise_request_exception=False).get("/api/v1/organizations/")
    assert response.status_code == 503
    assert "try again" in response.json()["detail"].lower()


def test_any_other_error_is_still_the_500_page(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(home.HomeView, "get", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()

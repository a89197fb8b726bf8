"""Hostile text stored by an editor (or an import) is shown as text, never run: script tags,
event handlers and javascript: addresses in every editor-writable text field of a record of
each kind reach no page and no API docs unescaped."""

import pytest
from django.db import models

from elections.models import Election
from kzpolitics.core.models import Citation, Event, Person, Source
from legislation.models import LegalAct
from parties.models import Organization

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert('xss')</script>",
    '"><img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
)
RECORDS = [
    (Organization, "otan"),
    (Person, "nursultan-nazarbaev"),
    (Event, "december-1986-events-alma-ata"),
    (Source, "ponomarev-1991"),
    (LegalAct, "law-on-political-parties-2002"),
    (Election, "majilis-2004"),
]
PAGES = [
    "/",
    "/organizations/",
    "/organizations/otan/",
    "/people/",
    "/people/nursultan-nazarbaev/",
    "/events/december-1986-events-alma-ata/",
    "/sources/",
    "/sources/ponomarev-1991/",
    "/acts/",
    "/acts/law-on-political-parties-2002/",
    "/elections/",
    "/elections/majilis-2004/",
    "/timeline/",
    "/search/?q=alert",
    "/api/v1/docs/",
    "/changes.atom",
]


def text_fields(model):
    for field in model._meta.fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        if not field.editable or field.choices or isinstance(field, models.SlugField):
            continue
        if field.name.endswith("_edtf") or field.name in ("pages", "footnotes"):
            continue  # validated formats: not free text
        yield field


def store_payloads(record, payload):
    for field in text_fields(type(record)):
        value = payload[: field.max_length] if field.max_length else payload
        setattr(record, field.name, value)
    record._change_reason = "A hostile edit"
    record.save()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_stored_payload_reaches_a_page_unescaped(client, payload):
    stored = 0
    for model, slug in RECORDS:
        record = model.objects.get(slug=slug)
        store_payloads(record, payload)
        stored += len(list(text_fields(model)))
        for citation in Citation.objects.filter(object_id=record.pk)[:3]:
            store_payloads(citation, payload)
    assert stored > 30
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>alert(" not in body, url
        assert "<img src=x" not in body, url
        assert 'href="javascript:' not in body.lower(), url

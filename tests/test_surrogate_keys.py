"""Every record a public answer names carries its key: the audit behind the purges. (The same
crawl checks that no answer reads a column left out of the rows it shows: ``without_timestamps``.)

An answer is purged by the keys it carries (kzpolitics.site.surrogates). A record it links to
(a page's link, an API ``url`` or ``api_url``) shows its name there, so a rename must purge the
answer: the answer must carry that record's key, or its kind's (a list's, or where too many keys
were folded into it). Checked on every page the sitemaps list and every API record.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db import models

from elections.models import Election
from kzpolitics.core.dependencies import kind_key, record_key
from kzpolitics.core.models import Event, Place, Source
from legislation.models import LegalAct
from parties.models import Organization, Person

from .page_kinds import sitemap_addresses

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # some 450 answers

ADDRESSED = {
    "organizations": Organization,
    "people": Person,
    "elections": Election,
    "acts": LegalAct,
    "events": Event,
    "places": Place,
    "sources": Source,
}
# A link to a record: an HTML page's ``href``, or an API answer's ``url`` / ``api_url``.
LINK = re.compile(
    r'(?:href="|"(?:api_)?url": ?")(?:https?://[^/"]+)?(?:/api/v1)?/'
    rf"({'|'.join(ADDRESSED)})/([\w-]+)/\""
)


def test_every_answer_carries_the_key_of_every_record_it_links_to(client):
    by_slug = {
        prefix: dict(model.objects.published().values_list("slug", "pk"))
        for prefix, model in ADDRESSED.items()
    }
    pages = sitemap_addresses(lambda path: client.get(path).content.decode())
    records = [f"/api/v1/{prefix}/{slug}/" for prefix, slugs in by_slug.items() for slug in slugs]
    missing, checked, late = {}, 0, {}
    refresh = models.Model.refresh_from_db
    for path in (*pages, *records):
        with mock.patch.object(models.Model, "refresh_from_db", autospec=True) as loaded:
            loaded.side_effect = refresh
            response = client.get(path)
        if loaded.called:  # a deferred column read: a query per row shown
            late[path] = [call.kwargs.get("fields") for call in loaded.call_args_list][:3]
        assert response.status_code == 200, path
        keys = set(response["Surrogate-Key"].split())
        for prefix, slug in set(LINK.findall(response.content.decode())):
            model, pk = ADDRESSED[prefix], by_slug[prefix].get(slug)
            assert pk is not None, (path, prefix, slug)  # a link to a record the public sees
            checked += 1
            if not {record_key(model, pk), kind_key(model)} & keys:
                missing.setdefault(path, []).append(record_key(model, pk))
    assert checked > 1000
    assert missing == {}, list(missing.items())[:10]
    assert late == {}, list(late.items())[:10]

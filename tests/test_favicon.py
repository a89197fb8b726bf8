"""The site's icon: linked from every page, served from the site's own static files, and
/favicon.ico (which browsers ask for unbidden) answers instead of a 404."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_links_its_own_icon(client):
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert any(icon.endswith(".svg") for icon in icons)
    for icon in icons:
        assert icon.startswith("/static/")  # no asset from another host
        assert finders.find(icon.removeprefix("/static/").split("?")[0]), icon


def test_favicon_ico_leads_to_the_icon_file(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    target = response["Location"]
    assert target.startswith("/static/") and target.endswith(".ico")
    path = finders.find(target.removeprefix("/static/"))
    with open(path, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file's signature
    assert client.post("/favicon.ico").status_code == 405

"""Hardening: who is asking behind proxies, spreadsheet uploads within limits, and no formula
injection in any CSV (or XLSX) the site writes."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.throttling import AnonRateThrottle

from kzpolitics.core.cells import safe_cell, unescaped_cell
from kzpolitics.core.models import Person
from parties.models import Organization

ROOT = Path(__file__).resolve().parent.parent
LIST = "/api/v1/organizations/"
FORMULA = '=HYPERLINK("http://evil.example/","Click")'


# -- One address, whatever proxies say ---------------------------------------------------------


def settings_in_a_process(env: dict) -> dict:
    """The site's settings as a server started with ``env`` reads them."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'proxies': settings.PROXY_COUNT, "
        "'num_proxies': settings.REST_FRAMEWORK['NUM_PROXIES'], "
        "'axes': settings.AXES_CLIENT_IP_CALLABLE}))"
    )
    environment = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "kzpolitics.site.settings"}
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    import json

    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # the settings, read in a subprocess
@pytest.mark.parametrize("count", ["0", "1", "2"])
def test_one_proxy_count_setting_drives_the_throttle_and_axes(count):
    found = settings_in_a_process({"PROXY_COUNT": count})
    assert found == {
        "proxies": int(count),
        "num_proxies": int(count),
        "axes": "kzpolitics.site.proxies.client_ip",
    }


@pytest.mark.slow
def test_without_a_proxy_count_the_header_is_never_trusted():
    environment = {key: value for key, value in os.environ.items() if key != "PROXY_COUNT"}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    environment.update({"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "kzpolitics.site.settings"})
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.stdout.strip().splitlines()[-1] == "0"  # never None: DRF would trust it all


@pytest.mark.slow
def test_a_negative_proxy_count_is_refused():
    environment = {**os.environ, "DEBUG": "1", "PROXY_COUNT": "-1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True
    )
    assert done.returncode != 0
    assert b"PROXY_COUNT" in done.stderr


@pytest.fixture
def proxies(settings):
    """Set the trusted proxy count as the settings module would from ``PROXY_COUNT``."""

    def set_count(count: int):
        settings.PROXY_COUNT = count
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return set_count


@pytest.fixture
def low_anonymous_rate(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/minute", raising=False)
    cache.clear()
    yield
    cache.clear()


def statuses(client, forwarded: list[str]) -> list[int]:
    """One API request per X-Forwarded-For value, each a different page (no cached answer)."""
    return [
        client.get(LIST, {"page_size": n + 1}, HTTP_X_FORWARDED_FOR=value).status_code
        for n, value in enumerate(forwarded)
    ]


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_spoofed_header_does_not_escape_the_throttle(
    client, proxies, low_anonymous_rate
):
    proxies(0)
    spoofed = [f"203.0.113.{n}" for n in range(4)]
    assert statuses(client, spoofed) == [200, 200, 200, 429]


@pytest.mark.django_db
def test_behind_one_proxy_the_throttle_counts_the_address_the_proxy_saw(
    client, proxies, low_anonymous_rate
):
    proxies(1)
    # The client writes anything on the left; the proxy appends what it saw: 198.51.100.7.
    spoofed = [f"203.0.113.{n}, 198.51.100.7" for n in range(4)]
    assert statuses(client, spoofed) == [200, 200, 200, 429]
    # Another client behind the same proxy has its own count.
    assert (
        client.get(LIST, {"page_size": 9}, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
    )


def fail_to_sign_in(forwarded: str, times: int = 1) -> int:
    response = None
    for _ in range(times):
        response = Client(HTTP_X_FORWARDED_FOR=forwarded).post(
            "/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"}
        )
    return response.status_code


@pytest.mark.django_db
def test_without_a_trusted_proxy_axes_counts_the_connections_address(editor, proxies):
    proxies(0)
    for n in range(4):
        assert fail_to_sign_in(f"203.0.113.{n}") == 200
    assert fail_to_sign_in("203.0.113.99") == 429  # a new spoofed header changes nothing
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db
def test_behind_one_proxy_axes_locks_out_the_client_not_everyone(editor, proxies):
    proxies(1)
    assert fail_to_sign_in("203.0.113.1, 198.51.100.7", times=4) == 200
    assert fail_to_sign_in("anything, 198.51.100.7") == 429  # the spoofed part changes nothing
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # The editor, signing in from elsewhere behind the same proxy, is not locked out.
    editor_browser = Client(HTTP_X_FORWARDED_FOR="192.0.2.10")
    response = editor_browser.post(
        "/admin/login/?next=/admin/", {"username": "editor", "password": "correct horse battery"}
    )
    assert response.status_code == 302


# -- Formula injection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+7 701 000", "'+7 701 000"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Otan", "Otan"),
        ("", ""),
        ("-3", "-3"),  # numbers stay numbers
        ("+2.5", "+2.5"),
        (-3, -3),
        (None, None),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_escaped(value, written):
    assert safe_cell(value) == written
    assert unescaped_cell(written) == value


@pytest.fixture
def formula_party(db):
    party = Organization.objects.published().order_by("pk").first()
    party.name = FORMULA
    party.save()
    return party


@pytest.mark.django_db
def test_the_apis_csv_escapes_a_formula(client, formula_party):
    response = client.get(LIST, {"format": "csv"})
    content = b"".join(response.streaming_content).decode()
    rows = list(tablib.Dataset().load(content, format="csv").dict)
    names = [row["name"] for row in rows]
    assert "'" + FORMULA in names
    assert FORMULA not in names


@pytest.mark.django_db
def test_the_full_exports_csv_escapes_a_formula(client, formula_party):
    response = client.get("/api/v1/export/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    table = archive.read("organizations.csv").decode("utf-8")
    names = [row["name"] for row in tablib.Dataset().load(table, format="csv").dict]
    assert "'" + FORMULA in names
    assert FORMULA not in names
    # The JSON dump is no spreadsheet: it keeps the name as it is.
    assert FORMULA.replace('"', '\\"') in archive.read("kzpolitics.json").decode("utf-8")


def admin_export(client, fmt: str) -> bytes:
    from parties.resources import OrganizationResource

    every_column = {
        f"organizationresource_{name}": "on" for name in OrganizationResource().get_export_order()
    }
    response = client.post(
        reverse("admin:parties_organization_export"),
        {"format": ["csv", "xlsx"].index(fmt), "resource": 0, **every_column},
    )
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_admins_export_escapes_a_formula_and_its_import_reads_it_back(
    editor_client, formula_party, fmt
):
    content = admin_export(editor_client, fmt)
    if fmt == "csv":
        names = [row["name"] for row in tablib.Dataset().load(content.decode(), "csv").dict]
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        column = [cell.value for cell in next(sheet.iter_rows(max_row=1))].index("name")
        names = [row[column].value for row in sheet.iter_rows(min_row=2)]
        assert all(row[column].data_type != "f" for row in sheet.iter_rows(min_row=2))
    assert "'" + FORMULA in names
    assert FORMULA not in names
    # Read back, the file holds the name as it was: importing it changes nothing.
    from kzpolitics.core.uploads import SafeCSV, SafeXLSX

    format_ = SafeCSV() if fmt == "csv" else SafeXLSX()
    data = content.decode() if fmt == "csv" else content
    dataset = format_.create_dataset(data)
    assert FORMULA in [row["name"] for row in dataset.dict]


# -- Upload limits -------------------------------------------------------------------------------


def xlsx_of(rows: list[list], bomb_bytes: int = 0) -> bytes:
    """A real XLSX; with ``bomb_bytes``, a member of that many zeros added (a zip bomb: it
    compresses to about a thousandth of that)."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if bomb_bytes:
        with (
            zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
            archive.open("xl/bomb.xml", "w") as member,
        ):
            chunk = b"\0" * (1024 * 1024)
            for _ in range(bomb_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def import_upload(client, content: bytes, name: str, fmt: str):
    return client.post(
        reverse("admin:kzpolitics_person_import"),
        {
            "resource": 0,
            "format": ["csv", "xlsx"].index(fmt),
            "import_file": SimpleUploadedFile(name, content),
        },
    )


PERSON_ROWS = [["slug", "name", "description", "note", "status", "version"]] + [
    [f"bomb-person-{n}", f"Bomb Person {n}", "", "", "draft", ""] for n in range(3)
]


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_before_it_is_unpacked_and_nothing_is_imported(editor_client):
    content = xlsx_of(PERSON_ROWS, bomb_bytes=30 * 1024 * 1024)
    assert len(content) < 200 * 1024  # small on the wire
    people = Person.objects.count()
    response = import_upload(editor_client, content, "people.xlsx", "xlsx")
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert any("unpacks to" in error for error in errors), errors
    assert "confirm_form" not in response.context
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_a_small_xlsx_within_the_limits_is_read(editor_client):
    response = import_upload(editor_client, xlsx_of(PERSON_ROWS), "people.xlsx", "xlsx")
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert "confirm_form" in response.context


@pytest.mark.django_db
def test_a_file_over_the_upload_limit_is_refused_and_nothing_is_imported(editor_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    rows = "\n".join(f"big-{n},Big Person {n},,,draft," for n in range(200))
    content = f"slug,name,description,note,status,version\n{rows}\n".encode()
    assert len(content) > 1024
    people = Person.objects.count()
    response = import_upload(editor_client, content, "people.csv", "csv")
    errors = response.context["form"].errors["import_file"]
    assert any("at most 1.0" in error for error in errors), errors
    assert Person.objects.count() == people
    assert not Person.objects.filter(slug="big-1").exists()


def test_the_limits_are_settings_with_defaults():
    from django.conf import settings

    assert settings.IMPORT_MAX_UPLOAD_BYTES == 2 * 1024 * 1024
    assert settings.IMPORT_MAX_UNPACKED_BYTES == 20 * 1024 * 1024


def test_the_format_refuses_a_bomb_even_past_the_form():
    """The confirmation step reads the kept file through the format: it checks it too."""
    from kzpolitics.core.uploads import SafeXLSX, UploadTooLarge

    with pytest.raises(UploadTooLarge):
        SafeXLSX().create_dataset(xlsx_of(PERSON_ROWS, bomb_bytes=21 * 1024 * 1024))

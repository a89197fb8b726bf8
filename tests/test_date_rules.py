"""Dates are checked the same way wherever they come in (the admin's form, a spreadsheet import,
the API): an end cannot come before its start, and an EDTF value cannot contradict the
wording it stands for."""

import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import RequestFactory

from kzpolitics.core.dates import SPANS, can_share_a_day, date_spans, uncertain_dates
from kzpolitics.core.models import PlaceName, Status, TimeStamped
from parties.models import Organization, OrganizationName, Relation, Role, Stance
from parties.resources import OrganizationResource

pytestmark = pytest.mark.django_db

BACKWARDS = {
    "founded_text": "In 1999",
    "founded_edtf": "",
    "dissolved_text": "In 1995",
    "dissolved_edtf": "",
}
CONTRADICTED = {"founded_text": "In June 1996", "founded_edtf": "1994-21"}


def draft(**fields) -> Organization:
    return Organization.objects.create(
        slug="a-dated-draft", name="A Dated Draft", kind="party", status=Status.DRAFT, **fields
    )


# -- The rules -----------------------------------------------------------------------------------


def test_the_start_and_end_pairs_are_declared_once_for_every_model():
    spans = {
        model.__name__: [(a.name, b.name) for a, b in date_spans(model)]
        for model in (Organization, OrganizationName, PlaceName, Stance, Role, Relation)
    }
    assert spans == {
        "Organization": [("founded", "dissolved")],
        "OrganizationName": [("start", "end")],
        "PlaceName": [("start", "end")],
        "Stance": [("start", "end")],
        "Role": [("start", "end")],
        "Relation": [("date", "end")],
    }


def test_every_model_with_an_end_has_its_start_declared():
    """A new model with an end date but no start this rule knows would go unchecked."""
    from django.apps import apps

    for model in apps.get_models():
        if not issubclass(model, TimeStamped):
            continue
        names = {date.name for date in uncertain_dates(model)}
        ends = {end for _, end in SPANS} & names
        for end in ends:
            assert any(start in names for start, e in SPANS if e == end), model


@pytest.mark.parametrize(
    ("founded", "dissolved", "refused"),
    [
        ("1999", "1995", True),
        ("1995", "1999", False),
        ("1995", "1995", False),  # the same year: may be the same day
        ("1995-21", "1995-06", False),  # spring 1995 and June 1995 overlap
        ("1995-05", "1995-21", False),
        ("1995-06", "1995-21", True),  # June is after the spring (March to May) ends
        ("1995-06~", "1995", False),
        ("1991-08/..", "1991", False),  # an open side bounds nothing
        ("/1998-23", "1990", False),
        ("1990/1993", "1989", True),
        ("", "1989", False),
    ],
)
def test_an_end_whose_latest_day_is_before_the_starts_earliest_day_is_refused(
    founded, dissolved, refused
):
    record = Organization(
        slug="dated", name="Dated", kind="party", founded_edtf=founded, dissolved_edtf=dissolved
    )
    if refused:
        with pytest.raises(ValidationError) as caught:
            record.clean()
        assert "the end cannot come before the start" in str(caught.value.message_dict)
        assert set(caught.value.message_dict) == {"dissolved_edtf"}
    else:
        record.clean()


@pytest.mark.parametrize(
    ("text", "edtf", "refused"),
    [
        ("In June 1996", "1994-21", True),
        ("In June 1996", "1996-06", False),
        ("the spring of 1994", "1994-21", False),
        ("In 1999", "1995", True),
        ("early 1991", "1991-40", False),  # the EDTF says more than the reader finds
        ("By the fall of 1998", "/1998-23", False),  # “by” the reader does not read
        ("In January 1994", "/1994-01", False),
        ("in December [1988]", "1988-12", False),  # read without its year: nothing to compare
        ("from the very beginning", "1990", False),  # cannot be read: a hand-given EDTF stays
    ],
)
def test_an_edtf_value_the_wording_contradicts_is_refused(text, edtf, refused):
    record = Organization(
        slug="dated", name="Dated", kind="party", founded_text=text, founded_edtf=edtf
    )
    if refused:
        with pytest.raises(ValidationError) as caught:
            record.clean()
        assert "cannot be the same date" in str(caught.value.message_dict["founded_edtf"])
    else:
        record.clean()
        assert record.founded_edtf == edtf


def test_spans_that_share_no_day():
    import datetime

    day = datetime.date
    assert can_share_a_day((day(1990, 1, 1), day(1990, 12, 31)), (day(1990, 6, 1), None))
    assert not can_share_a_day((day(1990, 1, 1), day(1990, 1, 31)), (day(1990, 2, 1), None))
    assert can_share_a_day((None, None), (day(1990, 2, 1), day(1990, 2, 1)))


def test_a_row_of_a_name_or_role_is_checked_too():
    party = Organization.objects.published().first()
    name = OrganizationName(
        organization=party, name="Later Name", start_edtf="2001", end_edtf="1999-05"
    )
    with pytest.raises(ValidationError) as caught:
        name.full_clean()
    assert "end_edtf" in caught.value.message_dict


# -- Every way in --------------------------------------------------------------------------------


def admin_form(record, editor, changes: dict):
    """The admin's own change form for the record, with ``changes`` made to its fields."""
    model_admin = admin.site.get_model_admin(Organization)
    request = RequestFactory().get("/admin/")
    request.user = editor
    form_class = model_admin.get_form(request, record)
    data = {key: value for key, value in model_to_dict(record).items() if value is not None}
    data.update(changes, edit_summary="Dates from the decree")
    data = {key: value for key, value in data.items() if key in form_class.base_fields}
    return form_class(data=data, instance=record)


def test_the_admin_form_refuses_an_end_before_the_start(editor):
    form = admin_form(draft(), editor, BACKWARDS)
    assert not form.is_valid()
    assert "the end cannot come before the start" in " ".join(form.errors["dissolved_edtf"])


def test_the_admin_form_refuses_an_edtf_the_wording_contradicts(editor):
    form = admin_form(draft(), editor, CONTRADICTED)
    assert not form.is_valid()
    assert "cannot be the same date" in " ".join(form.errors["founded_edtf"])


def test_the_admin_form_takes_dates_in_order(editor):
    form = admin_form(draft(), editor, {**BACKWARDS, "dissolved_text": "In 2001"})
    assert form.is_valid(), form.errors


def import_rows(editor, cells: dict):
    resource = OrganizationResource()
    exported = resource.export(queryset=Organization.objects.filter(slug="a-dated-draft"))
    row = dict(zip(exported.headers, exported[0], strict=True))
    row.update(cells)
    dataset = tablib.Dataset(headers=exported.headers)
    dataset.append([row[header] for header in exported.headers])
    return resource.import_data(dataset, dry_run=False, user=editor, file_name="dates.csv")


@pytest.mark.parametrize(
    ("cells", "column"), [(BACKWARDS, "dissolved_edtf"), (CONTRADICTED, "founded_edtf")]
)
def test_an_import_refuses_bad_dates_and_imports_nothing(editor, cells, column):
    record = draft()
    result = import_rows(editor, cells)
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert column in invalid.field_specific_errors
    record.refresh_from_db()
    assert record.founded_text == "" and record.dissolved_text == ""


def test_an_import_takes_dates_in_order(editor):
    record = draft()
    result = import_rows(editor, {**BACKWARDS, "dissolved_text": "In 2001"})
    assert not result.has_validation_errors() and not result.has_errors()
    record.refresh_from_db()
    assert (record.founded_edtf, record.dissolved_edtf) == ("1999", "2001")


def api_patch(client, slug: str, body: dict):
    return client.patch(f"/api/v1/organizations/{slug}/", body, content_type="application/json")


def test_the_api_refuses_an_end_before_the_start(editor_client):
    record = draft()
    response = api_patch(
        editor_client,
        record.slug,
        {"founded": {"text": "In 1999"}, "dissolved": {"text": "In 1995"}},
    )
    assert response.status_code == 400, response.content
    assert "the end cannot come before the start" in str(response.json())
    record.refresh_from_db()
    assert record.dissolved_text == ""


def test_the_api_refuses_an_edtf_the_wording_contradicts(editor_client):
    record = draft()
    response = api_patch(
        editor_client, record.slug, {"founded": {"text": "In June 1996", "edtf": "1994-21"}}
    )
    assert response.status_code == 400, response.content
    assert "cannot be the same date" in str(response.json())


def test_the_api_takes_dates_in_order(editor_client):
    record = draft()
    response = api_patch(
        editor_client,
        record.slug,
        {"founded": {"text": "In 1995"}, "dissolved": {"text": "In June 1996", "edtf": "1996-06"}},
    )
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert (record.founded_edtf, record.dissolved_edtf) == ("1995", "1996-06")

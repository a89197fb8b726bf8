"""Limits stated, not enforced silently: how long a text may be, said before and after.

An admin input carries its limit as data (``data-limit``), never ``maxlength``, which makes
the browser cut a paste without a word; a counter (``admin-limits.js``) shows it as the editor
types; the server refuses what is too long with the length it has, the text kept in the form.
A field whose help text states a size (a summary of one or two sentences) is refused once
past its stated length, and saved with a ticked “Keep this long text”. Free text has a hard
ceiling that the admin, the API and imports all refuse (kzpolitics/core/editorial/limits.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import tablib
from django.apps import apps
from django.db import models
from django.urls import reverse

from kzpolitics.core.editorial.limits import (
    STATED_LENGTHS,
    TEXT_CEILING,
    AtMost,
    plural,
    stated_length,
)
from kzpolitics.core.models import Citation, Status
from kzpolitics.core.resources import problems
from parties.models import Organization
from parties.resources import OrganizationResource

from .checkers import ARTEFACTS, CHROMIUM, CHROMIUM_ARGS, missing_browser
from .factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:parties_organization_add")
NEW_PARTY = {"slug": "a-party-of-limits", "kind": "party", "status": Status.DRAFT}
LONG_SUMMARY = "A party of the early 1990s, long described. " * 16  # 704 characters
assert 600 < len(LONG_SUMMARY.strip()) < 800


def change_form_data(response) -> dict:
    """What a browser would send back from an admin page, as it was rendered."""
    data = {}

    def put(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "on" if value is True else str(value)

    put(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", ()):
        put(inline.formset.management_form)
        for form in inline.formset.initial_forms:
            put(form)
        data[f"{inline.formset.prefix}-TOTAL_FORMS"] = str(len(inline.formset.initial_forms))
    return data


def add_party(client, **fields):
    data = change_form_data(client.get(ADD))
    data.update(NEW_PARTY, **fields)
    return client.post(ADD, data)


class Inputs(HTMLParser):
    """The text inputs and textareas of a page, by name, with their attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.found: dict[str, dict[str, str | None]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "textarea" or (tag == "input" and attrs.get("type") == "text"):
            self.found[attrs.get("name", "")] = attrs


def errors_of(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


# -- a name past its column: refused, said, nothing cut --------------------------------------


def test_a_name_of_100000_characters_is_refused_with_its_length_and_nothing_is_saved(
    editor_client,
):
    before = Organization.objects.count()
    response = add_party(editor_client, name="N" * 100_000)
    assert response.status_code == 200
    assert errors_of(response, "name") == [
        "Names are at most 300 characters; this one has 100,000."
    ]
    assert Organization.objects.count() == before
    # The text comes back whole, for the editor to shorten.
    assert response.context["adminform"].form["name"].value() == "N" * 100_000


def test_the_inputs_carry_their_limits_as_data_never_maxlength(editor_client):
    page = editor_client.get(ADD).content.decode()
    inputs = Inputs(page).found
    assert inputs["name"]["data-limit"] == "300"
    assert inputs["slug"]["data-limit"] == "160"
    assert inputs["edit_summary"]["data-limit"] == "300"
    summary = inputs["summary"]
    assert (summary["data-limit"], summary["data-stated"]) == (f"{TEXT_CEILING}", "600")
    assert summary["data-purpose"] == "one or two sentences"
    assert "data-stated" not in inputs["aims"]  # its help text states no size
    assert not [name for name, attrs in inputs.items() if "maxlength" in attrs]
    assert "kzpolitics/admin-limits.js" in page
    assert "kzpolitics/admin-limits.css" in page


def test_an_inline_rows_inputs_carry_their_limits_too(editor_client):
    otan = Organization.objects.get(slug="otan")
    page = editor_client.get(reverse("admin:parties_organization_change", args=[otan.pk]))
    inputs = Inputs(page.content.decode()).found
    quotes = [attrs for name, attrs in inputs.items() if name.endswith("-quote")]
    assert quotes
    for quote in quotes:
        assert (quote["data-limit"], quote["data-stated"]) == ("400", "300")
        assert "maxlength" not in quote


# -- a summary: a stated length asked about once, a ceiling refused outright -----------------


def test_a_summary_of_200000_characters_is_refused_outright_even_if_kept(editor_client):
    response = add_party(
        editor_client, name="A Party of Limits", summary="S" * 200_000, keep_long_summary="on"
    )
    assert response.status_code == 200
    assert errors_of(response, "summary") == [
        "Summaries are at most 20,000 characters; this one has 200,000."
    ]
    assert not Organization.objects.filter(slug=NEW_PARTY["slug"]).exists()


def test_a_summary_past_its_stated_length_is_refused_once_then_kept_with_the_box_ticked(
    editor_client,
):
    response = add_party(editor_client, name="A Party of Limits", summary=LONG_SUMMARY)
    assert response.status_code == 200
    (warning,) = errors_of(response, "summary")
    length = len(LONG_SUMMARY.strip())
    assert (
        "Summaries are meant to be one or two sentences (about 600 characters); "
        f"this one has {length}." in warning
    )
    assert 'name="keep_long_summary"' in warning
    assert "Keep this long text" in response.content.decode()
    assert not Organization.objects.filter(slug=NEW_PARTY["slug"]).exists()
    # Nothing lost: the text is in the form to shorten or keep.
    assert response.context["adminform"].form["summary"].value() == LONG_SUMMARY

    kept = add_party(
        editor_client, name="A Party of Limits", summary=LONG_SUMMARY, keep_long_summary="on"
    )
    assert kept.status_code == 302
    assert Organization.objects.get(slug=NEW_PARTY["slug"]).summary == LONG_SUMMARY.strip()


def test_a_long_summary_saved_before_is_not_asked_about_at_each_save(editor_client):
    party = OrganizationFactory(summary=LONG_SUMMARY.strip(), status=Status.DRAFT)
    url = reverse("admin:parties_organization_change", args=[party.pk])
    data = change_form_data(editor_client.get(url))
    data.update(name="A Renamed Party", edit_summary="Renamed")
    assert editor_client.post(url, data).status_code == 302
    assert Organization.objects.get(pk=party.pk).name == "A Renamed Party"


def test_an_inline_rows_long_quote_is_asked_about_on_its_own_row():
    """A row's box is named with the row's prefix: ticking it keeps that row's text only."""
    from django.forms import modelform_factory

    from kzpolitics.core.editorial.forms import RowVersionForm

    Row = modelform_factory(Citation, form=RowVersionForm, fields=("quote",))
    quote = "Q" * 350
    asked = Row({"row-0-quote": quote}, prefix="row-0")
    assert not asked.is_valid()
    (warning,) = asked.errors["quote"]
    assert "Quotes are meant to be a sentence at most (about 300 characters)" in warning
    assert 'name="row-0-keep_long_quote"' in warning
    kept = Row({"row-0-quote": quote, "row-0-keep_long_quote": "on"}, prefix="row-0")
    assert "quote" not in kept.errors
    too_long = Row({"row-0-quote": "Q" * 401, "row-0-keep_long_quote": "on"}, prefix="row-0")
    assert too_long.errors["quote"] == ["Quotes are at most 400 characters; this one has 401."]


# -- the API and imports: the ceiling, through the model's validators ------------------------


def problem_names(response) -> set[str]:
    assert response["Content-Type"] == "application/problem+json"
    return {item["name"] for item in response.json()["invalid-params"]}


def test_the_api_refuses_a_summary_over_the_ceiling_with_a_problem(editor_client):
    client = editor_client  # signed in, as tests/test_api.py writes
    over = "S" * (TEXT_CEILING + 1)
    created = client.post(
        "/api/v1/organizations/",
        {"slug": "an-api-party", "name": "An API Party", "kind": "party", "summary": over},
        content_type="application/json",
    )
    assert created.status_code == 400
    assert problem_names(created) == {"summary"}
    assert not Organization.objects.filter(slug="an-api-party").exists()

    party = OrganizationFactory(status=Status.DRAFT)
    changed = client.patch(
        f"/api/v1/organizations/{party.slug}/",
        {"summary": over},
        content_type="application/json",
    )
    assert changed.status_code == 400
    assert problem_names(changed) == {"summary"}
    assert Organization.objects.get(pk=party.pk).summary == party.summary


def test_an_import_refuses_a_row_over_the_ceiling(editor):
    rows = tablib.Dataset(headers=["slug", "kind", "name", "summary"])
    rows.append(["an-imported-party", "party", "An Imported Party", "S" * 25_000])
    result = OrganizationResource().import_data(rows, dry_run=True, user=editor)
    assert problems(result) == ["row 1: summary: At most 20,000 characters; this text has 25,000."]


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_import_with_a_row_over_the_ceiling_saves_nothing(editor):
    rows = tablib.Dataset(headers=["slug", "kind", "name", "summary"])
    rows.append(["a-fine-party", "party", "A Fine Party", "Short."])
    rows.append(["an-imported-party", "party", "An Imported Party", "S" * 25_000])
    result = OrganizationResource().import_data(rows, dry_run=False, user=editor)
    assert problems(result)
    assert not Organization.objects.filter(slug__in=["a-fine-party", "an-imported-party"])


# -- the declarations ------------------------------------------------------------------------


def our_fields():
    for model in apps.get_models():
        ours = model._meta.app_label in ("kzpolitics", "parties", "elections", "legislation")
        if ours and not model.__name__.startswith("Historical"):
            yield from ((model, field) for field in model._meta.concrete_fields)


def test_every_field_whose_help_text_states_a_size_has_a_stated_length():
    stating = {
        (model, field.name)
        for model, field in our_fields()
        if re.search(r"\bsentences?\b", str(field.help_text), re.I)
    }
    assert stating
    assert {key for key in stating if stated_length(*key) is None} == set()
    # and nothing is declared for a field that does not exist
    declared = {k for k in STATED_LENGTHS if "." in k}
    assert declared <= {f"{m._meta.label_lower}.{f.name}" for m, f in our_fields()}


def test_every_free_text_field_has_the_ceiling():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, field in our_fields()
        if isinstance(field, models.TextField)
        and field.editable  # not a search key, which the model fills
        and not any(isinstance(v, AtMost) for v in field.validators)
        and field.name != "review_note"  # the reviewer's reason, written in the review queue
    ]
    assert missing == []


def test_the_stated_length_of_a_citations_quote_is_a_sentence():
    assert stated_length(Citation, "quote").purpose == "a sentence at most"


@pytest.mark.parametrize(
    "label, noun",
    [
        ("Name", "Names"),
        ("summary", "Summaries"),
        ("note for readers", "Notes for readers"),
        ("Aims", "Aims"),
        ("Wikidata ID", "Wikidata IDs"),
        ("Edit summary", "Edit summaries"),
    ],
)
def test_a_refusal_names_the_field_as_a_plural(label, noun):
    assert plural(label) == noun


# -- in a real browser: the counter as the editor types ----------------------------------------

BROWSER_EDITOR = ("limits-editor", "a long editor password 42")


@pytest.fixture(scope="module")
def served_site(shared_site):
    shared_site.add_account(*BROWSER_EDITOR)
    return shared_site


@pytest.mark.browser
@pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-")
def test_in_a_browser_the_counter_follows_the_typing_and_a_paste_is_never_cut(served_site):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=served_site.url, viewport={"width": 1366, "height": 900})
        page.set_default_timeout(15_000)
        refused = []  # anything the site's CSP refuses is reported on the console
        page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m))
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(BROWSER_EDITOR[0])
        page.get_by_label("Password").fill(BROWSER_EDITOR[1])
        page.get_by_role("button", name="Log in").click()
        page.goto("/admin/parties/organization/add/")

        name = page.locator("#id_name")
        counter = page.locator("#id_name-limit")
        expect(counter).to_have_text("0 / 300 characters")
        name.press_sequentially("Azat")
        expect(counter).to_have_text("4 / 300 characters")
        name.fill("A" * 280)
        expect(counter).to_have_text("280 / 300 characters: 20 left")
        expect(counter).to_have_class(re.compile(r"\bkz-limit-near\b"))
        name.fill("A" * 400)  # as a paste: nothing cuts it
        assert len(name.input_value()) == 400
        expect(counter).to_have_text("400 / 300 characters: 100 too many; it cannot be saved")
        expect(counter).to_have_class(re.compile(r"\bkz-limit-over\b"))

        summary = page.locator("#id_summary")
        said = page.locator("#id_summary-limit")
        expect(said).to_have_text("0 / 600 characters (one or two sentences)")
        summary.fill(LONG_SUMMARY.strip())
        expect(said).to_contain_text("longer than the 600 for one or two sentences")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "admin-limits-counter.png"), full_page=True)

        # Saved as it is, the long name is refused with its length and comes back whole.
        page.locator("#id_slug").fill("a-party-typed-long")
        page.locator("#id_kind").select_option("party")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".errorlist").first).to_be_visible()
        expect(
            page.get_by_text("Names are at most 300 characters; this one has 400.")
        ).to_be_visible()
        assert len(page.locator("#id_name").input_value()) == 400
        # Shortened, the summary is asked about once, then kept with the box ticked.
        page.locator("#id_name").fill("A Party Typed Long")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_label("Keep this long text").check()
        page.screenshot(path=str(ARTEFACTS / "admin-limits-keep.png"), full_page=True)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist .success")).to_be_visible()
        browser.close()
    assert not refused, [m.text for m in refused]

"""An import's preview shows only what the file changes: each changed cell as its old and new
value, each refused row with its reason in plain sight, the unchanged rows counted, not listed.
Confirming asks for an edit summary, which each saved record's history keeps with the file's
name. A row exported before a later save is refused, and the message says who saved: “you”
when it was the importing editor (another tab, an earlier import), else the colleague's name.
"""

import re

import pytest
from django.test import Client

from kzpolitics.core.editorial.conflicts import conflict_message, row_conflict_message
from kzpolitics.core.models import Citation
from kzpolitics.core.resources import CellChange
from parties.models import Organization
from parties.resources import OrganizationResource

from .checkers import ARTEFACTS, CHROMIUM, CHROMIUM_ARGS, missing_browser
from .test_import_export import admin_url, download, edited, upload, with_cells

pytestmark = pytest.mark.django_db

SUMMARY = "Otan's summary, checked against the article"
BAD_PLACE = "No place has the slug “atlantis”."


def one_change_and_one_bad_row(exported):
    """The whole export back, with otan's summary changed and adilet's place unknown."""
    changed = edited(exported, {"slug": "otan"}, {"summary": "A summary from the sheet."})
    return edited(changed, {"slug": "adilet"}, {"founding_place": "atlantis"})


def confirm(client, preview, summary):
    form = {**preview.context["confirm_form"].initial, "edit_summary": summary}
    return client.post(admin_url(Organization, "process_import"), form)


def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client


def preview_section(page: str) -> str:
    return page[page.index('<section class="import-changes"') : page.index("</section>")]


def test_the_preview_lists_the_changed_and_the_refused_row_and_counts_the_rest(editor_client):
    exported = download(editor_client, Organization, "csv")
    assert len(exported) >= 100  # the article's organizations, all of them
    otan = Organization.objects.get(slug="otan")

    response = upload(editor_client, Organization, one_change_and_one_bad_row(exported))

    preview = response.context["preview"]
    assert [row.record for row in preview.changed] == [str(otan)]
    assert preview.changed[0].changes == [
        CellChange("summary", otan.summary, "A summary from the sheet.")
    ]
    assert [(row.record, row.reasons) for row in preview.refused] == [
        ("adilet", [("founding_place", BAD_PLACE)])
    ]
    assert preview.new == []
    assert preview.unchanged == len(exported) - 2
    page = response.content.decode()
    listed = preview_section(page)
    assert f"{len(exported) - 2} rows unchanged" in listed
    assert "<del>" in listed and "<ins>A summary from the sheet.</ins>" in listed
    # The reason is the cell's text, not a tooltip over a badge.
    assert f'<td class="import-reason">{BAD_PLACE}</td>' in listed
    assert "title=" not in listed
    # Only the two rows: no other organization is listed.
    assert listed.count("<tr>") == 2 + 2  # a header row per table and a row each
    for unchanged in Organization.objects.exclude(slug__in=["otan", "adilet"])[:20]:
        assert f">{unchanged.name}<" not in listed
    # A file with a refused row goes in whole or not at all: nothing to confirm.
    assert "confirm_form" not in response.context
    assert "Confirm import" not in page


def test_confirming_asks_for_an_edit_summary_and_the_history_keeps_it(reviewer):
    client = reviewer_client(reviewer)
    exported = download(client, Organization, "csv")
    changed = edited(exported, {"slug": "otan"}, {"summary": "A summary from the sheet."})
    preview = upload(client, Organization, changed)
    assert "Confirm import" in preview.content.decode()
    assert 'name="edit_summary"' in preview.content.decode()

    refused = confirm(client, preview, "  ")

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Say in a few words what this file changes and why." in page
    assert "<ins>A summary from the sheet.</ins>" in page  # the preview again, to write it by
    assert "Confirm import" in page
    otan = Organization.objects.get(slug="otan")
    assert otan.summary != "A summary from the sheet."

    done = confirm(client, preview, SUMMARY)

    assert done.status_code == 302
    otan.refresh_from_db()
    assert otan.summary == "A summary from the sheet."
    latest = otan.history.first()
    assert latest.history_change_reason == f"{SUMMARY} (imported from organizations.csv)"
    assert latest.history_user == reviewer


def a_save_by(user, slug="otan", **changes):
    record = Organization.objects.get(slug=slug)
    for name, value in changes.items():
        setattr(record, name, value)
    record._history_user = user
    record._change_reason = "A save meanwhile"
    record.save()
    return record


def version_refusal(exported, user) -> str:
    """Why the importer's change to otan, in a file exported earlier, is refused."""
    stale = with_cells(exported, [({"slug": "otan"}, {"summary": "The file's summary."})])
    result = OrganizationResource().import_data(stale, file_name="old.csv", user=user)
    (row,) = result.invalid_rows
    return row.field_specific_errors["version"][0]


def test_a_stale_row_saved_since_by_the_importer_says_you(editor):
    exported = OrganizationResource().export()
    a_save_by(editor, summary="My own newer summary.")

    text = version_refusal(exported, editor)

    assert "was saved by you (in another tab or an earlier save) after this file" in text
    assert "someone else" not in text


def test_a_stale_row_saved_since_by_a_colleague_names_them(editor, reviewer):
    reviewer.first_name, reviewer.last_name = "Aigerim", "Bekova"
    reviewer.save()
    exported = OrganizationResource().export()
    a_save_by(reviewer, summary="The colleague's newer summary.")

    text = version_refusal(exported, editor)

    assert "was saved by Aigerim Bekova after this file was exported" in text
    assert "you (in another tab" not in text


def test_a_form_opened_before_the_editors_own_later_save_says_you(editor, reviewer):
    otan = Organization.objects.get(slug="otan")
    opened = otan.version
    a_save_by(editor, summary="Saved in another tab.")

    mine = str(conflict_message(Organization, otan.pk, opened, opened + 1, editor))
    theirs = str(conflict_message(Organization, otan.pk, opened, opened + 1, reviewer))

    assert mine.startswith("You (in another tab or an earlier save) saved this record after")
    assert "by you" in mine and "Someone else" not in mine
    assert theirs.startswith("Someone else saved this record after you opened it: editor")


def test_an_inline_rows_conflict_says_you_too(editor):
    citation = Citation.objects.filter(content_type__model="organization").first()
    opened = citation.version
    citation._history_user = editor
    citation._change_reason = "Another tab"
    citation.pages = "99"
    citation.save()

    text = str(row_conflict_message(Citation, citation.pk, opened, opened + 1, editor))

    assert text.startswith("You (in another tab or an earlier save) saved this citation")


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_import_in_a_real_transaction(reviewer, editor):
    """On PostgreSQL the import runs in its own transaction, rolled back whole for a bad row:
    the confirmed file is saved, with its summary, as the site saves it."""
    client = reviewer_client(reviewer)
    exported = download(client, Organization, "csv")
    changed = with_cells(exported, [({"slug": "otan"}, {"summary": "A summary from the sheet."})])
    preview = upload(client, Organization, changed)
    assert [row.record for row in preview.context["preview"].changed] == [
        str(Organization.objects.get(slug="otan"))
    ]

    assert confirm(client, preview, SUMMARY).status_code == 302

    otan = Organization.objects.get(slug="otan")
    assert otan.summary == "A summary from the sheet."
    assert otan.history.first().history_change_reason == (
        f"{SUMMARY} (imported from organizations.csv)"
    )
    assert otan.history.first().history_user == reviewer


# -- In a browser, at 1366 px ------------------------------------------------------------------

EDITOR = ("preview-editor", "a long editor password 42")
SHOT = ARTEFACTS / "admin-import-preview.png"


@pytest.mark.browser
@pytest.mark.skipif(bool(missing_browser()), reason=missing_browser() or "-")
def test_the_preview_fits_a_1366_px_screen_and_shows_the_refusal(tmp_path, shared_site):
    from playwright.sync_api import expect, sync_playwright

    site = shared_site
    site.add_account(*EDITOR)
    logged = site.log_size()  # the errors of this test's requests, not the other modules'
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=site.url, viewport={"width": 1366, "height": 768}, accept_downloads=True
        )
        page = context.new_page()
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(EDITOR[0])
        page.get_by_label("Password").fill(EDITOR[1])
        page.get_by_role("button", name="Log in").click()

        page.goto("/admin/parties/organization/export/")
        page.get_by_label("Format").select_option(label="csv")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Submit").click()
        exported = download_info.value.path().read_text(encoding="utf-8-sig")
        import tablib

        sheet = one_change_and_one_bad_row(tablib.Dataset().load(exported, format="csv"))

        page.goto("/admin/parties/organization/import/")
        page.get_by_label("Format").select_option(label="csv")
        page.get_by_label("File to import").set_input_files(
            files=[
                {
                    "name": "organizations.csv",
                    "mimeType": "text/csv",
                    "buffer": sheet.export("csv").encode(),
                }
            ]
        )
        page.get_by_role("button", name="Submit").click()

        reason = page.locator(".import-reason", has_text=BAD_PLACE)
        expect(reason).to_be_visible()
        expect(page.get_by_text(re.compile(r"\d+ rows unchanged"))).to_be_visible()
        expect(
            page.locator(".import-changed ins", has_text="A summary from the sheet.")
        ).to_be_visible()
        width, inner, height = page.evaluate(
            "[document.documentElement.scrollWidth, innerWidth,"
            " document.documentElement.scrollHeight]"
        )
        assert width <= inner, (width, inner)
        assert height < 3000, height
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOT, full_page=True)
        context.close()
        browser.close()
        assert not site.errors(since=logged), site.errors(since=logged)

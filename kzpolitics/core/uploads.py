"""What an editor's spreadsheet may be: the admin's import form and file formats.

An upload is read whole into memory (django-import-export, tablib, openpyxl), so its size is
capped, and so is what it unpacks to: an XLSX is a zip, and a zip of a few kilobytes can hold
gigabytes of XML (a “zip bomb”) that would hold a worker until it is killed. The zip's own
directory says how large each member is once unpacked; that sum is checked before openpyxl
opens anything (and Python's ``zipfile`` never unpacks a member past its declared size, so a
directory that lies gets a corrupt-file error, not a larger member). A file over either limit
is a clear error on the form, and nothing is imported.

Cells go out escaped against formula injection and come back as they were
(``kzpolitics.core.cells``): an editor can export a list, edit it and import it again.
"""

from __future__ import annotations

import io
import zipfile

import tablib
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from kzpolitics.core.cells import safe_cell, unescaped_cell

DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024


class UploadTooLarge(ValueError):
    """A spreadsheet over the site's limits (``settings.IMPORT_MAX_UPLOAD_BYTES``,
    ``settings.IMPORT_MAX_UNPACKED_BYTES``)."""


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def max_unpacked_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)


def check_upload(size: int, head: io.BufferedIOBase | None = None) -> None:
    """Refuse a file of ``size`` bytes over the upload limit, and a zip (``head``, the file
    opened for reading) that declares more than the unpacked limit."""
    limit = max_upload_bytes()
    if size > limit:
        raise UploadTooLarge(
            f"The file is {filesizeformat(size)}; files of at most {filesizeformat(limit)} can "
            "be imported. Split it into smaller files."
        )
    if head is not None and zipfile.is_zipfile(head):
        head.seek(0)
        check_unpacked(head)


def check_unpacked(stream) -> None:
    """Refuse a zip (an XLSX) whose members add up to more than the unpacked limit."""
    limit = max_unpacked_bytes()
    try:
        with zipfile.ZipFile(stream) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UploadTooLarge(f"The file is not a readable spreadsheet ({exc}).") from exc
    if unpacked > limit:
        raise UploadTooLarge(
            f"The spreadsheet unpacks to {filesizeformat(unpacked)}; at most "
            f"{filesizeformat(limit)} can be imported. Split it into smaller files, or save it "
            "again from the spreadsheet program (this one may be damaged or made to harm)."
        )


class LimitedImportForm(ImportForm):
    """django-import-export's import form, refusing a file over the site's limits."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            upload.seek(0)
            check_upload(upload.size, upload)
        except UploadTooLarge as exc:
            raise forms.ValidationError(str(exc), code="too_large") from exc
        finally:
            upload.seek(0)
        return upload


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell passed through ``safe_cell``."""
    copy = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([safe_cell(value) for value in row])
    return copy


def unescaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with the escapes of ``safe_cell`` taken off again."""
    copy = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([unescaped_cell(value) for value in row])
    return copy


class SafeCSV(CSV):
    """CSV, its cells escaped against formula injection on export and read back on import."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(escaped(dataset), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        size = len(in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream)
        check_upload(size)
        return unescaped(super().create_dataset(in_stream, **kwargs))


class SafeXLSX(XLSX):
    """XLSX, within the upload and unpacked limits, its cells escaped as in ``SafeCSV`` (a
    text cell starting with ``=`` would otherwise be written as a formula)."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(escaped(dataset), **kwargs)

    def create_dataset(self, in_stream, *args, **kwargs):
        check_upload(len(in_stream), io.BytesIO(in_stream))
        return unescaped(super().create_dataset(in_stream, *args, **kwargs))

"""Spreadsheet cells that stay text: no formula injection in any CSV (or XLSX) the site writes.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a tab or carriage return in front
lets one through some importers. Names and quotes come from sources and editors, so any text
may start so. OWASP's rule (“CSV Injection”): prefix such a cell with a single quote, which
spreadsheets read as “this is text” and do not show. Numbers stay numbers: a value that is one
(``-3``, ``+2.5``, written by the site as a number) is left alone, since a spreadsheet reads it
as the number it is, and no formula can hide in it.

One function, ``safe_cell``, used by every writer: the API's CSV renderer, the full export's
CSV files and the admin's spreadsheet exports; ``unescaped_cell`` takes the quote off again
when an editor imports a file the admin exported.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """``value`` as a cell no spreadsheet runs: text starting with a formula's first character
    gets a leading single quote; anything else (numbers, dates, other text) is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return ESCAPE + value
    return value


def unescaped_cell(value):
    """The text ``safe_cell`` escaped, as it was: for a file exported by the site and read back."""
    if (
        isinstance(value, str)
        and value.startswith(ESCAPE)
        and value[1:].startswith(FORMULA_STARTS)
        and not NUMBER.fullmatch(value[1:])
    ):
        return value[1:]
    return value

"""Spreadsheet cells that a spreadsheet program never runs as a formula (CSV/formula injection).

A text cell starting with = + - @ tab or CR is taken as a formula by Excel, LibreOffice and WPS. Every
CSV and XLSX writer of the app goes through this module: CSV cells get a leading apostrophe (the usual
"text" marker; one starting with an apostrophe gets another, so `csv_text` reads every cell back exactly),
XLSX cells are stored as strings with the quote-prefix style.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet would read this text cell as a formula."""
    return isinstance(value, str) and value.startswith(TRIGGERS)


def csv_cell(value: Any) -> Any:
    """A CSV cell written as text: formula-like (or apostrophe-led) strings get a leading apostrophe."""
    if isinstance(value, str) and (is_formula_like(value) or value.startswith(QUOTE)):
        return QUOTE + value
    return value


def csv_text(cell: str) -> str:
    """The text a csv_cell came from (for importers reading our own exports back)."""
    return cell[1:] if cell.startswith(QUOTE) else cell


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row of safe cells (None as an empty cell)."""
    return ["" if v is None else csv_cell(v) for v in values]


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet; formula-like strings are stored as quote-prefixed text."""
    values = list(values)
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if is_formula_like(value):
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True

"""CSV downloads that are safe to open in a spreadsheet."""

import csv
import io
from collections.abc import Iterable

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Spreadsheets run a cell that starts like a formula: make it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


class CsvText:
    """Rows of guarded cells turned into CSV text a batch at a time, so a large download streams
    in constant memory: write rows, then take() what they came to."""

    def __init__(self) -> None:
        self._out = io.StringIO()
        self._writer = csv.writer(self._out)

    def row(self, values: Iterable[object]) -> None:
        self._writer.writerow([cell(value) for value in values])

    def take(self) -> str:
        text = self._out.getvalue()
        self._out.seek(0)
        self._out.truncate()
        return text

"""CSV downloads that are safe to open in a spreadsheet."""

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """Spreadsheets run a cell that starts like a formula: make it plain text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text

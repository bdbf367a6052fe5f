"""Checking an uploaded file by what it holds, never by its name or the browser's type.

A file is accepted only as one of a few kinds people share in a programme (documents,
spreadsheets, slides, text, pictures), and is then stored and served as that kind: a PDF
uploaded as "notes.docx" is a PDF. Anything a browser might run (HTML, SVG) is refused.
"""

import io
import os
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, TypeVar

from flask import current_app, request

ACCEPTED = ("The selected file must be a PDF, Word, OpenDocument, Excel, PowerPoint, CSV, text, "
            "PNG or JPEG file")
EMPTY = "The selected file is empty"

ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all entries together
ZIP_MAX_RATIO = 100  # an entry over ZIP_RATIO_FROM bytes that grew more than this is a zip bomb
ZIP_RATIO_FROM = 1024 * 1024
HEAD = 8

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class Unacceptable(ValueError):
    """A file the service will not keep; str() is the sentence to show the person."""


@dataclass(frozen=True)
class Checked:
    """What an accepted file is, from its content."""

    kind: str  # what a person reads, e.g. "PDF"
    mime: str  # the type it is served with
    extension: str  # ".pdf", ...
    size: int  # bytes
    pages: int | None  # PDFs only; None when the PDF cannot be read


@dataclass(frozen=True)
class Kind:
    name: str
    mime: str
    extension: str


PDF = Kind("PDF", "application/pdf", ".pdf")
PNG = Kind("PNG", "image/png", ".png")
JPEG = Kind("JPEG", "image/jpeg", ".jpg")
CSV = Kind("CSV", "text/csv", ".csv")
TEXT = Kind("Plain text", "text/plain", ".txt")
OOXML = "application/vnd.openxmlformats-officedocument."
# OOXML: the top folder of the main part names the application.
OOXML_KINDS = {
    "word/": Kind("Word", OOXML + "wordprocessingml.document", ".docx"),
    "xl/": Kind("Excel", OOXML + "spreadsheetml.sheet", ".xlsx"),
    "ppt/": Kind("PowerPoint", OOXML + "presentationml.presentation", ".pptx"),
}
ODF = "application/vnd.oasis.opendocument."
ODF_KINDS = {
    ODF + "text": Kind("OpenDocument text", ODF + "text", ".odt"),
    ODF + "spreadsheet": Kind("OpenDocument spreadsheet", ODF + "spreadsheet", ".ods"),
    ODF + "presentation": Kind("OpenDocument presentation", ODF + "presentation", ".odp"),
}
# Legacy Office files are all OLE2 compound files: the name's extension tells them apart.
OLE2_KINDS = {
    ".doc": Kind("Word", "application/msword", ".doc"),
    ".xls": Kind("Excel", "application/vnd.ms-excel", ".xls"),
    ".ppt": Kind("PowerPoint", "application/vnd.ms-powerpoint", ".ppt"),
}
TEXT_KINDS = {".csv": CSV, ".txt": TEXT}


def check(stream: IO[bytes], filename: str) -> Checked:
    """What the file is, or Unacceptable; the stream is left at its start for saving."""
    try:
        return _check(stream, filename)
    finally:
        stream.seek(0)


def _check(stream: IO[bytes], filename: str) -> Checked:
    size = stream.seek(0, io.SEEK_END)
    if size == 0:
        raise Unacceptable(EMPTY)
    stream.seek(0)
    head = stream.read(HEAD)
    stream.seek(0)
    name_extension = os.path.splitext(filename.strip())[1].lower()
    if head.startswith(PDF_MAGIC):
        return Checked(PDF.name, PDF.mime, PDF.extension, size, _pdf_pages(stream))
    if head.startswith(PNG_MAGIC):
        kind = PNG
    elif head.startswith(JPEG_MAGIC):
        kind = JPEG
    elif head.startswith(OLE2_MAGIC):
        kind = _refuse_unless(OLE2_KINDS.get(name_extension))
    elif head.startswith(ZIP_MAGIC):
        kind = _zip_kind(stream)
    else:
        kind = _refuse_unless(TEXT_KINDS.get(name_extension))
        _check_text(stream.read())
    return Checked(kind.name, kind.mime, kind.extension, size, None)


def _refuse_unless(kind: Kind | None) -> Kind:
    if kind is None:
        raise Unacceptable(ACCEPTED)
    return kind


def _pdf_pages(stream: IO[bytes]) -> int | None:
    """The page count, or None for a PDF that is encrypted or too damaged to read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(stream)
        if reader.is_encrypted:
            return None
        return len(reader.pages)
    except Exception:  # pypdf raises many kinds of error for damaged files; the count is a nicety
        return None


def _zip_kind(stream: IO[bytes]) -> Kind:
    """An Office Open XML or OpenDocument file; any other zip is refused, as is a zip bomb."""
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if not entries:
                raise Unacceptable(ACCEPTED)
            total = sum(entry.file_size for entry in entries)
            if total > ZIP_MAX_UNCOMPRESSED or any(
                    entry.file_size > ZIP_RATIO_FROM
                    and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
                    for entry in entries):
                raise Unacceptable(ACCEPTED)
            names = [entry.filename for entry in entries]
            if names[0] == "mimetype":
                with archive.open(entries[0]) as mimetype:
                    declared = mimetype.read(100).decode("ascii", "replace").strip()
                return _refuse_unless(ODF_KINDS.get(declared))
            if "[Content_Types].xml" not in names:
                raise Unacceptable(ACCEPTED)
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Unacceptable(ACCEPTED)  # macros: Office refuses them under .docx/.xlsx/.pptx
            found = [kind for folder, kind in OOXML_KINDS.items()
                     if any(name.startswith(folder) for name in names)]
            if len(found) != 1:
                raise Unacceptable(ACCEPTED)
            return found[0]
    except Unacceptable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            ValueError) as error:  # damaged, or compressed in a way zipfile cannot read
        raise Unacceptable(ACCEPTED) from error


def _check_text(data: bytes) -> None:
    """UTF-8 (with or without a byte order mark) or Windows-1252 text that is not markup."""
    if b"\x00" in data:
        raise Unacceptable(ACCEPTED)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:  # cp1252 leaves five bytes undefined
            raise Unacceptable(ACCEPTED) from error
    if text.lstrip().lstrip("\ufeff").lstrip().startswith("<"):
        raise Unacceptable(ACCEPTED)  # HTML, XML or SVG that a browser could run


def describe(checked_kind: str, size: int, pages: int | None) -> str:
    """A file's description as GOV.UK shows attachments: "PDF, 1.2 MB, 3 pages"."""
    parts = [checked_kind, _size(size)]
    if pages is not None:
        parts.append(f"{pages:,} page" + ("" if pages == 1 else "s"))
    return ", ".join(parts)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    kilobytes = round(size / 1024)
    if kilobytes < 1024:
        return f"{kilobytes:,} KB"
    megabytes = round(size / (1024 * 1024), 1)
    return f"{megabytes:,.1f}".removesuffix(".0") + " MB"


RESERVED_ON_WINDOWS = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                       *(f"LPT{n}" for n in range(1, 10))}


def download_name(title: str, extension: str) -> str:
    """A file name made from the title: letters, digits, spaces and hyphens, never empty.

    Send it through send_file(download_name=...), which adds RFC 6266's filename* for
    names that are not plain ASCII.
    """
    kept = "".join(" " if character.isspace() else character
                   for character in unicodedata.normalize("NFC", title)
                   if character.isalnum() or character in " -" or character.isspace())
    stem = " ".join(kept.split())[:100].strip(" -") or "document"
    if stem.upper() in RESERVED_ON_WINDOWS:
        stem += " document"
    return stem + (extension if extension.startswith(".") else "." + extension)


View = TypeVar("View", bound=Callable[..., Any])


def size_limit(megabytes: int) -> Callable[[View], View]:
    """Mark a view that takes less than MAX_CONTENT_LENGTH (MAX_UPLOAD_MB), such as the
    spreadsheet import; put it under the route decorator."""

    def mark(view: View) -> View:
        setattr(view, "upload_limit", megabytes * 1024 * 1024)  # noqa: B010  (mypy: no such attribute)
        return view

    return mark


def apply_size_limit() -> None:
    """Before CSRFProtect reads the form, so a body over the view's own limit is refused unread."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "upload_limit", None)
    if limit is not None:
        request.max_content_length = limit

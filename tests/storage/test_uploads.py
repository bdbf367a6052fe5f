"""Uploads are judged by their bytes: each kind accepted, each disguise refused."""

import io
import os
import random
import zipfile

import pytest
from pypdf import PdfWriter

from psp.uploads import ACCEPTED, EMPTY, Unacceptable, check, describe, download_name

OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def pdf(pages=3, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zipped(*entries, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def ooxml(folder, main):
    return zipped(("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
                  ("_rels/.rels", "<Relationships/>"), (f"{folder}/{main}", "<document/>"))


def opendocument(kind):
    return zipped(("mimetype", ODF + kind), ("content.xml", "<office:document-content/>"),
                  ("META-INF/manifest.xml", "<manifest/>"))


def checked(data, filename):
    stream = io.BytesIO(data)
    stream.seek(3)
    result = check(stream, filename)
    assert stream.tell() == 0
    return result


@pytest.mark.parametrize("data, filename, kind, mime, extension", [
    (pdf(), "minutes.pdf", "PDF", "application/pdf", ".pdf"),
    (ooxml("word", "document.xml"), "report.docx", "Word", OOXML + "wordprocessingml.document", ".docx"),
    (ooxml("xl", "workbook.xml"), "budget.xlsx", "Excel", OOXML + "spreadsheetml.sheet", ".xlsx"),
    (ooxml("ppt", "presentation.xml"), "slides.pptx", "PowerPoint",
     OOXML + "presentationml.presentation", ".pptx"),
    (opendocument("text"), "notes.odt", "OpenDocument text", ODF + "text", ".odt"),
    (opendocument("spreadsheet"), "sums.ods", "OpenDocument spreadsheet", ODF + "spreadsheet", ".ods"),
    (opendocument("presentation"), "talk.odp", "OpenDocument presentation", ODF + "presentation", ".odp"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "map.png", "PNG", "image/png", ".png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(40), "photo.jpeg", "JPEG", "image/jpeg", ".jpg"),
    (b"name,area\nCaf\xc3\xa9,Leeds\n", "views.CSV", "CSV", "text/csv", ".csv"),
    ("\ufeffname,area\r\nZoë,Bradford\r\n".encode(), "bom.csv", "CSV", "text/csv", ".csv"),
    ("Plain words — and “quotes”.\n".encode(), "notes.txt", "Plain text", "text/plain", ".txt"),
    ("Plain words — and “quotes”, café.\n".encode("cp1252"), "old.txt", "Plain text", "text/plain", ".txt"),
    (OLE2, "old.doc", "Word", "application/msword", ".doc"),
    (OLE2, "old.XLS", "Excel", "application/vnd.ms-excel", ".xls"),
    (OLE2, "old.ppt", "PowerPoint", "application/vnd.ms-powerpoint", ".ppt"),
])
def test_each_accepted_kind_is_known_by_its_content(data, filename, kind, mime, extension):
    result = checked(data, filename)
    assert (result.kind, result.mime, result.extension, result.size) == (kind, mime, extension, len(data))
    assert result.pages == (3 if kind == "PDF" else None)


def test_the_kind_comes_from_the_content_not_the_name():
    result = checked(pdf(pages=1), "x.docx")
    assert (result.kind, result.extension, result.pages) == ("PDF", ".pdf", 1)
    assert checked(b"\x89PNG\r\n\x1a\n", "photo.jpg").extension == ".png"


def test_a_pdf_that_cannot_be_read_is_kept_without_a_page_count():
    assert checked(pdf(password="secret"), "locked.pdf").pages is None
    damaged = checked(b"%PDF-1.7\n" + os.urandom(300), "damaged.pdf")
    assert (damaged.kind, damaged.pages) == ("PDF", None)


@pytest.mark.parametrize("data, filename", [
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "report.pdf"),
    (b"  \n<html><body>hello</body></html>", "notes.txt"),
    ("\ufeff <html></html>".encode(), "notes.txt"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "data.csv"),
    (b"MZ\x90\x00\x03" + bytes(200), "setup.exe"),
    (b"MZ\x90\x00\x03" + bytes(200), "setup.txt"),
    (OLE2, "macro.exe"),
    (OLE2, "no-extension"),
    (b"plain text\x00with a NUL", "notes.txt"),
    ("hello".encode("utf-16"), "notes.txt"),
    (b"caf\x81 undefined in cp1252 \xff\xfe", "notes.txt"),
    (b"fine words", "notes.md"),
    (os.urandom(2048), "random.pdf"),
    (zipped(("readme.txt", "just a zip")), "archive.docx"),
    (zipped(("[Content_Types].xml", "<Types/>"), ("other/part.xml", "<x/>")), "odd.docx"),
    (zipped(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<x/>"),
            ("word/vbaProject.bin", "macros")), "macro.docx"),
    (zipped(("mimetype", "application/epub+zip"), ("content.opf", "<x/>")), "book.odt"),
    (zipped(("word/document.xml", "<x/>")), "no-content-types.docx"),
    (b"PK\x03\x04 damaged zip" + os.urandom(100), "broken.xlsx"),
])
def test_anything_else_is_refused_with_the_sentence(data, filename):
    with pytest.raises(Unacceptable) as refused:
        checked(data, filename)
    assert str(refused.value) == ACCEPTED


def test_an_empty_file_is_refused_as_empty():
    with pytest.raises(Unacceptable) as refused:
        checked(b"", "minutes.pdf")
    assert str(refused.value) == EMPTY == "The selected file is empty"


def test_a_zip_bomb_is_refused():
    bomb = ooxml("word", "document.xml")
    assert checked(bomb, "ok.docx").kind == "Word"
    bomb = zipped(("[Content_Types].xml", "<Types/>"), ("word/document.xml", bytes(5 * 1024 * 1024)))
    with pytest.raises(Unacceptable, match="must be a PDF"):
        checked(bomb, "bomb.docx")


def test_a_zip_too_large_when_unpacked_is_refused():
    """Stored (not compressed) entries, so no ratio is absurd: the total alone is over 200 MB. The
    sizes are claimed in the central directory and never unpacked."""
    archive = zipped(("[Content_Types].xml", "<Types/>"), ("word/document.xml", b"<x/>"),
                     compression=zipfile.ZIP_STORED)
    directory = archive.rindex(b"PK\x01\x02")
    # The last central directory entry claims 201 MB, compressed (offset 20) and not (offset 24).
    claimed = (201 * 1024 * 1024).to_bytes(4, "little")
    inflated = archive[:directory + 20] + claimed + claimed + archive[directory + 28:]
    with zipfile.ZipFile(io.BytesIO(inflated)) as opened:
        assert [(e.compress_size, e.file_size) for e in opened.infolist()][-1] == (201 << 20, 201 << 20)
    with pytest.raises(Unacceptable, match="must be a PDF"):
        checked(inflated, "huge.docx")


def test_a_well_compressed_but_honest_file_is_accepted():
    """Text compresses well: a few to one over 1 MB is a normal document, not a bomb."""
    words = "meeting notes views people gave service design cafe leeds access wait".split()
    chooser = random.Random(7)
    text = " ".join(chooser.choice(words) for _ in range(400_000)).encode()
    assert len(text) > 2 * 1024 * 1024
    data = zipped(("[Content_Types].xml", "<Types/>"), ("word/document.xml", text))
    assert checked(data, "long.docx").kind == "Word"


@pytest.mark.parametrize("kind, size, pages, expected", [
    ("PDF", 245 * 1024, 12, "PDF, 245 KB, 12 pages"),
    ("PDF", int(1.2 * 1024 * 1024), 3, "PDF, 1.2 MB, 3 pages"),
    ("PDF", 3000, 1, "PDF, 3 KB, 1 page"),
    ("PDF", 2048, None, "PDF, 2 KB"),
    ("PDF", 50 * 1024 * 1024, 1234, "PDF, 50 MB, 1,234 pages"),
    ("CSV", 812, None, "CSV, 812 bytes"),
    ("Plain text", 1, None, "Plain text, 1 byte"),
    ("Word", 1023, None, "Word, 1,023 bytes"),
    ("Word", 1024, None, "Word, 1 KB"),
    ("Excel", 1024 * 1024 - 1, None, "Excel, 1 MB"),
    ("PNG", 20 * 1024 * 1024, None, "PNG, 20 MB"),
])
def test_describe_reads_like_a_gov_uk_attachment(kind, size, pages, expected):
    assert describe(kind, size, pages) == expected


@pytest.mark.parametrize("title, extension, expected", [
    ("Minutes of the June meeting", ".pdf", "Minutes of the June meeting.pdf"),
    ("Q3 report: draft/final?", ".docx", "Q3 report draftfinal.docx"),
    ("../../etc/passwd", ".txt", "etcpasswd.txt"),
    ("Zoë's café — notes", ".odt", "Zoës café notes.odt"),
    ("Ymgynghoriad ar ôl 2025", ".pdf", "Ymgynghoriad ar ôl 2025.pdf"),
    ("  tabs\tand\nnew lines  ", ".txt", "tabs and new lines.txt"),
    ("-leading hyphen-", ".pdf", "leading hyphen.pdf"),
    ("<script>", ".pdf", "script.pdf"),
    ("!!!", ".pdf", "document.pdf"),
    ("", ".csv", "document.csv"),
    ("con", ".txt", "con document.txt"),
    ("report", "pdf", "report.pdf"),
    ("a" * 150, ".xlsx", "a" * 100 + ".xlsx"),
])
def test_download_names_are_safe_and_readable(title, extension, expected):
    assert download_name(title, extension) == expected


def test_a_trimmed_download_name_does_not_end_in_a_space():
    name = download_name("x" * 99 + " tail", ".pdf")
    assert name == "x" * 99 + ".pdf"


# How much a request may send


def test_a_view_may_take_less_than_the_app_wide_limit():
    from flask import Flask, request

    from psp.uploads import apply_size_limit, size_limit

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 3 * 1024 * 1024
    app.before_request(apply_size_limit)

    @app.post("/small")
    @size_limit(1)
    def small():
        return str(len(request.get_data()))

    @app.post("/large")
    def large():
        return str(len(request.get_data()))

    body = bytes(int(1.5 * 1024 * 1024))
    client = app.test_client()
    with client.post("/small", data=body) as refused, client.post("/large", data=body) as taken:
        assert refused.status_code == 413
        assert (taken.status_code, taken.get_data(as_text=True)) == (200, str(len(body)))
    with client.post("/large", data=bytes(4 * 1024 * 1024)) as over:
        assert over.status_code == 413


@pytest.mark.parametrize("setting, expected", [(None, 20 * 1024 * 1024), ("5", 5 * 1024 * 1024)])
def test_the_app_wide_limit_comes_from_max_upload_mb(monkeypatch, tmp_path, setting, expected):
    from psp.config import from_environment

    if setting is None:
        monkeypatch.delenv("MAX_UPLOAD_MB", raising=False)
    else:
        monkeypatch.setenv("MAX_UPLOAD_MB", setting)
    assert from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == expected

"""Importing a spreadsheet of views gathered outside the service (CSV or Excel .xlsx).

Every row is checked before anything is saved, and every problem is named by row and column;
the coordinator sees a preview and confirms; the views are then inserted in batches (a fixed
number of statements a batch) in one transaction, or not at all. The same file is refused twice,
and an import can be undone within a day while none of its views has an answer.
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError

from psp import audit, policy
from psp.auth.models import User
from psp.contributions.models import (
    ANSWERS,
    COMMUNITIES,
    EVENT,
    GIVERS,
    GROUP,
    IMPORTED,
    LEADS,
    PARTNER,
    PREVIEW,
    RECEIVED,
    SHARED,
    SOURCES,
    UNDONE,
    Contribution,
    ContributionArea,
    ContributionCommunity,
    ViewImport,
)
from psp.contributions.recorded import partners
from psp.contributions.services import check_place
from psp.errors import Refused
from psp.extensions import db
from psp.places import AREAS, ORGANISATION_KINDS
from psp.programmes.models import Programme
from psp.spreadsheets import CsvText
from psp.timeutil import london, utcnow

COLUMNS = {   # the heading in the file -> what goes in it, for the template and the page
    "title": "A few words that sum up the view (required, up to 200 characters)",
    "view": "The view, as it was given (required)",
    "communities": "Who it speaks for, separated by semicolons: " + "; ".join(COMMUNITIES.values()),
    "areas": "Areas it concerns, separated by semicolons: " + "; ".join(AREAS.values()),
    "audience": "'All partners' (the default) or 'Leads only'",
    "source": "Where it came from: " + "; ".join(SOURCES.values()),
    "given_on": "The date it was given, as 2027-03-03 or 3/3/2027",
    "given_where": "Where it was given (optional), such as the Leith drop-in",
    "giver": "Who gave it: partner, group or event",
    "organisation": "For a partner: its name as the service knows it",
    "group_name": "For a group not on the service: its name",
    "group_kind": "For a group (optional): " + "; ".join(ORGANISATION_KINDS.values()),
    "group_area": "For a group (optional): its area",
    "people": "For people at an event: how many took part",
    "contact_email": "An email address to tell them of the answer (optional)",
    "consent": "'yes' if they agreed to be emailed about the answer",
}
REQUIRED = ("title", "view", "communities", "areas", "source", "given_on", "giver")
MAX_ROWS = 5000
MAX_UNPACKED = 20 * 1024 * 1024     # an .xlsx bigger than this once unzipped is refused (zip bombs)
BATCH = 500
UNDO_HOURS = 24
PROBLEMS_SHOWN = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Problem:
    row: int        # as the spreadsheet numbers it: the headings are row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column {self.column}: {self.message}"


@dataclass
class Checked:
    """The file's rows as views ready to insert, or what is wrong with them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# Reading the file ------------------------------------------------------------------------

def _heading(value: str) -> str:
    return re.sub(r"[^a-z]+", "_", value.strip().lower()).strip("_")


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise Refused("The file is not an Excel spreadsheet (.xlsx) that can be read: save it again as "
                      ".xlsx or CSV", field="file") from None
    if "xl/workbook.xml" not in names:
        raise Refused("The file is not an Excel spreadsheet (.xlsx): save it again as .xlsx or CSV",
                      field="file")
    if unpacked > MAX_UNPACKED:
        raise Refused("The spreadsheet is too large once unpacked: split it into smaller files", field="file")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
        book.close()
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same to a person
        raise Refused("The spreadsheet could not be read: save it again as .xlsx or CSV",
                      field="file") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if b"\x00" in data:
        raise Refused("The file contains NUL characters, so it is not a CSV file: save it again as CSV UTF-8",
                      field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")     # Excel's "CSV" on Windows
        except UnicodeDecodeError:
            raise Refused("The file's characters could not be read: save it again as CSV UTF-8",
                          field="file") from None
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise Refused("The file is not a CSV file that can be read: save it again as CSV UTF-8",
                      field="file") from None


def read(filename: str, data: bytes) -> list[dict[str, str]]:
    """The rows of the file as {heading: text}, headings checked; blank rows left out."""
    if not data.strip():
        raise Refused("The file is empty", field="file")
    is_zip = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise Refused("The file must be a CSV file or an Excel spreadsheet (.xlsx)", field="file")
    headings: list[str] | None = None
    found: list[dict[str, str]] = []
    for values in rows:
        if headings is None:
            headings = [_heading(v) for v in values]
            while headings and not headings[-1]:
                headings.pop()
            _check_headings(headings)
            continue
        if not any(v.strip() for v in values):
            continue
        if len(found) == MAX_ROWS:
            raise Refused(f"The file has more than {MAX_ROWS:,} rows of views: split it into files of "
                          f"{MAX_ROWS:,} rows or fewer", field="file")
        found.append({h: (values[i] if i < len(values) else "").strip() for i, h in enumerate(headings) if h})
    if headings is None:
        raise Refused("The file is empty", field="file")
    if not found:
        raise Refused("The file has headings but no rows of views under them", field="file")
    return found


def _check_headings(headings: Sequence[str]) -> None:
    unknown = [h or "(blank)" for h in headings if h not in COLUMNS]
    if unknown:
        raise Refused(f"The file has columns the template does not: {', '.join(unknown)}. Use the "
                      "headings of the template", field="file")
    missing = [h for h in REQUIRED if h not in headings]
    if missing:
        raise Refused(f"The file is missing the columns {', '.join(missing)}. Use the headings of the "
                      "template", field="file")


# Checking the rows -------------------------------------------------------------------------

def _lookup(labels: Mapping[str, str]) -> dict[str, str]:
    """Keys and labels, any case, to keys ("A paper form", "paper form" and "paper" alike)."""
    found = {}
    for key, label in labels.items():
        for name in (key, label, re.sub(r"^(a|an) ", "", label.lower())):
            found[name.lower()] = key
    return found


_COMMUNITIES, _AREAS, _SOURCES = _lookup(COMMUNITIES), _lookup(AREAS), _lookup(SOURCES)
_GIVERS = {**_lookup(GIVERS), "partner organisation": PARTNER, "group not on the service": GROUP,
           "people at an event": EVENT}
_KINDS = _lookup(ORGANISATION_KINDS)
_AUDIENCES = {"": SHARED, "all partners": SHARED, "partners": SHARED, "leads only": LEADS, "leads": LEADS}
_YES = {"yes", "y", "true", "1", "agreed"}


def _date(raw: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


class _Row:
    """One row being checked: its cells, its number, and what is wrong with it."""

    def __init__(self, number: int, raw: Mapping[str, str]) -> None:
        self.number, self.raw, self.problems = number, raw, list[Problem]()

    def say(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str, limit: int, required: bool = False, newlines: bool = False) -> str:
        value = self.raw.get(column, "")
        plain = re.sub(r"[\r\n\t]", "", value) if newlines else value
        if required and not value:
            self.say(column, "is empty")
        elif len(value) > limit:
            self.say(column, f"must be {limit:,} characters or fewer")
        elif _CONTROL.search(plain):
            self.say(column, "contains characters that are not text")
        return value

    def listed(self, column: str, lookup: Mapping[str, str]) -> list[str]:
        names = [n.strip() for n in re.split(r"[;,]", self.raw.get(column, "")) if n.strip()]
        if not names:
            self.say(column, "is empty")
        unknown = [n for n in names if n.lower() not in lookup]
        if unknown:
            self.say(column, f"has {', '.join(repr(n) for n in unknown)}, which the service does not know")
        return list(dict.fromkeys(lookup[n.lower()] for n in names if n.lower() in lookup))

    def chosen(self, column: str, lookup: Mapping[str, Any], message: str) -> Any:
        value = lookup.get(self.raw.get(column, "").lower())
        if value is None:
            self.say(column, message)
        return value


def check(programme: Programme, found: Sequence[Mapping[str, str]]) -> Checked:
    """Every row against the rules of a recorded view; nothing is saved here."""
    checked = Checked()
    named_partners = {name.lower(): org_id for org_id, name in partners(programme)}
    today = london(utcnow()).date()
    for number, raw in enumerate(found, start=2):
        cells = _Row(number, raw)
        row: dict[str, Any] = {
            "title": cells.text("title", 200, required=True),
            "body": cells.text("view", 20_000, required=True, newlines=True),
            "given_where": cells.text("given_where", 200) or None,
            "communities": cells.listed("communities", _COMMUNITIES), "areas": cells.listed("areas", _AREAS),
            "audience": cells.chosen("audience", _AUDIENCES, "must be 'All partners' or 'Leads only'"),
            "source": cells.chosen("source", _SOURCES, "must be one of: " + "; ".join(SOURCES.values())),
            "giver": cells.chosen("giver", _GIVERS, "must be partner, group or event"),
            "organisation_id": programme.lead_interface_id, "row": number}
        given_on = _date(raw.get("given_on", ""))
        if given_on is None:
            cells.say("given_on", "must be a date like 2027-03-03 or 3/3/2027")
        elif given_on > today or given_on.year < 2000:
            cells.say("given_on", "must be today or in the past")
        row["given_on"] = given_on
        if row["giver"] == PARTNER:
            row["organisation_id"] = cells.chosen("organisation", named_partners,
                                                  "must name a partner organisation of this programme")
        if row["giver"] == GROUP:
            row["group_name"] = cells.text("group_name", 200, required=True)
            if raw.get("group_kind"):
                row["group_kind"] = cells.chosen("group_kind", _KINDS,
                                                 "is not a kind of group the service knows")
            if raw.get("group_area"):
                row["group_area"] = cells.chosen("group_area", _AREAS, "is not an area the service knows")
        if row["giver"] == EVENT:
            people = raw.get("people", "")
            if not people.isdigit() or not 1 <= int(people) <= 100_000:
                cells.say("people", "must be a whole number from 1 to 100,000")
            row["people"] = int(people) if people.isdigit() else None
        row["contact_email"] = _contact(cells, raw)
        checked.problems.extend(cells.problems)
        if not cells.problems:
            checked.rows.append(row)
    return checked


def _contact(cells: _Row, raw: Mapping[str, str]) -> str | None:
    email = raw.get("contact_email", "")
    if not email:
        return None
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        cells.say("contact_email", "is not an email address")
    if raw.get("consent", "").lower() not in _YES:
        cells.say("consent", "must be 'yes' when an email address is given: keep the address only "
                             "with consent")
    return email


# Preview, import, undo ---------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _already(programme: Programme, digest: str) -> ViewImport | None:
    return db.session.scalar(select(ViewImport).where(
        ViewImport.programme_id == programme.id, ViewImport.digest == digest, ViewImport.status == IMPORTED))


def prepare(person: User, programme: Programme, stage_id: int | None, filename: str,
            data: bytes) -> ViewImport | Checked:
    """Check the file; keep it for the preview when every row is right, else say what is wrong."""
    if not policy.can_record_view(person, programme):
        raise Refused("Only the programme's coordinators import views")
    stage = check_place(person, programme, stage_id, None, None)
    earlier = _already(programme, _digest(data))
    if earlier is not None:
        raise Refused(f"This file was already imported on {earlier.imported_at:%d %B %Y}: it would record "
                      "the same views twice", field="file")
    checked = check(programme, read(filename, data))
    if checked.problems:
        return checked
    upload = ViewImport(programme_id=programme.id, stage_id=stage.id, created_by_id=person.id,
                        filename=filename[:200], digest=_digest(data), rows=len(checked.rows), status=PREVIEW,
                        content=data)
    db.session.add(upload)
    db.session.commit()
    return upload


def preview(programme: Programme, upload: ViewImport, shown: int = 50) -> list[dict[str, Any]]:
    if upload.content is None:
        return []
    return check(programme, read(upload.filename, upload.content)).rows[:shown]


def confirm(person: User, programme: Programme, upload: ViewImport) -> int:
    """Insert every row as a recorded view, in batches, all or nothing."""
    if not policy.can_record_view(person, programme):
        raise Refused("Only the programme's coordinators import views")
    if upload.status != PREVIEW:
        raise Refused("This file has already been imported or undone")
    earlier = _already(programme, upload.digest)
    if earlier is not None:
        raise Refused(f"This file was already imported on {earlier.imported_at:%d %B %Y}")
    check_place(person, programme, upload.stage_id, None, None)
    checked = check(programme, read(upload.filename, upload.content or b""))
    if checked.problems:    # partners or the date moved on since the preview
        raise Refused(f"The file no longer passes its checks: {checked.problems[0]}. Upload it again")
    now = utcnow()
    for start in range(0, len(checked.rows), BATCH):
        insert_batch(programme, upload, person, checked.rows[start:start + BATCH], now)
    upload.status, upload.imported_at, upload.content = IMPORTED, now, None
    audit.record("views.imported", upload, actor=person, programme_id=programme.id, rows=len(checked.rows),
                 filename=upload.filename)
    try:
        db.session.commit()
    except IntegrityError:   # the same file, imported at the same moment by someone else
        db.session.rollback()
        raise Refused("This file was already imported") from None
    return len(checked.rows)


def insert_batch(programme: Programme, upload: ViewImport, person: User, rows: Sequence[Mapping[str, Any]],
                 now: datetime) -> None:
    """Three statements, whatever the batch's size: the views, their communities, their areas."""
    values = [{
        "programme_id": programme.id, "stage_id": upload.stage_id, "organisation_id": row["organisation_id"],
        "author_id": person.id, "title": row["title"], "body": row["body"], "audience": row["audience"],
        "status": RECEIVED, "created_at": now, "updated_at": now, "submitted_at": now, "version": 1,
        "source": row["source"], "given_on": row["given_on"], "given_where": row["given_where"],
        "giver": row["giver"], "group_name": row.get("group_name"), "group_kind": row.get("group_kind"),
        "group_area": row.get("group_area"), "people": row.get("people"),
        "contact_email": row["contact_email"], "contact_consent_at": now if row["contact_email"] else None,
        "import_id": upload.id, "import_row": row["row"]} for row in rows]
    table = cast(Table, Contribution.__table__)
    # Each new view is matched to its row by the row's number, not by the order rows come back in.
    made: dict[int, int] = dict(db.session.execute(
        insert(table).returning(table.c.import_row, table.c.id), values).all())
    communities = [{"contribution_id": made[row["row"]], "community": c} for row in rows
                   for c in row["communities"]]
    areas = [{"contribution_id": made[row["row"]], "area": a} for row in rows for a in row["areas"]]
    db.session.execute(insert(cast(Table, ContributionCommunity.__table__)), communities)
    db.session.execute(insert(cast(Table, ContributionArea.__table__)), areas)


def can_undo(upload: ViewImport) -> bool:
    return (upload.status == IMPORTED and upload.imported_at is not None
            and utcnow() - upload.imported_at < timedelta(hours=UNDO_HOURS))


def undo(person: User, programme: Programme, upload: ViewImport) -> int:
    """Take an import back within a day, while none of its views has an answer."""
    if not policy.can_record_view(person, programme):
        raise Refused("Only the programme's coordinators import views")
    if not can_undo(upload):
        raise Refused(f"An import can be undone only within {UNDO_HOURS} hours of importing it")
    answered = db.session.scalar(select(func.count()).select_from(Contribution).where(
        Contribution.import_id == upload.id, Contribution.status.in_(ANSWERS)))
    if answered:
        raise Refused(f"{answered} of its views already {'has' if answered == 1 else 'have'} an answer, "
                      "so the import can no longer be undone")
    removed = db.session.execute(cast(Table, Contribution.__table__).delete().where(
        Contribution.import_id == upload.id))
    upload.status, upload.undone_at = UNDONE, utcnow()
    count = getattr(removed, "rowcount", 0)
    audit.record("views.import_undone", upload, actor=person, programme_id=programme.id, rows=count)
    db.session.commit()
    return count


def imports(programme: Programme, limit: int = 20) -> Sequence[ViewImport]:
    return db.session.scalars(select(ViewImport).where(ViewImport.programme_id == programme.id,
                                                       ViewImport.status != PREVIEW)
                              .order_by(ViewImport.id.desc()).limit(limit)).all()


def template_csv() -> str:
    """The headings and one example row (the page says what goes in each column)."""
    text = CsvText()
    text.row(COLUMNS)
    text.row(["Somewhere to go in the evening", "Nowhere is open after six.",
              "People who use the services", "City of Edinburgh", "All partners", "event", "2026-11-14",
              "the Leith drop-in", "event", "", "", "", "", "14", "", ""])
    return text.take()

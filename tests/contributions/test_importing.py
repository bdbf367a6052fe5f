"""Importing a spreadsheet of recorded views: checked row by row, previewed, imported all or
nothing in batches, refused twice, undone within a day; hostile files refused with a 4xx and
nothing saved."""

import io
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from psp.audit import AuditEntry
from psp.contributions import importing
from psp.contributions.models import Contribution, ContributionCommunity, ViewImport
from psp.cycles.models import Stage
from psp.extensions import db
from psp.programmes.models import Programme
from psp.timeutil import utcnow
from tests.conftest import csrf_from
from tests.contributions.test_views import _analyse, answer

P = "/programmes/test-programme"
URL = P + "/views/import"
HEAD = ("title,view,communities,areas,audience,source,given_on,given_where,giver,organisation,group_name,"
        "people")


def _csv(*rows, head=HEAD):
    return ("\n".join([head, *rows]) + "\n").encode()


GOOD = [
    "Evening support,Nowhere is open after six.,People who use the services,City of Edinburgh,,event,"
    "2026-11-14,the Leith drop-in,event,,,14",
    "Transport home,The last bus is at six.,families-carers; residents,Midlothian,Leads only,paper,"
    "14/11/2026,,group,,Dalkeith Carers,",
    "=HYPERLINK(\"http://evil\"),Formula text stays text,staff,East Lothian,,phone,2026-11-10,,partner,"
    "Partner Charity,,",
]


def _upload(client, app, data, filename="views.csv", stage=None):
    token = csrf_from(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"csrf_token": token, "stage": stage or str(_analyse(app)),
                                  "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def _views(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.import_id.is_not(None)))


def _confirm(client, location):
    token = csrf_from(client.get(location).get_data(as_text=True))
    return client.post(location + "/confirm", data={"csrf_token": token})


def test_preview_then_import_then_refuse_the_same_file(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    response = _upload(coordinator, app, _csv(*GOOD))
    assert response.status_code == 302
    location = response.headers["Location"]
    preview = coordinator.get(location).get_data(as_text=True)
    assert "All 3 rows of views.csv passed their checks" in preview and "Dalkeith Carers" in preview
    assert _views(app) == 0                       # nothing saved before confirming
    assert _confirm(coordinator, location).status_code == 302
    assert "3 views imported" in coordinator.get(location).get_data(as_text=True)
    with app.app_context():
        rows = {c.title: c for c in db.session.scalars(select(Contribution).where(
            Contribution.import_id.is_not(None)))}
        assert rows["Evening support"].people == 14 and rows["Evening support"].audience == "partners"
        assert rows["Transport home"].audience == "leads"
        assert rows["Transport home"].group_name == "Dalkeith Carers"
        assert rows['=HYPERLINK("http://evil")'].organisation_id == world["org_id:partner"]
        assert all(c.status == "received" and c.source for c in rows.values())
        tags = db.session.scalars(select(ContributionCommunity.community).where(
            ContributionCommunity.contribution_id == rows["Transport home"].id)).all()
        assert sorted(tags) == ["families-carers", "residents"]
        upload = db.session.scalar(select(ViewImport))
        assert upload.status == "imported" and upload.content is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "views.imported"))
        assert entry.details["rows"] == 3
    # Exported, the formula is text again for a spreadsheet.
    csv = coordinator.get(P + "/views.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv
    again = _upload(coordinator, app, _csv(*GOOD))
    assert again.status_code == 400 and "This file was already imported" in again.get_data(as_text=True)
    assert _views(app) == 3


def test_every_problem_is_named_by_row_and_column_and_nothing_is_saved(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    bad = [
        ",No title,staff,Midlothian,,paper,2026-11-14,,event,,,3",
        "Wrong things,Text,pirates,Atlantis,everyone,fax,31/02/2026,,crowd,,,",
        "Future,Text,staff,Midlothian,,paper,2099-01-01,,event,,,0",
        "Not a partner,Text,staff,Midlothian,,paper,2026-11-14,,partner,Other Group,,",
        "Unnamed group,Text,staff,Midlothian,,paper,2026-11-14,,group,,,",
    ]
    response = _upload(coordinator, app, _csv(GOOD[0], *bad))
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400 and "govuk-error-summary" in page
    for message in ["Row 3, column title: is empty", "Row 4, column communities: has 'pirates'",
                    "Row 4, column areas: has 'Atlantis'", "Row 4, column audience: must be",
                    "Row 4, column source: must be one of", "Row 4, column given_on: must be a date",
                    "Row 4, column giver: must be partner, group or event",
                    "Row 5, column given_on: must be today or in the past",
                    "Row 5, column people: must be a whole number",
                    "Row 6, column organisation: must name a partner organisation of this programme",
                    "Row 7, column group_name: is empty"]:
        assert message in page, message
    assert _views(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ViewImport)) == 0


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_file_imports_like_a_csv(app, world, sign_in_as):
    from datetime import datetime

    coordinator = sign_in_as("coordinator@example.org")
    data = _xlsx([HEAD.split(","), ["From Excel", "Typed at the cafe", "staff", "Midlothian", None, "event",
                                    datetime(2026, 11, 1), "the cafe", "event", None, None, 6.0]])
    response = _upload(coordinator, app, data, filename="views.xlsx")
    assert response.status_code == 302
    assert _confirm(coordinator, response.headers["Location"]).status_code == 302
    with app.app_context():
        view = db.session.scalar(select(Contribution).where(Contribution.title == "From Excel"))
        assert (view.people, view.given_on.isoformat()) == (6, "2026-11-01")


def _bomb():
    """A small .xlsx-looking zip that unpacks to far more than the limit."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (importing.MAX_UNPACKED + 1))
    return out.getvalue()


@pytest.mark.parametrize("data, filename, message", [
    (b"", "views.csv", "The file is empty"),
    (b"\n\n", "views.csv", "The file is empty"),
    (_csv(), "views.csv", "headings but no rows"),
    (b"title,view\nA,B\n", "views.csv", "missing the columns communities, areas, source, given_on, giver"),
    (_csv(GOOD[0], head=HEAD + ",colour"), "views.csv", "columns the template does not: colour"),
    (_csv(GOOD[0]).replace(b"Evening", b"Eve\x00ning"), "views.csv", "NUL characters"),
    (b"PK\x03\x04 not really a zip", "views.xlsx", "not an Excel spreadsheet"),
    (b"just text pretending", "views.xlsx", "not an Excel spreadsheet"),
    (_bomb(), "views.xlsx", "too large once unpacked"),
    (b"%PDF-1.7", "views.pdf", "must be a CSV file or an Excel spreadsheet"),
    # Short rows, so the upload stays under the test client's in-memory limit.
    (_csv(*["a,b,staff,Midlothian,,event,2026-11-14,,event,,,1"] * (importing.MAX_ROWS + 1)), "views.csv",
     "more than 5,000 rows"),
])
def test_hostile_files_are_refused_with_a_clear_message(app, world, sign_in_as, data, filename, message):
    coordinator = sign_in_as("coordinator@example.org")
    response = _upload(coordinator, app, data, filename=filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert _views(app) == 0


def test_a_file_over_2_mb_is_refused_before_it_is_read(app, world, sign_in_as):
    """Flask refuses a body over MAX_CONTENT_LENGTH from its length: a 413 page that says why. (A
    10,000-row spreadsheet is about this size; under 2 MB it meets the 5,000-row limit instead.)"""
    coordinator = sign_in_as("coordinator@example.org")
    token = csrf_from(coordinator.get(URL).get_data(as_text=True))
    rows = _csv(*[GOOD[0]] * 30_000)
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + rows + b"\r\n--x--\r\n")
    assert len(body) > 2 * 1024 * 1024
    response = coordinator.post(URL, data=body, headers={
        "Content-Type": "multipart/form-data; boundary=x", "X-CSRFToken": token})
    assert response.status_code == 413
    assert "Files can be up to 2 MB" in response.get_data(as_text=True)
    assert _views(app) == 0


def test_a_stage_of_another_programme_is_refused(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    with app.app_context():
        other = db.session.scalar(select(Stage.id).join(Programme, Programme.id == Stage.programme_id)
                                  .where(Programme.slug == "review-programme", Stage.kind == "analyse"))
    response = _upload(coordinator, app, _csv(*GOOD), stage=str(other))
    assert response.status_code == 400
    assert "Select the current stage or an earlier one" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ViewImport)) == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_excel_writes_are_read(app, world, sign_in_as, encoding):
    coordinator = sign_in_as("coordinator@example.org")
    row = GOOD[0].replace("Evening support", "Café in the evening")
    response = _upload(coordinator, app, _csv(row).decode().encode(encoding))
    assert response.status_code == 302
    _confirm(coordinator, response.headers["Location"])
    with app.app_context():
        assert db.session.scalar(select(Contribution.title).where(Contribution.import_id.is_not(None))) == \
            "Café in the evening"


def test_undo_within_a_day_unless_a_view_is_answered(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    location = _upload(coordinator, app, _csv(*GOOD)).headers["Location"]
    _confirm(coordinator, location)
    token = csrf_from(coordinator.get(location).get_data(as_text=True))
    with app.app_context():
        first = db.session.scalar(select(Contribution.id).where(Contribution.title == "Evening support"))
    answer(sign_in_as("nhs.lead@example.org"), first)
    refused = coordinator.post(location + "/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "1 of its views already has an answer" in refused.get_data(as_text=True)
    assert _views(app) == 3
    with app.app_context():   # take the answer back off, then let the day pass
        db.session.execute(update(Contribution).where(Contribution.id == first).values(status="received"))
        db.session.commit()
    assert coordinator.post(location + "/undo", data={"csrf_token": token}).status_code == 302
    assert _views(app) == 0
    with app.app_context():
        upload = db.session.scalar(select(ViewImport))
        assert upload.status == "undone"
        db.session.execute(update(ViewImport).values(status="imported",
                                                     imported_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    late = coordinator.post(location + "/undo", data={"csrf_token": token}, follow_redirects=True)
    assert "only within 24 hours" in late.get_data(as_text=True)


def test_only_coordinators_import_and_another_programmes_import_is_not_found(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    location = _upload(coordinator, app, _csv(*GOOD)).headers["Location"]
    import_id = location.rsplit("/", 1)[1]
    lead = sign_in_as("nhs.lead@example.org")
    assert lead.get(URL).status_code == 403 and lead.get(location).status_code == 403
    assert sign_in_as("partner.member@example.org").get(location).status_code == 403
    # The same id under the review programme (where the coordinator also coordinates) is not found.
    other = f"/programmes/review-programme/views/imports/{import_id}"
    assert coordinator.get(other).status_code == 404
    token = csrf_from(coordinator.get(location).get_data(as_text=True))
    assert coordinator.post(other + "/confirm", data={"csrf_token": token}).status_code == 404
    assert _views(app) == 0


def test_a_thousand_rows_in_a_fixed_number_of_statements_a_batch(app, world, count_queries):
    from psp.auth.models import User

    rows = [GOOD[0].replace("Evening support", f"View {n}") for n in range(1000)]
    stage_id = _analyse(app)
    with app.app_context():
        programme = db.session.get(importing.Programme, world["programme_id"])
        person = db.session.get(User, world["user:coordinator"])
        checked = importing.check(programme, importing.read("v.csv", _csv(*rows)))
        assert not checked.problems and len(checked.rows) == 1000
        upload = ViewImport(programme_id=programme.id, stage_id=stage_id, filename="v.csv", digest="x",
                            rows=1000, content=b"")
        db.session.add(upload)
        db.session.flush()
        counts = []
        for size in (10, importing.BATCH):
            _, statements = count_queries(lambda size=size: importing.insert_batch(
                programme, upload, person, checked.rows[:size], utcnow()))
            counts.append(statements)
        db.session.rollback()
    assert counts == [3, 3]


def test_the_template_downloads_and_imports_as_it_is(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    template = coordinator.get(P + "/views/import-template.csv")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    response = _upload(coordinator, app, template.data)
    assert response.status_code == 302

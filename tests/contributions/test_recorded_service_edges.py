"""Refusals of the recording and import services that the pages cannot reach, because a form or
the policy check in the route comes first: each must still hold when the service is called alone."""

import io
import zipfile
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psp.auth.models import User
from psp.contributions import importing, recorded
from psp.contributions.models import ViewImport
from psp.errors import Refused
from psp.extensions import db
from psp.programmes.models import Programme
from psp.timeutil import utcnow
from tests.contributions.test_importing import GOOD, HEAD, _csv
from tests.contributions.test_views import _analyse


def _people(world):
    programme = db.session.get(Programme, world["programme_id"])
    people = [db.session.get(User, world[f"user:{kind}"]) for kind in ("coordinator", "nhs_lead")]
    return programme, *people


def _given(app, **changes):
    base = recorded.Recording(stage_id=_analyse(app), question_id=None, meeting_id=None, title="T",
                              body="B", communities=["staff"], areas=["midlothian"], audience="partners",
                              source="paper", given_on=date(2026, 3, 3), giver="group", group_name="A group")
    return replace(base, **changes)


@pytest.mark.parametrize("changes, field", [
    ({"source": "fax"}, "source"),
    ({"giver": "crowd"}, "giver"),
    ({"given_on": None}, "given_on"),
    ({"given_on": date.today() + timedelta(days=2)}, "given_on"),
    ({"group_name": ""}, "group_name"),
    ({"group_kind": "cult"}, "group_kind"),
    ({"group_area": "atlantis"}, "group_area"),
    ({"giver": "event", "people": 0}, "people"),
    ({"contact_email": "a@example.org", "consent": False}, "consent"),
    ({"giver": "partner", "organisation_id": None}, "organisation"),
])
def test_recording_refuses_what_the_form_would(app, world, changes, field):
    given = _given(app, **changes)
    with app.app_context():
        programme, coordinator, _ = _people(world)
        with pytest.raises(Refused) as refused:
            recorded.record(coordinator, programme, given)
        assert refused.value.field == field


def test_only_coordinators_record_or_import_through_the_services(app, world):
    given, stage = _given(app), _analyse(app)
    with app.app_context():
        programme, coordinator, lead = _people(world)
        with pytest.raises(Refused):
            recorded.record(lead, programme, given)
        with pytest.raises(Refused):
            importing.prepare(lead, programme, stage, "v.csv", _csv(*GOOD))
        upload = importing.prepare(coordinator, programme, stage, "v.csv", _csv(*GOOD))
        assert isinstance(upload, ViewImport)
        with pytest.raises(Refused):
            importing.confirm(lead, programme, upload)
        importing.confirm(coordinator, programme, upload)
        with pytest.raises(Refused, match="already been imported"):
            importing.confirm(coordinator, programme, upload)
        with pytest.raises(Refused):
            importing.undo(lead, programme, upload)


def test_a_second_preview_of_a_file_imported_meanwhile_is_refused(app, world):
    stage = _analyse(app)
    with app.app_context():
        programme, coordinator, _ = _people(world)
        first = importing.prepare(coordinator, programme, stage, "v.csv", _csv(*GOOD))
        second = importing.prepare(coordinator, programme, stage, "v.csv", _csv(*GOOD))
        importing.confirm(coordinator, programme, first)
        with pytest.raises(Refused, match="already imported"):
            importing.confirm(coordinator, programme, second)
        assert importing.preview(programme, first) == []        # its file is not kept after the import


def _zip(**members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return out.getvalue()


@pytest.mark.parametrize("data, filename, message", [
    (_zip(readme_txt="not a workbook"), "v.xlsx", "not an Excel spreadsheet"),
    (_zip(xl__workbook_xml="<broken"), "v.xlsx", "could not be read"),
    (_csv(GOOD[0]) + b"\x81\x8d", "v.csv", "characters could not be read"),
    (_csv("a," + "b" * 140_000), "v.csv", "not a CSV file that can be read"),
])
def test_damaged_files(app, world, data, filename, message):
    with pytest.raises(Refused, match=message):
        importing.read(filename, data.replace(b"xl/workbook_xml", b"xl/workbook.xml"))


def test_rows_too_long_or_with_control_characters_or_bad_contacts(app, world):
    head = HEAD + ",group_kind,group_area,contact_email,consent"
    rows = [
        "T" * 201 + ",B,staff,Midlothian,,paper,2026-11-14,,group,,G,,cult,atlantis,not-an-email,",
        "Bell\x07,B,staff,Midlothian,,paper,2026-11-14,,group,,G,,,,a@example.org,no",
    ]
    with app.app_context():
        programme = db.session.get(Programme, world["programme_id"])
        found = importing.read("v.csv", _csv(*rows, head=head))
        problems = [str(p) for p in importing.check(programme, found).problems]
    assert problems == [
        "Row 2, column title: must be 200 characters or fewer",
        "Row 2, column group_kind: is not a kind of group the service knows",
        "Row 2, column group_area: is not an area the service knows",
        "Row 2, column contact_email: is not an email address",
        "Row 2, column consent: must be 'yes' when an email address is given: keep the address only with "
        "consent",
        "Row 3, column title: contains characters that are not text",
        "Row 3, column consent: must be 'yes' when an email address is given: keep the address only with "
        "consent",
    ]


def test_an_import_whose_rows_no_longer_pass_is_refused_at_confirming(app, world):
    """Between the preview and the confirmation the partner named in a row stopped being one."""
    from psp.programmes.models import Participation

    row, stage = GOOD[2], _analyse(app)
    with app.app_context():
        programme, coordinator, _ = _people(world)
        upload = importing.prepare(coordinator, programme, stage, "v.csv", _csv(row))
        db.session.execute(Participation.__table__.update().where(
            Participation.organisation_id == world["org_id:partner"]).values(status="declined"))
        db.session.commit()
        with pytest.raises(Refused, match="no longer passes its checks"):
            importing.confirm(coordinator, programme, upload)
        assert db.session.scalar(select(ViewImport.status)) == "preview"


def test_undo_after_a_day_is_refused_by_the_service(app, world):
    stage = _analyse(app)
    with app.app_context():
        programme, coordinator, _ = _people(world)
        upload = importing.prepare(coordinator, programme, stage, "v.csv", _csv(*GOOD))
        importing.confirm(coordinator, programme, upload)
        upload.imported_at = utcnow() - timedelta(hours=24, minutes=1)
        db.session.commit()
        with pytest.raises(Refused, match="within 24 hours"):
            importing.undo(coordinator, programme, upload)


def test_previews_never_imported_are_deleted_after_a_day(app, world, runner):
    stage = _analyse(app)
    with app.app_context():
        programme, coordinator, _ = _people(world)
        old = importing.prepare(coordinator, programme, stage, "old.csv", _csv(GOOD[0]))
        new = importing.prepare(coordinator, programme, stage, "new.csv", _csv(GOOD[1]))
        old.created_at = utcnow() - timedelta(days=1, minutes=1)
        db.session.commit()
        ids = (old.id, new.id)
    assert runner.invoke(args=["psp", "forget-contacts"]).exit_code == 0
    with app.app_context():
        assert db.session.scalars(select(ViewImport.id).where(ViewImport.id.in_(ids))).all() == [ids[1]]

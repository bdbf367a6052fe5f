"""People's data rights: the export covers every table that refers to a person; erasure leaves
no personal field behind and keeps what the organisation gave."""

import json
from datetime import timedelta

from sqlalchemy import String, Text, func, select

from psp.audit import AuditEntry
from psp.auth import privacy
from psp.auth.models import User
from psp.contributions.models import Contribution
from psp.extensions import db
from psp.meetings.models import Booking, Meeting
from psp.organisations.models import Membership
from psp.timeutil import utcnow
from tests.conftest import csrf_from, wait_for
from tests.factories import PASSWORD


def test_the_export_names_every_column_that_refers_to_a_person(app):
    """Fails when a model gains a user reference that the export (and erasure) do not know about."""
    with app.app_context():
        references = {(table.name, column.name) for table in db.metadata.sorted_tables
                      for column in table.columns for fk in column.foreign_keys
                      if fk.column.table.name == "users"}
    covered = {(table, column) for table, columns in privacy.EXPORT.items() for column in columns}
    assert references == covered


def test_a_person_downloads_everything_held_about_them(app, world, sign_in_as):
    client = sign_in_as("partner.member@example.org")
    response = client.get("/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "partner.member@example.org"
    assert "password_hash" not in data["account"]
    assert {row["organisation_id"] for row in data["memberships"]} == {world["org_id:partner"]}
    assert [row["meeting_id"] for row in data["bookings"]] == [world["meeting_partners"]]
    assert len(data["contributions"]) == 4 and len(data["user_sessions"]) == 1
    assert "id" not in data["user_sessions"][0]   # the session secret's hash is not information
    assert any(row["action"] == "auth.signed_in" for row in data["audit_entries"]) or data["audit_entries"]
    assert set(privacy.EXPORT) <= set(data)
    # Nobody else's account is in it.
    assert "coordinator@example.org" not in json.dumps(data["account"])


def _delete(client, password=PASSWORD):
    token = csrf_from(client.get("/account/delete").get_data(as_text=True))
    return client.post("/account/delete", data={"csrf_token": token, "password": password})


def _everything_as_text(app):
    """Every string and JSON value in every table, to look for what should be gone."""
    with app.app_context():
        found = []
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if isinstance(c.type, String | Text) or "JSON" in repr(c.type)]
            for row in db.session.execute(select(*columns)) if columns else []:
                found.extend(str(value) for value in row if value is not None)
        return "\n".join(found)


def test_erasure_leaves_no_personal_field_and_keeps_the_organisations_views(app, world, sign_in_as,
                                                                             smtp_server):
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting_partners"])
        meeting.capacity = 1
        waiting = User(email="waiting@example.org", name="Wendy Waiting", password_hash="x",
                       email_confirmed_at=utcnow())
        db.session.add(waiting)
        db.session.flush()
        db.session.add(Booking(meeting_id=meeting.id, user_id=waiting.id, status="waiting",
                               requested_at=utcnow() + timedelta(seconds=1)))
        booking = db.session.scalar(select(Booking).where(Booking.user_id == world["user:partner_member"]))
        booking.access_needs, booking.access_other = "bsl", "I lip-read too"
        db.session.commit()
    member = sign_in_as("partner.member@example.org")
    member.get("/account")   # an audit entry and a session to erase
    assert _delete(member, "wrong password").status_code == 400
    response = _delete(member)
    assert response.status_code == 302 and response.headers["Location"] == "/"

    everything = _everything_as_text(app)
    for detail in ("partner.member@example.org", "Partner.Member", "I lip-read too"):
        assert detail not in everything, detail
    with app.app_context():
        person = db.session.get(User, world["user:partner_member"])
        assert person.name == "Former member" and person.disabled_at is not None
        assert person.email.endswith("@erased.invalid") and person.email_confirmed_at is None
        assert db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.user_id == person.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.organisation_id == world["org_id:partner"])) == 4
        erased = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.erased"))
        assert erased.target_id == person.id and "example.org" not in json.dumps(erased.details)
        assert erased.ip_address is None
        before = db.session.scalars(select(AuditEntry).where(AuditEntry.actor_id == person.id,
                                                             AuditEntry.action != "account.erased")).all()
        assert before and all(e.ip_address is None and e.details == {"erased": True} for e in before)
        promoted = db.session.scalar(select(Booking).where(Booking.user_id != person.id,
                                                           Booking.meeting_id == world["meeting_partners"]))
        assert promoted.status == "booked"
    assert wait_for(lambda: smtp_server.to("waiting@example.org"))
    # The old browser session is dead and the address no longer signs in.
    assert member.get("/account").status_code == 302
    lead_view = sign_in_as("coordinator@example.org").get(f"/views/{world['view_shared']}")
    assert "Former member" in lead_view.get_data(as_text=True)


def test_the_last_admin_cannot_leave_an_organisation_without_one(app, world, sign_in_as):
    admin = sign_in_as("organisation.admin@example.org")
    assert "You are the only admin of Partner Charity" in admin.get("/account/delete").get_data(as_text=True)
    response = _delete(admin)
    assert response.status_code == 400
    assert "Make someone else an admin of Partner Charity first" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["user:organisation_admin"]).name != "Former member"

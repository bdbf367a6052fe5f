"""Site admins read the audit log, filtered by person and record."""

from sqlalchemy import select

from psp.audit import AuditEntry
from psp.extensions import db


def test_audit_log_filters_by_person_and_record(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    coordinator.forms.post("/organisations/pending-project/verify", {})
    admin = sign_in_as("site.admin@example.org")
    everything = admin.get("/admin/audit-log").get_data(as_text=True)
    assert "organisation.verified" in everything and "sign_in.succeeded" in everything
    mine = admin.get("/admin/audit-log?person=COORDINATOR@example.org").get_data(as_text=True)
    assert "organisation.verified" in mine and "site.admin@example.org" not in mine
    record = admin.get(f"/admin/audit-log?record_type=Organisation&record_id={world['org_id:pending']}")
    assert "organisation.verified" in record.get_data(as_text=True)
    other = admin.get(f"/admin/audit-log?record_type=Organisation&record_id={world['org_id:partner']}")
    assert "organisation.verified" not in other.get_data(as_text=True)
    assert admin.get("/admin/audit-log?record_id=abc&before=\x00&person=%00").status_code == 200


def test_audit_log_pages_by_id(app, world, sign_in_as, count_queries):
    with app.app_context():
        db.session.add_all([AuditEntry(action=f"test.entry.{n:03d}", details={}) for n in range(120)])
        db.session.commit()
    admin = sign_in_as("site.admin@example.org")
    with app.app_context():
        newest_ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id.desc())).all()
    first = admin.get("/admin/audit-log").get_data(as_text=True)
    assert "test.entry.119" in first and "test.entry.069" not in first  # 1 sign-in entry is newest
    assert f"before={newest_ids[49]}" in first.replace("&amp;", "&")
    second = admin.get(f"/admin/audit-log?before={newest_ids[49]}").get_data(as_text=True)
    assert "test.entry.070" in second and "test.entry.071" not in second
    _, near = count_queries(lambda: admin.get("/admin/audit-log"))
    _, deep = count_queries(lambda: admin.get(f"/admin/audit-log?before={newest_ids[100]}"))
    assert near == deep

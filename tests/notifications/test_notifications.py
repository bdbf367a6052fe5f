"""Notifications: each kind through a real SMTP server, preferences, digests (two at once too), the centre."""

import re
import threading

import pytest
from sqlalchemy import func, select

from psp import mail
from psp.auth.models import User
from psp.contributions.models import Contribution
from psp.cycles.models import Stage
from psp.extensions import db
from psp.mail import OutboxMessage
from psp.meetings.models import Meeting
from psp.notifications.models import Notification, NotificationPreference
from psp.notifications.services import notify, send_digests
from psp.organisations.models import Organisation
from psp.programmes.models import Participation, Programme
from tests.conftest import csrf_from


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def _verify(world):
    from psp.organisations.services import verify

    verify(
        _user("coordinator@example.org"),
        db.session.scalar(select(Organisation).where(Organisation.slug == world["org:pending"])),
    )
    return "pending.member@example.org", "Pending Project is verified"


def _admit(world):
    from psp.programmes.services import decide

    decide(
        _user("coordinator@example.org"), db.session.get(Participation, world["participation_request"]), True
    )
    return "bystander@example.org", "Asking Association and Test programme"


def _cancel_meeting(world):
    from psp.meetings.services import cancel_meeting

    meeting = db.session.get(Meeting, world["meeting_partners"])
    cancel_meeting(
        _user("coordinator@example.org"),
        db.session.get(Programme, world["programme_id"]),
        meeting,
        "The room flooded.",
    )
    return "partner.member@example.org", "Cancelled: Partners' workshop"


def _answer_view(world):
    from psp.contributions.services import answer

    view = db.session.get(Contribution, world["view_shared"])
    answer(
        _user("nhs.lead@example.org"),
        db.session.get(Programme, world["programme_id"]),
        view,
        view.version,
        "already_in_place",
        "It runs already.",
    )
    return "organisation.admin@example.org", "Your view has an answer: Shared and waiting"


def _submit_stage(world):
    from psp.cycles.services import submit

    stage = db.session.scalar(
        select(Stage).where(Stage.programme_id == world["programme_id"], Stage.kind == "analyse")
    )
    submit(
        _user("coordinator@example.org"),
        db.session.get(Programme, world["programme_id"]),
        stage,
        stage.version,
        "All done.",
    )
    return "nhs.lead@example.org", "Analyse stage of Test programme is ready for your review"


def _post_update(world):
    from psp.updates.services import post

    post(
        _user("coordinator@example.org"),
        db.session.get(Programme, world["programme_id"]),
        "Plan opens",
        "Soon.",
        "partners",
    )
    return "partner.member@example.org", "Test programme: Plan opens"


EVENTS = {
    "organisations": _verify,
    "partnerships": _admit,
    "meetings": _cancel_meeting,
    "views": _answer_view,
    "stages": _submit_stage,
    "updates": _post_update,
}


@pytest.mark.parametrize("kind", list(EVENTS))
def test_each_kind_is_noted_and_emailed_at_once_by_default(app, world, smtp_server, kind):
    with app.app_context():
        recipient, subject = EVENTS[kind](world)
        mail.send_pending()
        person = _user(recipient)
        note = db.session.scalar(
            select(Notification).where(Notification.user_id == person.id, Notification.kind == kind)
        )
        assert note is not None and note.title == subject and note.read_at is None
        assert note.url.startswith("/") and note.digest == "none"
    assert subject in [m["Subject"] for m in smtp_server.to(recipient)]


@pytest.mark.parametrize("kind", list(EVENTS))
def test_a_digest_sends_each_item_once_and_in_the_app_only_sends_nothing(
    app, world, smtp_server, runner, kind
):
    with app.app_context():
        for email in (
            "pending.member@example.org",
            "bystander@example.org",
            "partner.member@example.org",
            "organisation.admin@example.org",
            "nhs.lead@example.org",
        ):
            db.session.add(NotificationPreference(user_id=_user(email).id, kind=kind, delivery="digest"))
        db.session.add(
            NotificationPreference(user_id=_user("coordinator@example.org").id, kind=kind, delivery="app")
        )
        db.session.commit()
        recipient, subject = EVENTS[kind](world)
        mail.send_pending()
    assert subject not in [m["Subject"] for m in smtp_server.to(recipient)]
    result = runner.invoke(args=["psp", "send-digests"])
    assert result.exit_code == 0, result.output
    digests = [m for m in smtp_server.to(recipient) if m["Subject"].startswith("Your daily digest")]
    assert len(digests) == 1 and subject in smtp_server.body(digests[0])
    runner.invoke(args=["psp", "send-digests"])
    assert len([m for m in smtp_server.to(recipient) if m["Subject"].startswith("Your daily digest")]) == 1
    assert smtp_server.to("coordinator@example.org") == []


def test_a_notification_belongs_to_the_transaction_of_its_event(app, world):
    with app.app_context():
        notify(
            [_user("partner.member@example.org")],
            "updates",
            "Never happened",
            "mail/digest.txt",
            person=None,
            items=[],
        )
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_two_digest_senders_at_once_send_every_item_exactly_once(app, world):
    with app.app_context():
        people = [
            User(email=f"digest{n}@example.org", name=f"Digest {n}", password_hash="x") for n in range(12)
        ]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all(
            [
                Notification(
                    user_id=p.id, kind="updates", title=f"Item {p.id}-{k}", url="/", digest="pending"
                )
                for p in people
                for k in range(5)
            ]
        )
        db.session.commit()
        ids = [p.id for p in people]
    start, counts = threading.Barrier(2), []

    def sender():
        with app.app_context():
            start.wait()
            counts.append(send_digests())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 12, counts
    with app.app_context():
        bodies = {}
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.like("Your daily%"))
        ):
            assert message.recipient not in bodies, "two digests for one person"
            bodies[message.recipient] = message.body
        assert len(bodies) == 12
        for user_id in ids:
            body = bodies[f"digest{user_id - ids[0]}@example.org"]
            assert all(len(re.findall(rf"- Item {user_id}-{k}\n", body)) == 1 for k in range(5)), body
        assert (
            db.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.digest == "pending")
            )
            == 0
        )


def test_the_centre_counts_unread_and_marks_them_read(app, world, sign_in_as):
    with app.app_context():
        _post_update(world)
    partner = sign_in_as("partner.member@example.org")
    html = partner.get("/").get_data(as_text=True)
    assert 'Notifications <strong class="govuk-tag govuk-tag--blue app-count">1<span' in html
    page = partner.get("/notifications").get_data(as_text=True)
    assert "Test programme: Plan opens" in page and "New</strong>" in page
    token = csrf_from(page)
    assert partner.post("/notifications/read", data={"csrf_token": token}).status_code == 302
    assert "app-count" not in partner.get("/").get_data(as_text=True)


def test_preferences_are_saved_and_bad_values_refused(app, world, sign_in_as):
    partner = sign_in_as("partner.member@example.org")
    token = csrf_from(partner.get("/notifications/preferences").get_data(as_text=True))
    bad = partner.post(
        "/notifications/preferences",
        data={"csrf_token": token, "updates": "carrier-pigeon", "views": "digest"},
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert (
        "govuk-error-summary" in html and "Select how to tell you when: a programme you take part in" in html
    )
    assert 'value="digest" checked' in html
    good = partner.post(
        "/notifications/preferences", data={"csrf_token": token, "updates": "app", "views": "digest"}
    )
    assert good.status_code == 302
    with app.app_context():
        saved = dict(
            db.session.execute(
                select(NotificationPreference.kind, NotificationPreference.delivery).where(
                    NotificationPreference.user_id == world["user:partner_member"]
                )
            ).all()
        )
    assert saved["updates"] == "app" and saved["views"] == "digest" and saved["meetings"] == "immediate"

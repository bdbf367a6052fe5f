"""Meetings through the routes: scheduling, booking, the waiting list, calendars, reminders."""

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlalchemy import select

from psp.audit import AuditEntry
from psp.extensions import db
from psp.meetings import services
from psp.meetings.models import Booking, Meeting
from psp.timeutil import utcnow
from tests.conftest import wait_for

P = "/programmes/test-programme"


def ahead(days=30):
    day = date.today() + timedelta(days=days)
    return [str(day.day), str(day.month), str(day.year)]


def meeting_form(**changes):
    data = {
        "title": "Design workshop",
        "agenda": "- Welcome\n- **Plan** together",
        "stage": "",
        "day": ahead(),
        "start": "2pm",
        "end": "4:30pm",
        "venue": "Leith Community Centre",
        "access_info": "Step-free; hearing loop",
        "online_link": "",
        "capacity": "",
        "deadline": ["", "", ""],
        "audience": "partners",
    }
    data.update(changes)
    return data


def schedule(client, **changes):
    response = client.forms.post(P + "/meetings/new", meeting_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def book(client, meeting_id, **data):
    return client.forms.post(f"/meetings/{meeting_id}/book", data, page=f"/meetings/{meeting_id}")


def statuses(app, meeting_id):
    with app.app_context():
        rows = db.session.execute(
            select(Booking.user_id, Booking.status)
            .where(Booking.meeting_id == meeting_id)
            .order_by(Booking.requested_at, Booking.id)
        ).all()
        return [tuple(r) for r in rows]


def test_coordinator_schedules_a_meeting_in_london_time(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    meeting_id = schedule(
        coordinator, day=["28", "3", "2027"], start="14:00", end="15:30", deadline=["27", "3", "2027"]
    )
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        # 28 March 2027 is the day the clocks go forward: 2pm BST is 1pm UTC.
        assert (meeting.starts_at, meeting.ends_at) == (
            datetime(2027, 3, 28, 13, 0),
            datetime(2027, 3, 28, 14, 30),
        )
        assert meeting.booking_deadline == datetime(2027, 3, 27, 23, 59)  # GMT that evening
        logged = db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_type == "Meeting"))
        assert logged == "meeting.scheduled"
    page = coordinator.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "28 March 2027 at 2pm to 3:30pm" in page
    assert "<strong>Plan</strong>" in page


def test_winter_times_are_gmt(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    meeting_id = schedule(coordinator, day=["10", "12", "2027"], start="9.30am", end="11am")
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).starts_at == datetime(2027, 12, 10, 9, 30)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": ""}, "Enter a title"),
        ({"day": ["", "", ""]}, "Enter the date of the meeting"),
        ({"day": ["30", "2", "2027"]}, "Date must be a real date"),
        ({"start": ""}, "Enter the start time"),
        ({"start": "25:00"}, "Enter the start time like 14:30 or 2:30pm"),
        ({"start": "14"}, "Enter the start time like 14:30 or 2:30pm"),
        ({"end": "1pm"}, "The end time must be after the start time"),
        ({"venue": "", "online_link": ""}, "Enter a venue, an online link, or both"),
        ({"online_link": "javascript:alert(1)"}, "starting https://"),
        ({"capacity": "twenty"}, "Number of places must be a whole number"),
        ({"capacity": "0"}, "Number of places must be between 1 and 10,000"),
        ({"capacity": "99999999999999999999999"}, "Number of places must be between 1 and 10,000"),
        ({"audience": "everyone"}, "Not a valid choice"),
        ({"audience": None}, "Select who can come"),
        ({"stage": "999999"}, "Not a valid choice"),
        ({"deadline": ahead(40)}, "Booking must close on or before the day of the meeting"),
        ({"day": ["28", "3", "2027"], "start": "1:30am", "end": "3am"}, "the clocks go forward"),
        ({"day": ["1", "1", "2020"]}, "The meeting must start in the future"),
        ({"title": "x\x00y"}, "Remove the invisible control characters"),
    ],
)
def test_schedule_form_refuses_bad_input_and_keeps_it(app, world, sign_in_as, changes, message):
    coordinator = sign_in_as("coordinator@example.org")
    data = meeting_form(**changes)
    data = {k: v for k, v in data.items() if v is not None}
    response = coordinator.forms.post(P + "/meetings/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert 'value="Leith Community Centre"' in html or changes.get("venue") == ""
    with app.app_context():
        assert (
            db.session.scalar(
                select(Meeting.id).where(Meeting.title != "Open forum", Meeting.title != "Partners' workshop")
            )
            is None
        )


def test_waiting_list_and_promotion(app, world, sign_in_as, make_user, smtp_server):
    from tests.factories import PASSWORD

    coordinator = sign_in_as("coordinator@example.org")
    meeting_id = schedule(
        coordinator, capacity="2", audience="public", online_link="https://meet.example.org/a"
    )
    people = [make_user(email=f"guest{n}@example.org", password=PASSWORD) for n in range(4)]
    clients = [sign_in_as(p.email) for p in people]
    assert book(clients[0], meeting_id, access_needs=["bsl", "step-free"]).status_code == 302
    assert book(clients[1], meeting_id).status_code == 302
    third = book(clients[2], meeting_id)
    assert third.status_code == 302
    assert "number 1 on the waiting list" in clients[2].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    book(clients[3], meeting_id)
    assert [s for _, s in statuses(app, meeting_id)] == ["booked", "booked", "waiting", "waiting"]
    again = book(clients[0], meeting_id)
    assert again.status_code == 409 and "already booked" in again.get_data(as_text=True)

    # the link is for confirmed places only
    assert "meet.example.org/a" in clients[0].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "meet.example.org/a" not in clients[2].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "meet.example.org/a" not in app.test_client().get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "meet.example.org/a" not in clients[2].get(f"/meetings/{meeting_id}.ics").get_data(as_text=True)

    smtp_server.clear()
    cancel = clients[0].forms.post(
        f"/meetings/{meeting_id}/cancel-booking", {}, page=f"/meetings/{meeting_id}"
    )
    assert cancel.status_code == 302
    assert [s for _, s in statuses(app, meeting_id)] == ["cancelled", "booked", "booked", "waiting"]
    assert wait_for(lambda: smtp_server.to("guest2@example.org"))
    promoted = smtp_server.to("guest2@example.org")[-1]
    assert "A place is yours" in promoted["Subject"]
    attachment = next(part for part in promoted.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert "meet.example.org/a" in clients[2].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "number 1 on the waiting list" in clients[3].get(f"/meetings/{meeting_id}").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("booking.%")).order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "booking.booked",
        "booking.booked",
        "booking.waiting",
        "booking.waiting",
        "booking.cancelled",
        "booking.promoted",
    ]

    bookings_page = coordinator.get(f"/meetings/{meeting_id}/bookings").get_data(as_text=True)
    assert "British Sign Language interpreter" not in bookings_page  # guest0 cancelled
    csv = coordinator.get(f"/meetings/{meeting_id}/bookings.csv")
    assert csv.mimetype == "text/csv" and "guest3@example.org" in csv.get_data(as_text=True)


def test_access_needs_are_for_coordinators_only(app, world, sign_in_as):
    partner = sign_in_as("organisation.admin@example.org")
    meeting = world["meeting_public"]
    assert book(partner, meeting, access_needs=["other"], access_other="").status_code == 400
    assert (
        book(
            partner, meeting, access_needs=["hearing-loop", "other"], access_other='=HYPERLINK("http://evil")'
        ).status_code
        == 302
    )
    coordinator = sign_in_as("coordinator@example.org")
    assert "Hearing loop" in coordinator.get(f"/meetings/{meeting}/bookings").get_data(as_text=True)
    csv = coordinator.get(f"/meetings/{meeting}/bookings.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv
    assert sign_in_as("nhs.lead@example.org").get(f"/meetings/{meeting}/bookings").status_code == 403
    assert "HYPERLINK" not in sign_in_as("partner.member@example.org").get(f"/meetings/{meeting}").get_data(
        as_text=True
    )


def test_no_booking_after_the_deadline_or_for_a_past_or_cancelled_meeting(app, world, sign_in_as):
    partner = sign_in_as("organisation.admin@example.org")
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting_public"])
        meeting.booking_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    closed = book(partner, world["meeting_public"])
    assert closed.status_code == 409 and "Booking for this meeting has closed." in closed.get_data(
        as_text=True
    )
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting_public"])
        meeting.booking_deadline = None
        meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        db.session.commit()
    assert book(partner, world["meeting_public"]).status_code == 409
    coordinator = sign_in_as("coordinator@example.org")
    url = f"/meetings/{world['meeting_partners']}/cancel"
    assert coordinator.forms.post(url, {"reason": ""}).status_code == 400
    assert coordinator.forms.post(url, {"reason": "The venue flooded."}).status_code == 302
    gone = book(partner, world["meeting_partners"])
    assert gone.status_code == 409 and "This meeting was cancelled." in gone.get_data(as_text=True)
    assert statuses(app, world["meeting_public"]) == []


def test_partners_only_meetings_are_hidden_from_others(app, world, sign_in_as):
    secret = world["meeting_partners"]
    for email, sees in [
        (None, False),
        ("other.member@example.org", False),
        ("no.organisation@example.org", False),
        ("partner.member@example.org", True),
        ("nhs.lead@example.org", True),
    ]:
        client = sign_in_as(email) if email else app.test_client()
        assert (client.get(f"/meetings/{secret}").status_code == 200) is sees
        for page in ("/", P, P + "/meetings", P + "/meetings.ics"):
            assert (
                "Partners" in client.get(page).get_data(as_text=True)
                and "workshop" in client.get(page).get_data(as_text=True)
            ) is sees, (email, page)
    refused = sign_in_as("other.member@example.org")
    assert refused.forms.post(f"/meetings/{secret}/book", {}, page="/account").status_code == 404


def test_edit_and_cancel_email_everyone_booked(app, world, sign_in_as, smtp_server):
    coordinator = sign_in_as("coordinator@example.org")
    meeting = world["meeting_partners"]
    smtp_server.clear()
    response = coordinator.forms.post(
        f"/meetings/{meeting}/edit",
        meeting_form(
            title="Partners' workshop (moved)", online_link="https://meet.example.org/secret-room", venue=""
        ),
    )
    assert response.status_code == 302
    assert wait_for(lambda: smtp_server.to("partner.member@example.org"))
    changed = smtp_server.to("partner.member@example.org")[-1]
    assert changed["Subject"].startswith("Changed:")
    ics = next(changed.iter_attachments()).get_content()
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]).startswith(f"meeting-{meeting}@")
    smtp_server.clear()
    assert (
        coordinator.forms.post(f"/meetings/{meeting}/cancel", {"reason": "Speaker ill."}).status_code == 302
    )
    assert wait_for(lambda: smtp_server.to("partner.member@example.org"))
    cancelled = smtp_server.to("partner.member@example.org")[-1]
    assert "Speaker ill." in smtp_server.body(cancelled)
    event = Calendar.from_ical(next(cancelled.iter_attachments()).get_content()).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert coordinator.get(f"/meetings/{meeting}/edit").status_code == 409


def test_capacity_cannot_drop_below_places_booked(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    for email in ("partner.member@example.org", "organisation.admin@example.org"):
        book(sign_in_as(email), world["meeting_public"])
    response = coordinator.forms.post(
        f"/meetings/{world['meeting_public']}/edit", meeting_form(capacity="1", audience="public")
    )
    assert response.status_code == 400
    assert "2 places are booked" in response.get_data(as_text=True)


def test_calendar_files(app, world, sign_in_as):
    single = app.test_client().get(f"/meetings/{world['meeting_public']}.ics")
    assert single.mimetype == "text/calendar"
    calendar = Calendar.from_ical(single.data)
    event = calendar.walk("VEVENT")[0]
    assert (
        str(event["UID"]) == f"meeting-{world['meeting_public']}@{urlsplit(app.config['BASE_URL']).hostname}"
    )
    assert event["DTSTART"].dt.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/London"
    assert calendar.walk("VTIMEZONE")
    feed = Calendar.from_ical(app.test_client().get(P + "/meetings.ics").data)
    assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Open forum (Test programme)"]
    partner_feed = Calendar.from_ical(sign_in_as("partner.member@example.org").get(P + "/meetings.ics").data)
    assert len(partner_feed.walk("VEVENT")) == 2
    assert "secret-room" not in app.test_client().get(P + "/meetings.ics").get_data(as_text=True)


def test_reminders_once_per_meeting_and_person(app, world, runner, smtp_server):
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting_partners"])
        meeting.starts_at = utcnow() + timedelta(hours=20)
        meeting.ends_at = meeting.starts_at + timedelta(hours=1)
        db.session.commit()
    smtp_server.clear()
    result = runner.invoke(args=["psp", "send-reminders"])
    assert "Reminders queued 1" in result.output, result.output
    assert wait_for(lambda: smtp_server.to("partner.member@example.org"))
    assert smtp_server.to("partner.member@example.org")[-1]["Subject"].startswith("Reminder:")
    assert "Reminders queued 0" in runner.invoke(args=["psp", "send-reminders"]).output
    with app.app_context():
        assert services.send_reminders() == 0


def test_attendance_and_minutes(app, world, sign_in_as):
    coordinator = sign_in_as("coordinator@example.org")
    meeting = world["meeting_partners"]
    early = coordinator.forms.post(f"/meetings/{meeting}/attendance", {"attended": []})
    assert early.status_code == 409
    with app.app_context():
        row = db.session.get(Meeting, meeting)
        row.starts_at, row.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
        booking_id = db.session.scalar(select(Booking.id).where(Booking.meeting_id == meeting))
        db.session.commit()
    assert (
        coordinator.forms.post(f"/meetings/{meeting}/attendance", {"attended": ["999999"]}).status_code == 400
    )
    assert (
        coordinator.forms.post(f"/meetings/{meeting}/attendance", {"attended": [str(booking_id)]}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Booking, booking_id).attended is True
    assert coordinator.forms.post(f"/meetings/{meeting}/minutes", {"minutes": "", "deadline": ahead(3)}
                                  ).status_code == 400
    assert (
        coordinator.forms.post(
            f"/meetings/{meeting}/minutes",
            {"minutes": "## Actions\n\n- Partner Charity to map services\n\n<script>x</script>",
             "deadline": ahead(3)},
        ).status_code
        == 302
    )
    publish = coordinator.forms.post(f"/meetings/{meeting}/minutes/publish", {},
                                     page=f"/meetings/{meeting}/minutes")
    assert publish.status_code == 302
    page = sign_in_as("partner.member@example.org").get(f"/meetings/{meeting}").get_data(as_text=True)
    assert "Partner Charity to map services" in page and "<script>x" not in page
    assert "Past meetings" in app.test_client().get(P + "/meetings").get_data(as_text=True)
    past = sign_in_as("partner.member@example.org").get(P + "/meetings?when=past").get_data(as_text=True)
    assert "Partners&#39; workshop" in past


def test_meeting_pages_run_the_same_queries_at_any_number_of_bookings(
    app, world, sign_in_as, count_queries, make_user
):
    from sqlalchemy import insert

    from psp.auth.models import User

    partner = sign_in_as("partner.member@example.org")
    coordinator = sign_in_as("coordinator@example.org")
    pages = [
        (partner, f"/meetings/{world['meeting_partners']}"),
        (coordinator, f"/meetings/{world['meeting_partners']}"),
        (coordinator, P + "/meetings"),
        (coordinator, f"/meetings/{world['meeting_partners']}/bookings"),
        (partner, "/"),
        (partner, P),
    ]

    def measure():
        found = []
        for client, path in pages:
            response, queries = count_queries(lambda: client.get(path))  # noqa: B023
            assert response.status_code == 200
            found.append(queries)
        return found

    small = measure()
    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"crowd{n}@example.org",
                    "name": f"Crowd {n}",
                    "password_hash": "x",
                    "created_at": utcnow(),
                    "is_site_admin": False,
                    "session_version": 1,
                }
                for n in range(500)
            ],
        )
        ids = db.session.scalars(select(User.id).where(User.email.like("crowd%"))).all()
        db.session.execute(
            insert(Booking),
            [
                {
                    "meeting_id": world["meeting_partners"],
                    "user_id": i,
                    "status": "booked" if n % 2 else "waiting",
                    "access_needs": "",
                    "access_other": "",
                    "requested_at": utcnow(),
                }
                for n, i in enumerate(ids)
            ],
        )
        db.session.commit()
    assert measure() == small


# Every booking of a programme in one spreadsheet -----------------------------------------

def _csv_rows(response):
    import csv
    import io

    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _user_id(email):
    from psp.auth.models import User

    return db.session.scalar(select(User.id).where(User.email == email))


def test_every_booking_of_a_programme_in_one_csv(app, world, sign_in_as):
    from psp.programmes.models import Programme
    from psp.timeutil import london

    with app.app_context():
        forum = db.session.get(Meeting, world["meeting_public"])
        start = utcnow()
        db.session.add_all([
            Booking(meeting_id=forum.id, user_id=_user_id("organisation.admin@example.org"), status="booked",
                    organisation_id=db.session.scalar(select(Booking.organisation_id).where(
                        Booking.meeting_id == world["meeting_partners"])),
                    access_needs="bsl,other", access_other='=HYPERLINK("http://evil")', attended=True,
                    requested_at=start),
            Booking(meeting_id=forum.id, user_id=_user_id("no.organisation@example.org"), status="waiting",
                    requested_at=start + timedelta(minutes=2)),
            Booking(meeting_id=forum.id, user_id=_user_id("other.member@example.org"), status="waiting",
                    requested_at=start + timedelta(minutes=1)),
            Booking(meeting_id=forum.id, user_id=_user_id("pending.member@example.org"), status="cancelled",
                    requested_at=start - timedelta(minutes=1), cancelled_at=start),
        ])
        elsewhere = Meeting(programme_id=db.session.scalar(select(Programme.id).where(
            Programme.slug == "review-programme")), title="Another programme's meeting",
            starts_at=forum.starts_at, ends_at=forum.ends_at, venue="Elsewhere")
        db.session.add(elsewhere)
        db.session.flush()
        db.session.add(Booking(meeting_id=elsewhere.id, user_id=_user_id("bystander@example.org"),
                               status="booked"))
        workshop = db.session.get(Meeting, world["meeting_partners"])
        workshop.status = "cancelled"
        forum_starts = london(forum.starts_at).strftime("%Y-%m-%d %H:%M")
        workshop_starts = london(workshop.starts_at).strftime("%Y-%m-%d %H:%M")
        db.session.commit()

    coordinator = sign_in_as("coordinator@example.org")
    listing = coordinator.get(P + "/meetings").get_data(as_text=True)
    assert (f'<a class="govuk-link" href="{P}/meetings/bookings.csv">Download every booking of every meeting '
            'as a spreadsheet (CSV)</a>') in listing
    response = coordinator.get(P + "/meetings/bookings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-programme-bookings.csv"'
    rows = _csv_rows(response)
    assert rows[0] == ["Meeting", "Starts (UK time)", "Venue", "Meeting cancelled", "Status", "Position",
                       "Name", "Email", "Organisation", "Access needs", "Other access needs", "Attended",
                       "Booked at (UTC)"]
    forum_row = ["Open forum", forum_starts, "Testshire Hall", "No"]
    assert [row[:12] for row in rows[1:]] == [
        [*forum_row, "Booked", "", "Organisation.Admin", "organisation.admin@example.org", "Partner Charity",
         "British Sign Language interpreter; Other", "'=HYPERLINK(\"http://evil\")", "Yes"],
        [*forum_row, "Waiting", "1", "Other.Member", "other.member@example.org", "", "", "", ""],
        [*forum_row, "Waiting", "2", "No.Organisation", "no.organisation@example.org", "", "", "", ""],
        [*forum_row, "Cancelled", "", "Pending.Member", "pending.member@example.org", "", "", "", ""],
        ["Partners' workshop", workshop_starts, "Online", "Yes", "Booked", "", "Partner.Member",
         "partner.member@example.org", "Partner Charity", "", "", ""],
    ]
    assert all(len(row[12]) == 19 for row in rows[1:])   # 2026-01-31 14:05:00


def test_only_the_programmes_coordinators_download_every_booking(app, world, sign_in_as, make_user):
    from psp.programmes.models import Programme, ProgrammeRole

    path = P + "/meetings/bookings.csv"
    visitor = app.test_client().get(path)
    assert visitor.status_code == 302 and visitor.headers["Location"].startswith("/sign-in")
    for email in ("partner.member@example.org", "organisation.admin@example.org", "other.member@example.org",
                  "nhs.lead@example.org"):
        assert sign_in_as(email).get(path).status_code == 403, email
    elsewhere = make_user(email="elsewhere.coordinator@example.org", factor=True)
    with app.app_context():
        db.session.add(ProgrammeRole(programme_id=db.session.scalar(select(Programme.id).where(
            Programme.slug == "review-programme")), user_id=elsewhere.id, role="coordinator"))
        db.session.commit()
    other_coordinator = sign_in_as("elsewhere.coordinator@example.org")
    assert other_coordinator.get(path).status_code == 403
    assert "bookings.csv" not in other_coordinator.get(P + "/meetings").get_data(as_text=True)
    assert sign_in_as("coordinator@example.org").get(path).status_code == 200


def test_every_booking_csv_runs_the_same_queries_at_any_size(app, world, sign_in_as, count_queries):
    from sqlalchemy import insert

    from psp.auth.models import User

    coordinator = sign_in_as("coordinator@example.org")

    def measure():
        # buffered: the streamed body is read, and its queries counted, inside the measurement
        response, queries = count_queries(
            lambda: coordinator.get(P + "/meetings/bookings.csv", buffered=True))
        assert response.status_code == 200
        return len(_csv_rows(response)), queries

    small_rows, small = measure()
    with app.app_context():
        first = db.session.get(Meeting, world["meeting_public"])
        meetings = [Meeting(programme_id=first.programme_id, title=f"Meeting {n}",
                            starts_at=first.starts_at + timedelta(days=n),
                            ends_at=first.ends_at + timedelta(days=n)) for n in range(30)]
        db.session.add_all(meetings)
        db.session.execute(insert(User), [
            {"email": f"crowd{n}@example.org", "name": f"Crowd {n}", "password_hash": "x",
             "created_at": utcnow(), "is_site_admin": False, "session_version": 1} for n in range(40)])
        ids = db.session.scalars(select(User.id).where(User.email.like("crowd%"))).all()
        db.session.flush()
        db.session.execute(insert(Booking), [
            {"meeting_id": m.id, "user_id": i, "status": ("booked", "waiting", "cancelled")[n % 3],
             "access_needs": "", "access_other": "", "requested_at": utcnow()}
            for m in meetings for n, i in enumerate(ids)])
        db.session.commit()
    large_rows, large = measure()
    assert (small_rows, large_rows) == (2, 2 + 30 * 40) and small == large

"""Meetings in Chromium: schedule, book, fill up, wait-list, cancel, promotion; axe on each page."""

from datetime import timedelta

from playwright.sync_api import expect

from psp.timeutil import london, utcnow
from tests.browser.test_partnership_journeys import signed_in_page
from tests.conftest import wait_for


def _error_summary(page, *messages):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)


def _fill_date(page, legend, day):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_schedule_book_wait_cancel_and_promote(live_server, browser, world, smtp_server, axe_scan):
    day = london(utcnow() + timedelta(days=21)).date()

    # The coordinator schedules a meeting with one place; errors first.
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + "/programmes/test-programme/meetings")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Upcoming meetings")
    axe_scan(coordinator, "upcoming meetings, coordinator")
    coordinator.get_by_role("link", name="Schedule a meeting").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Schedule a meeting")
    axe_scan(coordinator, "schedule a meeting")
    coordinator.get_by_label("Start time").fill("25:00")
    coordinator.get_by_label("Number of places (optional)").fill("lots")
    coordinator.get_by_role("button", name="Save meeting").click()
    _error_summary(coordinator, "Enter a title", "Enter the date of the meeting",
                   "Enter the start time like 14:30 or 2:30pm", "Enter the end time",
                   "Enter a venue, an online link, or both",
                   "Number of places must be a whole number, like 20", "Select who can come")
    expect(coordinator.get_by_label("Start time")).to_have_value("25:00")
    axe_scan(coordinator, "schedule a meeting with errors")

    coordinator.get_by_label("Title").fill("Design workshop")
    coordinator.get_by_label("Agenda (optional)").fill("- Welcome\n- **Discharge** planning")
    _fill_date(coordinator, "Date", day)
    coordinator.get_by_label("Start time").fill("2pm")
    coordinator.get_by_label("End time").fill("16:00")
    coordinator.get_by_label("Venue (optional if online)").fill("Community Hall, 1 High Street")
    coordinator.get_by_label("Online link (optional if there is a venue)").fill(
        "https://meet.example.org/design-room")
    coordinator.get_by_label("Number of places (optional)").fill("1")
    coordinator.get_by_label("Partners of the programme only").check()
    coordinator.get_by_role("button", name="Save meeting").click()
    expect(coordinator.get_by_text("Design workshop is scheduled.")).to_be_visible()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Design workshop")
    expect(coordinator.get_by_text(f"{day.day} {day:%B %Y} at 2pm to 4pm (UK time)")).to_be_visible()
    expect(coordinator.locator(".app-markdown strong")).to_have_text("Discharge")
    axe_scan(coordinator, "meeting page, coordinator")
    meeting_url = coordinator.url

    # A partner member books the only place, noting an access need.
    member = signed_in_page(browser, live_server, "partner.member@example.org")
    member.goto(meeting_url)
    expect(member.get_by_text("The link is shown here to people with a confirmed place.")).to_be_visible()
    expect(member.get_by_role("link", name="https://meet.example.org/design-room")).to_have_count(0)
    axe_scan(member, "meeting page, partner before booking")
    member.get_by_role("checkbox", name="Other").check()
    member.get_by_role("button", name="Book a place").click()
    _error_summary(member, "Tell us about the other access needs")
    expect(member.get_by_role("checkbox", name="Other")).to_be_checked()
    axe_scan(member, "meeting page, booking with errors")
    member.get_by_label("Step-free access").check()
    member.get_by_role("checkbox", name="Other").uncheck()
    member.get_by_role("button", name="Book a place").click()
    expect(member.get_by_text("Your place is booked.")).to_be_visible()
    expect(member.get_by_role("link", name="https://meet.example.org/design-room")).to_be_visible()
    expect(member.get_by_text("0 of 1 free")).to_be_visible()
    axe_scan(member, "meeting page, booked")
    assert wait_for(lambda: smtp_server.to("partner.member@example.org"))
    confirmation = smtp_server.to("partner.member@example.org")[-1]
    assert "Design workshop" in confirmation["Subject"]
    assert any(part.get_content_type() == "text/calendar" for part in confirmation.walk())

    # The meeting is full: the organisation admin joins the waiting list and is told their place.
    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(meeting_url)
    expect(admin.locator("h1 .govuk-tag", has_text="Full")).to_be_visible()
    admin.get_by_role("button", name="Join the waiting list").click()
    expect(admin.get_by_text("The meeting is full. You are number 1 on the waiting list")).to_be_visible()
    expect(admin.get_by_text("You are number 1 on the waiting list. If a place becomes free")).to_be_visible()
    expect(admin.get_by_role("link", name="https://meet.example.org/design-room")).to_have_count(0)
    axe_scan(admin, "meeting page, waiting")

    # The coordinator sees both, with the access need.
    coordinator.reload()
    coordinator.get_by_role("link", name="Bookings and waiting list").click()
    expect(coordinator.get_by_role("heading", name="Booked (1 of 1)")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Waiting list (1)")).to_be_visible()
    expect(coordinator.get_by_role("cell", name="Step-free access")).to_be_visible()
    axe_scan(coordinator, "bookings and waiting list")

    # The booked member cancels; the first on the waiting list gets the place and an email.
    member.get_by_role("button", name="Cancel your place").click()
    expect(member.get_by_text("Your booking is cancelled.")).to_be_visible()
    expect(member.get_by_role("button", name="Join the waiting list")).to_be_visible()
    axe_scan(member, "meeting page, after cancelling")

    admin.reload()
    expect(admin.get_by_text("You have a place.")).to_be_visible()
    expect(admin.get_by_role("link", name="https://meet.example.org/design-room")).to_be_visible()
    axe_scan(admin, "meeting page, promoted")
    assert wait_for(lambda: smtp_server.to("organisation.admin@example.org"))
    promoted = smtp_server.to("organisation.admin@example.org")[-1]
    assert promoted["Subject"] == "A place is yours: Design workshop"

    coordinator.reload()
    expect(coordinator.get_by_role("heading", name="Booked (1 of 1)")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Waiting list (0)")).to_be_visible()
    expect(coordinator.get_by_role("cell", name="Organisation.Admin")).to_be_visible()

    # Changing the meeting; then cancelling it with a reason, errors first.
    coordinator.goto(meeting_url)
    coordinator.get_by_role("link", name="Change the meeting").click()
    expect(coordinator.get_by_label("Start time")).to_have_value("14:00")
    axe_scan(coordinator, "change the meeting")
    coordinator.get_by_label("End time").fill("13:00")
    coordinator.get_by_role("button", name="Save meeting").click()
    _error_summary(coordinator, "The end time must be after the start time")
    coordinator.get_by_label("End time").fill("16:30")
    coordinator.get_by_role("button", name="Save meeting").click()
    expect(coordinator.get_by_text("The meeting is changed.")).to_be_visible()

    coordinator.get_by_role("link", name="Cancel the meeting").click()
    axe_scan(coordinator, "cancel the meeting")
    coordinator.get_by_role("button", name="Cancel meeting").click()
    _error_summary(coordinator, "Enter the reason for cancelling")
    axe_scan(coordinator, "cancel the meeting with errors")
    coordinator.get_by_label("Reason for cancelling").fill("The hall is closed for repairs.")
    coordinator.get_by_role("button", name="Cancel meeting").click()
    expect(coordinator.get_by_text("This meeting is cancelled.")).to_be_visible()
    axe_scan(coordinator, "meeting page, cancelled")

    admin.reload()
    expect(admin.get_by_text("The hall is closed for repairs.")).to_be_visible()
    expect(admin.get_by_role("button", name="Cancel your place")).to_have_count(0)
    assert wait_for(lambda: any(m["Subject"] == "Cancelled: Design workshop"
                                for m in smtp_server.to("organisation.admin@example.org")))


def test_past_meeting_attendance_and_minutes(live_server, browser, world, app, axe_scan):
    from psp.extensions import db
    from psp.meetings.models import Meeting

    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting_partners"])
        meeting.starts_at = utcnow().replace(microsecond=0) - timedelta(days=1)
        meeting.ends_at = meeting.starts_at + timedelta(hours=2)
        db.session.commit()

    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(f"{live_server.url}/meetings/{world['meeting_partners']}/attendance")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Record attendance")
    axe_scan(coordinator, "record attendance")
    coordinator.get_by_label("Partner.Member, Partner Charity").check()
    coordinator.get_by_role("button", name="Save attendance").click()
    expect(coordinator.get_by_text("Attendance saved.")).to_be_visible()
    expect(coordinator.get_by_role("cell", name="Yes", exact=True)).to_be_visible()

    coordinator.goto(f"{live_server.url}/meetings/{world['meeting_partners']}/minutes")
    axe_scan(coordinator, "write draft minutes")
    coordinator.get_by_role("button", name="Send draft minutes to attendees").click()
    _error_summary(coordinator, "Enter the minutes", "Enter the date by which attendees agree the minutes")
    axe_scan(coordinator, "write draft minutes with errors")
    draft = coordinator.get_by_label("Draft minutes and actions")
    draft.fill("## Agreed\n\n- Partner Charity to map services")
    _fill_date(coordinator, "Attendees agree or suggest corrections by the end of",
               london(utcnow() + timedelta(days=7)).date())
    coordinator.get_by_role("button", name="Send draft minutes to attendees").click()
    expect(coordinator.get_by_text("The draft minutes are sent to everyone who came.")).to_be_visible()
    coordinator.goto(f"{live_server.url}/meetings/{world['meeting_partners']}/minutes")
    coordinator.get_by_role("button", name="Publish agreed minutes").click()
    expect(coordinator.get_by_text("The agreed minutes are published on the meeting page.")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Agreed")).to_be_visible()
    axe_scan(coordinator, "meeting page with minutes")

    coordinator.goto(f"{live_server.url}/programmes/test-programme/meetings?when=past")
    expect(coordinator.get_by_role("link", name="Partners' workshop")).to_be_visible()
    axe_scan(coordinator, "past meetings")

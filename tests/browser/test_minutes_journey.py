"""Minutes agreed in Chromium: the coordinator writes and sends draft minutes (errors first), two
attendees agree and one suggests a correction, the coordinator accepts it, edits the text and
publishes; the next meeting shows matters arising. Axe on every page state, at desktop width and
at 320 px."""

from datetime import timedelta

from playwright.sync_api import expect

from psp.timeutil import london, utcnow
from tests.browser.conftest import scan_both_widths
from tests.browser.test_meeting_journey import _error_summary, _fill_date
from tests.browser.test_partnership_journeys import signed_in_page
from tests.meetings.minutes_helpers import minuted_meeting

DEADLINE = "Attendees agree or suggest corrections by the end of"



def test_draft_agreed_corrected_published_and_arising_next_time(live_server, browser, world, app, axe_scan):
    with app.app_context():
        meeting_id, _ = minuted_meeting(world.ids, title="Monthly partners' meeting", state="none",
                                        attended=("partner_member", "organisation_admin"), correction=False)
    url = f"{live_server.url}/meetings/{meeting_id}"

    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(url)
    coordinator.get_by_role("link", name="Write and send draft minutes").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Write draft minutes")
    scan_both_widths(coordinator, axe_scan, "write draft minutes")
    coordinator.get_by_label("Draft minutes and actions").fill("## Decisions\n\n- We met on Monday")
    _fill_date(coordinator, DEADLINE, london(utcnow()).date())   # today: not in the future
    coordinator.get_by_role("button", name="Send draft minutes to attendees").click()
    _error_summary(coordinator, "The deadline for agreeing must be in the future")
    kept = coordinator.get_by_label("Draft minutes and actions")
    expect(kept).to_have_value("## Decisions\n\n- We met on Monday")
    scan_both_widths(coordinator, axe_scan, "draft minutes with an error")
    _fill_date(coordinator, DEADLINE, london(utcnow() + timedelta(days=7)).date())
    coordinator.get_by_role("button", name="Send draft minutes to attendees").click()
    expect(coordinator.get_by_text("The draft minutes are sent to everyone who came.")).to_be_visible()

    member = signed_in_page(browser, live_server, "partner.member@example.org")
    member.goto(url)
    expect(member.get_by_text("Draft for agreement")).to_be_visible()
    scan_both_widths(member, axe_scan, "draft minutes for an attendee")
    member.get_by_role("button", name="I agree these minutes").click()
    expect(member.get_by_text("You agreed the draft minutes. Thank you.")).to_be_visible()
    expect(member.get_by_text("You agreed these minutes.")).to_be_visible()

    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(url)
    admin.get_by_role("link", name="Suggest a correction").click()
    admin.get_by_role("button", name="Suggest correction").click()
    _error_summary(admin, "Enter your correction")
    scan_both_widths(admin, axe_scan, "suggest a correction with an error")
    admin.get_by_label("Your correction").fill("We met on Tuesday, not Monday.")
    admin.get_by_role("button", name="Suggest correction").click()
    expect(admin.get_by_text("Your correction is sent to the coordinators")).to_be_visible()
    admin.get_by_role("button", name="I agree these minutes").click()
    expect(admin.get_by_text("2 of 2 attendees agreed so far.")).to_be_visible()
    scan_both_widths(admin, axe_scan, "draft minutes with a correction waiting")

    coordinator.goto(url + "/minutes")
    coordinator.get_by_role("button", name="Publish agreed minutes").click()
    _error_summary(coordinator, "1 suggested correction is waiting for a decision")
    scan_both_widths(coordinator, axe_scan, "publishing refused while a correction waits")
    coordinator.get_by_role("link", name="Decide the correction from Organisation.Admin").click()
    coordinator.get_by_role("button", name="Save decision").click()
    _error_summary(coordinator, "Select whether you accept or decline the correction")
    scan_both_widths(coordinator, axe_scan, "decide a correction with an error")
    coordinator.get_by_label("Accept it: I will change the draft to match").check()
    coordinator.get_by_role("button", name="Save decision").click()
    expect(coordinator.get_by_text("The correction is accepted: change the draft to match.")).to_be_visible()
    coordinator.get_by_label("Draft minutes and actions").fill("## Decisions\n\n- We met on Tuesday")
    coordinator.get_by_role("button", name="Save changes to the draft").click()
    expect(coordinator.get_by_text("The draft minutes are changed")).to_be_visible()
    coordinator.goto(url + "/minutes")
    coordinator.get_by_role("button", name="Publish agreed minutes").click()
    expect(coordinator.get_by_text("The agreed minutes are published on the meeting page.")).to_be_visible()
    expect(coordinator.get_by_text("Agreed by 2 of 2 attendees.")).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Corrections made")).to_be_visible()
    expect(coordinator.get_by_text("We met on Tuesday, not Monday.")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "agreed minutes")

    # The next meeting of the programme starts from them.
    member.goto(f"{live_server.url}/meetings/{world['meeting_partners']}")
    expect(member.get_by_role("heading", name="Matters arising")).to_be_visible()
    expect(member.get_by_role("link", name="Monthly partners' meeting")).to_be_visible()
    expect(member.get_by_role("cell", name="Map services")).to_be_visible()
    scan_both_widths(member, axe_scan, "matters arising")

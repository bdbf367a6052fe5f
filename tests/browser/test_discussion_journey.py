"""Discussions in Chromium: a partner starts one (an error first, the text kept), another replies
quoting and mentioning, the coordinator is told of a report, hides the message with a reason, its
author is told, and the coordinator closes the discussion with a summary. Axe on every page state,
at desktop width and at 320 px."""

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_meeting_journey import _error_summary
from tests.browser.test_partnership_journeys import signed_in_page

TITLE = "Waiting times at the day centre"


def test_start_reply_mention_report_hide_tell_and_close(live_server, browser, world, axe_scan):
    programme = f"{live_server.url}/programmes/test-programme"

    member = signed_in_page(browser, live_server, "partner.member@example.org")
    member.goto(programme)
    scan_both_widths(member, axe_scan, "programme page with discussions")
    member.get_by_role("link", name="All discussions").click()
    scan_both_widths(member, axe_scan, "discussions list")
    member.get_by_role("link", name="Start a discussion").click()
    member.get_by_label("Title").fill(TITLE)
    member.get_by_role("button", name="Start the discussion").click()
    _error_summary(member, "Enter your message")
    expect(member.get_by_label("Title")).to_have_value(TITLE)
    scan_both_widths(member, axe_scan, "start a discussion with an error")
    member.get_by_label("Message").fill("People wait **two hours** for a lift home. Is it the same for you?")
    member.get_by_role("button", name="Start the discussion").click()
    expect(member.get_by_text("Your discussion is started.")).to_be_visible()
    expect(member.get_by_role("heading", level=1)).to_have_text(TITLE)

    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(member.url)
    admin.get_by_role("link", name="Reply message 1").click()
    expect(admin.get_by_text("You are replying to message #1")).to_be_visible()
    scan_both_widths(admin, axe_scan, "reply quoting a message")
    admin.get_by_label("Your reply").fill("Yes, and the coordinator's number 07700 900123 is wrong.")
    admin.get_by_label("Partner Charity").check()   # mention the organisation
    admin.get_by_role("button", name="Post reply").click()
    expect(admin.get_by_text("Your reply is posted.")).to_be_visible()
    expect(admin.get_by_text("Mentions: @Partner Charity")).to_be_visible()
    expect(admin.get_by_text("In reply to")).to_be_visible()
    scan_both_widths(admin, axe_scan, "discussion with a quoted reply")

    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.goto(member.url)
    lead.get_by_role("link", name="Report message 2").click()
    lead.get_by_role("button", name="Report the message").click()
    _error_summary(lead, "Enter why you are reporting it")
    scan_both_widths(lead, axe_scan, "report with an error")
    lead.get_by_label("Why should the coordinators").fill("It gives out a phone number")
    lead.get_by_role("button", name="Report the message").click()
    expect(lead.get_by_text("The coordinators will look at the message.")).to_be_visible()

    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(f"{live_server.url}/notifications")
    expect(coordinator.get_by_text(f"A message is reported: {TITLE}")).to_be_visible()
    coordinator.goto(f"{programme}/discussions/reports")
    expect(coordinator.get_by_text("It gives out a phone number")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "reported messages")
    coordinator.get_by_role("link", name=f"Hide message 2 in {TITLE}").click()
    scan_both_widths(coordinator, axe_scan, "hide a message")
    coordinator.get_by_label("Reason, shown in place of the message").fill("It gave out a phone number")
    coordinator.get_by_role("button", name="Hide the message").click()
    expect(coordinator.get_by_text("Hidden by the coordinator: It gave out a phone number")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "discussion with a hidden message, as coordinator")

    admin.goto(f"{live_server.url}/notifications")
    expect(admin.get_by_text(f"Your message is hidden: {TITLE}")).to_be_visible()
    admin.goto(member.url)
    expect(admin.get_by_text("Hidden by the coordinator: It gave out a phone number")).to_be_visible()
    expect(admin.get_by_text("07700 900123")).to_have_count(0)

    coordinator.goto(member.url)
    coordinator.get_by_role("link", name="Close the discussion").click()
    coordinator.get_by_role("button", name="Close the discussion").click()
    _error_summary(coordinator, "Enter a closing summary")
    scan_both_widths(coordinator, axe_scan, "close with an error")
    coordinator.get_by_label("Closing summary").fill("Transport will be on the next workshop's agenda.")
    coordinator.get_by_role("button", name="Close the discussion").click()
    expect(coordinator.get_by_text("The discussion is closed to new replies.")).to_be_visible()

    member.goto(member.url)
    expect(member.get_by_text("Transport will be on the next workshop's agenda.")).to_be_visible()
    expect(member.get_by_role("button", name="Post reply")).to_have_count(0)
    scan_both_widths(member, axe_scan, "closed discussion")

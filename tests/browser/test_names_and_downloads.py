"""Accessible names that read naturally, the feed explained and the coordinators' spreadsheets, in Chromium.

Visually hidden text gets a space before and after it (GOV.UK Frontend), so the names below are
what a screen reader says; each page with a new link is scanned with axe at desktop width and 320 px.
"""

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page

P = "/programmes/test-programme"



def test_link_names_read_naturally(live_server, browser, world, axe_scan):
    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(live_server.url + P)
    expect(partner.get_by_role("link", name="Answer the question “What gets in the way?”", exact=True)
           ).to_be_visible()
    expect(partner.get_by_role("link", name="Follow updates in a feed reader (Atom feed)", exact=True)
           ).to_be_visible()
    expect(partner.get_by_text("A feed reader is an app that shows you new posts")).to_be_visible()
    scan_both_widths(partner, axe_scan, "programme page, partner")

    partner.goto(f"{live_server.url}/meetings/{world['meeting_partners']}")
    calendar = "Add to your calendar the meeting “Partners' workshop” (.ics file)"
    expect(partner.get_by_role("link", name=calendar, exact=True)).to_be_visible()

    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(live_server.url + "/organisations/partner-charity/members")
    expect(admin.get_by_role("button", name="Make admin Partner.Member", exact=True)).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + P + "/updates")
    expect(visitor.get_by_role("link", name="Follow updates in a feed reader (Atom feed)", exact=True)
           ).to_be_visible()
    scan_both_widths(visitor, axe_scan, "updates, visitor")


def test_coordinator_downloads_bookings_and_reach_tables(live_server, browser, world, axe_scan):
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + P + "/meetings")
    scan_both_widths(coordinator, axe_scan, "upcoming meetings, coordinator")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="Download every booking of every meeting as a spreadsheet (CSV)",
                                exact=True).click()
    assert download.value.suggested_filename == "test-programme-bookings.csv"
    with open(download.value.path(), encoding="utf-8") as saved:
        assert "partner.member@example.org" in saved.read()

    coordinator.goto(live_server.url + P + "/reach")
    for name in ("organisations by area", "organisations by kind", "views by community"):
        expect(coordinator.get_by_role(
            "link", name=f"Download this table of {name} as a spreadsheet (CSV)", exact=True)).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "reach report")
    coordinator.get_by_label("Show").select_option(label="Analyse, cycle 1")
    coordinator.get_by_role("button", name="Show reach").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Reach: Analyse, cycle 1")
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name="Download this table of organisations by kind as a spreadsheet "
                                "(CSV)", exact=True).click()
    assert download.value.suggested_filename == "test-programme-reach-cycle-1-analyse-kinds.csv"
    with open(download.value.path(), encoding="utf-8") as saved:
        assert "Charity or SCIO,0,0,1,1,No" in saved.read()   # its booking is not for this stage

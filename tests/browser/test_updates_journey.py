"""Programme updates in Chromium: post one (errors first), read it, the feed link; axe on each page."""

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page

P = "/programmes/test-programme"


def test_post_an_update_and_read_it(live_server, browser, world, axe_scan):
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + P)
    coordinator.get_by_role("link", name="Post an update").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Post an update")
    axe_scan(coordinator, "post an update")
    coordinator.get_by_label("Title").fill("Plan is open")
    coordinator.get_by_role("button", name="Post update").click()
    summary = coordinator.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the update")
    expect(summary).to_contain_text("Select who can read it")
    expect(coordinator.get_by_label("Title")).to_have_value("Plan is open")
    axe_scan(coordinator, "post an update with errors")
    coordinator.get_by_label("Update", exact=True).fill("We are planning.\n\n- costs\n- dates")
    coordinator.get_by_label("Partners of the programme only").check()
    coordinator.get_by_role("button", name="Post update").click()
    expect(coordinator.get_by_text("Your update “Plan is open” is posted.")).to_be_visible()
    expect(coordinator.get_by_role("listitem").filter(has_text="costs")).to_be_visible()
    axe_scan(coordinator, "update page")

    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(live_server.url + P)
    partner.get_by_role("link", name="Plan is open").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Plan is open")
    partner.get_by_role("link", name="Updates from Test programme").click()
    expect(partner.get_by_role("link", name="Follow updates in a feed reader (Atom feed)")).to_be_visible()
    expect(partner.get_by_role("link", name="News for partners")).to_be_visible()
    axe_scan(partner, "updates, partner")

    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + P + "/updates")
    expect(visitor.get_by_role("link", name="News for everyone")).to_be_visible()
    expect(visitor.get_by_text("Plan is open")).to_have_count(0)
    expect(visitor.get_by_text("News for partners")).to_have_count(0)
    axe_scan(visitor, "updates, visitor")

"""Notification centre, preferences and the reach report in Chromium; axe on each page."""

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page

P = "/programmes/test-programme"


def test_preferences_centre_and_reach(live_server, browser, world, axe_scan):
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + P + "/updates/new")
    coordinator.get_by_label("Title").fill("Workshop dates")
    coordinator.get_by_label("Update", exact=True).fill("Two workshops in March.")
    coordinator.get_by_label("Everyone, including the public").check()
    coordinator.get_by_role("button", name="Post update").click()
    expect(coordinator.get_by_text("Your update “Workshop dates” is posted.")).to_be_visible()

    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    navigation = partner.get_by_role("navigation", name="Menu")
    expect(navigation.get_by_role("link", name="Notifications 1 unread")).to_be_visible()
    navigation.get_by_role("link", name="Notifications 1 unread").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(partner.get_by_role("link", name="Test programme: Workshop dates")).to_be_visible()
    axe_scan(partner, "notification centre")
    partner.get_by_role("button", name="Mark all as read").click()
    expect(partner.get_by_text("All notifications are marked as read.")).to_be_visible()
    expect(navigation.get_by_role("link", name="Notifications", exact=True)).to_be_visible()

    partner.get_by_role("link", name="Choose how we tell you").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("How we tell you")
    axe_scan(partner, "notification preferences")
    partner.get_by_role("group", name="A programme you take part in posts an update").get_by_label(
        "Email me a daily digest").check()
    partner.get_by_role("button", name="Save preferences").click()
    expect(partner.get_by_text("Your notification preferences are saved.")).to_be_visible()
    expect(partner.get_by_role("group", name="A programme you take part in posts an update").get_by_label(
        "Email me a daily digest")).to_be_checked()

    coordinator.goto(live_server.url + P)
    coordinator.get_by_role("link", name="Reach: who has taken part, and the gaps").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Reach")
    expect(coordinator.get_by_role("img", name="Organisations that took part, by area")).to_be_visible()
    axe_scan(coordinator, "reach report")
    coordinator.get_by_label("Show").select_option(label="Plan, cycle 1")
    coordinator.get_by_role("button", name="Show reach").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Reach: Plan, cycle 1")
    axe_scan(coordinator, "reach report for a stage")

"""A newcomer registers an organisation and asks for it to take part at once; the coordinator
verifies and admits it in one decision; the newcomer sees it is a partner. In Chromium, with an
axe scan of each page state at desktop width and at 320 CSS px (and no sideways scrolling there)."""

import re

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page
from tests.factories import PASSWORD

PROGRAMME = "/programmes/test-programme"
DESKTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}


def scan_both_widths(page, axe_scan, label):
    """Axe at desktop width and at 320 CSS px, where nothing may need scrolling sideways."""
    page.wait_for_load_state("load")  # styles applied: axe measures targets and contrast
    page.set_viewport_size(DESKTOP)
    axe_scan(page, label)
    page.set_viewport_size(NARROW)
    axe_scan(page, label + " at 320px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"{label}: {width}px wide at 320px"
    page.set_viewport_size(DESKTOP)


def test_newcomer_asks_at_once_and_coordinator_verifies_and_admits(live_server, browser, world, make_user,
                                                                    smtp_server, axe_scan):
    make_user(email="newcomer@example.org", name="Fiona Baird", password=PASSWORD)

    # A person with no organisation is given a next step on the programme page.
    newcomer = signed_in_page(browser, live_server, "newcomer@example.org")
    newcomer.goto(live_server.url + PROGRAMME)
    expect(newcomer.get_by_role("link", name="Register your organisation")).to_be_visible()
    scan_both_widths(newcomer, axe_scan, "programme page, no organisation yet")

    # They register one: it waits to be verified.
    newcomer.get_by_role("link", name="Register your organisation").click()
    newcomer.get_by_label("Name of the organisation").fill("Musselburgh Men's Shed")
    newcomer.get_by_label("Voluntary group").check()
    newcomer.get_by_label("East Lothian").check()
    newcomer.get_by_label("Describe what the organisation does").fill(
        "A workshop where men meet, make things and look out for each other's mental health.")
    newcomer.get_by_role("button", name="Register organisation").click()
    expect(newcomer.get_by_text("Waiting to be verified")).to_be_visible()

    # And ask for it to take part straight away.
    newcomer.goto(live_server.url + PROGRAMME)
    newcomer.get_by_role("link", name="Ask for your organisation to take part").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Ask for your organisation to take part")
    expect(newcomer.get_by_text("Waiting to be verified. It can ask now")).to_be_visible()
    expect(newcomer.get_by_role("heading", name="What happens next")).to_be_visible()
    scan_both_widths(newcomer, axe_scan, "take part, pending organisation")
    newcomer.get_by_role("button", name="Ask to take part").click()
    summary = newcomer.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select an organisation")
    expect(newcomer).to_have_title(re.compile(r"^Error: "))
    scan_both_widths(newcomer, axe_scan, "take part with errors")
    summary.get_by_role("link", name="Select an organisation").click()
    expect(newcomer.get_by_label("Musselburgh Men's Shed")).to_be_focused()
    newcomer.get_by_label("Musselburgh Men's Shed").check()
    newcomer.get_by_role("button", name="Ask to take part").click()

    # The confirmation says what happens next, and where the organisation stands.
    expect(newcomer.locator(".govuk-notification-banner--success")).to_contain_text(
        "Musselburgh Men's Shed has asked to take part. The coordinators will decide")
    expect(newcomer.get_by_text("Waiting to be verified: the coordinators will check it is real")
           ).to_be_visible()
    expect(newcomer.get_by_role("link", name="register it")).to_be_visible()
    scan_both_widths(newcomer, axe_scan, "take part, asked")
    assert "waiting to be verified" in smtp_server.body(smtp_server.to("coordinator@example.org")[-1])

    # The coordinator sees the request and what verification needs, together.
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + PROGRAMME)
    coordinator.get_by_role("link", name="Requests to take part").click()
    card = coordinator.locator(".govuk-summary-card").filter(has_text="Musselburgh Men's Shed")
    expect(card.get_by_text("Waiting to be verified")).to_be_visible()
    expect(card.get_by_text("East Lothian")).to_be_visible()
    expect(card.get_by_text("A workshop where men meet")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "requests with a pending organisation")

    # Rejecting needs a reason; the error is shown where it belongs.
    coordinator.get_by_role("button", name="Reject Musselburgh Men's Shed").click()
    summary = coordinator.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the reason for rejecting the organisation")
    scan_both_widths(coordinator, axe_scan, "requests, reject with errors")
    summary.get_by_role("link", name="Enter the reason for rejecting the organisation").click()
    expect(coordinator.get_by_label("Reason for rejecting Musselburgh Men's Shed")).to_be_focused()

    # One decision: verified and admitted.
    coordinator.get_by_role("button", name="Verify and admit Musselburgh Men's Shed").click()
    expect(coordinator.get_by_text("Musselburgh Men's Shed is verified and now a partner.")).to_be_visible()
    expect(coordinator.get_by_role("button", name="Verify and admit Musselburgh Men's Shed")).to_have_count(0)
    scan_both_widths(coordinator, axe_scan, "requests after verify and admit")
    body = smtp_server.body(smtp_server.to("newcomer@example.org")[-1])
    assert "is verified on PSP Co-design and is now a partner in Test programme" in body

    # The newcomer sees they are a partner.
    newcomer.goto(live_server.url + PROGRAMME)
    expect(newcomer.get_by_role("link", name="Give a view", exact=True)).to_be_visible()
    newcomer.get_by_role("link", name="Ask for your organisation to take part").click()
    expect(newcomer.get_by_text("A partner in this programme.")).to_be_visible()
    scan_both_widths(newcomer, axe_scan, "take part, now a partner")
    newcomer.get_by_role("link", name="Musselburgh Men's Shed").click()
    expect(newcomer.get_by_role("link", name="Test programme")).to_be_visible()
    expect(newcomer.get_by_text("Waiting to be verified")).to_have_count(0)

"""Changing an email address in Chromium: the form (an error first), the check-your-email page,
the link's confirmation page, then signing in with the new address. Axe at desktop and 320 px."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page


def test_change_email_address(live_server, browser, make_user, smtp_server, axe_scan):
    make_user(email="before@example.org", name="Isla Munro")
    page = signed_in_page(browser, live_server, "before@example.org")
    page.goto(live_server.url + "/account")
    page.get_by_role("link", name="Change email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your email address")
    page.get_by_label("New email address").fill("after@example.org")
    page.get_by_role("button", name="Send a confirmation link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password to confirm")
    expect(page.get_by_label("New email address")).to_have_value("after@example.org")
    scan_both_widths(page, axe_scan, "change email with an error")
    page.get_by_label("Your password").fill("correct horse battery staple")
    page.get_by_role("button", name="Send a confirmation link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your new email address")
    scan_both_widths(page, axe_scan, "check your new email address")

    link = urlsplit(smtp_server.link("after@example.org", "/account/email/")).path
    page.goto(live_server.url + link)
    scan_both_widths(page, axe_scan, "confirm a new email address")
    page.get_by_role("button", name="Change my email address").click()
    expect(page.get_by_text("Your email address is now after@example.org. Sign in with it.")).to_be_visible()
    page.get_by_label("Email address").fill("after@example.org")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

"""Data rights in Chromium: download link, delete with a wrong password first; axe on each page."""

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page
from tests.factories import PASSWORD


def test_delete_an_account(live_server, browser, world, axe_scan):
    # While a colleague is a member, the only admin is asked to hand over first.
    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(live_server.url + "/account/delete")
    expect(admin.locator(".govuk-warning-text")).to_contain_text("You are the only admin of Partner Charity")
    axe_scan(admin, "delete your account, last admin")
    page = signed_in_page(browser, live_server, "partner.member@example.org")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("link", name="Download everything we hold about you")).to_be_visible()
    axe_scan(page, "your account")
    page.get_by_role("link", name="Delete your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    axe_scan(page, "delete your account")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Password is wrong")
    axe_scan(page, "delete your account with errors")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted and your personal details are erased.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    axe_scan(page, "home after deleting an account")

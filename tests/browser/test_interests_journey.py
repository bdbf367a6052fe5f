"""The register of interests in Chromium: an organisation admin declares (errors first) for their
organisation that it may bid, and a visitor reads the register; axe at desktop and 320 px."""

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page

P = "/programmes/test-programme"


def test_declare_an_interest_and_read_the_register(live_server, browser, world, axe_scan):
    admin = signed_in_page(browser, live_server, "organisation.admin@example.org")
    admin.goto(live_server.url + P)
    admin.get_by_role("link", name="Register of interests").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Register of interests")
    admin.get_by_role("link", name="Declare an interest").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Declare an interest")
    scan_both_widths(admin, axe_scan, "declare an interest")
    admin.get_by_label("A financial interest").check()
    admin.get_by_role("button", name="Add to the register").click()
    summary = admin.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Describe the interest")
    expect(admin.get_by_label("A financial interest")).to_be_checked()
    scan_both_widths(admin, axe_scan, "declare an interest with errors")
    admin.get_by_label("Myself").check()
    admin.get_by_label("Describe the interest").fill("I own shares in a home care company.")
    admin.get_by_role("button", name="Add to the register").click()
    expect(admin.get_by_text("Your declaration is on the register.")).to_be_visible()
    declared = "A financial interest. I own shares in a home care company."
    expect(admin.get_by_text(declared, exact=True)).to_be_visible()
    scan_both_widths(admin, axe_scan, "register of interests, admin")
    admin.get_by_role("button", name="Confirm my declarations still stand").click()
    expect(admin.get_by_text("You confirmed 2 declarations.")).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + P + "/interests")
    expect(visitor.get_by_text("I own shares in a home care company.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Declare an interest")).to_have_count(0)
    scan_both_widths(visitor, axe_scan, "register of interests, visitor")
    visitor.goto(live_server.url + P)
    expect(visitor.locator("li", has_text="Partner Charity").get_by_text("May bid")).to_be_visible()

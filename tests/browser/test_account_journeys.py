"""Account journeys in Chromium, with an axe scan (WCAG 2.2 A and AA) of every page."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import enter_code_if_asked, scan_both_widths

PASSWORD = "heather on the pentland hills"
NEW_PASSWORD = "tide tables for portobello beach"


def link_path(smtp_server, email, pattern):
    return urlsplit(smtp_server.link(email, pattern)).path


def test_register_confirm_sign_in_out_and_reset(live_server, page, smtp_server, axe_scan):
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Design public services together")
    axe_scan(page, "home")

    page.get_by_role("link", name="Create an account").first.click()
    axe_scan(page, "register")
    page.get_by_role("button", name="Create account").click()  # everything empty
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    axe_scan(page, "register with errors")

    page.get_by_label("Full name").fill("Eilidh Fraser")
    page.get_by_label("Email address").fill("eilidh@example.org")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe_scan(page, "check your email")

    page.goto(base + link_path(smtp_server, "eilidh@example.org", "/confirm-email/"))
    axe_scan(page, "confirm email")
    page.get_by_role("button", name="Confirm email address").click()
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()
    axe_scan(page, "sign in with success banner")

    page.get_by_label("Email address").fill("eilidh@example.org")
    page.get_by_label("Password", exact=True).fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct email address and password")
    axe_scan(page, "sign in with errors")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in as Eilidh Fraser")).to_be_visible()
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    axe_scan(page, "account")

    page.get_by_role("link", name="Change password").click()
    axe_scan(page, "change password")
    page.get_by_label("Current password").fill("wrong current password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Current password is wrong")
    axe_scan(page, "change password with errors")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    page.get_by_role("link", name="Forgotten your password?").click()
    axe_scan(page, "reset request")
    page.get_by_label("Email address").fill("eilidh@example.org")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe_scan(page, "reset sent")

    reset = link_path(smtp_server, "eilidh@example.org", "/reset-password/")
    page.goto(base + reset)
    axe_scan(page, "choose a new password")
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("12 characters or more")
    axe_scan(page, "choose a new password with errors")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_text("Your password has been reset")).to_be_visible()

    page.get_by_label("Email address").fill("eilidh@example.org")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in as Eilidh Fraser")).to_be_visible()

    page.goto(base + reset)  # the link was used: it no longer works
    expect(page.get_by_role("heading", level=1)).to_contain_text("already been used")
    axe_scan(page, "expired link")
    assert len(axe_scan.scanned) == 15


def test_static_and_error_pages(live_server, page, axe_scan, make_user):
    base = live_server.url
    for path, heading in [("/accessibility", "Accessibility statement"),
                          ("/privacy", "Privacy notice"),
                          ("/no-such-page", "Page not found")]:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_scan(page, path)
    make_user(email="member@example.org")
    page.goto(base + "/admin/people")  # sends a signed-out person to sign in
    expect(page).to_have_url(re.compile("/sign-in"))
    page.get_by_label("Email address").fill("member@example.org")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page")
    axe_scan(page, "403")


def test_site_admin_disables_an_account(live_server, page, axe_scan, make_user):
    make_user(email="root@example.org", name="Root Admin", is_site_admin=True)
    make_user(email="leaver@example.org", name="Lewis Leaver")
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill("root@example.org")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    enter_code_if_asked(page, "root@example.org")
    page.get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    axe_scan(page, "accounts")
    page.get_by_role("link", name="Disable Lewis Leaver's account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disable Lewis Leaver's account?")
    page.get_by_role("button", name="Disable the account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are disabling the account")
    scan_both_widths(page, axe_scan, "disable an account with an error")
    page.get_by_label("Why you are disabling the account").fill("Left the partnership; asked us to.")
    page.get_by_role("button", name="Disable the account").click()
    expect(page.get_by_text("Lewis Leaver's account is disabled, and they are told why.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Lewis Leaver"))).to_contain_text("Disabled")
    axe_scan(page, "accounts after disabling")


def test_page_shows_govuk_styles_and_scripts_load(live_server, page):
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.goto(live_server.url + "/sign-in")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert "GDS Transport" not in font and "system-ui" in font
    # The password input's show/hide button exists only when GOV.UK Frontend's JS ran.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    assert errors == []

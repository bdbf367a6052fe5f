"""Two-factor sign-in in Chromium: set up an authenticator app (the key read from the page, the code
made with pyotp), sign out, sign in with a code, then with a recovery code; axe at both widths."""

import re

import pyotp
from playwright.sync_api import expect
from sqlalchemy import update

from psp.auth.models import SecondFactor
from psp.extensions import db
from tests.browser.conftest import scan_both_widths
from tests.factories import PASSWORD


def _password(page, live_server, email):
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _next_step_allowed(app):
    """The code just used may not be used again; as if the next 30 seconds had come."""
    with app.app_context():
        db.session.execute(update(SecondFactor).values(last_step=None))
        db.session.commit()


def test_set_up_an_app_and_sign_in_with_a_code_and_a_recovery_code(app, live_server, page, axe_scan,
                                                                  make_user):
    make_user(email="careful@example.org", name="Chris Careful")
    _password(page, live_server, "careful@example.org")
    page.get_by_role("link", name="Your account").first.click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    scan_both_widths(page, axe_scan, "two-factor sign-in, off")
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    expect(page.locator(".psp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    scan_both_widths(page, axe_scan, "set up an authenticator app")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")
    scan_both_widths(page, axe_scan, "set up an authenticator app with an error")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    codes = [c.strip() for c in page.locator(".psp-recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    scan_both_widths(page, axe_scan, "recovery codes")

    page.get_by_role("button", name="Sign out").first.click()
    _next_step_allowed(app)
    _password(page, live_server, "careful@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    scan_both_widths(page, axe_scan, "sign-in code")
    page.get_by_label("Code", exact=True).fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    scan_both_widths(page, axe_scan, "sign-in code with an error")
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_attached()
    page.goto(live_server.url + "/account/two-factor")
    expect(page.get_by_text("10 unused recovery codes")).to_be_visible()
    scan_both_widths(page, axe_scan, "two-factor sign-in, on")

    page.get_by_role("button", name="Sign out").first.click()
    _password(page, live_server, "careful@example.org")
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_attached()
    page.goto(live_server.url + "/account/two-factor")
    expect(page.get_by_text("9 unused recovery codes")).to_be_visible()
    expect(page).to_have_url(re.compile("/account/two-factor$"))

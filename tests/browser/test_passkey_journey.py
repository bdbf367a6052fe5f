"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain): add a passkey,
sign out, sign in with it; the pages with and without script, and in error, axe-scanned at both
widths.

WebAuthn needs a secure context and an RP ID that is a domain, not an IP address: so this test
browses the live server as http://localhost:PORT, with BASE_URL (which gives the RP ID and origin)
set to match while it runs."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from psp.auth.models import Passkey
from psp.extensions import db
from tests.browser.conftest import scan_both_widths
from tests.factories import PASSWORD


@pytest.fixture
def localhost(app, live_server):
    url = f"http://localhost:{live_server.server_port}"
    before = app.config["BASE_URL"]
    app.config["BASE_URL"] = url
    yield url
    app.config["BASE_URL"] = before


def _password(page, base, email):
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_add_a_passkey_and_sign_in_with_it(app, localhost, page, context, browser, axe_scan, make_user):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    make_user(email="keyholder@example.org", name="Kim Keyholder")
    _password(page, localhost, "keyholder@example.org")
    page.goto(localhost + "/account/two-factor")
    expect(page.get_by_role("heading", name="Passkeys")).to_be_visible()
    page.get_by_role("link", name="Add a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    expect(page.get_by_label("Name for this passkey")).to_be_visible()   # shown by the script
    expect(page.get_by_text("Passkeys need JavaScript")).to_be_hidden()
    scan_both_widths(page, axe_scan, "add a passkey")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for this passkey")
    scan_both_widths(page, axe_scan, "add a passkey with an error")
    page.get_by_label("Name for this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add passkey").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()
    assert len(page.locator(".psp-recovery-codes code").all_inner_texts()) == 10
    page.get_by_role("link", name="I have saved my codes: continue").click()
    expect(page.locator(".govuk-summary-list__row", has_text="Work laptop")).to_contain_text("Not used yet")
    scan_both_widths(page, axe_scan, "two-factor sign-in with a passkey")

    page.get_by_role("button", name="Sign out").first.click()
    _password(page, localhost, "keyholder@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    expect(page.get_by_role("button", name="Use your passkey")).to_be_visible()
    scan_both_widths(page, axe_scan, "second step with a passkey")
    # The person cancels the browser's prompt: the script says so, the server shows the error.
    page.evaluate("""() => { const form = document.querySelector("form[data-passkey]");
                             form.querySelector("input[name=problem]").value = "NotAllowedError";
                             form.submit(); }""")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your passkey was not used")
    scan_both_widths(page, axe_scan, "second step with a passkey, in error")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_role("button", name="Sign out").first).to_be_visible()
    assert page.url == localhost + "/"
    with app.app_context():
        row = db.session.scalar(select(Passkey))
        assert row.name == "Work laptop" and row.last_used_at is not None and row.sign_count >= 1

    # Without script: the code path still works, and the page says passkeys need JavaScript.
    plain = browser.new_context(java_script_enabled=False)
    other = plain.new_page()
    try:
        _password(other, localhost, "keyholder@example.org")
        expect(other.get_by_text("Passkeys need JavaScript")).to_be_visible()
        expect(other.get_by_role("button", name="Use your passkey")).to_be_hidden()
        expect(other.get_by_label("Code", exact=True)).to_be_visible()
        # (No axe scan here: axe is itself a script, and cannot run where script is off.)
    finally:
        plain.close()

"""Organisations and programmes in Chromium, with an axe scan of every page type."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import enter_code_if_asked
from tests.factories import PASSWORD


def signed_in_page(browser, live_server, email):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    enter_code_if_asked(page, email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_register_verify_join_and_admit(live_server, browser, world, make_user, axe_scan):
    make_user(email="founder@example.org", name="Fenella Founder", password=PASSWORD)

    founder = signed_in_page(browser, live_server, "founder@example.org")
    founder.get_by_role("link", name="Organisations").click()
    axe_scan(founder, "directory")
    founder.get_by_role("link", name="Register an organisation").click()
    axe_scan(founder, "register organisation")
    founder.get_by_role("button", name="Register organisation").click()
    expect(founder.locator(".govuk-error-summary")).to_be_visible()
    axe_scan(founder, "register organisation with errors")
    founder.get_by_label("Name of the organisation").fill("Gorgie Growing Together")
    founder.get_by_label("Social enterprise").check()
    founder.get_by_label("Scottish charity number (optional)").fill("SC 123456")
    founder.get_by_label("City of Edinburgh").check()
    founder.get_by_label("Describe what the organisation does").fill(
        "Community gardens where people recovering from mental illness grow food together.")
    founder.get_by_role("button", name="Register organisation").click()
    expect(founder.get_by_text("Waiting to be verified")).to_be_visible()
    axe_scan(founder, "organisation page, pending")

    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.get_by_role("link", name="To verify").click()
    axe_scan(coordinator, "organisations to verify")
    coordinator.get_by_role("link", name="Gorgie Growing Together").click()
    axe_scan(coordinator, "verify organisation")
    coordinator.get_by_role("button", name="Reject organisation").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    axe_scan(coordinator, "verify organisation with errors")
    coordinator.get_by_role("button", name="Verify organisation").click()
    expect(coordinator.get_by_text("Gorgie Growing Together is verified.")).to_be_visible()

    founder.goto(live_server.url + "/programmes/test-programme")
    axe_scan(founder, "programme page")
    founder.get_by_role("link", name="Ask for your organisation to take part").click()
    axe_scan(founder, "take part")
    founder.get_by_role("button", name="Ask to take part").click()
    expect(founder.locator(".govuk-error-summary")).to_contain_text("Select an organisation")
    axe_scan(founder, "take part with errors")
    founder.get_by_label("Gorgie Growing Together").check()
    founder.get_by_role("button", name="Ask to take part").click()
    expect(founder.get_by_text("has asked to take part")).to_be_visible()

    coordinator.goto(live_server.url + "/programmes/test-programme")
    coordinator.get_by_role("link", name="Requests to take part").click()
    axe_scan(coordinator, "requests to take part")
    coordinator.get_by_role("button", name="Decline Asking Association").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    axe_scan(coordinator, "requests with errors")
    coordinator.get_by_role("button", name="Admit Gorgie Growing Together as a partner").click()
    expect(coordinator.get_by_text("Gorgie Growing Together is now a partner.")).to_be_visible()

    founder.goto(live_server.url + "/programmes/test-programme")
    expect(founder.get_by_role("link", name="Gorgie Growing Together")).to_be_visible()
    founder.get_by_role("link", name="Gorgie Growing Together").click()
    expect(founder.get_by_role("link", name="Test programme")).to_be_visible()
    axe_scan(founder, "organisation page, verified partner")
    founder.get_by_role("link", name="Members and requests").click()
    axe_scan(founder, "members")
    founder.go_back()
    founder.get_by_role("link", name="Edit profile").click()
    axe_scan(founder, "edit organisation")


def test_site_admin_pages(live_server, browser, world, axe_scan):
    admin = signed_in_page(browser, live_server, "site.admin@example.org")
    admin.get_by_role("link", name="Create a programme").click()
    axe_scan(admin, "create programme")
    admin.get_by_role("button", name="Create programme").click()
    expect(admin.locator(".govuk-error-summary")).to_be_visible()
    axe_scan(admin, "create programme with errors")
    admin.get_by_label("Title").fill("Borders Wellbeing Partnership")
    admin.get_by_label("Summary").fill("Designing wellbeing support across the Borders.")
    admin.get_by_label("Lead public body").select_option(label="NHS Testshire")
    admin.get_by_label("Lead interface").select_option(label="Testshire Voluntary Action")
    admin.get_by_label("Scottish Borders").check()
    admin.get_by_label("Agreed social outcomes").fill("Fewer people feel isolated\nCarers get breaks")
    admin.get_by_role("button", name="Create programme").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Coordinators and NHS leads")
    axe_scan(admin, "programme people")
    admin.get_by_label("Email address").fill("someone.new@example.org")
    admin.get_by_label("NHS lead").check()
    admin.get_by_role("button", name="Appoint").click()
    expect(admin.get_by_text("We have emailed an invitation")).to_be_visible()
    expect(admin.get_by_role("cell", name="someone.new@example.org")).to_be_visible()
    admin.get_by_role("link", name="Audit log").click()
    expect(admin.get_by_role("cell", name="programme.role_invited")).to_be_visible()
    axe_scan(admin, "audit log")
    admin.goto(live_server.url + "/")
    expect(admin.get_by_role("link", name=re.compile("Borders Wellbeing"))).to_be_visible()
    axe_scan(admin, "home with programmes")

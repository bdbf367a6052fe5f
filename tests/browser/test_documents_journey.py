"""Papers in Chromium: the coordinator attaches them to a meeting (an error first, what was typed
kept), a partner downloads one and asks for it in Easy Read, the coordinator sees the request in
Your work and marks it sent, then uploads a new version. Axe on every page state, at desktop width
and at 320 px."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page
from tests.documents.test_documents import pdf

TITLE = "Options for evening crisis support"


def test_attach_download_ask_for_easy_read_and_replace(live_server, browser, world, smtp_server, axe_scan):
    meeting = f"{live_server.url}/meetings/{world['meeting_public']}"
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(meeting)
    coordinator.get_by_role("link", name="Attach papers or other documents").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Attach a document")
    scan_both_widths(coordinator, axe_scan, "attach a document")

    coordinator.get_by_label("Title").fill(TITLE)
    coordinator.get_by_role("button", name="Upload the document").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("Select a file to upload")
    expect(coordinator).to_have_title(re.compile(r"^Error: Attach a document"))
    expect(coordinator.get_by_label("Title")).to_have_value(TITLE)
    scan_both_widths(coordinator, axe_scan, "attach a document with an error")

    coordinator.get_by_label("Summary (optional)").fill("Three ways to open in the evenings, scored.")
    coordinator.get_by_label("Partners, coordinators and NHS leads").check()
    coordinator.get_by_label("File").set_input_files({"name": "options.pdf", "mimeType": "application/pdf",
                                                      "buffer": pdf(2)})
    coordinator.get_by_role("button", name="Upload the document").click()
    expect(coordinator.get_by_text(f"“{TITLE}” is attached.")).to_be_visible()
    expect(coordinator.get_by_text(re.compile(r"PDF, \d[\d.,]* (bytes|KB), 2 pages"))).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "a meeting with papers, coordinator")

    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(meeting)
    partner.get_by_role("link", name=TITLE, exact=True).click()
    expect(partner.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(partner.get_by_text("Partners, coordinators and NHS leads")).to_be_visible()
    scan_both_widths(partner, axe_scan, "a document, partner")
    with partner.expect_download() as download:
        partner.get_by_role("link", name=f"Download “{TITLE}”").click()
    assert download.value.suggested_filename == f"{TITLE}.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read().startswith(b"%PDF-")

    partner.get_by_role("link", name="ask for it in another format").click()
    partner.get_by_role("radio", name="Another language").check()
    partner.get_by_role("button", name="Ask for this format").click()
    expect(partner.locator(".govuk-error-summary")).to_contain_text("Enter the language you need")
    scan_both_widths(partner, axe_scan, "ask for another format with an error")
    partner.get_by_role("radio", name="Easy Read").check()
    partner.get_by_role("button", name="Ask for this format").click()
    expect(partner.get_by_text("Your request is sent to the programme's coordinators.")).to_be_visible()

    coordinator.goto(live_server.url + "/my")
    coordinator.get_by_role("link", name=f"{TITLE} in Easy Read").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(f"Mark as sent: {TITLE} in Easy Read")
    scan_both_widths(coordinator, axe_scan, "mark a format request sent")
    coordinator.get_by_label("Note to the person (optional)").fill("Emailed to you as a PDF.")
    coordinator.get_by_role("button", name="Mark as sent").click()
    expect(coordinator.get_by_text("is told that")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "requests for other formats")
    told = smtp_server.to("partner.member@example.org")
    assert any("Emailed to you as a PDF." in smtp_server.body(m) for m in told)

    coordinator.goto(meeting)
    coordinator.get_by_role("link", name=TITLE, exact=True).click()
    coordinator.get_by_role("link", name="Upload a new version").click()
    scan_both_widths(coordinator, axe_scan, "upload a new version")
    coordinator.get_by_label("File").set_input_files({"name": "options-v2.pdf", "mimeType": "application/pdf",
                                                      "buffer": pdf(3)})
    coordinator.get_by_role("button", name="Upload the new version").click()
    expect(coordinator.get_by_role("heading", name="Earlier versions")).to_be_visible()
    expect(coordinator.get_by_text(re.compile(r"PDF, \d[\d.,]* (bytes|KB), 3 pages"))).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "a document with its history, coordinator")
    coordinator.get_by_role("link", name="Delete this document").click()
    scan_both_widths(coordinator, axe_scan, "delete a document")
    coordinator.get_by_role("button", name="Delete the document").click()
    expect(coordinator.get_by_text(f"“{TITLE}” and its earlier versions are deleted.")).to_be_visible()

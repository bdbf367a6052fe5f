"""A view given on paper, in Chromium: the coordinator records it (errors first, what was typed
kept), the NHS lead answers it, the person who gave it is emailed, and it shows in "you said, we
did" and in the reach report. Axe on every page state, at desktop width and at 320 px."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page
from tests.conftest import wait_for

PROGRAMME = "/programmes/test-programme"
GROUP = "Ward 7 Patients' Forum"
TITLE = "Patients want the plan in plain words"



def test_record_answer_and_follow_a_paper_view(live_server, browser, world, smtp_server, axe_scan):
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + PROGRAMME + "/views")
    coordinator.get_by_role("link", name="Record a view given on paper, by phone or at an event").click()
    heading = coordinator.get_by_role("heading", level=1)
    expect(heading).to_have_text("Record a view given outside the service")
    scan_both_widths(coordinator, axe_scan, "record a view")

    # Only a title: every other missing answer is named, the title is kept.
    coordinator.get_by_label("Title").fill(TITLE)
    coordinator.get_by_role("button", name="Record the view").click()
    summary = coordinator.locator(".govuk-error-summary")
    for message in ("Select where the view came from", "Enter the date the view was given",
                    "Select who gave the view", "Enter the view, as it was given",
                    "Select at least one community the view speaks for", "Select who can read the view"):
        expect(summary).to_contain_text(message)
    expect(coordinator).to_have_title(re.compile(r"^Error: Record a view"))
    expect(coordinator.get_by_label("Title")).to_have_value(TITLE)
    scan_both_widths(coordinator, axe_scan, "record a view with errors")

    # A group not on the service, with an email address but no consent: refused on the consent box.
    coordinator.get_by_label("A paper form").check()
    date = coordinator.get_by_role("group", name="Date it was given")
    date.get_by_label("Day").fill("3")
    date.get_by_label("Month").fill("3")
    date.get_by_label("Year").fill("2026")
    coordinator.get_by_label("Where it was given (optional)").fill("the ward forum")
    coordinator.get_by_label("A group or organisation not on the service").check()
    coordinator.get_by_label("Name of the group or organisation").fill(GROUP)
    coordinator.get_by_label("Kind of group (optional)").select_option("voluntary-group")
    coordinator.get_by_label("The view, as it was given").fill("Show us the plan in plain words first.")
    coordinator.get_by_label("People who use the services").check()
    coordinator.get_by_label("City of Edinburgh").check()
    coordinator.get_by_label("All partners of the programme, and the public once it is answered").check()
    coordinator.get_by_label("Email address to tell them of the answer (optional)").fill("forum@example.net")
    coordinator.get_by_role("button", name="Record the view").click()
    expect(summary).to_contain_text("Confirm they agreed to be emailed about the answer")
    expect(coordinator.get_by_label("Name of the group or organisation")).to_have_value(GROUP)
    coordinator.get_by_label("They agreed to be emailed about the answer").check()
    coordinator.get_by_role("button", name="Record the view").click()

    expect(coordinator.get_by_text("The view is recorded.")).to_be_visible()
    expect(coordinator.get_by_text("Recorded by Coordinator (Testshire Voluntary Action) from a paper form "
                                   "given at the ward forum on 3 March 2026.")).to_be_visible()
    expect(coordinator.get_by_text("forum@example.net (agreed")).to_be_visible()
    view_url = coordinator.url
    scan_both_widths(coordinator, axe_scan, "a recorded view, coordinator")

    # The NHS lead answers it like any other view; the forum is emailed.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.goto(view_url)
    expect(lead.get_by_text("forum@example.net")).to_have_count(0)
    lead.get_by_role("link", name="Answer this view").click()
    lead.get_by_label("Already in place").check()
    lead.get_by_label("Response for the public").fill("A plain-words summary goes with every stage.")
    lead.get_by_role("button", name="Save answer").click()
    expect(lead.get_by_text("Your answer is saved.")).to_be_visible()
    assert wait_for(lambda: smtp_server.to("forum@example.net"))
    told = smtp_server.body(smtp_server.to("forum@example.net")[-1])
    assert "A plain-words summary goes with every stage." in told

    # A visitor follows it in "you said, we did", where it says where it came from.
    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + PROGRAMME + "/you-said-we-did")
    expect(visitor.get_by_text(f"{GROUP} (recorded from a paper form)")).to_be_visible()
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
    scan_both_widths(visitor, axe_scan, "you said, we did, with a recorded view")

    # The coordinator's reach report counts it apart and names the group.
    coordinator.goto(live_server.url + PROGRAMME + "/reach")
    expect(coordinator.get_by_text("1 recorded by coordinators", exact=False)).to_be_visible()
    expect(coordinator.get_by_role("rowheader", name=GROUP)).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "reach with recorded views")


HEAD = "title,view,communities,areas,audience,source,given_on,given_where,giver,group_name,people"
ROWS = ["Quiet room at the cafe,Somewhere quiet to sit.,People who use the services,City of Edinburgh,,"
        "event,2026-11-14,the Leith drop-in,event,,9",
        "Letters in plain English,Write to us plainly.,Families and carers,Midlothian,,letter,2026-11-12,,"
        "group,Dalkeith Carers,"]


def _file(*rows):
    text = "\n".join([HEAD, *rows]) + "\n"
    return {"name": "drop-in.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_import_a_spreadsheet_with_errors_fix_it_and_answer_a_view(live_server, browser, world, axe_scan):
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + PROGRAMME + "/views")
    coordinator.get_by_role("link", name="Import views from a spreadsheet").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Import views from a spreadsheet")
    scan_both_widths(coordinator, axe_scan, "import views")

    # A row with an unknown community and a missing name: both named by row and column.
    broken = ROWS[1].replace("Families and carers", "Pirates").replace("Dalkeith Carers", "")
    coordinator.get_by_label("Spreadsheet of views").set_input_files(_file(ROWS[0], broken))
    coordinator.get_by_role("button", name="Check the file").click()
    summary = coordinator.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 3, column communities: has 'Pirates'")
    expect(summary).to_contain_text("Row 3, column group_name: is empty")
    expect(summary).to_contain_text("nothing has been saved")
    scan_both_widths(coordinator, axe_scan, "import views with errors")

    # Fixed, it passes, is previewed, then imported.
    coordinator.get_by_label("Spreadsheet of views").set_input_files(_file(*ROWS))
    coordinator.get_by_role("button", name="Check the file").click()
    expect(coordinator.get_by_text("All 2 rows of drop-in.csv passed their checks")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "import preview")
    coordinator.get_by_role("button", name="Import 2 views").click()
    expect(coordinator.get_by_text("2 views imported.")).to_be_visible()
    expect(coordinator.get_by_role("button", name="Undo this import")).to_be_visible()
    scan_both_widths(coordinator, axe_scan, "an import, done")

    # The NHS lead answers one of them; it shows in "you said, we did" and in reach.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.goto(live_server.url + PROGRAMME + "/views?q=Quiet+room")
    lead.get_by_role("link", name="Quiet room at the cafe").click()
    expect(lead.get_by_text("View from 9 people at an event")).to_be_visible()
    lead.get_by_role("link", name="Answer this view").click()
    lead.get_by_label("Under consideration").check()
    lead.get_by_label("Response for the public").fill("We are asking the cafe about a quiet room.")
    lead.get_by_role("button", name="Save answer").click()
    expect(lead.get_by_text("Your answer is saved.")).to_be_visible()

    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + PROGRAMME + "/you-said-we-did")
    expect(visitor.get_by_text("9 people at an event (recorded from an event or drop-in)")).to_be_visible()
    coordinator.goto(live_server.url + PROGRAMME + "/reach")
    expect(coordinator.get_by_text("9 people took part in the 1 view given by people at events.")
           ).to_be_visible()
    expect(coordinator.get_by_role("rowheader", name="Dalkeith Carers")).to_be_visible()

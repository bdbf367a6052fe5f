"""Views in Chromium: give one, answer it as a lead, follow it to the action and back, see it on
"you said, we did"; axe on each page."""

import re

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page
from tests.conftest import wait_for

P = "/programmes/test-programme"


def _error_summary(page, *messages):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)


def test_give_answer_follow_and_see_it_on_you_said_we_did(live_server, browser, world, smtp_server, axe_scan):
    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(live_server.url + P)
    expect(partner.get_by_role("heading", name="Views")).to_be_visible()
    partner.get_by_role("link", name="Give a view", exact=True).first.click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Give a view")
    axe_scan(partner, "give a view")

    # Errors first; what was typed stays.
    partner.get_by_label("Title").fill("Evening support after discharge")
    partner.get_by_role("button", name="Submit your view").click()
    _error_summary(
        partner,
        "Enter your view",
        "Select at least one community your view speaks for",
        "Select at least one area your view concerns",
        "Select who can read your view",
    )
    expect(partner.get_by_label("Title")).to_have_value("Evening support after discharge")
    axe_scan(partner, "give a view with errors")

    partner.get_by_label("Your view", exact=True).fill(
        "People leaving hospital need somewhere to go after 6pm."
    )
    partner.get_by_label("Question it answers (optional)").select_option(label="What gets in the way?")
    partner.get_by_label("Families and carers").check()
    partner.get_by_label("City of Edinburgh").check()
    partner.get_by_label("All partners of the programme, and the public once it is answered").check()
    partner.get_by_role("button", name="Save as a draft").click()
    expect(partner.get_by_text("Your draft is saved.")).to_be_visible()
    expect(partner.get_by_text("This is a draft.")).to_be_visible()
    axe_scan(partner, "view page, draft")
    view_url = partner.url

    partner.get_by_role("link", name="Continue with this draft").click()
    expect(partner.get_by_label("Families and carers")).to_be_checked()
    axe_scan(partner, "continue a draft")
    partner.get_by_role("button", name="Submit your view").click()
    expect(partner.get_by_text("Your view is submitted.")).to_be_visible()
    expect(partner.get_by_text("Waiting for an answer from the coordinators and NHS leads.")).to_be_visible()
    axe_scan(partner, "view page, submitted")

    # The NHS lead finds it in their work and answers it; errors first.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.get_by_role("link", name="Your work").click()
    expect(lead.get_by_role("heading", name="Views waiting for an answer")).to_be_visible()
    axe_scan(lead, "your work, views waiting")
    lead.get_by_role("link", name="Evening support after discharge").click()
    lead.get_by_role("link", name="Answer this view").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Answer a view")
    axe_scan(lead, "answer a view")
    lead.get_by_role("radio", name="Taken forward", exact=True).check()
    lead.get_by_role("button", name="Save answer").click()
    _error_summary(
        lead, "Enter the response for the public", "Select the actions or decisions this view shaped"
    )
    expect(lead.get_by_role("radio", name="Taken forward", exact=True)).to_be_checked()
    axe_scan(lead, "answer a view with errors")
    lead.get_by_label("Response for the public").fill("An evening drop-in is now part of mapping services.")
    lead.get_by_role("checkbox", name=re.compile(r"^Map services")).check()
    lead.get_by_role("button", name="Save answer").click()
    expect(lead.get_by_text("Your answer is saved.")).to_be_visible()
    axe_scan(lead, "view page, answered")
    assert wait_for(
        lambda: any(
            m["Subject"] == "Your view has an answer: Evening support after discharge"
            for m in smtp_server.to("partner.member@example.org")
        )
    )

    # The partner follows the view to the action it shaped, and back.
    partner.goto(view_url)
    expect(partner.get_by_role("heading", name="What it shaped")).to_be_visible()
    partner.get_by_role("link", name="Map services").click()
    expect(partner).to_have_url(re.compile(r"/cycles/1/analyse#action-\d+$"))
    row = partner.locator("tr", has_text="Map services")
    expect(row).to_contain_text("Shaped by the view")
    axe_scan(partner, "stage page with the view behind an action")
    row.get_by_role("link", name="Evening support after discharge").click()
    expect(partner).to_have_url(view_url)

    # A visitor sees it on "you said, we did" and in the public list; not what is not theirs to see.
    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + P)
    visitor.get_by_role("link", name="You said, we did").first.click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("You said, we did: cycle 1")
    expect(visitor.get_by_role("link", name="Evening support after discharge")).to_be_visible()
    expect(visitor.get_by_text("An evening drop-in is now part of mapping services.")).to_be_visible()
    axe_scan(visitor, "you said, we did")
    visitor.goto(live_server.url + P + "/views")
    expect(visitor.get_by_role("link", name="Evening support after discharge")).to_be_visible()
    for hidden in ("For the leads only", "Still a draft", "Shared and waiting"):
        expect(visitor.get_by_text(hidden)).to_have_count(0)
    axe_scan(visitor, "views list, visitor")

    # The coordinator searches and filters the list.
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + P + "/views")
    expect(coordinator.get_by_role("link", name="For the leads only")).to_be_visible()
    coordinator.get_by_label("Search the text").fill("6pm")
    coordinator.get_by_label("Answer").select_option(label="Taken forward")
    coordinator.get_by_role("button", name="Apply filters").click()
    expect(coordinator.get_by_role("status")).to_have_text("1 view matches")
    expect(coordinator.get_by_role("link", name="Evening support after discharge")).to_be_visible()
    axe_scan(coordinator, "views list, filtered")


def test_change_a_view_before_it_is_answered(live_server, browser, world, axe_scan):
    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(f"{live_server.url}/views/{world['view_shared']}")
    partner.get_by_role("link", name="Change your view").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Change your view")
    axe_scan(partner, "change your view")
    partner.get_by_label("Your view", exact=True).fill("")
    partner.get_by_role("button", name="Submit your view").click()
    _error_summary(partner, "Enter your view")
    axe_scan(partner, "change your view with errors")
    partner.get_by_label("Your view", exact=True).fill("A clearer way of putting it.")
    partner.get_by_label("Staff").check()
    partner.get_by_label("City of Edinburgh").check()
    partner.get_by_label("All partners of the programme, and the public once it is answered").check()
    partner.get_by_role("button", name="Submit your view").click()
    expect(partner.get_by_text("The earlier text is kept in its history.")).to_be_visible()
    expect(partner.get_by_role("heading", name="History")).to_be_visible()
    expect(partner.get_by_text("Shared and waiting: the text.")).to_be_visible()
    axe_scan(partner, "view page with history")

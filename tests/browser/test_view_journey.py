"""A view in Chromium from the programme page to "you said, we did": give it (errors, draft, submit),
answer it as an NHS lead (errors, link to the action, email), follow it to the action and back, read it as
a visitor, filter it as a coordinator; change a view before it is answered. Axe on every page state."""

import re

from playwright.sync_api import expect

from tests.browser.test_partnership_journeys import signed_in_page
from tests.conftest import wait_for

PROGRAMME = "/programmes/test-programme"
TITLE = "No support in the evenings after discharge"
BODY = "Carers told us nobody answers the phone after 6pm in the first week home from hospital."
RESPONSE = "Mapping services now includes who answers calls in the evening."
SHARED = "All partners of the programme, and the public once it is answered"


def _error_summary(page, *messages):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)
    return summary


def _summary_row(page, key):
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(rf"^\s*{key}\s*$")))


def test_give_answer_and_follow_a_view(live_server, browser, world, smtp_server, axe_scan):
    # The partner member finds "Give a view" on the programme page.
    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(live_server.url + PROGRAMME)
    expect(partner.get_by_role("heading", name="Views", exact=True)).to_be_visible()
    expect(partner.get_by_text("3 views given; 33% answered, in a median of 0 days.")).to_be_visible()
    expect(partner.get_by_role("link", name="Views and answers", exact=True)).to_be_visible()
    axe_scan(partner, "programme page, partner member")
    partner.get_by_role("link", name="Give a view", exact=True).click()
    expect(partner).to_have_url(live_server.url + PROGRAMME + "/views/new")
    expect(partner.get_by_role("heading", level=1)).to_have_text("Give a view")
    expect(partner.get_by_label("Organisation you speak for")).to_have_value(
        str(world["org_id:partner"]))
    axe_scan(partner, "give a view")

    # Nothing filled: every missing answer is named in the error summary.
    partner.get_by_role("button", name="Submit your view").click()
    summary = _error_summary(partner, "Enter a title for your view", "Enter your view",
                             "Select at least one community your view speaks for",
                             "Select at least one area your view concerns", "Select who can read your view")
    expect(partner).to_have_title(re.compile(r"^Error: Give a view"))
    axe_scan(partner, "give a view with errors")
    summary.get_by_role("link", name="Enter your view").click()
    expect(partner.get_by_label("Your view", exact=True)).to_be_focused()

    # What was typed is kept; the title error goes, the others stay.
    partner.get_by_label("Title").fill(TITLE)
    partner.get_by_role("button", name="Submit your view").click()
    summary = _error_summary(partner, "Enter your view", "Select who can read your view")
    expect(summary).not_to_contain_text("Enter a title for your view")
    expect(partner.get_by_label("Title")).to_have_value(TITLE)
    axe_scan(partner, "give a view with errors, title kept")

    # A draft first.
    partner.get_by_label("Your view", exact=True).fill(BODY)
    partner.get_by_label("Question it answers (optional)").select_option(label="What gets in the way?")
    partner.get_by_role("group", name="Communities it speaks for").get_by_label("Families and carers").check()
    partner.get_by_role("group", name="Areas it concerns").get_by_label("City of Edinburgh").check()
    partner.get_by_label(SHARED).check()
    partner.get_by_role("button", name="Save as a draft").click()
    expect(partner.get_by_text("Your draft is saved. Only members of your organisation can see it.")
           ).to_be_visible()
    expect(partner.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(partner.get_by_text("This is a draft. Only members of Partner Charity can see it until it is "
                               "submitted.")).to_be_visible()
    expect(_summary_row(partner, "Question it answers")).to_contain_text("What gets in the way?")
    expect(_summary_row(partner, "Speaks for")).to_contain_text("Families and carers")
    expect(_summary_row(partner, "Areas")).to_contain_text("City of Edinburgh")
    expect(_summary_row(partner, "Given by")).to_contain_text("Partner.Member")
    expect(partner.get_by_text("Not submitted yet.")).to_be_visible()
    axe_scan(partner, "view page, draft")
    view_url = partner.url
    assert re.search(r"/views/\d+$", view_url), view_url

    # Then submitted, with every answer still in place.
    partner.get_by_role("link", name="Continue with this draft").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Continue with your draft")
    expect(partner.get_by_label("Title")).to_have_value(TITLE)
    expect(partner.get_by_label("Your view", exact=True)).to_have_value(BODY)
    expect(partner.get_by_label("Question it answers (optional)")).to_have_value(str(world["question"]))
    expect(partner.get_by_label("Families and carers")).to_be_checked()
    expect(partner.get_by_label("City of Edinburgh")).to_be_checked()
    expect(partner.get_by_label(SHARED)).to_be_checked()
    axe_scan(partner, "continue with a draft")
    partner.get_by_role("button", name="Submit your view").click()
    expect(partner.get_by_text("Your view is submitted. The coordinators and NHS leads will answer it.")
           ).to_be_visible()
    expect(partner).to_have_url(view_url)
    expect(partner.get_by_text("This is a draft.")).to_have_count(0)
    expect(partner.get_by_text("Waiting for an answer from the coordinators and NHS leads.")).to_be_visible()
    expect(partner.get_by_role("link", name="Change your view")).to_be_visible()
    axe_scan(partner, "view page, submitted")

    # The NHS lead finds it in their work.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.get_by_role("link", name="Your work").click()
    expect(lead).to_have_url(live_server.url + "/my")
    expect(lead.get_by_role("heading", name="Views waiting for an answer")).to_be_visible()
    waiting = lead.get_by_role("row").filter(has=lead.get_by_role("link", name=TITLE, exact=True))
    expect(waiting).to_contain_text("Test programme: Analyse, cycle 1")
    expect(waiting).to_contain_text("Partner Charity")
    axe_scan(lead, "your work, views waiting for an answer")
    waiting.get_by_role("link", name=TITLE, exact=True).click()
    expect(lead).to_have_url(view_url)
    expect(lead.get_by_role("link", name="Change your view")).to_have_count(0)
    axe_scan(lead, "view page, NHS lead before answering")

    # Answering: taken forward needs a response and what it shaped.
    lead.get_by_role("link", name="Answer this view").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Answer a view")
    expect(lead.locator(".govuk-inset-text")).to_contain_text("answers “What gets in the way?”")
    axe_scan(lead, "answer a view")
    lead.get_by_role("radio", name="Taken forward", exact=True).check()
    lead.get_by_role("button", name="Save answer").click()
    _error_summary(lead, "Enter the response for the public",
                   "Select the actions or decisions this view shaped")
    expect(lead).to_have_title(re.compile(r"^Error: Answer a view"))
    expect(lead.get_by_role("radio", name="Taken forward", exact=True)).to_be_checked()
    axe_scan(lead, "answer a view with errors")
    lead.get_by_label("Response for the public").fill(RESPONSE)
    lead.get_by_role("group", name="Actions it shaped").get_by_role(
        "checkbox", name=re.compile(r"^Map services")).check()
    lead.get_by_role("button", name="Save answer").click()
    expect(lead.get_by_text("Your answer is saved. The organisation has been emailed.")).to_be_visible()
    expect(lead).to_have_url(view_url)
    expect(lead.get_by_text(RESPONSE)).to_be_visible()
    expect(lead.get_by_role("link", name="Change the answer")).to_be_visible()
    axe_scan(lead, "view page, answered, NHS lead")

    # The author is emailed, and so is the organisation's admin.
    assert wait_for(lambda: smtp_server.to("partner.member@example.org"))
    email = smtp_server.to("partner.member@example.org")[-1]
    assert email["Subject"] == f"Your view has an answer: {TITLE}"
    text = smtp_server.body(email)
    assert RESPONSE in text
    assert view_url in text
    assert "has an answer: taken forward" in text
    assert wait_for(lambda: any(m["Subject"] == f"Your view has an answer: {TITLE}"
                                for m in smtp_server.to("organisation.admin@example.org")))

    lead.get_by_role("link", name="Your work").click()
    expect(lead.get_by_role("heading", name="Views waiting for an answer")).to_be_visible()
    expect(lead.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)

    # The partner follows the view to the action it shaped, and back.
    partner.goto(view_url)
    expect(partner.get_by_role("heading", name="What it shaped")).to_be_visible()
    expect(partner.get_by_role("link", name="Change your view")).to_have_count(0)
    axe_scan(partner, "view page, answered, partner member")
    partner.get_by_role("link", name="Map services", exact=True).click()
    expect(partner).to_have_url(re.compile(
        rf"{re.escape(PROGRAMME)}/cycles/1/do#action-{world['action']}$"))
    expect(partner.get_by_role("heading", level=1)).to_contain_text("Do")
    expect(partner.get_by_role("heading", name="Actions to deliver")).to_be_visible()
    row = partner.locator(f"#action-{world['action']}")
    expect(row).to_contain_text("Map services")
    expect(row).to_contain_text(f"Shaped by the view {TITLE}")
    axe_scan(partner, "stage page, action shaped by the view")
    row.get_by_role("link", name=TITLE, exact=True).click()
    expect(partner).to_have_url(view_url)
    expect(partner.get_by_role("heading", level=1)).to_have_text(TITLE)

    # A visitor reads it on "you said, we did", from the programme page.
    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + PROGRAMME)
    expect(visitor.get_by_text("4 views given; 50% answered, in a median of 0 days.")).to_be_visible()
    expect(visitor.get_by_role("link", name="Give a view", exact=True)).to_have_count(0)
    visitor.get_by_role("link", name="You said, we did", exact=True).click()
    expect(visitor).to_have_url(live_server.url + PROGRAMME + "/you-said-we-did")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("You said, we did: cycle 1")
    entry = visitor.locator(".app-entry").filter(has=visitor.get_by_role("link", name=TITLE, exact=True))
    expect(entry).to_contain_text(BODY)
    expect(entry).to_contain_text("Taken forward")
    expect(entry).to_contain_text(RESPONSE)
    expect(entry.get_by_role("link", name="Map services", exact=True)).to_be_visible()
    for hidden in ("For the leads only", "Still a draft", "Shared and waiting"):
        expect(visitor.get_by_text(hidden)).to_have_count(0)
    axe_scan(visitor, "you said, we did, visitor")

    # The public list: answered, shared views only.
    visitor.get_by_role("link", name="All views", exact=True).click()
    expect(visitor).to_have_url(live_server.url + PROGRAMME + "/views")
    expect(visitor.get_by_role("status")).to_have_text("2 views")
    expect(visitor.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(visitor.get_by_role("link", name="Shared and answered", exact=True)).to_be_visible()
    for hidden in ("For the leads only", "Still a draft", "Shared and waiting"):
        expect(visitor.get_by_text(hidden)).to_have_count(0)
    axe_scan(visitor, "views list, visitor")
    for hidden in ("view_leads", "view_draft", "view_shared"):
        assert visitor.goto(f"{live_server.url}/views/{world[hidden]}").status == 404, hidden

    # The coordinator sees every submitted view, and narrows the list down.
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + PROGRAMME)
    coordinator.get_by_role("link", name="Views and answers", exact=True).click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Views")
    expect(coordinator.get_by_role("status")).to_have_text("4 views")
    expect(coordinator.get_by_role("link", name="For the leads only", exact=True)).to_be_visible()
    expect(coordinator.get_by_role("link", name="Still a draft", exact=True)).to_have_count(0)
    axe_scan(coordinator, "views list, coordinator")
    coordinator.get_by_label("Search the text").fill("6pm")
    coordinator.get_by_label("Community").select_option(label="Families and carers")
    coordinator.get_by_role("button", name="Apply filters").click()
    expect(coordinator.get_by_role("status")).to_have_text("1 view matches")
    expect(coordinator.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(coordinator.get_by_role("link", name="For the leads only", exact=True)).to_have_count(0)
    expect(coordinator.get_by_label("Search the text")).to_have_value("6pm")
    expect(coordinator.get_by_role("link", name="Clear filters")).to_be_visible()
    axe_scan(coordinator, "views list, filtered")
    coordinator.get_by_label("Search the text").fill("nothing like this anywhere")
    coordinator.get_by_role("button", name="Apply filters").click()
    expect(coordinator.get_by_role("status")).to_have_text("0 views match")
    expect(coordinator.get_by_text("No views match. Try fewer filters.")).to_be_visible()
    axe_scan(coordinator, "views list, no matches")


def test_change_a_view_until_it_is_answered(live_server, browser, world, axe_scan):
    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.goto(f"{live_server.url}/views/{world['view_shared']}")
    partner.get_by_role("link", name="Change your view").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Change your view")
    expect(partner.get_by_label("Title")).to_have_value("Shared and waiting")
    expect(partner.get_by_label(SHARED)).to_be_checked()
    expect(partner.get_by_role("button", name="Save as a draft")).to_have_count(0)
    axe_scan(partner, "change your view")

    partner.get_by_label("Your view", exact=True).fill("")
    partner.get_by_role("button", name="Submit your view").click()
    _error_summary(partner, "Enter your view", "Select at least one community your view speaks for",
                   "Select at least one area your view concerns")
    expect(partner.get_by_label("Title")).to_have_value("Shared and waiting")
    axe_scan(partner, "change your view with errors")

    partner.get_by_label("Your view", exact=True).fill("Said more clearly: evenings are the gap.")
    partner.get_by_label("Staff").check()
    partner.get_by_label("City of Edinburgh").check()
    partner.get_by_role("button", name="Submit your view").click()
    expect(partner.get_by_text("Your view is changed. The earlier text is kept in its history.")
           ).to_be_visible()
    expect(partner.locator(".app-prewrap").first).to_have_text("Said more clearly: evenings are the gap.")
    expect(partner.get_by_role("heading", name="History")).to_be_visible()
    expect(partner.get_by_text("Shared and waiting: the text.")).to_be_visible()
    expect(_summary_row(partner, "Speaks for")).to_contain_text("Staff")
    axe_scan(partner, "view page with history")

    # An answered view can no longer be changed: the page says so rather than offering the form.
    partner.goto(f"{live_server.url}/views/{world['view_answered']}")
    expect(partner.get_by_role("link", name="Change your view")).to_have_count(0)
    response = partner.goto(f"{live_server.url}/views/{world['view_answered']}/edit")
    assert response.status == 409
    expect(partner.locator(".govuk-error-summary")).to_contain_text(
        "This view has been answered, so it can no longer be changed")
    expect(partner.get_by_role("button", name="Submit your view")).to_have_count(0)
    axe_scan(partner, "change an answered view")

"""An Analyse-Plan-Do-Review round in Chromium, with an axe scan of every page state."""

import re

from playwright.sync_api import expect
from sqlalchemy import delete

from psp.cycles.services import today
from psp.engagement.models import EngagementPlan
from psp.extensions import db
from psp.programmes.models import ProgrammeRole
from psp.timeutil import format_day
from tests.browser.conftest import scan_both_widths
from tests.browser.test_partnership_journeys import signed_in_page
from tests.factories import PASSWORD

STAGE = "/programmes/test-programme/cycles/1/analyse"


def _error_summary(page, *messages):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)


def _fill_date(page, day):
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _decide(lead, live_server, kind, decision="Sign off this stage", note="Agreed."):
    lead.goto(live_server.url + f"/programmes/test-programme/cycles/1/{kind}")
    lead.get_by_role("button", name=f"Review {kind.capitalize()}").click()
    lead.get_by_label(decision).check()
    lead.get_by_label("Reason or note").fill(note)
    lead.get_by_role("button", name="Confirm decision").click()


def _submit(coordinator, live_server, kind, summary):
    coordinator.goto(live_server.url + f"/programmes/test-programme/cycles/1/{kind}")
    coordinator.get_by_role("button", name=f"Submit {kind.capitalize()} for review").click()
    coordinator.get_by_label("Summary of what was done and decided").fill(summary)
    coordinator.get_by_role("button", name="Submit for review").click()
    expect(coordinator.locator(".govuk-notification-banner")).to_contain_text(
        f"{kind.capitalize()} is submitted for review.")


ENGAGEMENT = "/programmes/test-programme/cycles/1/engagement-review"


def _review_engagement(coordinator, partner, live_server, axe_scan):
    """Refused until the review is finished; a partner's rating and comment; the coordinator assesses
    every standard (an error first) and finishes."""
    coordinator.goto(live_server.url + "/programmes/test-programme/cycles/1/review/submit")
    coordinator.get_by_label("Summary of what was done and decided").fill("Early.")
    coordinator.get_by_role("button", name="Submit for review").click()
    _error_summary(coordinator, "Finish the engagement review against the National Standards")

    partner.goto(live_server.url + ENGAGEMENT)
    expect(partner.get_by_role("heading", level=1)).to_have_text(
        "Engagement review against the National Standards")
    scan_both_widths(partner, axe_scan, "engagement review, partner")
    partner.get_by_role("link", name="Add or change your organisation's rating of Inclusion").click()
    partner.get_by_role("button", name="Save your rating").click()
    _error_summary(partner, "Select whether the standard was met, partly met or not met")
    scan_both_widths(partner, axe_scan, "partner rating with errors")
    partner.get_by_label("Partly met").check()
    partner.get_by_label("Your comment (optional)").fill("Carers in Leith were not asked.")
    partner.get_by_role("button", name="Save your rating").click()
    expect(partner.get_by_text("Your rating of Inclusion is saved.")).to_be_visible()
    expect(partner.locator("#standard-inclusion")).to_contain_text("Carers in Leith were not asked.")

    coordinator.goto(live_server.url + ENGAGEMENT)
    scan_both_widths(coordinator, axe_scan, "engagement review, coordinator")
    coordinator.get_by_role("button", name="Finish the review").click()
    _error_summary(coordinator, "Assess every standard before you finish the review")
    for number, name in enumerate(("Inclusion", "Support", "Planning", "Working together", "Methods",
                                   "Communication", "Impact")):
        coordinator.get_by_role("link", name=f"Assess of {name}", exact=True).click()
        if number == 0:
            coordinator.get_by_role("button", name="Save assessment").click()
            _error_summary(coordinator, "Enter what was learnt")
            scan_both_widths(coordinator, axe_scan, "assessment with errors")
        coordinator.get_by_label("Partly met" if number == 0 else "Met", exact=True).check()
        coordinator.get_by_label("What was learnt").fill(f"What we learnt about {name.lower()}.")
        coordinator.get_by_role("button", name="Save assessment").click()
        expect(coordinator.get_by_text(f"Assessment of {name} saved.")).to_be_visible()
    coordinator.get_by_role("button", name="Finish the review").click()
    expect(coordinator.get_by_text("The engagement review is finished.")).to_be_visible()


def _print_report(browser, live_server, axe_scan):
    """Published once Review is signed off: a visitor opens the report and its print view."""
    visitor = browser.new_page()
    visitor.goto(live_server.url + "/programmes/test-programme/cycles/1/engagement-report")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Engagement report: cycle 1")
    expect(visitor.get_by_text("Carers in Leith were not asked.")).to_be_visible()
    expect(visitor.get_by_role("img", name=re.compile("Evidence given as shares"))).to_be_visible()
    expect(visitor.get_by_role("button", name="Print this report")).to_be_visible()
    scan_both_widths(visitor, axe_scan, "engagement report")
    visitor.emulate_media(media="print")
    expect(visitor.locator(".govuk-header, .govuk-service-navigation").first).to_be_hidden()
    expect(visitor.get_by_role("button", name="Print this report")).to_be_hidden()
    expect(visitor.get_by_text("Carers in Leith were not asked.")).to_be_visible()
    axe_scan(visitor, "engagement report, print view")
    visitor.emulate_media(media="screen")
    visitor.close()


def test_a_whole_round_with_the_same_action(live_server, browser, world, app, axe_scan):
    """Analyse returned and signed off; an action planned at Plan, updated by its owner from Your
    work during Do, its result shown at Review beside the outcomes; the next cycle's Analyse opens.
    The engagement plan is written at Analyse (refused first without one), the engagement is
    reviewed against the standards at Review with a partner's comment, and the report printed."""
    with app.app_context():  # the world's plan goes: this journey writes its own
        db.session.execute(delete(EngagementPlan).where(EngagementPlan.id == world["plan"]))
        db.session.commit()
    coordinator = signed_in_page(browser, live_server, "coordinator@example.org")
    coordinator.goto(live_server.url + "/programmes/test-programme")
    expect(coordinator.get_by_role("heading", name="Where the programme is now")).to_be_visible()
    expect(coordinator.get_by_role("img", name=re.compile(r"^Cycle 1: Analyse is open"))).to_be_visible()
    expect(coordinator.get_by_role("heading", name="Timeline")).to_be_visible()
    for kind in ("Analyse", "Plan", "Do", "Review"):
        expect(coordinator.get_by_role("link", name=f"{kind} in cycle 1", exact=True)).to_be_visible()
    axe_scan(coordinator, "programme dashboard, Analyse open")

    coordinator.get_by_role("link", name="Analyse in cycle 1", exact=True).click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Analyse")
    expect(coordinator.get_by_role("heading", name="Actions planned")).to_have_count(0)
    expect(coordinator.get_by_role("link", name="Add an action")).to_have_count(0)
    axe_scan(coordinator, "stage page, open")

    # Submit Analyse: an empty summary first; then refused for want of an engagement plan.
    coordinator.get_by_role("button", name="Submit Analyse for review").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Submit Analyse for review")
    axe_scan(coordinator, "submit stage")
    coordinator.get_by_role("button", name="Submit for review").click()
    _error_summary(coordinator, "Enter a summary of what was done and decided")
    axe_scan(coordinator, "submit stage with errors")
    coordinator.get_by_label("Summary of what was done and decided").fill("Too soon.")
    coordinator.get_by_role("button", name="Submit for review").click()
    _error_summary(coordinator, "Write the engagement plan before you submit Analyse")

    # The engagement plan: errors first, what was typed kept, then saved with an indicator.
    coordinator.goto(live_server.url + STAGE)
    coordinator.get_by_role("link", name="Write the engagement plan").click()
    coordinator.get_by_label("What the engagement in this cycle aims to achieve").fill(
        "Hear from carers in every area before we plan.")
    coordinator.get_by_role("button", name="Save engagement plan").click()
    _error_summary(coordinator, "Select at least one method of engagement",
                   "Select the level of involvement aimed for at Analyse",
                   "Select the communities or areas that must be involved, or say who else")
    expect(coordinator.get_by_label("What the engagement in this cycle aims to achieve")).to_have_value(
        "Hear from carers in every area before we plan.")
    scan_both_widths(coordinator, axe_scan, "engagement plan with errors")
    coordinator.get_by_label("Families and carers").check()
    coordinator.get_by_label("City of Edinburgh").check()
    coordinator.get_by_label("Meetings").check()
    coordinator.get_by_label("Meeting access needs").check()
    for stage_name, level in (("Analyse", "Consultation"), ("Plan", "Shared decision-making"),
                              ("Do", "Shared decision-making"), ("Review", "Consultation")):
        coordinator.get_by_role("group", name=stage_name, exact=True).get_by_label(level).check()
    coordinator.get_by_role("button", name="Save engagement plan").click()
    expect(coordinator.get_by_text("Engagement plan saved.")).to_be_visible()
    coordinator.get_by_role("link", name="Add an indicator").click()
    coordinator.get_by_label("Measure", exact=True).select_option("answered-in-time")
    coordinator.get_by_label("Target").fill("eighty")
    coordinator.get_by_role("button", name="Save indicator").click()
    _error_summary(coordinator, "The target must be a whole number")
    scan_both_widths(coordinator, axe_scan, "indicator with errors")
    coordinator.get_by_label("Target").fill("80")
    coordinator.get_by_role("button", name="Save indicator").click()
    expect(coordinator.get_by_role("row").filter(has_text="Views answered within 28 days")
           ).to_contain_text("80%")
    scan_both_widths(coordinator, axe_scan, "stage page with the engagement plan")
    coordinator.get_by_role("button", name="Submit Analyse for review").click()
    coordinator.get_by_label("Summary of what was done and decided").fill(
        "We mapped the services and heard from 40 people.")
    coordinator.get_by_role("button", name="Submit for review").click()
    expect(coordinator.get_by_text("Analyse is submitted for review. The NHS leads have been told.")
           ).to_be_visible()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("In review")
    axe_scan(coordinator, "stage page, in review")

    # The NHS lead finds it in their work, and returns it with a reason.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.get_by_role("link", name="Your work").click()
    expect(lead.get_by_role("heading", name="Stages to review")).to_be_visible()
    axe_scan(lead, "your work, stages to review")
    lead.get_by_role("link", name="Test programme: Analyse, cycle 1").click()
    axe_scan(lead, "stage page, in review, NHS lead")
    lead.get_by_role("button", name="Review Analyse").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Review Analyse")
    expect(lead.get_by_text("We mapped the services and heard from 40 people.")).to_be_visible()
    axe_scan(lead, "decide")
    lead.get_by_label("Return it to the coordinators").check()
    lead.get_by_role("button", name="Confirm decision").click()
    _error_summary(lead, "Enter the reason for returning the stage")
    axe_scan(lead, "decide with errors")
    expect(lead.get_by_label("Return it to the coordinators")).to_be_checked()
    lead.get_by_label("Reason or note").fill("Say which services have waiting lists.")
    lead.get_by_role("button", name="Confirm decision").click()
    expect(lead.get_by_text("Analyse is returned to the coordinators with your reason.")).to_be_visible()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Returned")

    # The coordinator sees it returned, and resubmits.
    coordinator.get_by_role("link", name="Your work").click()
    expect(coordinator.get_by_role("heading", name="Stages returned to you")).to_be_visible()
    axe_scan(coordinator, "your work, stages returned")
    coordinator.get_by_role("link", name="Test programme: Analyse, cycle 1").click()
    expect(coordinator.locator(".govuk-warning-text")).to_contain_text(
        "Say which services have waiting lists.")
    axe_scan(coordinator, "stage page, returned")
    coordinator.get_by_role("button", name="Resubmit Analyse for review").click()
    summary = coordinator.get_by_label("Summary of what was done and decided")
    expect(summary).to_have_value("We mapped the services and heard from 40 people.")
    summary.fill("We mapped the services; three have waiting lists over 12 weeks.")
    coordinator.get_by_role("button", name="Submit for review").click()
    expect(coordinator.get_by_text("Analyse is submitted for review. The NHS leads have been told.")
           ).to_be_visible()

    # The NHS lead signs it off, which opens Plan.
    lead.goto(live_server.url + STAGE)
    lead.get_by_role("button", name="Review Analyse").click()
    lead.get_by_label("Sign off this stage").check()
    lead.get_by_label("Reason or note").fill("Clear and complete.")
    lead.get_by_role("button", name="Confirm decision").click()
    expect(lead.get_by_text("Analyse of cycle 1 is signed off. Plan of cycle 1 is now open.")).to_be_visible()
    expect(lead).to_have_url(re.compile(r"/programmes/test-programme/cycles/1/plan$"))
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Plan")
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Open")
    axe_scan(lead, "stage page, Plan opened")

    coordinator.goto(live_server.url + "/programmes/test-programme")
    expect(coordinator.locator("#wheel-title")).to_have_text("Cycle 1: Plan is open")
    expect(coordinator.get_by_role("img", name=re.compile(r"^Cycle 1: Plan is open"))).to_be_visible()
    axe_scan(coordinator, "programme dashboard, Plan open")
    coordinator.goto(live_server.url + STAGE)
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Signed off")
    axe_scan(coordinator, "stage page, signed off")

    # Plan: the action designed, with the errors first.
    coordinator.goto(live_server.url + "/programmes/test-programme/cycles/1/plan")
    expect(coordinator.get_by_role("heading", name="Actions planned")).to_be_visible()
    coordinator.get_by_role("link", name="Add an action").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Add an action")
    axe_scan(coordinator, "add an action")
    coordinator.get_by_role("button", name="Save action").click()
    _error_summary(coordinator, "Enter what is to be done",
                   "Select the organisation that owns the action", "Enter the due date")
    axe_scan(coordinator, "add an action with errors")
    coordinator.get_by_label("What is to be done").fill("Draft the referral pathway")
    coordinator.get_by_label("Organisation that owns it").select_option(label="Partner Charity")
    expect(coordinator.get_by_role("group", name="Due date")).to_be_visible()
    _fill_date(coordinator, today())
    coordinator.get_by_role("button", name="Save action").click()
    expect(coordinator.get_by_text("Action saved: Draft the referral pathway")).to_be_visible()
    planned = coordinator.get_by_role("row").filter(has_text="Draft the referral pathway")
    expect(planned).to_contain_text("Planned")

    partner = signed_in_page(browser, live_server, "partner.member@example.org")
    partner.get_by_role("link", name="Your work").click()
    due = partner.get_by_role("row").filter(has_text="Draft the referral pathway")
    expect(due).to_contain_text(format_day(today()))
    expect(due).to_contain_text("Planned")
    expect(partner.get_by_role("row").filter(has_text="Map services")).to_be_visible()
    axe_scan(partner, "your work, actions")

    # Plan signed off: Do opens with the same actions.
    _submit(coordinator, live_server, "plan", "Two actions agreed with their owners.")
    _decide(lead, live_server, "plan")
    expect(lead.get_by_text("Plan of cycle 1 is signed off. Do of cycle 1 is now open.")).to_be_visible()
    expect(lead.get_by_role("heading", name="Actions being delivered")).to_be_visible()
    expect(lead.get_by_role("row").filter(has_text="Draft the referral pathway")).to_be_visible()
    expect(lead.locator("#stage-progress")).to_contain_text("0 of 2 actions done")
    axe_scan(lead, "stage page, Do open with the planned actions")
    lead.goto(live_server.url + "/programmes/test-programme")
    expect(lead.locator("#current-progress")).to_contain_text("0 of 2 actions done")

    # Do: the owner updates it from Your work, in two clicks, with the errors first.
    partner.get_by_role("link", name="Your work").click()
    partner.get_by_role("link", name="Update status of Draft the referral pathway").click()
    expect(partner.get_by_role("heading", level=1)).to_have_text("Update the status of an action")
    for status in ("Planned", "In progress", "Done", "Blocked"):
        expect(partner.get_by_label(status, exact=True)).to_be_visible()
    expect(partner.get_by_label("Planned", exact=True)).to_be_checked()
    axe_scan(partner, "action status")
    partner.get_by_label("Blocked", exact=True).check()
    partner.get_by_label("What came of it so far (optional)").fill("Two GP practices signed up.")
    partner.get_by_role("button", name="Update status").click()
    _error_summary(partner, "Enter what is blocking the action")
    axe_scan(partner, "action status with errors")
    expect(partner.get_by_label("Blocked", exact=True)).to_be_checked()
    expect(partner.get_by_label("What came of it so far (optional)")).to_have_value(
        "Two GP practices signed up.")
    partner.get_by_label("Done", exact=True).check()
    partner.get_by_role("button", name="Update status").click()
    expect(partner.get_by_text("Draft the referral pathway: done")).to_be_visible()
    expect(partner).to_have_url(re.compile(r"/programmes/test-programme/cycles/1/do$"))
    expect(partner.get_by_role("row").filter(has_text="Draft the referral pathway")).to_contain_text("Done")
    expect(partner.locator("#stage-progress")).to_contain_text("1 of 2 actions done")
    axe_scan(partner, "stage page, Do, partner member")

    # A gap found in delivery: an action added at Do.
    coordinator.goto(live_server.url + "/programmes/test-programme/cycles/1/do")
    coordinator.get_by_role("link", name="Add an action to fill a gap in delivery").click()
    coordinator.get_by_label("What is to be done").fill("Reach people in Midlothian")
    coordinator.get_by_label("Organisation that owns it").select_option(label="Partner Charity")
    _fill_date(coordinator, today())
    coordinator.get_by_role("button", name="Save action").click()
    expect(coordinator.get_by_role("row").filter(has_text="Reach people in Midlothian")).to_contain_text(
        "Added at Do")

    # Review: the result beside the outcomes, then the next cycle opens.
    _submit(coordinator, live_server, "do", "One of three actions done; one added to reach Midlothian.")
    _decide(lead, live_server, "do")
    coordinator.goto(live_server.url + "/programmes/test-programme/cycles/1/review")
    expect(coordinator.get_by_role("heading", name="What the actions achieved")).to_be_visible()
    result = coordinator.get_by_role("row").filter(has_text="Draft the referral pathway")
    expect(result).to_contain_text("Result: Two GP practices signed up.")
    expect(result).to_contain_text("Done")
    expect(coordinator.get_by_role("row").filter(has_text="Map services")).to_contain_text(
        "No result recorded.")
    expect(coordinator.get_by_role("link", name="Add an action")).to_have_count(0)
    axe_scan(coordinator, "stage page, Review with results")
    coordinator.get_by_role("link", name="Record measure for People feel involved").click()
    coordinator.get_by_label("Measure").fill("7 in 10 partners agree")
    coordinator.get_by_role("button", name="Save measure").click()
    coordinator.get_by_role("link", name="Write the re-framed need").click()
    coordinator.get_by_label("Re-framed need").fill("Reach people outside Edinburgh sooner.")
    coordinator.get_by_role("button", name="Save re-framed need").click()
    _review_engagement(coordinator, partner, live_server, axe_scan)
    _submit(coordinator, live_server, "review", "Outcomes measured; need re-framed.")
    _decide(lead, live_server, "review")
    expect(lead.get_by_text("Review of cycle 1 is signed off. Analyse of cycle 2 is now open.")
           ).to_be_visible()
    expect(lead.get_by_text("Reach people outside Edinburgh sooner.")).to_be_visible()
    _print_report(browser, live_server, axe_scan)
    partner.get_by_role("link", name="Your work").click()
    expect(partner.get_by_role("heading", name="Your work")).to_be_visible()
    expect(partner.get_by_text("Draft the referral pathway")).to_have_count(0)
    expect(partner.get_by_text("Map services")).to_have_count(0)
    axe_scan(partner, "your work, cycle closed")


def test_stale_submit_and_decide_pages(live_server, browser, world, app, make_user, axe_scan):
    second = make_user(email="second.lead@example.org", name="Sam Second", password=PASSWORD, factor=True)
    with app.app_context():
        db.session.add(ProgrammeRole(programme_id=world["programme_id"], user_id=second.id,
                                     role="nhs_lead"))
        db.session.commit()

    # Two coordinator windows: the second submits while the first is still typing.
    first_window = signed_in_page(browser, live_server, "coordinator@example.org")
    first_window.goto(live_server.url + STAGE + "/submit")
    first_window.get_by_label("Summary of what was done and decided").fill("My first draft.")
    second_window = signed_in_page(browser, live_server, "coordinator@example.org")
    second_window.goto(live_server.url + STAGE + "/submit")
    second_window.get_by_label("Summary of what was done and decided").fill("The agreed summary.")
    second_window.get_by_role("button", name="Submit for review").click()
    expect(second_window.get_by_text("Analyse is submitted for review.")).to_be_visible()
    first_window.get_by_role("button", name="Submit for review").click()
    expect(first_window.get_by_role("heading", name="This stage changed since you opened it")).to_be_visible()
    expect(first_window.locator(".govuk-error-summary")).to_contain_text("Analyse is now in review")
    expect(first_window.get_by_text("My first draft.")).to_be_visible()
    expect(first_window.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(first_window).to_have_title(re.compile(r"^Error: "))
    axe_scan(first_window, "submit, stage changed")

    # Two NHS leads: the second returns the stage while the first is signing it off.
    lead = signed_in_page(browser, live_server, "nhs.lead@example.org")
    lead.goto(live_server.url + STAGE + "/decide")
    expect(lead.get_by_text("The agreed summary.")).to_be_visible()
    lead.get_by_label("Sign off this stage").check()
    lead.get_by_label("Reason or note").fill("Looks good to me.")
    other_lead = signed_in_page(browser, live_server, "second.lead@example.org")
    other_lead.goto(live_server.url + STAGE + "/decide")
    other_lead.get_by_label("Return it to the coordinators").check()
    other_lead.get_by_label("Reason or note").fill("Add the waiting times.")
    other_lead.get_by_role("button", name="Confirm decision").click()
    expect(other_lead.get_by_text("Analyse is returned to the coordinators with your reason.")
           ).to_be_visible()
    lead.get_by_role("button", name="Confirm decision").click()
    expect(lead.get_by_role("heading", name="This stage changed since you opened it")).to_be_visible()
    summary = lead.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Analyse is now returned")
    expect(summary).to_contain_text("by Sam Second")
    expect(summary).to_contain_text("Add the waiting times.")
    expect(lead.get_by_text("Looks good to me.")).to_be_visible()
    expect(lead.get_by_role("button", name="Confirm decision")).to_have_count(0)
    axe_scan(lead, "decide, stage changed")
    lead.get_by_role("link", name="See the stage as it is now").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Returned")
    expect(lead.get_by_role("button", name="Review Analyse")).to_have_count(0)

"""Every page type at 320 CSS pixels wide (WCAG 2.2, 1.4.10 Reflow): nothing scrolls sideways
and axe finds nothing, for a visitor and for each signed-in role, forms in their error state too.

The records carry long names, an unbroken long word, a long email address and a long web
address, so a page that cannot wrap them fails here rather than on someone's phone."""

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select, update

from psp import audit
from psp.auth import tokens
from psp.auth.models import User
from psp.contributions.models import Contribution, ContributionAction, Response
from psp.cycles import wheel
from psp.cycles.models import Action, Stage
from psp.cycles.services import today
from psp.extensions import db
from psp.meetings.models import Booking, Meeting
from psp.notifications.models import Notification
from psp.organisations.models import Membership, Organisation
from psp.programmes.models import Participation
from psp.slugs import unique_slug
from psp.timeutil import utcnow
from psp.updates.models import Update
from tests.browser.conftest import enter_code_if_asked
from tests.factories import PASSWORD, move_to, organisation, person

WIDTH = 320
WORD = "Neighbourhoodwellbeingpartnershipcoordinationarrangements"
EMAIL = "maximiliana.featherstonehaugh-cholmondeley@wellbeing-partnership-of-edinburgh.example.org"
LINK = "https://example.org/" + "a-very-long-path-segment-without-spaces/" * 3
ORG_NAME = f"The {WORD} Association of Edinburgh, Midlothian and the Scottish Borders"
PERSON = f"Maximiliana {WORD} Featherstonehaugh-Cholmondeley"
P = "/programmes/test-programme"
STAGE = P + "/cycles/1"


def _long_records(world):
    """What makes every table and list non-empty, with text that must wrap."""
    programme_id = world["programme_id"]
    long_org = organisation(ORG_NAME, number="SC012345", areas=("city-of-edinburgh", "midlothian"))
    long_org.slug = unique_slug(Organisation, ORG_NAME)  # as registering would cut it
    long_org.description = f"{WORD}. See {LINK} or write to {EMAIL}."
    waiting_org = organisation(f"Waiting {WORD} Trust", status="pending")
    someone = person(EMAIL, name=PERSON)
    db.session.add_all([long_org, waiting_org, someone])
    db.session.flush()
    partner_member = db.session.get(User, world["user:partner_member"])
    coordinator = db.session.get(User, world["user:coordinator"])
    db.session.add_all([
        Membership(user_id=someone.id, organisation_id=long_org.id, role="admin", status="active"),
        Membership(user_id=partner_member.id, organisation_id=long_org.id, status="active"),
        Participation(programme_id=programme_id, organisation_id=long_org.id, status="admitted"),
    ])
    analyse = db.session.scalar(select(Stage).where(Stage.programme_id == programme_id,
                                                    Stage.kind == "analyse"))
    plan = db.session.scalar(select(Stage).where(Stage.programme_id == programme_id, Stage.kind == "plan"))
    due = [Action(cycle_id=plan.cycle_id, planned_in_id=plan.id, organisation_id=long_org.id,
                  due_on=today() - timedelta(days=days), title=f"{title} {WORD} {LINK}", status=status)
           for days, title, status in [(3, "Overdue:", "in_progress"), (-5, "Due soon:", "planned")]]
    db.session.add_all(due)
    meetings = {m.id: m for m in db.session.scalars(select(Meeting))}
    partners_meeting = meetings[world["meeting_partners"]]
    partners_meeting.capacity = 1
    partners_meeting.venue = f"The {WORD} Centre, 1 Long Street"
    partners_meeting.online_link = LINK
    partners_meeting.agenda = f"1. {WORD}\n2. {LINK}"
    partners_meeting.minutes = f"Agreed: {WORD}. Papers at {LINK}."
    db.session.add(Booking(meeting_id=partners_meeting.id, user_id=someone.id, organisation_id=long_org.id,
                           status="waiting", access_needs="bsl,step-free,hearing-loop",
                           access_other=f"{WORD} and a quiet room"))
    db.session.flush()
    view = Contribution(programme_id=programme_id, stage_id=analyse.id, organisation_id=long_org.id,
                        author_id=someone.id, title=f"You said: {WORD}", body=f"{WORD}. {LINK} {EMAIL}",
                        audience="partners", status="taken_forward", submitted_at=utcnow(),
                        answered_at=utcnow(), days_to_answer=1)
    db.session.add(view)
    db.session.flush()
    db.session.add_all([
        Response(contribution_id=view.id, status="taken_forward", text=f"We did: {WORD} {LINK}",
                 responder_id=coordinator.id),
        ContributionAction(contribution_id=view.id, action_id=due[0].id),
        Update(programme_id=programme_id, author_id=coordinator.id, title=f"Update: {WORD}",
               body=f"Read {LINK} or write to {EMAIL}.", audience="public"),
        Notification(user_id=partner_member.id, kind="views", title=f"Your view {WORD} is answered",
                     url=f"/views/{view.id}"),
    ])
    audit.record("organisation.registered", long_org, actor=someone, name=ORG_NAME, link=LINK, email=EMAIL)
    db.session.commit()
    return {"view": view.id, "long_org": long_org.slug, "waiting_org": waiting_org.slug, "action": due[0].id,
            "reset": tokens.reset_token(someone), "confirm": tokens.confirm_token(someone)}


def _page(browser, live_server, email=None):
    """A 320 px wide window, signed in as email (or a visitor's)."""
    page = browser.new_context(viewport={"width": WIDTH, "height": 720}).new_page()
    if email:
        page.goto(live_server.url + "/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        enter_code_if_asked(page, email)
        # At this width the sign-out button is inside the folded "Menu".
        expect(page.locator("form[action='/sign-out']")).to_have_count(1)
    return page


class Reflow:
    """Visits pages and collects each one that is wider than the window or fails axe."""

    def __init__(self, live_server, axe_scan):
        self.live_server, self.axe_scan = live_server, axe_scan
        self.failures = []

    def visit(self, page, path, label, submit=None, status=200):
        """Load path; with submit, press that button first to see the form's error state."""
        response = page.goto(self.live_server.url + path)
        assert response.status == status, f"{label}: {path} answered {response.status}"
        if submit:
            page.get_by_role("button", name=submit, exact=True).click()
            expect(page.locator(".govuk-error-summary")).to_be_visible()
            label += ", with errors"
        self.check(page, label)

    def check(self, page, label):
        page.wait_for_load_state("load")  # measured with the stylesheet applied
        scroll, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > window:
            self.failures.append(f"{label} ({page.url}): {scroll} px wide in a {window} px window")
        try:
            self.axe_scan(page, f"{label} at {WIDTH} px")
        except AssertionError as failure:
            self.failures.append(str(failure))

    def assert_all_fit(self):
        assert not self.failures, "\n".join(self.failures)


def test_public_pages_reflow(live_server, browser, world, app, axe_scan):
    with app.app_context():
        made = _long_records(world)
    reflow, page = Reflow(live_server, axe_scan), _page(browser, live_server)
    for path, label, submit, status in [
            ("/", "home", None, 200),
            ("/sign-in", "sign in", "Sign in", 200),
            ("/register", "register", "Create account", 200),
            ("/register/check-your-email?email=" + EMAIL, "check your email", None, 200),
            (f"/confirm-email/{made['confirm']}", "confirm email", None, 200),
            ("/reset-password", "reset password", "Send reset link", 200),
            (f"/reset-password/{made['reset']}", "new password", "Save new password", 200),
            ("/reset-password/no-such-token", "reset link expired", None, 404),
            ("/organisations", "organisations", None, 200),
            ("/organisations/" + made["long_org"], "one organisation", None, 200),
            (P, "programme dashboard", None, 200),
            (P + "/meetings", "meetings", None, 200),
            (f"/meetings/{world['meeting_public']}", "one meeting", None, 200),
            (P + "/views", "views", None, 200),
            (P + "/you-said-we-did", "you said, we did", None, 200),
            (P + "/updates", "updates", None, 200),
            (f"/updates/{world['update_public']}", "one update", None, 200),
            ("/accessibility", "accessibility statement", None, 200),
            ("/privacy", "privacy notice", None, 200),
            ("/no-such-page", "page not found", None, 404)]:
        reflow.visit(page, path, f"visitor: {label}", submit, status)
    reflow.assert_all_fit()


def test_partner_pages_reflow(live_server, browser, world, app, axe_scan):
    with app.app_context():
        made = _long_records(world)
        move_to(world["programme_id"], "do")  # owners update their actions during delivery
    reflow = Reflow(live_server, axe_scan)
    member = _page(browser, live_server, "partner.member@example.org")
    for path, label, submit in [
            (P, "programme dashboard", None),
            (f"/meetings/{world['meeting_partners']}", "one meeting, booked", None),
            (f"/views/{made['view']}", "one view, answered", None),
            (f"/views/{world['view_draft']}", "one view, draft", None),
            (P + "/views/new", "give a view", "Submit your view"),
            (f"/views/{world['view_draft']}/edit", "change a draft view", None),
            (f"{P}/actions/{made['action']}/status", "action status", None),
            ("/notifications", "notifications", None),
            ("/notifications/preferences", "notification choices", None),
            ("/account", "account", None),
            ("/account/password", "change password", "Change password"),
            ("/account/delete", "delete account", "Delete my account"),
            ("/organisations/new", "register an organisation", "Register organisation")]:
        reflow.visit(member, path, f"partner member: {label}", submit)

    admin = _page(browser, live_server, "organisation.admin@example.org")
    for path, label, submit in [
            (f"/organisations/{world['org:partner']}", "own organisation", None),
            (f"/organisations/{world['org:partner']}/members", "members", None),
            (f"/organisations/{world['org:partner']}/edit", "change organisation", None),
            (P + "/take-part", "take part", None)]:
        reflow.visit(admin, path, f"organisation admin: {label}", submit)
    reflow.assert_all_fit()


def test_coordinator_and_admin_pages_reflow(live_server, browser, world, app, axe_scan):
    with app.app_context():
        made = _long_records(world)
        move_to(world["programme_id"], "plan")  # where actions are designed
    reflow = Reflow(live_server, axe_scan)
    coordinator = _page(browser, live_server, "coordinator@example.org")
    meeting = world["meeting_partners"]
    for path, label, submit, status in [
            (P, "programme dashboard", None, 200),
            ("/organisations/to-verify", "organisations to verify", None, 200),
            (f"/organisations/{made['waiting_org']}/verify", "verify an organisation", "Reject organisation",
             200),
            (P + "/requests", "requests to take part", None, 200),
            (P + "/reach", "reach", None, 200),
            (P + "/meetings/new", "schedule a meeting", "Save meeting", 200),
            (f"/meetings/{meeting}", "one meeting", None, 200),
            (f"/meetings/{meeting}/edit", "change a meeting", None, 200),
            (f"/meetings/{meeting}/cancel", "cancel a meeting", "Cancel meeting", 200),
            (f"/meetings/{meeting}/bookings", "bookings", None, 200),
            (f"/meetings/{meeting}/attendance", "attendance", None, 200),
            (f"/meetings/{meeting}/minutes", "minutes", None, 200),
            (P + "/updates/new", "post an update", "Post update", 200),
            (f"/updates/{world['update_partners']}/edit", "change an update", None, 200),
            (f"/views/{world['view_shared']}/answer", "answer a view", "Save answer", 200),
            (P + "/views/record", "record a view given outside the service", "Record the view", 200),
            (STAGE + "/plan/actions/new", "add an action", "Save action", 200),
            (f"{P}/actions/{made['action']}/edit", "change an action", None, 200),
            (STAGE + "/plan/decisions/new", "record a decision", "Save decision", 200),
            (STAGE + "/plan/questions/new", "pose a question", "Save question", 200),
            (STAGE + "/plan/dates", "stage dates", None, 200),
            (STAGE + "/plan/submit", "submit a stage", "Submit for review", 200),
            (f"{STAGE}/review/outcomes/{world['outcome']}", "measure an outcome", None, 409),
            (STAGE + "/review/need", "re-framed need", None, 409)]:
        reflow.visit(coordinator, path, f"coordinator: {label}", submit, status)

    lead = _page(browser, live_server, "nhs.lead@example.org")
    reflow.visit(lead, "/programmes/review-programme/cycles/1/analyse/decide", "NHS lead: review a stage",
                 "Confirm decision")

    admin = _page(browser, live_server, "site.admin@example.org")
    for path, label, submit in [
            ("/admin/people", "accounts", None),
            ("/admin/people?q=maximiliana", "accounts, searched", None),
            ("/admin/audit-log", "audit log", None),
            ("/programmes/new", "create a programme", "Create programme"),
            (P + "/people", "coordinators and NHS leads", "Appoint")]:
        reflow.visit(admin, path, f"site admin: {label}", submit)
    reflow.assert_all_fit()


def test_stage_pages_and_your_work_reflow(live_server, browser, world, app, axe_scan):
    with app.app_context():
        _long_records(world)
        move_to(world["programme_id"], "do")  # the actions planned at Plan, in delivery
    reflow = Reflow(live_server, axe_scan)
    pages = {"visitor": _page(browser, live_server)}
    for who, email in [("partner member", "partner.member@example.org"),
                       ("coordinator", "coordinator@example.org"), ("NHS lead", "nhs.lead@example.org")]:
        pages[who] = _page(browser, live_server, email)
    for kind in ("analyse", "plan", "do", "review"):
        reflow.visit(pages["coordinator"], f"{STAGE}/{kind}", f"coordinator: stage page, {kind}")
    for kind in ("analyse", "do"):
        reflow.visit(pages["visitor"], f"{STAGE}/{kind}", f"visitor: stage page, {kind}")
        reflow.visit(pages["partner member"], f"{STAGE}/{kind}", f"partner member: stage page, {kind}")
    reflow.visit(pages["NHS lead"], "/programmes/review-programme/cycles/1/analyse",
                 "NHS lead: stage page, in review")
    for who in ("partner member", "coordinator", "NHS lead"):
        reflow.visit(pages[who], "/my", f"{who}: your work")
    reflow.assert_all_fit()


# Each name or status, and the cycle number in the middle, with every corner of its text box in
# its own ring segment (or in the hole): a label that runs past the ring is clipped.
_CLIPPED_LABELS = """([centre, inner]) => {
  const clipped = [];
  const corners = (box) => [[box.x, box.y], [box.x + box.width, box.y],
                            [box.x, box.y + box.height], [box.x + box.width, box.y + box.height]];
  for (const segment of document.querySelectorAll('.app-wheel__segment')) {
    const path = segment.querySelector('path');
    for (const text of segment.querySelectorAll('text')) {
      if (!corners(text.getBBox()).every(([x, y]) => path.isPointInFill(new DOMPoint(x, y)))) {
        clipped.push(text.textContent);
      }
    }
  }
  for (const text of document.querySelectorAll('.app-wheel > text')) {
    if (!corners(text.getBBox()).every(([x, y]) => Math.hypot(x - centre, y - centre) < inner)) {
      clipped.push(text.textContent);
    }
  }
  return clipped;
}"""
_COLUMN_WIDTH = """(element) => {
  const column = element.parentElement, style = getComputedStyle(column);
  return column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}"""


def _stage_statuses(app, programme_id, statuses):
    """Put the four stages of cycle 1 in these states (one current at most, as the database demands)."""
    with app.app_context():
        db.session.execute(update(Stage).where(Stage.programme_id == programme_id).values(status="upcoming"))
        stages = db.session.scalars(select(Stage).where(Stage.programme_id == programme_id)
                                    .order_by(Stage.position)).all()
        for stage, status in zip(stages, statuses, strict=True):
            stage.status = status
        db.session.commit()


def test_cycle_wheel_scales_to_its_column_and_clips_no_label(live_server, browser, world, app):
    for width in (WIDTH, 1024):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        for statuses in [("open", "upcoming", "upcoming", "upcoming"),
                         ("signed_off", "signed_off", "signed_off", "in_review"),
                         ("signed_off", "returned", "upcoming", "upcoming")]:
            _stage_statuses(app, world["programme_id"], statuses)
            page.goto(live_server.url + P)
            drawn = page.locator(".app-wheel")
            column, shown = drawn.evaluate(_COLUMN_WIDTH), drawn.bounding_box()
            assert abs(shown["width"] - min(column, 300)) < 1, (width, column, shown)
            assert abs(shown["height"] - shown["width"]) < 1, shown
            clipped = page.evaluate(_CLIPPED_LABELS, [wheel.CENTRE, wheel.INNER])
            assert clipped == [], f"{width} px window, stages {statuses}: clipped {clipped}"


def test_a_stacked_table_is_still_a_table_to_assistive_technology(live_server, browser, world):
    """At 320 px the timeline shows as cards, yet Chromium's accessibility tree still holds a table
    whose cells are named by their content alone: the visible column name is not read twice."""
    page = _page(browser, live_server)
    page.goto(live_server.url + P)
    timeline = page.locator("table", has_text="Cycle 1")
    assert timeline.evaluate("t => getComputedStyle(t.querySelector('tbody tr')).display") == "block"
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    named = [(n["role"]["value"], " ".join(n.get("name", {}).get("value", "").split())) for n in nodes
             if n.get("role", {}).get("value") in ("table", "columnheader", "cell")]
    headers = [name for role, name in named if role == "columnheader"]
    assert {"Stage", "Status", "Planned", "Actual", "Cycle 1"} == set(headers), headers
    assert ("table", "Every cycle and stage, with planned and actual dates") in named
    assert ("cell", "Not planned") in named and ("cell", "Not started") in named

"""The engagement part of the demo, told through the services like the rest of psp/demo.py.

The reference programme's first cycle gets its engagement plan at Analyse, with five indicators.
A second, smaller programme (a crisis support pilot in Midlothian) has run two whole cycles, each
with a plan, a finished review against the standards with partners' ratings and comments, and its
Review signed off: so the report and the across-cycles view have something to show.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from psp.auth.models import User
from psp.contributions import services as views
from psp.contributions.models import Contribution
from psp.cycles import services as cycles
from psp.cycles.models import Action
from psp.engagement import services as engagement
from psp.engagement.models import STANDARDS
from psp.extensions import db
from psp.organisations.models import Organisation
from psp.programmes import services as programmes
from psp.programmes.models import Participation, Programme

Lookup = Callable[[str], Any]

PLAN = {
    "aims": "Hear from people who use the services, and from families and carers, in every area before "
            "options are drawn up; answer every view within four weeks.",
    "communities": ["service-users", "families-carers", "third-sector"],
    "areas": ["city-of-edinburgh", "midlothian", "east-lothian", "west-lothian", "scottish-borders"],
    "who_else": "People on the Royal Edinburgh wards, through the Ward Patients' Forum.",
    "methods": ["meetings", "views", "recorded-views", "events"],
    "support": ["access-needs", "travel-costs", "alternative-formats"],
    "support_other": "",
    "level_analyse": "consultation", "level_plan": "shared-decision-making",
    "level_do": "shared-decision-making", "level_review": "consultation",
}
INDICATORS = [
    ("areas-covered", "", 100),
    ("answered-in-time", "", 80),
    ("access-needs-met", "", 90),
    ("views-linked", "", 75),
    ("manual", "People at listening sessions who said they were listened to (per cent)", 70),
]

PILOT_SLUG = "midlothian-crisis-support-pilot"
PILOT = {
    "title": "Midlothian crisis support pilot",
    "summary": "A small partnership trying out crisis support run from community venues in Midlothian, "
               "with people who have used crisis services helping to design it.",
    "strategy": "A Sense of Belonging: mental health and wellbeing strategy",
    "areas": ["midlothian"],
    "need": "Where people in Midlothian can go in a mental health crisis outside office hours.",
}
PILOT_OUTCOMES = ["People in crisis find help in their own community, any evening"]
PILOT_PARTNERS = ["Dalkeith Community Kitchen", "Penicuik Youth Mental Health Project"]
# Two cycles: the second learnt from the first (ratings and comments per standard).
CYCLE_RATINGS = [
    {"inclusion": "partly-met", "support": "not-met", "planning": "met", "working-together": "partly-met",
     "methods": "partly-met", "communication": "not-met", "impact": "partly-met"},
    {"inclusion": "met", "support": "partly-met", "planning": "met", "working-together": "met",
     "methods": "met", "communication": "partly-met", "impact": "met"},
]
LEARNT = [
    "Young people were hardly heard; evening sessions clashed with college. Answers came too slowly.",
    "Sessions moved to weekends and the youth project hosted one; answers now come within a fortnight.",
]
COMMENTS = {
    "Dalkeith Community Kitchen": ["We were asked, but late: the plan was set before we saw it.",
                                   "Much better: we helped write the plan this time."],
    "Penicuik Youth Mental Health Project": ["Nobody asked the young people we work with.",
                                             "Our session with young people changed the opening hours."],
}


def write_plan(coordinator: User, programme: Programme, cycle_id: int, plan: dict[str, Any] | None = None,
               indicators: list[tuple[str, str, int]] | None = None) -> None:
    cycle = db.session.get_one(cycles.Cycle, cycle_id)
    engagement.save_plan(coordinator, programme, cycle, None, None, plan or PLAN)
    written = engagement.plan_of(cycle_id)
    assert written is not None
    for measure, title, target in indicators or INDICATORS:
        engagement.save_indicator(coordinator, programme, cycle, written, None, measure, title, target)


def first_cycle_plan(story: Any, person: Lookup, programme: Callable[[], Programme],
                     coordinator: str) -> None:
    """At Analyse of the reference programme, before it was first submitted (day 58)."""

    def write() -> None:
        analyse = cycles.find_stage(programme(), 1, "analyse")
        assert analyse is not None
        write_plan(person(coordinator), programme(), analyse.cycle_id)

    story.on(96, write)


def pilot(story: Any, person: Lookup, organisation: Callable[[str], Organisation], admin_of: dict[str, str],
          admin: str, coordinator: str, lead: str) -> None:
    """The pilot: created 100 days ago, two cycles run to the end, the third at Analyse."""

    def the_pilot() -> Programme:
        return db.session.scalars(select(Programme).where(Programme.slug == PILOT_SLUG)).one()

    def create() -> None:
        data = {**PILOT, "lead_body": organisation("NHS Lothian").id,
                "lead_interface": organisation("Midlothian Voluntary Action").id}
        made = programmes.create_programme(person(admin), data, PILOT_OUTCOMES)
        made.slug = PILOT_SLUG
        db.session.commit()
        programmes.appoint(person(admin), made, coordinator, "coordinator")
        programmes.appoint(person(admin), made, lead, "nhs_lead")
        for name in PILOT_PARTNERS:
            programmes.ask_to_take_part(person(admin_of[name]), made, organisation(name))
            asked = db.session.scalars(select(Participation).where(
                Participation.programme_id == made.id, Participation.organisation_id == organisation(name).id)
            ).one()
            programmes.decide(person(coordinator), asked, admit=True)

    def move(kind: str, number: int, change: Callable[..., Any], who: str, text: str) -> None:
        stage = cycles.find_stage(the_pilot(), number, kind)
        assert stage is not None
        change(person(who), the_pilot(), stage, stage.version, text)

    def analyse(number: int) -> None:
        stage = cycles.find_stage(the_pilot(), number, "analyse")
        assert stage is not None
        plan = {**PLAN, "areas": ["midlothian"], "communities": ["service-users", "families-carers"],
                "who_else": "Young people, through the youth project." if number > 1 else "",
                "aims": "Design evening crisis support with people who have used crisis services."}
        write_plan(person(coordinator), the_pilot(), stage.cycle_id, plan,
                   [("answered-in-time", "", 80), ("actions-done", "", 100), ("views-linked", "", 100)])
        move("analyse", number, cycles.submit, coordinator, "Plan agreed; needs heard at two sessions.")
        move("analyse", number, cycles.sign_off, lead, "Agreed.")

    def plan(number: int) -> None:
        stage = cycles.find_stage(the_pilot(), number, "plan")
        assert stage is not None
        owner = PILOT_PARTNERS[number - 1]
        cycles.save_action(person(coordinator), the_pilot(), stage, None,
                           f"Open the crisis café on {'Thursday' if number == 1 else 'Saturday'} evenings",
                           organisation(owner).id, cycles.today() + timedelta(days=14))
        move("plan", number, cycles.submit, coordinator, "One action, owned by a partner.")
        move("plan", number, cycles.sign_off, lead, "Agreed.")

    def deliver(number: int) -> None:
        owner = PILOT_PARTNERS[number - 1]
        do = cycles.find_stage(the_pilot(), number, "do")
        assert do is not None
        views.give(person(admin_of[owner]), the_pilot(), {
            "organisation_id": organisation(owner).id, "stage_id": do.id, "question_id": None,
            "meeting_id": None, "title": f"Open later in cycle {number}",
            "body": "People we support say a crisis rarely comes before nine at night.",
            "audience": "partners",
            "communities": ["service-users"], "areas": ["midlothian"]}, submit=True)
        action = db.session.scalars(select(Action).join(cycles.Cycle).where(
            cycles.Cycle.programme_id == the_pilot().id, cycles.Cycle.number == number)).one()
        cycles.update_action_status(person(admin_of[owner]), the_pilot(), action, "done",
                                    result="Open three evenings so far; 23 people came.")
        given = db.session.scalars(select(Contribution).where(
            Contribution.title == f"Open later in cycle {number}")).one()
        views.answer(person(coordinator), the_pilot(), given, given.version, "taken_forward",
                     "The café now stays open until eleven.", action_ids=[action.id])
        move("do", number, cycles.submit, coordinator, "The café opened; a view changed its hours.")
        move("do", number, cycles.sign_off, lead, "Agreed.")

    def review(number: int) -> None:
        stage = cycles.find_stage(the_pilot(), number, "review")
        assert stage is not None
        for outcome in the_pilot().outcomes:
            cycles.record_measure(person(coordinator), stage, outcome, f"{12 + 11 * number} people helped",
                                  "Counted at the café door.")
        cycles.set_reframed_need(person(coordinator), stage, "Reach young people and the weekend.")
        for name in PILOT_PARTNERS:
            members = admin_of[name]
            for key in STANDARDS:
                engagement.save_partner_rating(person(members), stage, key, organisation(name).id,
                                               CYCLE_RATINGS[number - 1][key],
                                               COMMENTS[name][number - 1] if key == "inclusion" else "")
        for key in STANDARDS:
            engagement.save_assessment(person(coordinator), stage, key, None, CYCLE_RATINGS[number - 1][key],
                                       LEARNT[number - 1])
        engagement.finish_review(person(coordinator), stage)
        move("review", number, cycles.submit, coordinator, "Outcomes measured; engagement reviewed.")
        move("review", number, cycles.sign_off, lead, "Agreed: carry the re-framed need forward.")

    story.on(100, create)
    for number, start in ((1, 98), (2, 60)):
        story.on(start, analyse, number)
        story.on(start - 8, plan, number)
        story.on(start - 20, deliver, number)
        story.on(start - 30, review, number)

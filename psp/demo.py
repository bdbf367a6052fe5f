"""Demo data: invented people at example.org and organisations with names we made up,
set among real places and public bodies. Only `flask psp seed-demo` loads it."""

from datetime import timedelta

from sqlalchemy import select

from psp.auth import passwords
from psp.auth.models import User
from psp.extensions import db
from psp.organisations.models import ACTIVE, ADMIN, MEMBER, PENDING, VERIFIED, Membership, Organisation
from psp.organisations.models import OrganisationArea as OA
from psp.programmes.models import (
    ADMITTED,
    REQUESTED,
    Outcome,
    Participation,
    Programme,
    ProgrammeArea,
    ProgrammeRole,
)
from psp.timeutil import utcnow

PASSWORD = "demo-codesign-2026"
ACCOUNTS = [
    ("admin@example.org", "Alasdair Grant", "site admin"),
    ("coordinator@example.org", "Morag Henderson", "coordinator of the programme (EVOC)"),
    ("nhs.lead@example.org", "Dr Priya Raman", "NHS lead of the programme (NHS Lothian)"),
    ("member@example.org", "Callum Reid", "admin of Leith Peer Support Network, a partner"),
    ("newcomer@example.org", "Fiona Baird",
     "admin of Musselburgh Men's Shed (waiting to be verified, asking to take part)"),
]

ALL = ["city-of-edinburgh", "midlothian", "east-lothian", "west-lothian", "scottish-borders"]
PUBLIC = [("NHS Lothian", "public-body", None, ALL), ("NHS Borders", "public-body", None,
          ["scottish-borders"]), ("City of Edinburgh Council", "public-body", None,
          ["city-of-edinburgh"])]
INTERFACES = [
    ("EVOC", "third-sector-interface", "SC011111", ["city-of-edinburgh"]),
    ("Midlothian Voluntary Action", "third-sector-interface", "SC022222", ["midlothian"]),
    ("STRiVE", "third-sector-interface", "SC033333", ["east-lothian"]),
    ("Voluntary Sector Gateway West Lothian", "third-sector-interface", "SC044444", ["west-lothian"]),
    ("The Bridge", "third-sector-interface", "SC055555", ["scottish-borders"]),
]
PARTNERS = [
    ("Leith Peer Support Network", "charity", "SC100001", ["city-of-edinburgh"]),
    ("Craigmillar Carers Circle", "voluntary-group", None, ["city-of-edinburgh"]),
    ("Pentland Hills Wellbeing Walks", "social-enterprise", None, ["city-of-edinburgh", "midlothian"]),
    ("Dalkeith Community Kitchen", "charity", "SC100004", ["midlothian"]),
    ("Penicuik Youth Mental Health Project", "charity", "SC100005", ["midlothian"]),
    ("Haddington Hearing Voices Group", "voluntary-group", None, ["east-lothian"]),
    ("Dunbar Housing and Recovery Trust", "charity", "SC100007", ["east-lothian"]),
    ("Livingston Family Support Hub", "charity", "SC100008", ["west-lothian"]),
    ("Bathgate Community Council", "community-council", None, ["west-lothian"]),
    ("Galashiels Recovery Café", "social-enterprise", None, ["scottish-borders"]),
    ("Hawick Rural Befriending", "charity", "SC100011", ["scottish-borders"]),
    ("Lothian Advocacy for Older People", "charity", "SC100012", ALL[:4]),
]
DESCRIPTIONS = {
    "charity": "A registered charity supporting people with their mental health and wellbeing "
               "through peer support, advice and practical help close to home.",
    "voluntary-group": "A volunteer-led group that meets weekly and speaks up for the people "
                       "and families it supports.",
    "social-enterprise": "A social enterprise that reinvests what it earns in activities that "
                         "help people stay well and connected.",
    "community-council": "The elected community council for the area, bringing residents' "
                         "views to public bodies.",
    "third-sector-interface": "The third-sector interface for its area: it supports local "
                              "voluntary organisations and connects them with public bodies.",
    "public-body": "A public body with a seat on the local community planning partnership.",
}


def _organisation(name, kind, number, areas, status=VERIFIED):
    from slugify import slugify

    return Organisation(slug=slugify(name), name=name, kind=kind, charity_number=number,
                        description=DESCRIPTIONS[kind], status=status,
                        website=f"https://{slugify(name)}.example.org",
                        decided_at=utcnow() if status == VERIFIED else None,
                        areas=[OA(area=a) for a in areas])


def seed():
    """Create the demo data; return False when it is already there."""
    if db.session.scalar(select(User.id).where(User.email == ACCOUNTS[0][0])):
        return False
    password_hash = passwords.hash_password(PASSWORD)
    people = {}
    for email, name, role in ACCOUNTS:
        people[email] = User(email=email, name=name, password_hash=password_hash,
                             email_confirmed_at=utcnow(), is_site_admin=role == "site admin")
    extra = [User(email=f"partner{n:02d}@example.org", name=name, password_hash=password_hash,
                  email_confirmed_at=utcnow())
             for n, name in enumerate(["Ewan Stewart", "Catriona MacLeod", "Rory Campbell",
                                       "Mhairi Robertson", "Hamish Thomson", "Isla Murray",
                                       "Kirsty Paterson", "Duncan Ross", "Shona Ferguson",
                                       "Gregor Watson", "Ailsa Kerr"], start=2)]
    db.session.add_all(list(people.values()) + extra)
    organisations = {row[0]: _organisation(*row) for row in PUBLIC + INTERFACES + PARTNERS}
    organisations["Musselburgh Men's Shed"] = _organisation(
        "Musselburgh Men's Shed", "voluntary-group", None, ["east-lothian"], status=PENDING)
    db.session.add_all(organisations.values())
    db.session.flush()

    def member(user, organisation, role=ADMIN):
        db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=role,
                                  status=ACTIVE, decided_at=utcnow()))

    member(people["coordinator@example.org"], organisations["EVOC"])
    member(people["nhs.lead@example.org"], organisations["NHS Lothian"])
    member(people["member@example.org"], organisations["Leith Peer Support Network"])
    member(people["newcomer@example.org"], organisations["Musselburgh Men's Shed"])
    for user, (name, *_rest) in zip(extra, PARTNERS[1:], strict=True):
        member(user, organisations[name])
    member(extra[0], organisations["Leith Peer Support Network"], role=MEMBER)
    db.session.add(Membership(user_id=extra[1].id, organisation_id=organisations[
        "Leith Peer Support Network"].id, status="requested"))

    programme = Programme(
        slug="royal-edinburgh-hospital-reprovision",
        title="Royal Edinburgh Hospital services reprovision",
        summary="NHS Lothian and the third sector designing together how the Royal Edinburgh "
                "Hospital's services are provided in future: which care moves closer to home, "
                "what support people need on leaving hospital, and how communities take part.",
        strategy="A Sense of Belonging: mental health and wellbeing strategy",
        lead_body_id=organisations["NHS Lothian"].id,
        lead_interface_id=organisations["EVOC"].id,
        areas=[ProgrammeArea(area=a) for a in ALL],
        outcomes=[Outcome(position=n, title=t) for n, t in enumerate([
            "People get support for their mental health in their own community, sooner",
            "People leaving hospital have a home and the support they need in place",
            "Families and carers are involved in decisions about care",
            "Third-sector partners deliver part of the service, with secure funding",
        ], start=1)])
    db.session.add(programme)
    db.session.flush()
    db.session.add_all([
        ProgrammeRole(programme_id=programme.id, user_id=people["coordinator@example.org"].id,
                      role="coordinator"),
        ProgrammeRole(programme_id=programme.id, user_id=people["nhs.lead@example.org"].id,
                      role="nhs_lead"),
    ])
    for name, *_rest in PARTNERS[:10] + PARTNERS[11:]:
        db.session.add(Participation(programme_id=programme.id,
                                     organisation_id=organisations[name].id, status=ADMITTED,
                                     decided_at=utcnow()))
    db.session.add(Participation(programme_id=programme.id, status=REQUESTED,
                                 organisation_id=organisations["Hawick Rural Befriending"].id))
    # A new organisation asked at once: the coordinator verifies and admits it in one decision.
    db.session.add(Participation(programme_id=programme.id, status=REQUESTED,
                                 organisation_id=organisations["Musselburgh Men's Shed"].id,
                                 requested_by_id=people["newcomer@example.org"].id))
    _first_cycle(programme, people, organisations)
    _meetings(programme, people, extra, organisations)
    _views(programme, people, extra, organisations)
    _updates(programme, people)
    _notifications(programme, people)
    db.session.commit()
    return True


def _notifications(programme, people):
    """A few unread notifications, so the header shows a count."""
    from psp.contributions.models import Contribution
    from psp.notifications.models import Notification

    now = utcnow()
    slug = programme.slug
    peer = db.session.scalar(select(Contribution).where(
        Contribution.title == "Peer support from people who have been there"))
    for email, kind, title, url, days, read in [
        ("member@example.org", "views", f"Your view has an answer: {peer.title}", f"/views/{peer.id}", 76,
         True),
        ("member@example.org", "updates", f"{programme.title}: Costing the plan: what we need from partners",
         f"/programmes/{slug}/updates", 12, False),
        ("member@example.org", "updates", f"{programme.title}: Next partners' workshop is full",
         f"/programmes/{slug}/updates", 2, False),
        ("coordinator@example.org", "stages", f"Analyse stage of {programme.title} is signed off",
         f"/programmes/{slug}/cycles/1/analyse", 50, False),
        ("nhs.lead@example.org", "stages", f"Analyse stage of {programme.title} is ready for your review",
         f"/programmes/{slug}/cycles/1/analyse", 52, True),
    ]:
        db.session.add(Notification(user_id=people[email].id, kind=kind, title=title, url=url,
                                    created_at=now - timedelta(days=days),
                                    read_at=now - timedelta(days=days - 1) if read else None))


def _updates(programme, people):
    from psp.updates.models import Update

    now = utcnow()
    coordinator = people["coordinator@example.org"].id
    for days, title, body, audience in [
        (48, "Analyse is signed off: thank you", "NHS Lothian signed off the Analyse stage after eleven "
         "listening sessions. Planning starts now.\n\n- 214 people took part\n- every area held a session",
         "public"),
        (30, "Community crisis support comes first", "Partners ranked community crisis support as the most "
         "pressing need, so the Plan stage starts there. The decision is on the **Plan** stage page.",
         "public"),
        (12, "Costing the plan: what we need from partners", "Please send EVOC your costs for the actions "
         "your organisation leads by the end of the month. Use the template shared at the last workshop.",
         "partners"),
        (2, "Next partners' workshop is full", "The next workshop is full; join the waiting list and we "
         "will email you if a place frees up.", "partners"),
    ]:
        db.session.add(Update(programme_id=programme.id, author_id=coordinator, title=title, body=body,
                              audience=audience, posted_at=now - timedelta(days=days),
                              updated_at=now - timedelta(days=days)))


def _views(programme, people, extra, organisations):
    """Views across Analyse and Plan from several partners, in every state of answering."""
    from psp.contributions.models import (
        Contribution,
        ContributionAction,
        ContributionArea,
        ContributionCommunity,
        ContributionDecision,
        ContributionRevision,
        Response,
    )
    from psp.cycles.models import Action, Decision, Question, Stage

    coordinator, lead = people["coordinator@example.org"], people["nhs.lead@example.org"]
    now = utcnow()
    stages = {s.kind: s for s in db.session.scalars(select(Stage).where(Stage.programme_id == programme.id))}
    stage_ids = [s.id for s in stages.values()]
    rows = {
        "q": [
            (q.text, q) for q in db.session.scalars(select(Question).where(Question.stage_id.in_(stage_ids)))
        ],
        "a": [(a.title, a) for a in db.session.scalars(
            select(Action).where(Action.planned_in_id.in_(stage_ids)))],
        "d": [
            (d.title, d) for d in db.session.scalars(select(Decision).where(Decision.stage_id.in_(stage_ids)))
        ],
    }

    def find(kind, start):
        return next(row for text, row in rows[kind] if text.startswith(start))

    admins = {name: user for user, (name, *_r) in zip(extra, PARTNERS[1:], strict=True)}
    admins["Leith Peer Support Network"] = people["member@example.org"]

    def view(
        org,
        stage,
        title,
        body,
        communities,
        areas,
        days,
        audience="partners",
        question=None,
        answers=(),
        shaped=(),
        shaped_decisions=(),
        earlier=None,
    ):
        c = Contribution(
            programme_id=programme.id,
            stage_id=stages[stage].id,
            organisation_id=organisations[org].id,
            author_id=admins[org].id,
            title=title,
            body=body,
            audience=audience,
            status="received",
            question_id=find("q", question).id if question else None,
            created_at=now - timedelta(days=days),
            submitted_at=now - timedelta(days=days),
        )
        db.session.add(c)
        db.session.flush()
        db.session.add_all(
            [ContributionCommunity(contribution_id=c.id, community=x) for x in communities]
            + [ContributionArea(contribution_id=c.id, area=x) for x in areas]
        )
        if earlier:
            db.session.add(
                ContributionRevision(
                    contribution_id=c.id,
                    title=title,
                    body=earlier,
                    replaced_by_id=admins[org].id,
                    replaced_at=now - timedelta(days=days - 1),
                )
            )
        for n, (status, text, reason, after) in enumerate(answers):
            when = now - timedelta(days=days - after)
            db.session.add(
                Response(
                    contribution_id=c.id,
                    status=status,
                    text=text,
                    reason=reason,
                    responder_id=(lead if n % 2 else coordinator).id,
                    created_at=when,
                )
            )
            c.status = status
            if n == 0:
                c.answered_at, c.days_to_answer = when, after
        db.session.add_all(
            [ContributionAction(contribution_id=c.id, action_id=find("a", a).id) for a in shaped]
            + [
                ContributionDecision(contribution_id=c.id, decision_id=find("d", d).id)
                for d in shaped_decisions
            ]
        )
        return c

    view(
        "Craigmillar Carers Circle",
        "analyse",
        "Carers are told about discharge on the day",
        "Families we support are often told their relative is coming home the same morning. "
        "They need a week's notice and a named person to call.",
        ["families-carers"],
        ["city-of-edinburgh"],
        90,
        question="What would help people",
        answers=[
            ("under_consideration", "We are looking at how discharge is planned with the wards.", "", 6),
            (
                "taken_forward",
                "Carers' needs at discharge are now an action of the Plan stage, "
                "led by Craigmillar Carers Circle.",
                "",
                20,
            ),
        ],
        shaped=["Set out what carers n"],
    )
    view(
        "Leith Peer Support Network",
        "analyse",
        "Peer support from people who have been there",
        "People leaving the wards tell us the most useful support came from someone who had been "
        "in hospital themselves. A peer supporter from the first week would help.",
        ["service-users"],
        ["city-of-edinburgh"],
        85,
        question="What would help people",
        answers=[
            (
                "taken_forward",
                "A peer support offer for people leaving hospital is being designed "
                "with Leith Peer Support Network.",
                "",
                9,
            )
        ],
        shaped=["Design a peer support", "Recruit and train eig"],
        earlier="People leaving the wards say peer support helped.",
    )
    view(
        "Dalkeith Community Kitchen",
        "analyse",
        "A warm meal is a way in",
        "Our weekly meals bring in people who would never walk into a clinic. Mental health "
        "support could sit alongside them.",
        ["residents", "service-users"],
        ["midlothian"],
        80,
        answers=[
            ("taken_forward", "A weekly drop-in meal with mental health support is in the plan.", "", 12)
        ],
        shaped=["Plan a weekly drop-in"],
        shaped_decisions=["Community crisis sup"],
    )
    view(
        "Pentland Hills Wellbeing Walks",
        "analyse",
        "Walking groups already run in every area",
        "We run walking groups in Edinburgh and Midlothian that people are referred to by GPs.",
        ["service-users", "residents"],
        ["city-of-edinburgh", "midlothian"],
        78,
        answers=[
            (
                "already_in_place",
                "Walking groups are already part of the community offer "
                "and GPs refer to them; we will keep them in the directory of support.",
                "",
                15,
            )
        ],
    )
    view(
        "Bathgate Community Council",
        "analyse",
        "A new building in Bathgate",
        "Residents would like a new mental health centre built in Bathgate town centre.",
        ["residents"],
        ["west-lothian"],
        75,
        answers=[
            (
                "not_taken_forward",
                "The programme is not building new centres in this cycle.",
                "The capital budget for this cycle is committed to the Royal Edinburgh site; "
                "support in West Lothian will come through existing buildings and partners.",
                18,
            )
        ],
    )
    view(
        "Livingston Family Support Hub",
        "plan",
        "A phone line for families in the evening",
        "Families call us after 6pm when nothing else is open. A family support line in the "
        "evening would take pressure off crisis services.",
        ["families-carers"],
        ["west-lothian"],
        30,
        answers=[("under_consideration", "We are costing an evening line with the hub.", "", 5)],
    )
    view(
        "Dunbar Housing and Recovery Trust",
        "plan",
        "Housing must be agreed before discharge",
        "People stay in hospital for weeks because no tenancy is ready. Housing leads need to be "
        "at the planning table.",
        ["service-users", "staff"],
        ["east-lothian"],
        20,
        question="Where are the gaps in s",
    )
    view(
        "Galashiels Recovery Café",
        "plan",
        "Transport to Hawick in the evening",
        "A recovery café in Hawick only works if people can get home: the last bus leaves at 6pm.",
        ["service-users", "residents"],
        ["scottish-borders"],
        12,
        question="Which of the planned ac",
    )
    view(
        "Penicuik Youth Mental Health Project",
        "plan",
        "Staff worries about funding",
        "Our staff are on contracts that end in March. We can only commit to actions if funding "
        "continues; we would rather say so to the leads than to all partners.",
        ["staff", "third-sector"],
        ["midlothian"],
        8,
        audience="leads",
    )
    view(
        "Haddington Hearing Voices Group",
        "plan",
        "Groups run by people with lived experience",
        "Hearing voices groups work because they are run by people who hear voices. Please keep "
        "that in the plan for East Lothian.",
        ["service-users"],
        ["east-lothian"],
        3,
    )


def _meetings(programme, people, extra, organisations):
    """Past meetings with minutes and attendance; upcoming ones (one full with a waiting list,
    one online); one cancelled."""
    from psp.cycles.models import Stage
    from psp.meetings.models import Booking, Meeting

    coordinator = people["coordinator@example.org"]
    stages = {s.kind: s.id for s in db.session.scalars(
        select(Stage).where(Stage.programme_id == programme.id))}
    now = utcnow().replace(minute=0, second=0, microsecond=0)

    def at(days, hour, hours=2):
        start = (now + timedelta(days=days)).replace(hour=hour)
        return start, start + timedelta(hours=hours)

    def meeting(title, days, hour, **fields):
        starts_at, ends_at = at(days, hour, fields.pop("hours", 2))
        row = Meeting(programme_id=programme.id, title=title, starts_at=starts_at, ends_at=ends_at,
                      created_by_id=coordinator.id, **fields)
        db.session.add(row)
        db.session.flush()
        return row

    hall = "Leith Community Centre, 12A Newkirkgate, Edinburgh EH6 6AD"
    access = "Step-free entrance from Newkirkgate; hearing loop in the main hall; accessible toilet."
    listening = meeting("Listening session: what people need", -80, 13, stage_id=stages["analyse"],
                        agenda="- Welcome and why we are here\n- What works now, what does not\n- Next steps",
                        venue=hall, access_info=access, capacity=40, audience="public",
                        minutes="## What we heard\n\n- Help comes too late, usually in a crisis\n"
                                "- Leaving hospital without a home lined up is the biggest worry\n\n"
                                "## Actions\n\n- EVOC to write up the sessions for the Analyse summary",
                        minutes_published_at=now - timedelta(days=78))
    planning = meeting("Partners' planning workshop", -30, 10, stage_id=stages["plan"], venue=hall,
                       access_info=access, capacity=25, audience="partners",
                       agenda="Agree the first actions and who leads each one.",
                       minutes="- Eight actions agreed, owners named on the Plan stage\n"
                               "- Housing pathways blocked until the council names a lead",
                       minutes_published_at=now - timedelta(days=29))
    full = meeting("Carers' voices: planning support at discharge", 9, 14, stage_id=stages["plan"],
                   venue="Craigmillar Library, 7 Niddrie Mains Terrace, Edinburgh EH16 4NX",
                   access_info="Step-free; quiet room available.", capacity=4, audience="partners",
                   agenda="Carers tell us what support at discharge should look like.",
                   booking_deadline=now + timedelta(days=8))
    online = meeting("Online update for partners", 12, 18, hours=1, audience="partners",
                     online_link="https://meet.example.org/psp-lothian-update",
                     agenda="Progress on delivery and questions from partners.")
    meeting("Borders drop-in", 5, 11, venue="Galashiels Recovery Café, Bank Street, Galashiels TD1 1EN",
            audience="public", status="cancelled", cancel_reason="The venue is closed for repairs; "
            "we will set a new date soon.", sequence=1)
    members = [people["member@example.org"]] + extra
    org_of = {people["member@example.org"].id: organisations["Leith Peer Support Network"].id}
    org_of.update({user.id: organisations[name].id
                   for user, (name, *_r) in zip(extra, PARTNERS[1:], strict=True)})
    for n, person in enumerate(members[:8]):
        db.session.add(Booking(meeting_id=listening.id, user_id=person.id, status="booked",
                               attended=n != 3, requested_at=now - timedelta(days=90 - n),
                               access_needs="hearing-loop" if n == 2 else ""))
    for n, person in enumerate(members[:6]):
        db.session.add(Booking(meeting_id=planning.id, user_id=person.id, status="booked", attended=True,
                               requested_at=now - timedelta(days=40 - n)))
    for n, person in enumerate(members[1:7]):
        db.session.add(Booking(meeting_id=full.id, user_id=person.id, status="booked" if n < 4 else "waiting",
                               requested_at=now - timedelta(days=6, hours=-n),
                               access_needs="bsl" if n == 1 else "step-free" if n == 4 else ""))
    db.session.add(Booking(meeting_id=online.id, user_id=members[0].id, status="booked",
                           requested_at=now - timedelta(days=2)))
    db.session.flush()
    for booking in db.session.scalars(select(Booking).where(Booking.organisation_id.is_(None))):
        booking.organisation_id = org_of.get(booking.user_id)


PLAN_SUMMARY = ("Eight actions agreed with owners and due dates, most led by partners; community crisis "
                "support first. Housing pathways are blocked until East Lothian Council names a lead.")


def _first_cycle(programme, people, organisations):
    """Part-way through cycle 1: Analyse signed off after a return, Plan signed off with its
    actions carried into Do, which is open with one action added to fill a gap."""
    from psp.cycles.models import Action, Decision, Question, Stage, StageTransition
    from psp.cycles.services import start_cycle

    coordinator, lead = people["coordinator@example.org"], people["nhs.lead@example.org"]
    now = utcnow()
    today = now.date()

    def ago(days):
        return now - timedelta(days=days)

    cycle = start_cycle(programme.id, 1, "How people in Lothian want mental health care to be "
                        "provided once services move out of the Royal Edinburgh Hospital.", actor=coordinator)
    cycle.opened_at = ago(110)
    stages = {s.kind: s for s in db.session.scalars(select(Stage).where(Stage.cycle_id == cycle.id))}
    analyse, plan, do = stages["analyse"], stages["plan"], stages["do"]
    db.session.query(StageTransition).filter_by(stage_id=analyse.id).update({"created_at": ago(110)})
    analyse.planned_start, analyse.planned_end = (today - timedelta(days=110), today - timedelta(days=60))
    plan.planned_start, plan.planned_end = (today - timedelta(days=50), today - timedelta(days=12))
    do.planned_start, do.planned_end = today - timedelta(days=10), today + timedelta(days=170)
    stages["review"].planned_start = today + timedelta(days=221)
    stages["review"].planned_end = today + timedelta(days=280)
    first_summary = ("Eleven listening sessions across all five areas, 214 people took part. "
                     "Main needs: help sooner, closer to home; a planned move out of hospital.")
    summary = first_summary + (" Added after review: what families and carers told us at the "
                               "Craigmillar and Livingston sessions, and the gaps in the Borders.")
    history = [
        (analyse, "open", "in_review", coordinator, first_summary, 58),
        (analyse, "in_review", "returned", lead, "The summary says little about families and carers, "
         "and nothing about the Scottish Borders. Please add both before sign-off.", 55),
        (analyse, "returned", "in_review", coordinator, summary, 52),
        (analyse, "in_review", "signed_off", lead, "Thank you: a clear picture of need to plan from.", 50),
        (plan, "upcoming", "open", lead, "Analyse signed off", 50),
        (plan, "open", "in_review", coordinator, PLAN_SUMMARY, 14),
        (plan, "in_review", "signed_off", lead, "Agreed: deliver these actions, and report the "
         "housing block to the programme board.", 10),
        (do, "upcoming", "open", lead, "Plan signed off", 10),
    ]
    for stage, before, after, actor, reason, days in history:
        db.session.add(StageTransition(stage_id=stage.id, actor_id=actor.id, from_status=before,
                                       to_status=after, reason=reason, created_at=ago(days)))
    analyse.status, analyse.summary = "signed_off", summary
    analyse.opened_at, analyse.submitted_at, analyse.signed_off_at = ago(110), ago(52), ago(50)
    db.session.flush()
    plan.status, plan.summary = "signed_off", PLAN_SUMMARY
    plan.opened_at, plan.submitted_at, plan.signed_off_at = ago(50), ago(14), ago(10)
    db.session.flush()
    do.status, do.opened_at = "open", ago(10)
    db.session.add_all([
        Decision(stage_id=analyse.id, title="Listening sessions in every area before planning",
                 detail="Each third-sector interface hosts at least one session.", created_at=ago(100)),
        Question(stage_id=analyse.id, text="What would help people sooner, before they reach hospital?",
                 detail="", created_at=ago(100)),
        Decision(stage_id=plan.id, title="Community crisis support to be planned first",
                 detail="Partners ranked it the most pressing need.", created_at=ago(30)),
        Question(stage_id=plan.id, text="Which of the planned actions could your organisation lead?",
                 detail="Tell us what you would need to take it on.", created_at=ago(40)),
        Question(stage_id=plan.id, text="Where are the gaps in support after discharge?",
                 detail="For partners: please draw on what the people you support tell you.",
                 partners_only=True, created_at=ago(35)),
        Question(stage_id=do.id, text="What is getting in the way of delivering your action?",
                 detail="Tell us early, so the leads can help before an action is overdue.",
                 created_at=ago(8)),
    ])

    def action(owner, title, due_in, status="planned", reason="", result="", at=plan):
        db.session.add(Action(cycle_id=cycle.id, planned_in_id=at.id, organisation_id=organisations[owner].id,
                              title=title, due_on=today + timedelta(days=due_in), status=status,
                              blocked_reason=reason, result=result, created_by_id=coordinator.id,
                              created_at=ago(45 if at is plan else 6)))

    action("Leith Peer Support Network", "Design a peer support offer for people leaving hospital",
           -20, "done", result="Offer agreed with the ward teams: a peer supporter meets each person "
           "a week before discharge.")
    action("Craigmillar Carers Circle", "Set out what carers need at discharge", -10, "done",
           result="Fourteen carers told us; their checklist is now part of discharge planning.")
    action("Dalkeith Community Kitchen", "Plan a weekly drop-in meal with mental health support", -3,
           "in_progress")
    action("Dunbar Housing and Recovery Trust", "Agree housing pathways with East Lothian Council", 5,
           "blocked", "Waiting for the council to name a housing lead; EVOC has asked twice.")
    action("Leith Peer Support Network", "Recruit and train eight peer supporters", 9, "in_progress")
    action("Galashiels Recovery Café", "Plan a recovery café evening in Hawick", 12)
    action("Livingston Family Support Hub", "Plan a family support line", 25)
    action("EVOC", "Cost each planned action with partners", 30)
    action("Penicuik Youth Mental Health Project", "Hold a session for young people in Penicuik", 20,
           at=do)

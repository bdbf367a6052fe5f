"""Demo data: invented people at example.org and organisations with names we made up,
set among real places and public bodies. Only `flask psp seed-demo` loads it.

The demo is told as a story, through the same services a person's clicks go through, in the
order it happened and with the clock set back to each day of it: so the audit log, the stage
history, the notifications and the times to answer read as they would for real. Only the
organisations that nobody in the story registered come from psp.builders.
"""

import io
import textwrap
from datetime import timedelta

from slugify import slugify
from sqlalchemy import func, select, update

from psp import builders, mail, timeutil
from psp.auth import services as accounts
from psp.auth import twofactor
from psp.auth.models import User
from psp.contributions import importing, recorded
from psp.contributions import services as views
from psp.contributions.models import Contribution
from psp.cycles import services as cycles
from psp.cycles.models import Action, Decision, Question
from psp.discussions import services as discussions
from psp.discussions.models import Discussion, Message
from psp.documents import services as documents
from psp.documents.models import MEETING, STAGE, UPDATE, Document, FormatRequest
from psp.engagement import demo as engagement_demo
from psp.extensions import db
from psp.interests import services as interests
from psp.meetings import minutes as meetings_minutes
from psp.meetings import services as meetings
from psp.meetings.models import Meeting
from psp.notifications import services as notifications
from psp.organisations import services as organisations
from psp.organisations.models import Membership, Organisation
from psp.programmes import services as programmes
from psp.programmes.models import Participation, Programme
from psp.timeutil import utcnow
from psp.updates import services as updates
from psp.updates.models import Update

PASSWORD = "demo-codesign-2026"
ACCOUNTS = [
    ("admin@example.org", "Alasdair Grant", "site admin"),
    ("coordinator@example.org", "Morag Henderson", "coordinator of the programme (EVOC)"),
    ("nhs.lead@example.org", "Dr Priya Raman", "NHS lead of the programme (NHS Lothian)"),
    ("member@example.org", "Callum Reid", "admin of Leith Peer Support Network, a partner"),
    ("newcomer@example.org", "Fiona Baird",
     "admin of Musselburgh Men's Shed (waiting to be verified, asking to take part)"),
]
ADMIN, COORDINATOR, LEAD, MEMBER, NEWCOMER = (email for email, _, _ in ACCOUNTS)
# The demo's deciders sign in with an authenticator app. Their secrets are published with the
# password (`flask psp demo-accounts`), and `flask psp demo-code EMAIL` prints the current code.
SECRETS = {ADMIN: "PSPDEMOADMINTOTPSECRETAAAAAAAAAA", COORDINATOR: "PSPDEMOCOORDINATORTOTPSECRETBBBB",
           LEAD: "PSPDEMONHSLEADTOTPSECRETCCCCCCCC"}

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
HAWICK = "Hawick Rural Befriending"  # asks to take part late: its request waits for a decision
NEWCOMERS_SHED = ("Musselburgh Men's Shed", "voluntary-group", None, ["east-lothian"])
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
# partner02 ... partner12 run the partners after Leith, in order.
PARTNER_PEOPLE = [(f"partner{n:02d}@example.org", name) for n, name in enumerate(
    ["Ewan Stewart", "Catriona MacLeod", "Rory Campbell", "Mhairi Robertson", "Hamish Thomson",
     "Isla Murray", "Kirsty Paterson", "Duncan Ross", "Shona Ferguson", "Gregor Watson", "Ailsa Kerr"],
    start=2)]
ADMIN_OF = {"NHS Lothian": LEAD, "EVOC": COORDINATOR, "Leith Peer Support Network": MEMBER,
            NEWCOMERS_SHED[0]: NEWCOMER,
            **{name: email for (email, _), (name, *_r) in zip(PARTNER_PEOPLE, PARTNERS[1:], strict=True)}}

SLUG = "royal-edinburgh-hospital-reprovision"
PROGRAMME = {
    "title": "Royal Edinburgh Hospital services reprovision",
    "summary": "NHS Lothian and the third sector designing together how the Royal Edinburgh "
               "Hospital's services are provided in future: which care moves closer to home, "
               "what support people need on leaving hospital, and how communities take part.",
    "strategy": "A Sense of Belonging: mental health and wellbeing strategy",
    "areas": ALL,
    "need": "How people in Lothian want mental health care to be provided once services move out "
            "of the Royal Edinburgh Hospital.",
}
OUTCOMES = [
    "People get support for their mental health in their own community, sooner",
    "People leaving hospital have a home and the support they need in place",
    "Families and carers are involved in decisions about care",
    "Third-sector partners deliver part of the service, with secure funding",
]
FIRST_SUMMARY = ("Eleven listening sessions across all five areas, 214 people took part. "
                 "Main needs: help sooner, closer to home; a planned move out of hospital.")
ANALYSE_SUMMARY = FIRST_SUMMARY + (" Added after review: what families and carers told us at the "
                                   "Craigmillar and Livingston sessions, and the gaps in the Borders.")
PLAN_SUMMARY = ("Eight actions agreed with owners and due dates, most led by partners; community crisis "
                "support first. Housing pathways are blocked until East Lothian Council names a lead.")


class _Story:
    """Events on days before now, told in the order they happened (the audit log and the
    notifications list by id), each with the clock set to its day."""

    def __init__(self):
        self.now = utcnow().replace(minute=0, second=0, microsecond=0)
        self.today = self.now.date()
        self.events = []

    def on(self, days_ago, event, *args, **kwargs):
        self.events.append((days_ago, len(self.events), event, args, kwargs))

    def tell(self):
        for days_ago, _, event, args, kwargs in sorted(self.events, key=lambda e: (-e[0], e[1])):
            with timeutil.days_ago(days_ago):
                event(*args, **kwargs)

    def at(self, days, hour, hours=2):
        """A meeting's start and end, `days` from today (negative: in the past), in UTC."""
        start = (self.now + timedelta(days=days)).replace(hour=hour)
        return start, start + timedelta(hours=hours)


# Looking up what the story made, when an event needs it ------------------------------

def _person(email):
    return db.session.scalar(select(User).where(User.email == email))


def _organisation(name):
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def _programme():
    return db.session.scalar(select(Programme).where(Programme.slug == SLUG))


def _stage(kind):
    return cycles.find_stage(_programme(), 1, kind)


def _action(title):
    return db.session.scalar(select(Action).where(Action.title.startswith(title)))


def _decision(title):
    return db.session.scalar(select(Decision).where(Decision.title.startswith(title)))


def _question(text):
    return db.session.scalar(select(Question).where(Question.text.startswith(text)))


def _meeting(title):
    return db.session.scalar(select(Meeting).where(Meeting.title == title))


def _view(title):
    return db.session.scalar(select(Contribution).where(Contribution.title == title))


def refusal(production):
    """Why the demo must not load here, or None. Its site admin's password is published in the
    README, so it never goes into production or into a database that holds real accounts."""
    if production:
        return ("The demo data is not loaded when PSP_ENV=production: its accounts' password is "
                "published in the README.")
    demo = {email for email, *_rest in ACCOUNTS} | {email for email, _name in PARTNER_PEOPLE}
    others = db.session.scalar(select(func.count()).select_from(User).where(User.email.not_in(sorted(demo))))
    if others:
        return (f"This database holds {others} account{'' if others == 1 else 's'} that "
                f"{'is' if others == 1 else 'are'} not the demo's: the demo data, with its published "
                "password, is only loaded into a new database or one that holds nothing but the demo.")
    return None


def seed():
    """Create the demo data; return False when it is already there."""
    if db.session.scalar(select(User.id).where(User.email == ADMIN)):
        return False
    story = _Story()
    _people_and_organisations(story)
    _programme_and_partners(story)
    _interests(story)
    _first_cycle(story)
    _meetings(story)
    _views(story)
    _updates(story)
    _documents(story)
    engagement_demo.first_cycle_plan(story, _person, _programme, COORDINATOR)
    engagement_demo.pilot(story, _person, _organisation, ADMIN_OF, ADMIN, COORDINATOR, LEAD)
    _discussions(story)
    for email, *_rest in ACCOUNTS[1:4] + PARTNER_PEOPLE:  # all caught up a fortnight ago
        story.on(13, lambda email=email: notifications.mark_all_read(_person(email)))
    story.tell()
    # Its emails belong to the story's past: sent then, not waiting for a worker now.
    db.session.execute(update(mail.OutboxMessage).values(status=mail.SENT,
                                                         sent_at=mail.OutboxMessage.created_at))
    db.session.commit()
    return True


def _people_and_organisations(story):
    def register(email, name):
        registered = accounts.register(name, email, PASSWORD)
        if registered is None:  # the address had an account: not a fresh demo database
            raise RuntimeError(f"{email} is registered already")
        accounts.confirm_email(registered)

    def register_organisation(name, kind, number, areas):
        data = {"name": name, "kind": kind, "charity_number": number, "description": DESCRIPTIONS[kind],
                "website": f"https://{slugify(name)}.example.org", "areas": areas}
        if name in ADMIN_OF:
            organisations.register_organisation(_person(ADMIN_OF[name]), data)
        else:  # on the register before the story starts, with nobody from it in the demo
            db.session.add(builders.organisation(name, kind, areas=areas, number=number,
                                                 description=data["description"], website=data["website"],
                                                 decided_at=utcnow()))
            db.session.commit()

    def set_up_app(email):
        twofactor.install_totp(_person(email), SECRETS[email])
        db.session.commit()

    story.on(130, accounts.create_admin, ADMIN, ACCOUNTS[0][1], PASSWORD)
    for email, name, _role in ACCOUNTS[1:4]:
        story.on(125, register, email, name)
    for email in SECRETS:
        story.on(124, set_up_app, email)
    for email, name in PARTNER_PEOPLE:
        story.on(122, register, email, name)
    for row in PUBLIC + INTERFACES + PARTNERS:
        story.on(120, register_organisation, *row)
    for name in ("NHS Lothian", "EVOC"):
        story.on(115, lambda name=name: organisations.verify(_person(ADMIN), _organisation(name)))
    # The newcomer registers their shed and asks to take part at once, while it waits to be verified.
    story.on(3, register, NEWCOMER, ACCOUNTS[4][1])
    story.on(3, register_organisation, *NEWCOMERS_SHED)
    # A colleague joins the member's organisation; another asks to.
    leith = "Leith Peer Support Network"
    story.on(100, lambda: organisations.ask_to_join(_person(PARTNER_PEOPLE[0][0]), _organisation(leith)))
    story.on(99, lambda: organisations.decide_membership(_person(MEMBER), db.session.scalars(
        select(Membership).where(Membership.status == "requested")).one(), accept=True))
    story.on(3, lambda: organisations.ask_to_join(_person(PARTNER_PEOPLE[1][0]), _organisation(leith)))


def _programme_and_partners(story):
    def create():
        data = {**PROGRAMME, "lead_body": _organisation("NHS Lothian").id,
                "lead_interface": _organisation("EVOC").id}
        programme = programmes.create_programme(_person(ADMIN), data, OUTCOMES)
        programme.slug = SLUG  # shorter than the one made from its title
        db.session.commit()
        programmes.appoint(_person(ADMIN), programme, COORDINATOR, "coordinator")
        programmes.appoint(_person(ADMIN), programme, LEAD, "nhs_lead")

    def plan_dates():
        days = {"analyse": (-110, -60), "plan": (-50, -12), "do": (-10, 170), "review": (221, 280)}
        for kind, (start, end) in days.items():
            cycles.set_dates(_person(COORDINATOR), _stage(kind), story.today + timedelta(days=start),
                             story.today + timedelta(days=end))

    def ask(name):
        programmes.ask_to_take_part(_person(ADMIN_OF[name]), _programme(), _organisation(name))

    def verify_and_admit(name):
        participation = db.session.scalars(select(Participation).where(
            Participation.organisation_id == _organisation(name).id)).one()
        programmes.verify_and_decide(_person(COORDINATOR), participation, admit=True)

    story.on(110, create)
    story.on(109, plan_dates)
    for name, *_rest in PARTNERS:
        if name != HAWICK:
            story.on(108, ask, name)
            story.on(105, verify_and_admit, name)
    story.on(105, lambda: organisations.verify(_person(COORDINATOR), _organisation(HAWICK)))
    story.on(4, ask, HAWICK)
    story.on(2, ask, NEWCOMERS_SHED[0])


def _interests(story):
    """The register of interests: both leads and three partners declare, soon after the partners are
    admitted (so each sign-off keeps the NHS lead's declaration); Leith's admin declares for Leith
    that it may bid to deliver the peer support it is helping to design."""
    def declare(email, kind, on_behalf=None, organisation=None, description=""):
        interests.declare(_person(email), _programme(), {
            "kind": kind, "on_behalf": str(_organisation(on_behalf).id) if on_behalf else "",
            "organisation": str(_organisation(organisation).id) if organisation else "",
            "description": description})

    story.on(104, declare, LEAD, "none")
    story.on(104, declare, COORDINATOR, "other", description="I volunteer with a befriending scheme in "
             "Leith that is not a partner of this programme.")
    story.on(103, declare, MEMBER, "may-bid", on_behalf="Leith Peer Support Network",
             description="We may bid to deliver the peer support service for people leaving hospital.")
    story.on(103, declare, PARTNER_PEOPLE[0][0], "none")
    story.on(102, declare, PARTNER_PEOPLE[1][0], "role-elsewhere", organisation="EVOC",
             description="I am a trustee of EVOC.")


def _first_cycle(story):
    """Part-way through cycle 1: Analyse signed off after a return, Plan signed off with its
    actions carried into Do, which is open with one action added to fill a gap."""
    coordinator, lead = (lambda: _person(COORDINATOR)), (lambda: _person(LEAD))

    def item(kind, model, **fields):
        cycles.save_item(coordinator(), _stage(kind), None, model, **fields)

    def move(change, person, kind, text):
        stage = _stage(kind)
        change(person(), _programme(), stage, stage.version, text)

    def plan_action(owner, title, due_in, kind="plan"):
        cycles.save_action(coordinator(), _programme(), _stage(kind), None, title, _organisation(owner).id,
                           story.today + timedelta(days=due_in))

    def progress(title, status, reason="", result=""):
        action = _action(title)
        cycles.update_action_status(_person(ADMIN_OF.get(action.organisation.name, COORDINATOR)),
                                    _programme(), action, status, reason, result)

    story.on(100, item, "analyse", Decision, title="Listening sessions in every area before planning",
             detail="Each third-sector interface hosts at least one session.")
    story.on(100, item, "analyse", Question, text="What would help people sooner, before they reach "
             "hospital?", detail="")
    story.on(58, move, cycles.submit, coordinator, "analyse", FIRST_SUMMARY)
    story.on(55, move, cycles.return_stage, lead, "analyse", "The summary says little about families "
             "and carers, and nothing about the Scottish Borders. Please add both before sign-off.")
    story.on(52, move, cycles.submit, coordinator, "analyse", ANALYSE_SUMMARY)
    story.on(50, move, cycles.sign_off, lead, "analyse", "Thank you: a clear picture of need to plan from.")
    for owner, title, due_in in [
        ("Leith Peer Support Network", "Design a peer support offer for people leaving hospital", -20),
        ("Craigmillar Carers Circle", "Set out what carers need at discharge", -10),
        ("Dalkeith Community Kitchen", "Plan a weekly drop-in meal with mental health support", -3),
        ("Dunbar Housing and Recovery Trust", "Agree housing pathways with East Lothian Council", 5),
        ("Leith Peer Support Network", "Recruit and train eight peer supporters", 9),
        ("Galashiels Recovery Café", "Plan a recovery café evening in Hawick", 12),
        ("Livingston Family Support Hub", "Plan a family support line", 25),
        ("EVOC", "Cost each planned action with partners", 30),
    ]:
        story.on(45, plan_action, owner, title, due_in)
    story.on(40, item, "plan", Question, text="Which of the planned actions could your organisation lead?",
             detail="Tell us what you would need to take it on.")
    story.on(35, item, "plan", Question, text="Where are the gaps in support after discharge?",
             detail="For partners: please draw on what the people you support tell you.", partners_only=True)
    story.on(30, item, "plan", Decision, title="Community crisis support to be planned first",
             detail="Partners ranked it the most pressing need.")
    story.on(22, progress, "Design a peer support", "done", result="Offer agreed with the ward teams: a "
             "peer supporter meets each person a week before discharge.")
    story.on(14, move, cycles.submit, coordinator, "plan", PLAN_SUMMARY)
    story.on(10, move, cycles.sign_off, lead, "plan", "Agreed: deliver these actions, and report the "
             "housing block to the programme board.")
    story.on(9, progress, "Set out what carers", "done",
             result="Fourteen carers told us; their checklist is now part of discharge planning.")
    story.on(8, item, "do", Question, text="What is getting in the way of delivering your action?",
             detail="Tell us early, so the leads can help before an action is overdue.")
    story.on(7, progress, "Plan a weekly drop-in", "in_progress")
    story.on(6, plan_action, "Penicuik Youth Mental Health Project", "Hold a session for young people in "
             "Penicuik", 20, kind="do")
    story.on(5, progress, "Agree housing pathways", "blocked",
             reason="Waiting for the council to name a housing lead; EVOC has asked twice.")
    story.on(4, progress, "Recruit and train", "in_progress")


def _meetings(story):
    """Past meetings with minutes and attendance; upcoming ones (one full with a waiting list,
    one online); one cancelled."""
    hall = "Leith Community Centre, 12A Newkirkgate, Edinburgh EH6 6AD"
    access = "Step-free entrance from Newkirkgate; hearing loop in the main hall; accessible toilet."
    # Who books: the member, then the partners' admins in order.
    members = [MEMBER] + [email for email, _ in PARTNER_PEOPLE]

    def schedule(title, days, hour, hours=2, stage=None, **fields):
        starts_at, ends_at = story.at(days, hour, hours)
        data = {"title": title, "agenda": "", "starts_at": starts_at, "ends_at": ends_at, "venue": "",
                "access_info": "", "online_link": "", "capacity": None, "booking_deadline": None,
                "audience": "partners", "stage_id": _stage(stage).id if stage else None, **fields}
        meetings.schedule(_person(COORDINATOR), _programme(), data)

    def book(title, email, needs=()):
        meetings.book(_person(email), _programme(), _meeting(title), list(needs), "")

    def attended(title, absent=()):
        meeting = _meeting(title)
        present = [b.id for b in meetings.bookings(meeting) if b.user.email not in absent]
        meetings.record_attendance(_person(COORDINATOR), meeting, present)

    def send_minutes(title, text, days=7):
        meetings_minutes.send_draft(_person(COORDINATOR), _programme(), _meeting(title), text,
                                    meetings_minutes.today() + timedelta(days=days))

    def agree(title, email):
        meeting = _meeting(title)
        person = _person(email)
        booking = meetings.my_booking(person, meeting)
        assert booking is not None
        meetings_minutes.agree(person, meeting, booking)

    def suggest(title, email, text):
        meeting = _meeting(title)
        person = _person(email)
        booking = meetings.my_booking(person, meeting)
        assert booking is not None
        meetings_minutes.suggest_correction(person, _programme(), meeting, booking, text)

    def decide(title, text, accept, reason="", draft=None):
        meeting = _meeting(title)
        correction = next(c for c in meetings_minutes.agreement(meeting).corrections if c.text == text)
        meetings_minutes.decide_correction(_person(COORDINATOR), _programme(), meeting, correction, accept,
                                           reason)
        if draft is not None:  # accepting does not change the text: the coordinator edits it to match
            meeting = _meeting(title)
            meetings_minutes.edit_draft(_person(COORDINATOR), meeting, draft, meeting.minutes_deadline)

    def publish(title):
        meetings_minutes.publish(_person(COORDINATOR), _programme(), _meeting(title))

    listening = "Listening session: what people need"
    story.on(95, schedule, listening, -80, 13, stage="analyse", venue=hall, access_info=access, capacity=40,
             audience="public",
             agenda="- Welcome and why we are here\n- What works now, what does not\n- Next steps")
    for n, email in enumerate(members[:8]):
        story.on(90 - n, book, listening, email, ["hearing-loop"] if n == 2 else [])
    story.on(79, attended, listening, absent=[members[3]])
    heard = ("## What we heard\n\n- Help comes too late, usually in a crisis\n"
             "- Leaving hospital without a home lined up is the biggest worry\n\n"
             "## Actions\n\n- EVOC to write up the sessions for the Analyse summary")
    carers = "Please add that carers said they are told about discharge on the day, too late to prepare."
    story.on(78, send_minutes, listening, heard)
    story.on(77, agree, listening, members[0])
    story.on(77, suggest, listening, members[1], carers)
    story.on(76, agree, listening, members[2])
    story.on(76, agree, listening, members[4])
    story.on(75, decide, listening, carers, True, draft=heard.replace(
        "in a crisis\n", "in a crisis\n- Carers are told about discharge on the day, too late to prepare\n"))
    story.on(74, agree, listening, members[1])
    story.on(72, publish, listening)

    planning = "Partners' planning workshop"
    story.on(42, schedule, planning, -30, 10, stage="plan", venue=hall, access_info=access, capacity=25,
             agenda="Agree the first actions and who leads each one.")
    for n, email in enumerate(members[:6]):
        story.on(40 - n, book, planning, email)
    story.on(29, attended, planning)
    agreed = ("- Eight actions agreed, owners named on the Plan stage\n"
              "- Housing pathways blocked until the council names a lead")
    story.on(29, send_minutes, planning, agreed.replace("Eight", "Seven"), days=5)
    owners = "We agreed eight actions, not seven: the Penicuik youth session was added at the end."
    unnamed = "Could the minutes name the council officer we are waiting for?"
    story.on(28, suggest, planning, members[2], owners)
    story.on(28, suggest, planning, members[3], unnamed)
    story.on(28, agree, planning, members[0])
    story.on(27, agree, planning, members[1])
    story.on(27, decide, planning, owners, True, draft=agreed)
    story.on(27, decide, planning, unnamed, False, reason="The council has not named anyone yet; the "
             "action on the Plan stage will say who once they do.")
    story.on(26, agree, planning, members[2])
    story.on(25, publish, planning)

    full = "Carers' voices: planning support at discharge"
    story.on(7, schedule, full, 9, 14, stage="plan",
             venue="Craigmillar Library, 7 Niddrie Mains Terrace, Edinburgh EH16 4NX",
             access_info="Step-free; quiet room available.", capacity=4,
             agenda="Carers tell us what support at discharge should look like.",
             booking_deadline=story.now + timedelta(days=8))
    for n, email in enumerate(members[1:7]):  # four places: the last two wait
        story.on(6 - n / 24, book, full, email, ["bsl"] if n == 1 else ["step-free"] if n == 4 else [])

    online = "Online update for partners"
    story.on(7, schedule, online, 12, 18, hours=1, online_link="https://meet.example.org/psp-lothian-update",
             agenda="Progress on delivery and questions from partners.")
    story.on(2, book, online, MEMBER)

    drop_in = "Borders drop-in"
    story.on(20, schedule, drop_in, 5, 11, venue="Galashiels Recovery Café, Bank Street, Galashiels TD1 1EN",
             audience="public")
    story.on(4, lambda: meetings.cancel_meeting(
        _person(COORDINATOR), _programme(), _meeting(drop_in),
        "The venue is closed for repairs; we will set a new date soon."))


def _views(story):
    """Views across Analyse and Plan from several partners, in every state of answering.

    Each answer comes a number of days after the view; answers that take a view forward come
    once the actions and decisions they link to exist."""
    answerers = [COORDINATOR, LEAD]  # they take turns on a view's answers

    def give(org, stage, title, body, communities, areas, audience="partners", question=None):
        data = {"organisation_id": _organisation(org).id, "stage_id": _stage(stage).id,
                "question_id": _question(question).id if question else None, "meeting_id": None,
                "title": title, "body": body, "audience": audience, "communities": communities,
                "areas": areas}
        views.give(_person(ADMIN_OF[org]), _programme(), data, submit=True)

    def edit(org, title, body):
        view = _view(title)
        communities, areas = views.tag_keys(view)
        data = {"organisation_id": view.organisation_id, "stage_id": view.stage_id,
                "question_id": view.question_id, "meeting_id": None, "title": title, "body": body,
                "audience": view.audience, "communities": communities, "areas": areas}
        views.update(_person(ADMIN_OF[org]), _programme(), view, view.version, data, submit=False)

    def answer(n, title, status, text, reason="", shaped=(), shaped_decisions=()):
        view = _view(title)
        views.answer(_person(answerers[n % 2]), _programme(), view, view.version, status, text, reason,
                     [_action(a).id for a in shaped], [_decision(d).id for d in shaped_decisions])

    def view(org, stage, title, body, communities, areas, days, answers=(), earlier=None, **fields):
        story.on(days, give, org, stage, title, earlier or body, communities, areas, **fields)
        if earlier:
            story.on(days - 1, edit, org, title, body)
        for n, (after, status, text, *links) in enumerate(answers):
            story.on(days - after, answer, n, title, status, text, *links)

    view("Craigmillar Carers Circle", "analyse", "Carers are told about discharge on the day",
         "Families we support are often told their relative is coming home the same morning. "
         "They need a week's notice and a named person to call.",
         ["families-carers"], ["city-of-edinburgh"], 90, question="What would help people",
         answers=[(6, "under_consideration", "We are looking at how discharge is planned with the wards."),
                  (46, "taken_forward", "Carers' needs at discharge are now an action of the Plan stage, "
                   "led by Craigmillar Carers Circle.", "", ["Set out what carers n"])])
    view("Leith Peer Support Network", "analyse", "Peer support from people who have been there",
         "People leaving the wards tell us the most useful support came from someone who had been "
         "in hospital themselves. A peer supporter from the first week would help.",
         ["service-users"], ["city-of-edinburgh"], 85, question="What would help people",
         earlier="People leaving the wards say peer support helped.",
         answers=[(9, "under_consideration", "We are looking at peer support with the ward teams."),
                  (41, "taken_forward", "A peer support offer for people leaving hospital is being "
                   "designed with Leith Peer Support Network.", "",
                   ["Design a peer support", "Recruit and train eig"])])
    view("Dalkeith Community Kitchen", "analyse", "A warm meal is a way in",
         "Our weekly meals bring in people who would never walk into a clinic. Mental health "
         "support could sit alongside them.", ["residents", "service-users"], ["midlothian"], 80,
         answers=[(12, "under_consideration", "We will bring this to the Plan stage."),
                  (52, "taken_forward", "A weekly drop-in meal with mental health support is in the plan.",
                   "", ["Plan a weekly drop-in"], ["Community crisis sup"])])
    view("Pentland Hills Wellbeing Walks", "analyse", "Walking groups already run in every area",
         "We run walking groups in Edinburgh and Midlothian that people are referred to by GPs.",
         ["service-users", "residents"], ["city-of-edinburgh", "midlothian"], 78,
         answers=[(15, "already_in_place", "Walking groups are already part of the community offer "
                   "and GPs refer to them; we will keep them in the directory of support.")])
    view("Bathgate Community Council", "analyse", "A new building in Bathgate",
         "Residents would like a new mental health centre built in Bathgate town centre.",
         ["residents"], ["west-lothian"], 75,
         answers=[(18, "not_taken_forward", "The programme is not building new centres in this cycle.",
                   "The capital budget for this cycle is committed to the Royal Edinburgh site; "
                   "support in West Lothian will come through existing buildings and partners.")])
    view("Livingston Family Support Hub", "plan", "A phone line for families in the evening",
         "Families call us after 6pm when nothing else is open. A family support line in the "
         "evening would take pressure off crisis services.", ["families-carers"], ["west-lothian"], 30,
         answers=[(5, "under_consideration", "We are costing an evening line with the hub.")])
    view("Dunbar Housing and Recovery Trust", "plan", "Housing must be agreed before discharge",
         "People stay in hospital for weeks because no tenancy is ready. Housing leads need to be "
         "at the planning table.", ["service-users", "staff"], ["east-lothian"], 20,
         question="Where are the gaps in s")
    view("Galashiels Recovery Café", "plan", "Transport to Hawick in the evening",
         "A recovery café in Hawick only works if people can get home: the last bus leaves at 6pm.",
         ["service-users", "residents"], ["scottish-borders"], 12, question="Which of the planned ac")
    view("Penicuik Youth Mental Health Project", "plan", "Staff worries about funding",
         "Our staff are on contracts that end in March. We can only commit to actions if funding "
         "continues; we would rather say so to the leads than to all partners.",
         ["staff", "third-sector"], ["midlothian"], 8, audience="leads")
    view("Haddington Hearing Voices Group", "plan", "Groups run by people with lived experience",
         "Hearing voices groups work because they are run by people who hear voices. Please keep "
         "that in the plan for East Lothian.", ["service-users"], ["east-lothian"], 3)
    _recorded_views(story, answer)


def _recorded_views(story, answer):
    """Views the coordinator wrote down from people who never sign in: a drop-in, a phone call
    from a partner, and a paper form from a patients' group not on the service."""
    def record(stage, title, body, communities, areas, source, giver, partner=None, **fields):
        if partner:
            fields["organisation_id"] = _organisation(partner).id
        given = recorded.Recording(
            stage_id=_stage(stage).id, question_id=None, meeting_id=None, title=title, body=body,
            communities=communities, areas=areas, audience="partners", source=source,
            given_on=cycles.today(), giver=giver, **fields)
        recorded.record(_person(COORDINATOR), _programme(), given)

    story.on(70, record, "analyse", "Somewhere to go when the day centre closes",
             "People at the drop-in said the evenings are the hardest time: the day centre shuts at "
             "four and the next help is A&E. Several asked for a place to sit and talk until late.",
             ["service-users", "residents"], ["city-of-edinburgh"], "event", "event",
             given_where="the Leith drop-in", people=14)
    story.on(62, answer, 1, "Somewhere to go when the day centre closes", "under_consideration",
             "We are looking at evening opening with the partners who run day services.")
    story.on(25, record, "plan", "Volunteers need training before the peer support starts",
             "Rang to say their volunteers want the peer support training to start before they are "
             "matched with anyone leaving hospital.", ["third-sector"], ["scottish-borders"], "phone",
             "partner", partner="Galashiels Recovery Café")
    story.on(16, record, "plan", "Ask patients on the ward before the plan is signed off",
             "Our forum filled in the paper form together. Patients on the ward want to see the plan "
             "in plain words and be asked about it before it is agreed.", ["service-users"],
             ["city-of-edinburgh"], "paper", "group", given_where="the ward forum's monthly meeting",
             group_name="Royal Edinburgh Ward Patients' Forum", group_kind="voluntary-group",
             group_area="city-of-edinburgh", contact_email="ward.forum@example.org", consent=True)
    story.on(9, _import_from_the_cafe)


# Twelve views gathered on cards at a recovery café evening, typed into a spreadsheet.
_CAFE = [
    ("A bus home after the café", "The last bus to Hawick leaves before the café closes."),
    ("Someone to talk to on Sundays", "Sundays are the longest day: nothing is open."),
    ("Meet the community nurse here", "Seeing the nurse at the café would be easier than the clinic."),
    ("Peer support from the first week", "Someone who has been through it, in the first week home."),
    ("Help with forms", "Benefit forms stop people coming to anything else."),
    ("Quiet corner", "A quiet corner for people who find groups too much."),
    ("Food as well as talk", "A hot meal brings people in who would not come for a group."),
    ("Carers welcome too", "Carers want to come along and meet other carers."),
    ("Phone reminders", "A text the day before helps people remember to come."),
    ("Stay open in the holidays", "The café closing over Christmas is the hardest time."),
    ("Say what happened to our ideas", "Tell us what came of what we said last time."),
    ("More than one town", "Galashiels and Hawick both need an evening like this."),
]


def _import_from_the_cafe():
    rows = ["title,view,communities,areas,source,given_on,given_where,giver,people"]
    given = cycles.today().isoformat()
    rows += [f'"{title}","{text}",People who use the services,Scottish Borders,event,{given},'
             f"the recovery café evening in Galashiels,event,{n % 4 + 2}"
             for n, (title, text) in enumerate(_CAFE)]
    data = ("\n".join(rows) + "\n").encode()
    person, programme = _person(COORDINATOR), _programme()
    upload = importing.prepare(person, programme, _stage("plan").id, "recovery-cafe-cards.csv", data)
    assert isinstance(upload, importing.ViewImport), upload
    importing.confirm(person, programme, upload)


def _updates(story):
    def post(title, body, audience):
        updates.post(_person(COORDINATOR), _programme(), title, body, audience)

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
        story.on(days, post, title, body, audience)


def _pdf(title, pages):
    """A small, real PDF: the title and one paragraph on each page, in Helvetica."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{4 + 2 * n} 0 R" for n in range(len(pages)))
               + f"] /Count {len(pages)} >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n, text in enumerate(pages):
        lines = [title, ""] + textwrap.wrap(text, 80)
        shown = " ".join("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
                         for line in lines)
        stream = f"BT /F1 12 Tf 72 790 Td 16 TL {shown} ET"
        objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * n} 0 R >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _documents(story):
    """Papers on the past meetings (one replaced by a second version), a report on the Plan stage,
    a costing template with an update; one request for another format sent, one waiting."""
    def attach(kind, record, title, summary, category, content, filename, audience="public", by=COORDINATOR):
        parent = documents.Parent(kind, record(), _programme())
        documents.attach(_person(by), parent, title, summary, category, audience, io.BytesIO(content),
                         filename)

    def meeting(title):
        return lambda: _meeting(title)

    def document(title):
        return db.session.scalar(select(Document).where(Document.title == title))

    listening, planning = "Listening session: what people need", "Partners' planning workshop"
    story.on(81, attach, MEETING, meeting(listening), "Listening session slides",
             "What we asked, and how the session will run.", "presentation",
             _pdf("Listening session", ["Why we are here: the Royal Edinburgh Hospital's services are being "
                                        "reprovided, and partners help design what comes next.",
                                        "What works now? What does not? What would help sooner?",
                                        "What happens next: a summary of every session, shared with you."]),
             "slides.pdf")
    story.on(77, attach, MEETING, meeting(listening), "What we heard: Easy Read summary",
             "The main points from the listening session, in Easy Read.", "papers",
             _pdf("What we heard", ["Help often comes too late.", "Leaving hospital without a home is the "
                                    "biggest worry."]), "easy-read.pdf")
    story.on(33, attach, MEETING, meeting(planning), "Options appraisal: community crisis support",
             "Three ways to run community crisis support, scored against what people told us.", "papers",
             _pdf("Options appraisal", ["Option A: a crisis café in each area, open evenings.",
                                        "Option B: an out-of-hours phone line run by partners.",
                                        "Option C: both, phased over two years.",
                                        "Scores against the needs heard in Analyse."]),
             "options.pdf", audience="partners")
    story.on(33, attach, MEETING, meeting(planning), "Draft service specification",
             "For the NHS leads and coordinators while the costs are confirmed.", "papers",
             _pdf("Draft service specification", ["First draft."]), "spec.pdf", audience="leads")
    story.on(20, lambda: documents.replace(_person(COORDINATOR), document("Draft service specification"), 1,
                                           io.BytesIO(_pdf("Draft service specification",
                                                           ["Second draft, with the partners' costs.",
                                                            "Outcomes and how they are measured."])),
                                           "spec-v2.pdf"))
    story.on(16, attach, STAGE, lambda: _stage("plan"), "Plan stage report",
             "The actions agreed, who leads each, and the evidence behind them.", "report",
             _pdf("Plan stage report", ["Eight actions agreed with named owners.",
                                        "Community crisis support planned first.",
                                        "Housing pathways depend on the council naming a lead."]), "plan.pdf")
    story.on(12, attach, UPDATE, lambda: db.session.scalar(select(Update).where(
             Update.title.startswith("Costing the plan"))), "Costing template", "One row for each cost "
             "of an action your organisation leads.", "attachment",
             b"action,item,cost per month (GBP),notes\nPlan a weekly drop-in,Room hire,320,\n", "costs.csv",
             audience="partners")

    def ask(email, title, chosen, detail=""):
        documents.ask_for_format(_person(email), _programme(), document(title), chosen, detail)

    def sent(title, note):
        asked = db.session.scalars(select(FormatRequest).join(Document).where(Document.title == title)).one()
        documents.mark_sent(_person(COORDINATOR), _programme(), asked, note)

    story.on(70, ask, PARTNER_PEOPLE[2][0], "Listening session slides", "large-print")
    story.on(69, sent, "Listening session slides", "Posted in 18-point print to your office.")
    story.on(3, ask, MEMBER, "Options appraisal: community crisis support", "easy-read")


# Discussions ------------------------------------------------------------------------------

LIVELY = "Getting home from hospital: what has to be in place on day one"
LIVELY_REPLIES = [
    ("partner04@example.org", "Food. People come home to an empty fridge. We can deliver a box the same day "
     "if someone tells us."),
    ("partner07@example.org", "A tenancy that is still there. Too many people lose their flat "
                              "during a long stay."),
    (LEAD, "This matches what the discharge team tells us. Which of these can partners take on, and "
           "which need the NHS or the council?"),
    (MEMBER, "Someone to phone on the first night. Our peer workers do this already in Leith; it "
             "could go wider."),
    ("partner03@example.org", "A walk in the first week helps more than people expect. We would offer one to "
     "everyone leaving the wards."),
    ("partner09@example.org", "Young people need someone their own age to meet them, not another "
                              "appointment."),
    ("partner07@example.org", "@Dalkeith Community Kitchen could your food boxes and our tenancy "
                              "checks go out together?"),
    ("partner04@example.org", "Yes. Send us the addresses the day before and we will pack for both."),
    (COORDINATOR, "Thank you all. I will gather these into one list for the next workshop."),
    ("partner05@example.org", "Families want to know the plan before the day, not on it."),
    ("partner08@example.org", "Carers in West Lothian say the same: a phone call two days before would do."),
    ("partner02@example.org", "Craigmillar carers would add: a named person, written down."),
    (MEMBER, "Agreed on a named person. Could that be a partner, not only the ward?"),
    ("partner10@example.org", "In the Borders the first problem is getting home at all: buses stop at six."),
    ("partner06@example.org", "Some people in our group would rather not be phoned by strangers. Ask first."),
    (LEAD, "Noted: consent first, and a choice of how to be contacted."),
    ("partner12@example.org", "Older people often need an advocate at the discharge meeting itself."),
    ("partner03@example.org", "We can train volunteers to go with people to that meeting."),
    ("partner08@example.org", "Whoever is named should also be told when the discharge date changes."),
    (COORDINATOR, "I have added this discussion to the agenda of the next partners' workshop."),
    ("partner05@example.org", "Thank you. Young people's groups will bring examples."),
    (MEMBER, "We will bring the first-night call script to the workshop."),
]
OFF_TOPIC = ("partner09@example.org", "Anyone know a cheap venue for our fundraiser? Message me on "
             "07700 900123, and ask for my colleague Jo who was in hospital last month.")


def _discussion(title):
    return db.session.scalars(select(Discussion).where(Discussion.title == title)).one()


def _discussions(story):
    programme = _programme

    def start(email, title, body, days, audience="partners", **place):
        discussions.start(_person(email), programme(), {"title": title, "body": body, "audience": audience,
                                                         "mentions": [], **place})

    def reply(email, title, body, mentions=()):
        discussions.reply(_person(email), programme(), _discussion(title), body, None,
                          [_organisation(name).id for name in mentions])

    def message(title, number):
        return db.session.scalar(select(Message).join(Discussion, Discussion.id == Message.discussion_id)
                                 .where(Discussion.title == title, Message.number == number))

    # Closed, with a summary: the workshop dates.
    dates = "Dates for the partners' workshops"
    story.on(44, start, COORDINATOR, dates, "We plan a workshop every six weeks. Which weekday suits "
             "your organisation best, and morning or afternoon?", 44, "public")
    for days, email, body in [(43, MEMBER, "Tuesdays, mornings."), (43, "partner03@example.org", "Thursday "
                              "afternoons; our walks are in the mornings."),
                              (42, "partner08@example.org", "Any day but Monday."),
                              (41, "partner10@example.org", "Online please, or the Borders cannot come.")]:
        story.on(days, reply, email, dates, body)
    story.on(40, lambda: discussions.close(_person(COORDINATOR), programme(), _discussion(dates),
        "Thank you. Workshops will be on **Tuesday mornings**, every six weeks, with an online link for "
        "anyone who cannot travel. The dates are on the meetings page."))

    # On the Plan stage; a message becomes a view for its organisation.
    crisis = "Community crisis support: who covers nights?"
    story.on(26, lambda: start(COORDINATOR, crisis, "Plan puts community crisis support first. Daytime is "
                               "covered; nights are not. What could partners offer?", 26,
                               stage_id=_stage("plan").id))
    story.on(26, reply, MEMBER, crisis, "Leith Peer Support could staff a phone line until midnight, four "
             "nights a week, if the costs of two part-time peer workers are met. After midnight we "
             "would need "
             "the NHS crisis team behind us.")
    story.on(25, reply, "partner06@example.org", crisis, "Hearing voices groups ask that night workers have "
             "lived experience.")
    story.on(25, reply, LEAD, crisis, "The crisis team can take calls passed on after midnight. "
                                      "Leith, please "
             "put your offer in as a view so we can answer it properly.")
    story.on(24, lambda: discussions.make_view(
        _person(MEMBER), programme(), _discussion(crisis),
        message(crisis, 2), "Peer support phone line until midnight",
        "Leith Peer Support Network offers a peer-led phone line until midnight, four nights a week, if the "
        "costs of two part-time peer workers are met, with the NHS crisis team taking calls after midnight."))

    # Lively: many partners, a mention, a message reported and hidden.
    story.on(20, lambda: start(MEMBER, LIVELY, "When someone leaves the Royal Edinburgh, what must be ready "
                               "for them on the first day home? Let us make one list.", 20))
    for n, (email, body) in enumerate(LIVELY_REPLIES):
        when = 20 - (n * 17) / len(LIVELY_REPLIES)
        mentions = ("Dalkeith Community Kitchen",) if body.startswith("@Dalkeith") else ()
        story.on(when, reply, email, LIVELY, body, mentions)
        if n == 10:
            story.on(when, reply, OFF_TOPIC[0], LIVELY, OFF_TOPIC[1])
    story.on(9, lambda: discussions.report(_person(LEAD), programme(), message(LIVELY, 13),
                                           "It names someone and gives a phone number"))
    story.on(9, lambda: discussions.hide(_person(COORDINATOR), programme(), message(LIVELY, 13),
                                         "It named a person and gave a phone number. Please ask the "
                                         "coordinator about fundraising."))

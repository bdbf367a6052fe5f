"""Demo data: invented people at example.org and organisations with names we made up,
set among real places and public bodies. Only `flask psp seed-demo` loads it."""

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
    ("newcomer@example.org", "Fiona Baird", "admin of Musselburgh Men's Shed (waiting to be verified)"),
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
    db.session.commit()
    return True

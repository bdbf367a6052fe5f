"""Build the benchmark's data set through the app's own models, in batches, with progress bars.

Rows are made by psp.builders, as the demo and the test factories make theirs, and go in with
SQLAlchemy's bulk INSERT on each model's table, so every column default and constraint of the
models applies; one password hash serves every person.
"""

import random
from datetime import timedelta

from sqlalchemy import func, insert, select, text
from tqdm import tqdm

from psp import builders
from psp.auth.models import User
from psp.auth.passwords import hash_password
from psp.contributions.models import (
    ANSWERS,
    COMMUNITIES,
    Contribution,
    ContributionAction,
    ContributionArea,
    ContributionCommunity,
    Response,
)
from psp.cycles.models import Action, Stage
from psp.cycles.services import start_cycle
from psp.discussions.models import Discussion, Message
from psp.documents.models import Document, DocumentVersion
from psp.engagement.models import STANDARDS, EngagementAssessment, EngagementReview, PartnerRating
from psp.extensions import db
from psp.interests.models import Declaration
from psp.meetings.models import AGREED, Booking, Meeting, MinutesAgreement, MinutesCorrection
from psp.organisations.models import Membership, Organisation, OrganisationArea
from psp.places import AREAS
from psp.programmes.models import Participation, Programme
from psp.timeutil import utcnow

PASSWORD = "bench-password-2026"
COORDINATOR = "bench.coordinator@example.org"
PARTNER = "bench.partner@example.org"
BATCH = 5000
BASE = {
    "programmes": 50,
    "organisations": 3000,
    "people": 20000,
    "meetings": 2000,
    "bookings": 60000,
    "views": 100000,
}
THREAD = 500        # messages in the long discussion, at full scale
DISCUSSIONS = 300   # other discussions of the first programme, at full scale
LONG_MEETING = 300  # bookings on one meeting of the first programme (fewer if there are fewer people)
DECLARATIONS = 200  # the first programme's register of interests, at full scale
UPDATES = 30        # news of the first programme, for its Atom feed
PAPERS = 12         # documents on the measured meeting
LONG_MEETING_TITLE = "Bench: a meeting with a long list of bookings"
MINUTES_TITLE = "Bench: a meeting with agreed minutes"
WORDS = (
    "discharge support housing carers evening transport peer crisis community waiting "
    "advocacy families young people rural kitchen walking befriending recovery funding staff"
).split()


def sizes(scale):
    return {name: max(2 if name == "programmes" else 10, int(count * scale)) for name, count in BASE.items()}


def _bulk(model, rows, label):
    rows = list(rows)
    with tqdm(total=len(rows), desc=label, unit="rows", leave=True, ncols=80) as bar:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            db.session.execute(insert(model), chunk)
            bar.update(len(chunk))
    db.session.commit()


def _ids(model, column=None):
    column = column if column is not None else model.id
    return db.session.scalars(select(column).order_by(column)).all()


def build(scale=1.0, seed=2026):
    """Fill an empty, migrated database. Returns the ids the runner needs."""
    counts = sizes(scale)
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    password_hash = hash_password(PASSWORD)
    areas = list(AREAS)

    _bulk(
        User,
        (
            builders.person_values(f"person{n}@example.org", f"Person {n}", password_hash=password_hash)
            for n in range(counts["people"])
        ),
        "people",
    )
    db.session.add_all(
        [
            builders.person(email, name, password_hash=password_hash)
            for email, name in ((COORDINATOR, "Bench Coordinator"), (PARTNER, "Bench Partner"))
        ]
    )
    db.session.commit()
    people = _ids(User)

    _bulk(
        Organisation,
        (
            builders.organisation_values(
                f"Organisation {n:04d}",
                kind="charity" if n % 3 else "voluntary-group",
                description="A partner organisation made up for the benchmark.",
            )
            for n in range(counts["organisations"])
        ),
        "organisations",
    )
    organisations = _ids(Organisation)
    _bulk(
        OrganisationArea,
        ({"organisation_id": o, "area": areas[n % len(areas)]} for n, o in enumerate(organisations)),
        "organisation areas",
    )
    _bulk(
        Membership,
        (
            builders.membership_values(
                p, organisations[n % len(organisations)], role="admin" if n < len(organisations) else "member"
            )
            for n, p in enumerate(people)
        ),
        "memberships",
    )

    programme_rows = [
        builders.programme(
            f"programme-{n}",
            organisations[0],
            organisations[1],
            title=f"Programme {n:02d}",
            summary="A programme made up for the benchmark.",
            areas=areas,
        )
        for n in range(counts["programmes"])
    ]
    db.session.add_all(programme_rows)
    db.session.flush()
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    partner = db.session.scalar(select(User).where(User.email == PARTNER))
    for programme in tqdm(programme_rows, desc="programmes and cycles", ncols=80):
        start_cycle(programme.id, 1, "What people need from the service.")
        db.session.add_all(
            [
                builders.role(programme.id, coordinator.id, "coordinator"),
                builders.role(programme.id, coordinator.id, "nhs_lead"),
            ]
        )
    db.session.commit()
    programmes = [p.id for p in programme_rows]
    per_programme = max(1, len(organisations) // len(programmes))
    partners = {
        p: organisations[n * per_programme : (n + 1) * per_programme] for n, p in enumerate(programmes)
    }
    _bulk(
        Participation,
        (builders.participation_values(p, o) for p, orgs in partners.items() for o in orgs),
        "partners",
    )
    db.session.add(builders.membership(partner.id, partners[programmes[0]][0], role="admin"))
    db.session.commit()
    stages = dict(
        db.session.execute(select(Stage.programme_id, Stage.id).where(Stage.kind == "analyse")).all()
    )
    cycles = dict(
        db.session.execute(select(Stage.programme_id, Stage.cycle_id).where(Stage.kind == "analyse")).all()
    )

    _bulk(
        Action,
        (
            builders.action_values(
                cycles[p],
                stages[p],
                partners[p][n % len(partners[p])],
                f"Action {n} of programme {p}",
                (now + timedelta(days=n - 5)).date(),
                status=("planned", "in_progress", "done")[n % 3],
            )
            for p in programmes
            for n in range(20)
        ),
        "actions",
    )
    actions = {}
    for action_id, stage_id in db.session.execute(select(Action.id, Action.planned_in_id)).all():
        actions.setdefault(stage_id, []).append(action_id)

    meeting_rows = []
    for n in range(counts["meetings"]):
        p = programmes[n % len(programmes)]
        start = now + timedelta(days=(n * 7) % 60 - 20, hours=n % 8)
        meeting_rows.append(
            builders.meeting_values(
                p, f"Meeting {n}", start, agenda="- Welcome\n- Progress", venue="Community Hall", capacity=40
            )
        )
    _bulk(Meeting, meeting_rows, "meetings")
    meetings = db.session.execute(select(Meeting.id, Meeting.programme_id).order_by(Meeting.id)).all()
    members = {}
    for user_id, organisation_id in db.session.execute(
        select(Membership.user_id, Membership.organisation_id)
    ):
        members.setdefault(organisation_id, []).append(user_id)
    per_meeting = max(1, counts["bookings"] // len(meetings))
    booking_rows = []
    for meeting_id, p in meetings:
        pool = [u for o in partners[p] for u in members.get(o, [])[:2]]
        for user_id in rng.sample(pool, min(per_meeting, len(pool))):
            booking_rows.append(builders.booking_values(meeting_id, user_id, requested_at=now))
    _bulk(Booking, booking_rows, "bookings")

    view_rows = []
    for n in range(counts["views"]):
        p = programmes[n % len(programmes)]
        orgs = partners[p]
        status = ("received", *ANSWERS)[n % 5]
        submitted = now - timedelta(days=n % 90 + 1)
        view_rows.append(
            builders.view_values(
                p,
                stages[p],
                orgs[n % len(orgs)],
                " ".join(rng.sample(WORDS, 4)).capitalize(),
                " ".join(rng.choices(WORDS, k=40)).capitalize() + ".",
                status=status,
                audience="leads" if n % 10 == 0 else "partners",
                submitted_at=submitted,
                answered_at=submitted + timedelta(days=n % 20) if status != "received" else None,
            )
        )
    _bulk(Contribution, view_rows, "views")
    view_ids = _ids(Contribution)
    communities = list(COMMUNITIES)
    tags = [
        builders.view_tags(v, [communities[n % len(communities)]], [areas[n % len(areas)]])
        for n, v in enumerate(view_ids)
    ]
    _bulk(ContributionCommunity, (row for rows, _ in tags for row in rows), "view communities")
    _bulk(ContributionArea, (row for _, rows in tags for row in rows), "view areas")
    answered = [(v, row) for v, row in zip(view_ids, view_rows, strict=True) if row["status"] != "received"]
    _bulk(
        Response,
        (
            builders.response_values(
                v,
                row["status"],
                "Thank you: we have considered it.",
                reason="Not in this cycle's budget." if row["status"] == "not_taken_forward" else "",
                created_at=row["answered_at"],
            )
            for v, row in answered
        ),
        "answers",
    )
    _bulk(
        ContributionAction,
        (
            {"contribution_id": v, "action_id": actions[row["stage_id"]][v % 20]}
            for v, row in answered
            if row["status"] == "taken_forward"
        ),
        "view links",
    )
    _engagement()
    _discussions(scale, rng, now, programmes[0], partners[programmes[0]], members, partner.id)
    first_meeting = describe_meeting(programmes[0])
    _features(scale, rng, now, programmes[0], coordinator.id, first_meeting, people[:-2], organisations)
    db.session.execute(text("ANALYZE"))  # planner statistics, as a live database would have
    db.session.commit()
    return describe()


def _engagement():
    """The first programme's cycle 1: an engagement plan with five indicators and a finished review,
    every standard assessed and rated by ten partners, for the engagement report."""
    first = db.session.scalar(select(Programme).order_by(Programme.id))
    cycle_id = db.session.scalar(select(Stage.cycle_id).where(Stage.programme_id == first.id))
    plan = builders.engagement_plan(first.id, cycle_id)
    db.session.add(plan)
    db.session.flush()
    for measure, target in (("areas-covered", 100), ("answered-in-time", 80), ("access-needs-met", 90),
                            ("views-linked", 75), ("attendance", 70)):
        db.session.add(builders.engagement_indicator(plan.id, measure, target))
    review = EngagementReview(programme_id=first.id, cycle_id=cycle_id, finished_at=utcnow())
    db.session.add(review)
    db.session.flush()
    partners = db.session.scalars(select(Participation.organisation_id).where(
        Participation.programme_id == first.id).order_by(Participation.organisation_id).limit(10)).all()
    for standard in STANDARDS:
        db.session.add(EngagementAssessment(review_id=review.id, standard=standard, rating="partly-met",
                                            learnt="What the benchmark learnt."))
        db.session.add_all([PartnerRating(review_id=review.id, standard=standard, organisation_id=org,
                                          rating="met", comment="A partner's comment.") for org in partners])
    db.session.commit()

def thread_length(scale):
    """The long discussion: 500 messages at full scale (a tenth in the small database)."""
    return max(10, int(THREAD * scale))


def _discussions(scale, rng, now, programme_id, organisations, members, partner_id):
    """The first programme's discussions: one with a long thread, partners-only, and others
    behind it in the list."""
    others = max(10, int(DISCUSSIONS * scale))
    length = thread_length(scale)
    authors = [(u, o) for o in organisations for u in members.get(o, [])[:2]]
    authors = authors or [(partner_id, organisations[0])]
    _bulk(Discussion, [builders.discussion_values(
        programme_id, " ".join(rng.sample(WORDS, 4)).capitalize(), authors[n % len(authors)][0], messages=1,
        last_message_at=now - timedelta(hours=n + 1)) for n in range(others)], "discussions")
    long = builders.discussion(programme_id, "Long thread: getting home from hospital", partner_id,
                               messages=length, last_message_at=now)
    db.session.add(long)
    db.session.commit()
    rows = [builders.message_values(d, 1, authors[n % len(authors)][0], " ".join(rng.choices(WORDS, k=30)),
                                    authors[n % len(authors)][1]) for n, d in enumerate(_ids(Discussion))
            if d != long.id]
    start = now - timedelta(minutes=length)
    rows += [builders.message_values(long.id, n, authors[n % len(authors)][0],
                                     " ".join(rng.choices(WORDS, k=40)).capitalize() + ".",
                                     authors[n % len(authors)][1], created_at=start + timedelta(minutes=n))
             for n in range(1, length + 1)]
    _bulk(Message, rows, "messages")


def long_meeting_size(people):
    return min(LONG_MEETING, people // 2)


def _features(scale, rng, now, programme_id, coordinator_id, meeting_id, people, organisations):
    """The first programme's pages built since the bench began: papers on the measured meeting (one
    with earlier versions), a meeting with a long list of bookings, a past meeting whose minutes were
    agreed and published, a register of interests and news for the Atom feed."""
    org_of = dict(db.session.execute(select(Membership.user_id, Membership.organisation_id)).all())
    papers = [builders.document(programme_id, f"Paper {n}: " + " ".join(rng.sample(WORDS, 3)),
                                f"bench/paper-{n}", audience="public" if n % 4 else "partners",
                                category=("papers", "presentation")[n % 2], size=100_000 + n, pages=n + 1,
                                meeting_id=meeting_id, uploaded_by_id=coordinator_id)
              for n in range(PAPERS)]
    db.session.add_all(papers)
    db.session.flush()
    papers[0].version = 3
    db.session.add_all([DocumentVersion(document_id=papers[0].id, number=n, storage_key=f"bench/paper-0-v{n}",
                                        kind="PDF", mime="application/pdf", extension=".pdf", size=90_000,
                                        pages=1, uploaded_by_id=coordinator_id) for n in (1, 2)])

    size = long_meeting_size(len(people))
    long = builders.meeting(programme_id, LONG_MEETING_TITLE, now + timedelta(days=10), venue="Town Hall",
                            agenda="- Welcome\n- What we heard\n- Next steps", capacity=size + 50)
    past = builders.meeting(programme_id, MINUTES_TITLE, now - timedelta(days=21), venue="Community Hall",
                            agenda="- Welcome\n- Progress", capacity=60)
    db.session.add_all([long, past])
    db.session.flush()
    _bulk(Booking, (builders.booking_values(long.id, u, organisation_id=org_of.get(u), requested_at=now,
                                            access_needs="step-free,bsl" if n % 7 == 0 else "")
                    for n, u in enumerate(people[:size])), "bookings on one meeting")

    attendees = people[size:size + 40] or people[:40]
    _bulk(Booking, (builders.booking_values(past.id, u, organisation_id=org_of.get(u), attended=True,
                                            requested_at=now - timedelta(days=30)) for u in attendees),
          "attendees")
    minutes = "\n\n".join(f"## Item {n}\n\n" + " ".join(rng.choices(WORDS, k=80)).capitalize() + "."
                           for n in range(1, 9))
    past.minutes = past.minutes_draft = minutes
    past.minutes_state, past.minutes_version = AGREED, 1
    past.minutes_sent_at = now - timedelta(days=18)
    past.minutes_deadline = (now - timedelta(days=11)).date()
    past.minutes_published_at = now - timedelta(days=10)
    db.session.add_all([MinutesAgreement(meeting_id=past.id, user_id=u, organisation_id=org_of.get(u),
                                         created_at=now - timedelta(days=15))
                        for u in attendees[: len(attendees) * 3 // 4]])
    db.session.add_all([MinutesCorrection(meeting_id=past.id, author_id=u, organisation_id=org_of.get(u),
                                          text="Item 2 should say the evening service, not the day service.",
                                          status=status, reason="" if status == "accepted" else "It said so.",
                                          decided_by_id=coordinator_id, decided_at=now - timedelta(days=11))
                        for u, status in zip(attendees, ("accepted", "accepted", "declined"), strict=False)])

    kinds = ("none", "may-bid", "role-elsewhere", "financial", "other")
    declarations = []
    for n, u in enumerate(people[: max(10, int(DECLARATIONS * scale))]):
        kind = kinds[n % len(kinds)]
        declarations.append({
            "programme_id": programme_id, "user_id": u, "kind": kind,
            "organisation_id": org_of.get(u) if kind == "may-bid" else None,
            "interest_organisation_id": org_of.get(u) if kind == "may-bid"
            else organisations[(n * 7) % len(organisations)] if kind == "role-elsewhere" else None,
            "description": "Trustee of a local charity." if kind in ("financial", "other") else "",
            "declared_at": now - timedelta(days=n % 300), "confirmed_at": now - timedelta(days=n % 200),
        })
    _bulk(Declaration, declarations, "declarations of interest")

    for n in range(UPDATES):
        title = f"Update {n}: " + " ".join(rng.sample(WORDS, 3))
        body = "\n\n".join(" ".join(rng.choices(WORDS, k=60)).capitalize() + "." for _ in range(3))
        update = builders.update(programme_id, coordinator_id, title, body,
                                 audience="public" if n % 3 else "partners")
        update.posted_at = now - timedelta(days=UPDATES - n)
        db.session.add(update)
    db.session.commit()


def describe_meeting(programme_id):
    """The meeting measured for the meeting page: the programme's first that is still to come."""
    return db.session.scalar(
        select(Meeting.id)
        .where(Meeting.programme_id == programme_id, Meeting.starts_at > utcnow(),
               Meeting.title.not_like("Bench:%"))
        .order_by(Meeting.id)
    )


def describe():
    """What the runner needs to know about an existing bench database."""
    first = db.session.scalar(select(Programme).order_by(Programme.id))
    view_ids = select(Contribution.id).where(Contribution.programme_id == first.id)
    meeting = describe_meeting(first.id)
    return {
        "programme": first.slug,
        "programme_id": first.id,
        "meeting": meeting,
        "document": db.session.scalar(
            select(Document.id).where(Document.meeting_id == meeting).order_by(Document.id).limit(1)
        ),
        "long_meeting": db.session.scalar(select(Meeting.id).where(Meeting.title == LONG_MEETING_TITLE)),
        "minutes_meeting": db.session.scalar(select(Meeting.id).where(Meeting.title == MINUTES_TITLE)),
        "public_meetings": db.session.scalars(
            select(Meeting.id).where(Meeting.starts_at > utcnow()).order_by(Meeting.id)
        ).all(),
        "deepest_after": db.session.scalar(
            select(Contribution.id)
            .where(Contribution.id.in_(view_ids))
            .order_by(Contribution.id)
            .offset(20)
            .limit(1)
        ),
        "stage_id": db.session.scalar(
            select(Stage.id).where(Stage.programme_id == first.id, Stage.kind == "analyse")
        ),
        "organisation_id": db.session.scalar(
            select(Participation.organisation_id)
            .where(Participation.programme_id == first.id)
            .order_by(Participation.organisation_id)
        ),
        "discussion": db.session.scalar(
            select(Discussion.id).where(Discussion.programme_id == first.id)
            .order_by(Discussion.message_count.desc(), Discussion.id).limit(1)
        ),
        "counts": {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("programmes", Programme),
                ("organisations", Organisation),
                ("people", User),
                ("meetings", Meeting),
                ("bookings", Booking),
                ("views", Contribution),
                ("discussions", Discussion),
                ("messages", Message),
                ("documents", Document),
                ("declarations", Declaration),
            )
        },
    }

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
from psp.engagement.models import STANDARDS, EngagementAssessment, EngagementReview, PartnerRating
from psp.extensions import db
from psp.meetings.models import Booking, Meeting
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


def describe():
    """What the runner needs to know about an existing bench database."""
    first = db.session.scalar(select(Programme).order_by(Programme.id))
    view_ids = select(Contribution.id).where(Contribution.programme_id == first.id)
    return {
        "programme": first.slug,
        "programme_id": first.id,
        "meeting": db.session.scalar(
            select(Meeting.id)
            .where(Meeting.programme_id == first.id, Meeting.starts_at > utcnow())
            .order_by(Meeting.id)
        ),
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
            )
        },
    }

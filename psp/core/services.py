"""What belongs to no one domain: whether the database answers, and a person's work across them."""

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from psp.auth.models import User
from psp.extensions import db
from psp.pagination import paginate


def database_answers() -> bool:
    """For the health check: True when a trivial query runs; the failed transaction is ended."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def own_state(person: User) -> str:
    """All "Your work" shows of the person's own beyond what the rules read: the drafts they
    started, their bookings (meetings soon, minutes to agree) and the minutes they agreed (a kept
    page's key, psp.cache.for_audience)."""
    from psp.contributions.models import DRAFT, Contribution
    from psp.meetings.models import Booking, MinutesAgreement

    drafts = db.session.execute(select(Contribution.id, Contribution.updated_at).where(
        Contribution.author_id == person.id, Contribution.status == DRAFT).order_by(Contribution.id)).all()
    bookings = db.session.execute(select(Booking.id, Booking.status, Booking.attended).where(
        Booking.user_id == person.id).order_by(Booking.id)).all()
    agreed = db.session.scalars(select(MinutesAgreement.meeting_id).where(
        MinutesAgreement.user_id == person.id).order_by(MinutesAgreement.meeting_id)).all()
    return repr(([tuple(row) for row in drafts], [tuple(row) for row in bookings], list(agreed)))


def my_work(person: User, raw_page: str | None = None, raw_views_page: str | None = None) -> dict[str, Any]:
    """Everything waiting for the person, whatever programmes they are in: a fixed number of queries."""
    from psp.contributions import services as views
    from psp.cycles import services as cycles
    from psp.cycles.models import IN_REVIEW, RETURNED
    from psp.discussions import services as discussions
    from psp.documents import services as documents
    from psp.meetings import minutes
    from psp.meetings import services as meetings

    actions = paginate(cycles.my_actions_query(person), raw_page)
    waiting = paginate(views.waiting_query(person), raw_views_page, cap=views.WAITING_CAP)
    drafts = views.my_drafts(person)
    soon = meetings.my_meetings_soon(person)
    formats = documents.open_format_requests(person)
    corrections_to_decide, minutes_to_agree = minutes.my_minutes(person)
    return dict(
        to_review=cycles.stages_waiting(person, "nhs_lead", IN_REVIEW),
        returned=cycles.stages_waiting(person, "coordinator", RETURNED), actions=actions,
        questions=cycles.my_open_questions(person), meetings=soon,
        drafts=drafts, waiting=waiting, today=cycles.today(), formats=formats,
        corrections_to_decide=corrections_to_decide, minutes_to_agree=minutes_to_agree,
        reports=discussions.my_reports(person),
        names=cycles.programme_names([a.cycle.programme_id for a in actions.items]
                                     + [v.programme_id for v in waiting.items]
                                     + [d.programme_id for d in drafts]
                                     + [m.programme_id for m, _status in soon]
                                     + [f.programme_id for f in formats]
                                     + [m.programme_id for m, _waiting in corrections_to_decide]
                                     + [m.programme_id for m in minutes_to_agree]))

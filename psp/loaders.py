"""Load what a URL names, or stop with 404: the first step of every route, in one place.

A record the person may not see is "not found", as if it did not exist, so its
existence stays private. What the person may then do with it is policy's to say.
Each domain's package loads its routes, which load this module: so this module
imports the domains only inside its functions.
"""

from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from psp import policy
from psp.extensions import db

if TYPE_CHECKING:
    from psp.auth.models import Person, User
    from psp.contributions.models import Contribution, ViewImport
    from psp.cycles.models import Action, Stage
    from psp.discussions.models import Discussion, Message, Report
    from psp.documents.models import Document, FormatRequest
    from psp.documents.services import Parent
    from psp.interests.models import Declaration
    from psp.meetings.models import Meeting
    from psp.organisations.models import Organisation
    from psp.programmes.models import Programme
    from psp.updates.models import Update

T = TypeVar("T")


def me() -> "User":
    """The signed-in person as their own object, for services that keep it beyond the request."""
    return current_user._get_current_object()


def or_404(record: T | None) -> T:
    if record is None:
        abort(404)
    return record


def programme_or_404(slug: str, *options: Any) -> "Programme":
    """``options``: loader options for what the page shows of the programme beyond its columns."""
    from psp.programmes.models import Programme

    return db.first_or_404(select(Programme).where(Programme.slug == slug).options(*options))


def account_or_404(user_id: int) -> "User":
    from psp.auth.models import User

    return db.get_or_404(User, user_id)


def organisation_or_404(person: "Person", slug: str) -> "Organisation":
    """An organisation the person may see; a pending or rejected one only to those it concerns."""
    from psp.organisations.models import Organisation

    organisation = db.first_or_404(select(Organisation).where(Organisation.slug == slug))
    if not policy.can_view_organisation(person, organisation):
        abort(404)
    return organisation


def stage_or_404(slug: str, number: int, kind: str) -> "tuple[Programme, Stage]":
    """The programme and its stage of the given cycle and kind."""
    from psp.cycles import services

    programme = programme_or_404(slug)
    return programme, or_404(services.find_stage(programme, number, kind))


def action_or_404(slug: str, action_id: int) -> "tuple[Programme, Action]":
    from psp.cycles import services

    programme = programme_or_404(slug)
    return programme, or_404(services.get_action(programme, action_id))


def meeting_or_404(person: "Person", meeting_id: int) -> "tuple[Programme, Meeting]":
    """The programme and a meeting of it the person may see."""
    from psp.meetings import services

    programme, meeting = services.get_meeting(meeting_id)
    if programme is None or meeting is None or not policy.can_see_meeting(person, programme, meeting):
        abort(404)
    return programme, meeting


def update_or_404(person: "Person", update_id: int) -> "tuple[Programme, Update]":
    """The programme and an update of it the person may see."""
    from psp.updates import services

    programme, update = services.get_update(update_id)
    if programme is None or update is None or not policy.can_see_update(person, programme, update):
        abort(404)
    return programme, update


def contribution_or_404(person: "Person", contribution_id: int) -> "tuple[Programme, Contribution]":
    """The programme and a view of it the person may see."""
    from psp.contributions import services

    programme, contribution = services.get_visible(person, contribution_id)
    return or_404(programme), or_404(contribution)


def view_import_or_404(slug: str, import_id: int) -> "tuple[Programme, ViewImport]":
    """The programme and one of its imports of recorded views."""
    from psp.contributions import services

    programme = programme_or_404(slug)
    return programme, or_404(services.get_import(programme, import_id))


def parent_or_404(person: "Person", kind: str, parent_id: int) -> "Parent":
    """A meeting, stage, update or view the person may see, as the parent of documents."""
    from psp.documents import services
    from psp.documents.models import MEETING, STAGE, UPDATE

    if kind == MEETING:
        programme, record = meeting_or_404(person, parent_id)
    elif kind == UPDATE:
        programme, record = update_or_404(person, parent_id)  # type: ignore[assignment]
    elif kind == STAGE:
        programme, record = services.get_stage(parent_id)  # type: ignore[assignment]
        programme, record = or_404(programme), or_404(record)
    else:
        programme, record = contribution_or_404(person, parent_id)  # type: ignore[assignment]
    return services.Parent(kind, record, programme)


def document_or_404(person: "Person", document_id: int) -> "tuple[Parent, Document]":
    """A document and its parent, when the person may see both; otherwise not found."""
    from psp.documents import services

    _programme, document = services.get(document_id)
    document = or_404(document)
    kind = document.parent_kind
    parent_id = {"meeting": document.meeting_id, "stage": document.stage_id, "update": document.update_id,
                 "view": document.contribution_id}[kind]
    parent = parent_or_404(person, kind, cast(int, parent_id))
    if not policy.can_see_document(person, parent.programme, document):
        abort(404)
    return parent, document


def format_request_or_404(slug: str, request_id: int) -> "tuple[Programme, FormatRequest]":
    from psp.documents import services

    programme = programme_or_404(slug)
    return programme, or_404(services.get_format_request(programme, request_id))


def discussion_or_404(person: "Person", discussion_id: int) -> "tuple[Programme, Discussion]":
    """The programme and a discussion of it the person may read."""
    from psp.discussions import services

    programme, discussion = services.get_discussion(discussion_id)
    if (programme is None or discussion is None
            or not policy.can_see_discussion(person, programme, discussion)):
        abort(404)
    return programme, discussion


def message_or_404(person: "Person", message_id: int) -> "tuple[Programme, Discussion, Message]":
    """A message, its discussion and programme, when the person may read the discussion."""
    from psp.discussions import services

    programme, discussion, message = services.get_message(message_id)
    if (programme is None or discussion is None or message is None
            or not policy.can_see_discussion(person, programme, discussion)):
        abort(404)
    return programme, discussion, message


def report_or_404(slug: str, report_id: int) -> "tuple[Programme, Report]":
    from psp.discussions import services

    programme = programme_or_404(slug)
    return programme, or_404(services.get_report(programme, report_id))


def declaration_or_404(slug: str, declaration_id: int) -> "tuple[Programme, Declaration]":
    """A declaration on the programme's register; one on another programme's is not found here."""
    from psp.interests.models import Declaration

    programme = programme_or_404(slug)
    declaration = db.session.get(Declaration, declaration_id)
    if declaration is None or declaration.programme_id != programme.id:
        abort(404)
    return programme, declaration

"""The view services' own checks, called as a tampered request would reach them: the forms offer
only valid choices, so these refusals are the last line when ids are forged."""

import pytest
from sqlalchemy import func, select

from psp.auth.models import User
from psp.contributions import services
from psp.contributions.models import Contribution, Response
from psp.cycles.models import Decision, Question, Stage
from psp.errors import Refused, Stale
from psp.extensions import db
from psp.programmes.models import Programme


def _data(world, **changes):
    stage_id = db.session.scalar(select(Decision.stage_id).where(Decision.title == "Meet monthly"))
    data = {"organisation_id": world["org_id:partner"], "stage_id": stage_id, "question_id": None,
            "meeting_id": None, "title": "Evening support", "body": "Somewhere to go after 6pm.",
            "communities": ["service-users"], "areas": ["city-of-edinburgh"], "audience": "partners"}
    data.update(changes)
    return data


def _who(world, kind):
    return db.session.get(User, world[f"user:{kind}"])


def _programme(world):
    return db.session.get(Programme, world["programme_id"])


def _views():
    return db.session.scalar(select(func.count()).select_from(Contribution))


@pytest.mark.parametrize("changes, field", [
    ({"organisation_id": "other"}, "organisation"),
    ({"stage_id": 999_999}, "stage"),
    ({"question_id": 999_999}, "question"),
    ({"meeting_id": 999_999}, "meeting"),
])
def test_forged_choices_are_refused_and_nothing_is_saved(app_ctx, world, changes, field):
    if changes.get("organisation_id") == "other":
        changes = {"organisation_id": world["org_id:other"]}
    before = _views()
    with pytest.raises(Refused) as refused:
        services.give(_who(world, "partner_member"), _programme(world), _data(world, **changes), submit=True)
    assert refused.value.field == field
    assert _views() == before


def test_a_meeting_of_the_programme_is_kept_on_the_view(app_ctx, world):
    view = services.give(_who(world, "partner_member"), _programme(world),
                         _data(world, meeting_id=world["meeting_public"]), submit=True)
    assert db.session.get(Contribution, view.id).meeting_id == world["meeting_public"]
    details = services.details(_who(world, "partner_member"), _programme(world), view)
    assert details.meeting is not None and details.meeting.id == world["meeting_public"]


def test_a_meeting_the_reader_may_not_see_is_left_off_the_view_details(app_ctx, world):
    partner = _who(world, "partner_member")
    view = services.give(partner, _programme(world), _data(world, meeting_id=world["meeting_partners"],
                                                           audience="partners"), submit=True)
    assert services.details(partner, _programme(world), view).meeting.id == world["meeting_partners"]
    visitor = _who(world, "no_organisation")
    assert services.details(visitor, _programme(world), view).meeting is None


def test_a_question_of_the_chosen_stage_is_accepted(app_ctx, world):
    question = db.session.get(Question, world["question"])
    stage = db.session.get(Stage, question.stage_id)
    stage.status = "open"
    db.session.commit()
    view = services.give(_who(world, "partner_member"), _programme(world),
                         _data(world, stage_id=question.stage_id, question_id=question.id), submit=False)
    assert db.session.get(Contribution, view.id).question_id == question.id


def _answers(view):
    return db.session.scalar(select(func.count()).select_from(Response).where(
        Response.contribution_id == view.id))


def _submitted(world):
    return services.give(_who(world, "partner_member"), _programme(world), _data(world), submit=True)


def test_someone_outside_the_organisation_cannot_edit_its_view(app_ctx, world):
    view = _submitted(world)
    with pytest.raises(Stale):
        services.update(_who(world, "other_member"), _programme(world), view, view.version,
                        _data(world, title="Changed by someone else"), submit=True)
    assert db.session.get(Contribution, view.id).title == "Evening support"


@pytest.mark.parametrize("kind", ["partner_member", "other_member", "organisation_admin"])
def test_only_leads_answer(app_ctx, world, kind):
    view = _submitted(world)
    with pytest.raises(Stale):
        services.answer(_who(world, kind), _programme(world), view, view.version,
                        "under_consideration", "We are looking at it.")
    assert _answers(view) == 0


@pytest.mark.parametrize("status, reason, actions, decisions, message", [
    ("agreed", "", [], [], "Select an answer"),
    ("not_taken_forward", "", [], [], "Enter the reason it is not taken forward"),
    ("taken_forward", "", [999_999], [], "Select actions and decisions of this programme"),
    ("taken_forward", "", [], [999_999], "Select actions and decisions of this programme"),
    ("taken_forward", "", [], [], "Select the actions or decisions this view shaped"),
])
def test_bad_answers_are_refused_by_the_service(app_ctx, world, status, reason, actions, decisions, message):
    view = _submitted(world)
    with pytest.raises(Refused, match=message):
        services.answer(_who(world, "nhs_lead"), _programme(world), view, view.version, status,
                        "Our answer.", reason, actions, decisions)
    assert _answers(view) == 0
    assert db.session.get(Contribution, view.id).status == "received"


def test_a_view_that_does_not_exist_is_not_found(app_ctx, world):
    view = _submitted(world)
    assert services.get_visible(_who(world, "partner_member"), 999_999) == (None, None)
    found = services.get_visible(_who(world, "partner_member"), view.id)
    assert found[1].id == view.id


def test_empty_id_lists_ask_the_database_nothing(app_ctx, count_queries):
    (tags, responses, shaped, named), queries = count_queries(lambda: (
        services.tags([]), services.latest_responses([]), services.shaped(None, None, []),
        services.organisations_named([])))
    assert (tags, responses, shaped, list(named)) == ({}, {}, ({}, {}), [])
    assert queries == 0


"""The cycle services' own guards, reached as a stale page or a forged form would reach them: the
pages hide these choices, so the services must still refuse them and change nothing."""

from datetime import date

import pytest
from sqlalchemy import select

from psp.auth.models import User
from psp.cycles import services
from psp.cycles.models import Action, Decision, Stage
from psp.errors import Refused, Stale
from psp.extensions import db
from psp.programmes.models import Programme
from tests.factories import move_to


def _who(world, kind):
    return db.session.get(User, world[f"user:{kind}"])


def _programme(world):
    return db.session.get(Programme, world["programme_id"])


def _stage(world, kind):
    return db.session.scalar(select(Stage).where(Stage.programme_id == world["programme_id"],
                                                 Stage.kind == kind))


def test_a_stage_that_is_not_open_cannot_be_submitted(app_ctx, world):
    plan = _stage(world, "plan")
    with pytest.raises(Stale):
        services.submit(_who(world, "coordinator"), _programme(world), plan, plan.version, "Done.")
    assert _stage(world, "plan").status == "upcoming"


@pytest.mark.parametrize("decide", ["return", "sign_off"])
def test_only_a_stage_in_review_is_returned_or_signed_off(app_ctx, world, decide):
    analyse = _stage(world, "analyse")
    lead, programme = _who(world, "nhs_lead"), _programme(world)
    with pytest.raises(Stale):
        if decide == "return":
            services.return_stage(lead, programme, analyse, analyse.version, "Not yet.")
        else:
            services.sign_off(lead, programme, analyse, analyse.version)
    assert _stage(world, "analyse").status == "open"


def test_a_stage_in_review_takes_no_new_decisions_or_dates(app_ctx, world):
    analyse = _stage(world, "analyse")
    analyse.status = "in_review"
    db.session.commit()
    coordinator = _who(world, "coordinator")
    with pytest.raises(Stale):
        services.save_item(coordinator, analyse, None, Decision, title="Late decision", detail="",
                           partners_only=False)
    assert db.session.scalar(select(Decision).where(Decision.title == "Late decision")) is None
    move_to(world["programme_id"], "do")
    with pytest.raises(Stale):
        services.set_dates(coordinator, _stage(world, "analyse"), date(2027, 1, 1), date(2027, 2, 1))
    assert _stage(world, "analyse").planned_start != date(2027, 1, 1)


def test_actions_go_only_to_partners_and_only_while_plan_or_do_is_open(app_ctx, world):
    coordinator, programme = _who(world, "coordinator"), _programme(world)
    with pytest.raises(Stale):
        services.save_action(coordinator, programme, _stage(world, "analyse"), None, "Too early",
                             world["org_id:partner"], date(2027, 3, 1))
    move_to(world["programme_id"], "plan")
    with pytest.raises(Refused) as refused:
        services.save_action(coordinator, programme, _stage(world, "plan"), None, "Not a partner's",
                             world["org_id:other"], date(2027, 3, 1))
    assert refused.value.field == "organisation"
    assert db.session.scalar(select(Action).where(Action.title.in_(["Too early", "Not a partner's"]))) is None


def test_a_blocked_action_needs_its_reason(app_ctx, world):
    move_to(world["programme_id"], "do")
    action = db.session.get(Action, world["action"])
    with pytest.raises(Refused, match="Enter what is blocking the action"):
        services.update_action_status(_who(world, "partner_member"), _programme(world), action, "blocked")
    assert db.session.get(Action, world["action"]).status != "blocked"


def test_an_action_of_an_earlier_cycle_is_not_updated_once_the_next_begins(app_ctx, world):
    move_to(world["programme_id"], "review")
    _stage(world, "review").status = "signed_off"
    db.session.flush()
    services.start_cycle(world["programme_id"], 2)
    db.session.commit()
    action = db.session.get(Action, world["action"])
    with pytest.raises(Stale):
        services.update_action_status(_who(world, "partner_member"), _programme(world), action, "done")
    assert db.session.get(Action, world["action"]).status != "done"

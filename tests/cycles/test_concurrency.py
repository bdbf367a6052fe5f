"""Two NHS leads acting on the same stage at once, through a real threaded server."""

import re
import threading

import pytest

from psp.extensions import db
from psp.programmes.models import ProgrammeRole
from tests.conftest import csrf_from
from tests.cycles.helpers import P, current_stages, stage, submit, transitions
from tests.factories import PASSWORD
from tests.httpclient import HttpClient


@pytest.fixture
def two_leads(app, world, make_user, live_server):
    second = make_user(email="second.lead@example.org", password=PASSWORD, factor=True)
    with app.app_context():
        db.session.add(ProgrammeRole(programme_id=world["programme_id"], user_id=second.id,
                                     role="nhs_lead"))
        db.session.commit()
    leads = []
    for email in ("nhs.lead@example.org", "second.lead@example.org"):
        client = HttpClient(live_server.url)
        client.sign_in(email)
        leads.append(client)
    return leads


@pytest.mark.parametrize("first, second", [("sign-off", "sign-off"), ("sign-off", "return"),
                                           ("return", "return")])
def test_the_first_decision_wins_and_the_second_is_told(app, world, sign_in_as, two_leads, first, second):
    submit(sign_in_as("coordinator@example.org"), summary="Ready for review.")
    url = P + "/cycles/1/analyse/decide"
    forms = []
    for lead in two_leads:  # both open the page while the stage is in review
        _, html = lead.request(url)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
        forms.append({"csrf_token": csrf_from(html), "version": version})
    decisions = [(first, "Reason from the first lead."), (second, "Reason from the second lead.")]
    start = threading.Barrier(2)
    results = [None, None]

    def act(index):
        decision, reason = decisions[index]
        start.wait()
        results[index] = two_leads[index].request(url, {**forms[index], "decision": decision,
                                                        "reason": reason})

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], statuses
    winner = next(i for i, (status, _) in enumerate(results) if status == 302)
    loser_body = results[1 - winner][1]
    assert "This stage changed since you opened it" in loser_body
    assert decisions[1 - winner][1] in loser_body  # what the second lead typed is still on the page

    analyse = stage(app, "analyse")
    expected = "signed_off" if decisions[winner][0] == "sign-off" else "returned"
    assert analyse.status == expected
    moves = [(f, t, reason) for f, t, _, reason in transitions(app, analyse.id)]
    assert moves[-1] == ("in_review", expected, decisions[winner][1])
    assert [t for _, t, _ in moves].count(expected) == 1
    assert current_stages(app, world["programme_id"]) == 1
    assert stage(app, "plan").status == ("open" if expected == "signed_off" else "upcoming")

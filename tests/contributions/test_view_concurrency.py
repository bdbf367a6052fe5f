"""A lead answering while the organisation edits, and two leads answering at once, through a real server."""

import re
import threading

from sqlalchemy import func, select

from psp.contributions.models import Contribution, ContributionRevision, Response
from psp.extensions import db
from tests.conftest import csrf_from
from tests.httpclient import HttpClient


def _opened(client, url):
    _, html = client.request(url)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    return {"csrf_token": csrf_from(html), "version": version}


def _race(actions):
    start = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index):
        start.wait()
        results[index] = actions[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _counts(app, view_id):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Response).where(
                    Response.contribution_id == view_id)),
                db.session.scalar(select(func.count()).select_from(ContributionRevision).where(
                    ContributionRevision.contribution_id == view_id)),
                db.session.get(Contribution, view_id))


def test_an_edit_and_an_answer_at_once_never_both_win(app, world, live_server):
    view_id = world["view_shared"]
    lead, partner = HttpClient(live_server.url), HttpClient(live_server.url)
    lead.sign_in("coordinator@example.org")
    partner.sign_in("partner.member@example.org")
    answer_url, edit_url = f"/views/{view_id}/answer", f"/views/{view_id}/edit"
    answer_form, edit_form = _opened(lead, answer_url), _opened(partner, edit_url)
    with app.app_context():
        stage_id = db.session.get(Contribution, view_id).stage_id
    edit = {**edit_form, "organisation": str(world["org_id:partner"]), "stage": str(stage_id),
            "title": "Shared and waiting", "body": "Edited in the race.", "communities": "staff",
            "areas": "midlothian", "audience": "partners", "submit": "Submit your view"}
    results = _race([lambda: lead.request(answer_url, {**answer_form, "status": "under_consideration",
                                                       "text": "Answered in the race."}),
                     lambda: partner.request(edit_url, edit)])
    statuses = sorted(status for status, _ in results)
    assert statuses == [302, 409], statuses
    responses, revisions, view = _counts(app, view_id)
    if results[0][0] == 302:   # the answer won: the text the lead read is the text kept
        assert (responses, revisions, view.body) == (1, 0, "Shared and waiting: the text.")
        assert "Edited in the race." in results[1][1]
    else:                      # the edit won: the lead is told and nothing is answered
        assert (responses, revisions, view.body) == (0, 1, "Edited in the race.")
        assert "This view changed since you opened it" in results[0][1]
        assert "Answered in the race." in results[0][1]


def test_two_leads_answering_at_once_record_one_answer(app, world, live_server):
    view_id = world["view_leads"]
    leads = []
    for email in ("coordinator@example.org", "nhs.lead@example.org"):
        client = HttpClient(live_server.url)
        client.sign_in(email)
        leads.append((client, _opened(client, f"/views/{view_id}/answer")))
    results = _race([lambda c=c, f=f, n=n: c.request(f"/views/{view_id}/answer", {
        **f, "status": "already_in_place", "text": f"Answer {n}"}) for n, (c, f) in enumerate(leads)])
    assert sorted(status for status, _ in results) == [302, 409]
    responses, _, view = _counts(app, view_id)
    assert responses == 1 and view.status == "already_in_place"

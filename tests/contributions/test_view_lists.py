"""Who sees which view on every surface; filters, search and keyset pages; CSV; figures; query counts."""

import csv
import io

import pytest
from sqlalchemy import insert, select

from psp.contributions.models import (
    Contribution,
    ContributionAction,
    ContributionArea,
    ContributionCommunity,
    Response,
)
from psp.cycles.models import Decision
from psp.extensions import db
from psp.programmes.models import Participation, Programme
from psp.timeutil import utcnow
from tests.factories import KINDS, organisation, person

P = "/programmes/test-programme"
WORLD_VIEWS = {
    "view_shared": "Shared and waiting",
    "view_leads": "For the leads only",
    "view_answered": "Shared and answered",
    "view_draft": "Still a draft",
}
SECOND_VIEWS = {
    "second_shared": ("Second group, shared", "received", "partners"),
    "second_leads": ("Second group, leads", "received", "leads"),
    "second_answered": ("Second group, answered", "taken_forward", "partners"),
    "second_draft": ("Second group, draft", "draft", "partners"),
}
TITLES = {**WORLD_VIEWS, **{k: v[0] for k, v in SECOND_VIEWS.items()}}
ANSWERED = {"view_answered", "second_answered"}
SHARED = {"view_shared", "view_answered", "second_shared", "second_answered"}
PARTNER_CHARITY = {"view_leads", "view_draft"}
SUBMITTED = set(TITLES) - {"view_draft", "second_draft"}
SEES = {
    "anonymous": ANSWERED,
    "no_organisation": ANSWERED,
    "pending_member": ANSWERED,
    "other_member": ANSWERED,
    "partner_member": SHARED | PARTNER_CHARITY,
    "organisation_admin": SHARED | PARTNER_CHARITY,
    "second_member": SHARED | {"second_leads", "second_draft"},
    "coordinator": SUBMITTED,
    "nhs_lead": SUBMITTED,
    "site_admin": SHARED,
}


@pytest.fixture
def second(app, world):
    """A second partner organisation with one view in each state, all linked to the action."""
    with app.app_context():
        org = organisation("Second Group", number="SC000002")
        member = person("second.member@example.org")
        db.session.add_all([org, member])
        db.session.flush()
        from psp.organisations.models import Membership

        db.session.add_all(
            [
                Membership(user_id=member.id, organisation_id=org.id, role="admin", status="active"),
                Participation(programme_id=world["programme_id"], organisation_id=org.id, status="admitted"),
            ]
        )
        stage_id = db.session.scalar(select(Decision.stage_id).where(Decision.id == world["decision"]))
        ids = {}
        for key, (title, status, audience) in SECOND_VIEWS.items():
            view = Contribution(
                programme_id=world["programme_id"],
                stage_id=stage_id,
                organisation_id=org.id,
                author_id=member.id,
                title=title,
                body=f"{title}: the text.",
                audience=audience,
                status=status,
                submitted_at=None if status == "draft" else utcnow(),
            )
            db.session.add(view)
            db.session.flush()
            ids[key] = view.id
            if status == "taken_forward":
                view.answered_at, view.days_to_answer = utcnow(), 2
                db.session.add(Response(contribution_id=view.id, status=status, text="We did it."))
        ids.update({k: world[k] for k in WORLD_VIEWS})
        db.session.add_all(
            [ContributionAction(contribution_id=i, action_id=world["action"]) for i in ids.values()]
        )
        db.session.commit()
        return ids


def _client(app, sign_in_as, kind):
    if kind == "anonymous":
        return app.test_client()
    return sign_in_as(f"{kind.replace('_', '.')}@example.org")


def _shown(html):
    return {key for key, title in TITLES.items() if title in html}


@pytest.mark.parametrize("kind", KINDS + ["second_member"])
def test_no_surface_reveals_a_view_the_person_may_not_see(app, world, second, sign_in_as, kind):
    client = _client(app, sign_in_as, kind)
    expected = SEES[kind]

    def page(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    assert _shown(page(P + "/views")) == expected
    assert _shown(page(P + "/views?q=the+text")) == expected
    assert _shown(page(P + "/views?q=Second")) == {k for k in expected if k.startswith("second")}
    for status in ("draft", "received", "taken_forward"):
        found = _shown(page(P + f"/views?status={status}"))
        assert found <= expected
    assert _shown(page(P + "/you-said-we-did")) == expected & ANSWERED
    assert _shown(page(P + "/cycles/1/plan")) == expected  # views behind the action planned there
    for key, view_id in second.items():
        status = client.get(f"/views/{view_id}").status_code
        assert status == (200 if key in expected else 404), (key, status)
    if kind != "anonymous":
        waiting = _shown(page("/my"))
        own_drafts = {"partner_member": {"view_draft"}, "second_member": {"second_draft"}}
        assert waiting == (
            {"view_shared", "view_leads", "second_shared", "second_leads"}
            if kind in ("coordinator", "nhs_lead")
            else own_drafts.get(kind, set())
        )
    download = client.get(P + "/views.csv")
    if kind in ("coordinator", "nhs_lead"):
        rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
        assert {row[6] for row in rows[1:]} == {TITLES[k] for k in expected}
    else:
        assert download.status_code in (302, 403)


def test_filters_narrow_the_list(app, world, second, sign_in_as):
    lead = sign_in_as("coordinator@example.org")
    with app.app_context():
        db.session.add_all(
            [
                ContributionCommunity(contribution_id=second["second_shared"], community="staff"),
                ContributionArea(contribution_id=second["view_leads"], area="midlothian"),
            ]
        )
        second_org = db.session.scalar(
            select(Contribution.organisation_id).where(Contribution.id == second["second_shared"])
        )
        db.session.commit()

    def shown(query):
        return _shown(lead.get(P + "/views?" + query).get_data(as_text=True))

    assert shown("community=staff") == {"second_shared"}
    assert shown("area=midlothian") == {"view_leads"}
    assert shown(f"organisation={second_org}") == {"second_shared", "second_leads", "second_answered"}
    assert shown("status=taken_forward") == {"second_answered"}
    assert shown(f"question={world['question']}") == set()
    assert shown(f"stage={world['action']}&status=nonsense&community=aliens&area=x&question=abc") <= SUBMITTED
    assert shown("q=%25") == set() and shown("q=_") == set()  # wildcards are searched for literally
    for nasty in ("q=%00", "after=-5", "before=99999999999999999999999", "stage=1e9", "q=" + "x" * 500):
        assert lead.get(P + "/views?" + nasty).status_code == 200


def _many(app, world, count, start=0, **fields):
    """Add views quickly, straight into the tables, with communities and areas and some answers."""
    with app.app_context():
        stage_id = db.session.scalar(select(Decision.stage_id).where(Decision.id == world["decision"]))
        now = utcnow()
        rows = [
            {
                "programme_id": world["programme_id"],
                "stage_id": stage_id,
                "organisation_id": world["org_id:partner"],
                "title": f"Bulk view {start + n}",
                "body": f"Bulk text {start + n}",
                "audience": "partners",
                "status": "taken_forward" if n % 3 == 0 else "received",
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
                "version": 1,
                "days_to_answer": n % 7 if n % 3 == 0 else None,
                **fields,
            }
            for n in range(count)
        ]
        db.session.execute(insert(Contribution), rows)
        ids = db.session.scalars(
            select(Contribution.id)
            .where(Contribution.title.like("Bulk view %"))
            .order_by(Contribution.id.desc())
            .limit(count)
        ).all()
        db.session.execute(
            insert(ContributionCommunity), [{"contribution_id": i, "community": "staff"} for i in ids]
        )
        db.session.execute(
            insert(ContributionArea), [{"contribution_id": i, "area": "midlothian"} for i in ids]
        )
        db.session.execute(
            insert(Response),
            [
                {
                    "contribution_id": i,
                    "status": "taken_forward",
                    "text": "Done.",
                    "reason": "",
                    "created_at": now,
                }
                for i in ids[::3]
            ],
        )
        db.session.execute(
            insert(ContributionAction),
            [{"contribution_id": i, "action_id": world["action"]} for i in ids[::3]],
        )
        db.session.commit()
        return ids


def test_keyset_pages_walk_every_view_once_and_back(app, world, sign_in_as):
    _many(app, world, 45)
    lead = sign_in_as("coordinator@example.org")
    import re

    seen, url, pages = [], P + "/views?community=staff", []
    while url:
        html = lead.get(url).get_data(as_text=True)
        ids = [int(i) for i in re.findall(r'href="/views/(\d+)"', html)]
        pages.append(ids)
        seen += ids
        found = re.search(r'href="([^"]+after=\d+[^"]*)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert "45 views" in html
    assert [len(p) for p in pages] == [20, 20, 5]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 45
    back = re.search(
        r'href="([^"]+before=\d+[^"]*)" rel="prev"',
        lead.get(P + f"/views?community=staff&after={pages[1][-1]}").get_data(as_text=True),
    ).group(1)
    html = lead.get(back.replace("&amp;", "&")).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'href="/views/(\d+)"', html)] == pages[1]
    assert 'rel="prev"' not in lead.get(P + "/views?community=staff").get_data(as_text=True)


def test_csv_is_safe_against_formulas(app, world, sign_in_as):
    with app.app_context():
        view = db.session.get(Contribution, world["view_shared"])
        view.title, view.body = '=HYPERLINK("http://evil.example")', "+1+1"
        db.session.commit()
    response = sign_in_as("nhs.lead@example.org").get(P + "/views.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    row = next(r for r in rows if r[0] == str(world["view_shared"]))
    assert row[6] == '\'=HYPERLINK("http://evil.example")' and row[7] == "'+1+1"
    assert rows[0][:3] == ["View", "Submitted (UTC)", "Organisation"]


def test_dashboard_shows_share_answered_and_median_days(app, world, client):
    from psp.contributions.services import answering

    with app.app_context():
        programme = db.session.get(Programme, world["programme_id"])
        before = answering(programme)
        # The world has three submitted views, one answered the same day.
        assert (before.submitted, before.answered, before.median_days, before.percent) == (3, 1, 0, 33)
        stage_id = db.session.scalar(select(Decision.stage_id).where(Decision.id == world["decision"]))
        for days in (4, 10):
            db.session.add(
                Contribution(
                    programme_id=world["programme_id"],
                    stage_id=stage_id,
                    organisation_id=world["org_id:partner"],
                    title=f"Took {days}",
                    status="taken_forward",
                    submitted_at=utcnow(),
                    answered_at=utcnow(),
                    days_to_answer=days,
                )
            )
        db.session.commit()
        after = answering(programme)
        assert (after.submitted, after.answered, after.median_days, after.percent) == (5, 3, 4, 60)
        db.session.add(
            Contribution(
                programme_id=world["programme_id"],
                stage_id=stage_id,
                organisation_id=world["org_id:partner"],
                title="Took 30",
                status="not_taken_forward",
                submitted_at=utcnow(),
                answered_at=utcnow(),
                days_to_answer=30,
            )
        )
        db.session.commit()
        assert answering(programme).median_days == 7  # (4 + 10) / 2
    html = client.get(P).get_data(as_text=True)
    assert "6 views given; 67% answered, in a median of 7 days." in html


def test_my_work_lists_waiting_views_oldest_first(app, world, sign_in_as):
    from datetime import timedelta

    with app.app_context():
        db.session.get(Contribution, world["view_leads"]).submitted_at = utcnow() - timedelta(days=9)
        db.session.commit()
    html = sign_in_as("coordinator@example.org").get("/my").get_data(as_text=True)
    assert "Views waiting for an answer" in html
    assert html.index("For the leads only") < html.index("Shared and waiting")
    assert "Shared and answered" not in html and "Still a draft" not in html


def test_pages_run_the_same_number_of_queries_at_two_sizes(app, world, sign_in_as, count_queries):
    lead = sign_in_as("coordinator@example.org")
    partner = sign_in_as("partner.member@example.org")
    visitor = app.test_client()

    def measure():
        first_id = max(_ids(app))
        pages = [
            (lead, P + "/views"),
            (lead, P + "/views?community=staff&status=received&area=midlothian"),
            (lead, P + "/views?q=Bulk"),
            (lead, P + f"/views?after={first_id - 150}"),
            (partner, P + "/views"),
            (visitor, P + "/views"),
            (lead, f"/views/{first_id}"),
            (visitor, P + "/you-said-we-did"),
            (lead, P + "/you-said-we-did"),
            (lead, "/my"),
            (lead, P),
            (partner, P + "/cycles/1/plan"),
            (lead, f"/views/{first_id}/answer"),
        ]
        found = []
        for client, path in pages:
            response, queries = count_queries(lambda: client.get(path))  # noqa: B023
            assert response.status_code == 200, path
            found.append(queries)
        return found

    _many(app, world, 200)
    small = measure()
    _many(app, world, 2000, start=200)
    large = measure()
    assert small == large
    assert max(small) <= 25, small


def _ids(app):
    with app.app_context():
        return db.session.scalars(select(Contribution.id)).all()


def test_your_work_counts_waiting_views_up_to_a_cap(app, world, sign_in_as):
    from psp.contributions.services import WAITING_CAP

    _many(app, world, WAITING_CAP + 5, status="received", days_to_answer=None)
    lead = sign_in_as("nhs.lead@example.org")
    html = lead.get("/my").get_data(as_text=True)
    assert f"More than {WAITING_CAP:,} views waiting, oldest first." in html
    assert f"Page 1 of more than {WAITING_CAP // 20}" in html
    last = lead.get("/my?views_page=999999").get_data(as_text=True)
    assert f"Page {WAITING_CAP // 20} of more than {WAITING_CAP // 20}" in last

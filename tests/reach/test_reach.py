"""The reach report: who took part by area, kind and community, the gaps named, fixed queries."""

from datetime import timedelta

from sqlalchemy import insert, select

from psp.contributions.models import Contribution, ContributionCommunity
from psp.cycles.models import Stage
from psp.extensions import db
from psp.meetings.models import Booking
from psp.organisations.models import Organisation, OrganisationArea
from psp.programmes.models import Participation, ProgrammeArea
from psp.timeutil import utcnow

P = "/programmes/test-programme"


def _rows(html, caption):
    """Cells of the table with the given caption, row by row, as text."""
    import re

    table = html[html.index(caption) :]
    table = table[: table.index("</table>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).replace("Gap", "").strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


def test_reach_counts_areas_kinds_and_communities_and_names_the_gaps(app, world, sign_in_as):
    with app.app_context():
        db.session.add(ProgrammeArea(programme_id=world["programme_id"], area="scottish-borders"))
        booking = db.session.scalar(select(Booking).where(Booking.meeting_id == world["meeting_partners"]))
        booking.attended = True
        db.session.execute(
            insert(ContributionCommunity),
            [{"contribution_id": world["view_shared"], "community": "families-carers"}],
        )
        db.session.commit()
    html = sign_in_as("coordinator@example.org").get(P + "/reach").get_data(as_text=True)
    # Partner Charity (City of Edinburgh, charity) booked, attended and gave views.
    assert "1 organisation took part." in html
    areas = {row[0]: row[1:] for row in _rows(html, "by area they work in")[1:]}
    assert areas["City of Edinburgh"] == ["1", "1", "1", "1"]
    assert areas["Scottish Borders"] == ["0", "0", "0", "0"]
    kinds = {row[0]: row[1:] for row in _rows(html, "Organisations that took part, by kind")[1:]}
    assert kinds["Charity or SCIO"] == ["1", "1", "1", "1"] and "Public body" not in kinds
    assert "No organisation from Scottish Borders has taken part, though the programme covers it." in html
    assert "No voluntary group, social enterprise, community council has taken part." in html
    assert "No view speaks for people who use the services, staff, local residents, third-sector" in html
    assert 'role="img" aria-labelledby="areas-title"' in html


def test_reach_for_one_stage_counts_only_that_stage(app, world, sign_in_as):
    with app.app_context():
        plan = db.session.scalar(
            select(Stage).where(Stage.programme_id == world["programme_id"], Stage.kind == "plan")
        )
        plan_id = plan.id
    html = sign_in_as("coordinator@example.org").get(P + f"/reach?stage={plan_id}").get_data(as_text=True)
    assert "Reach: Plan, cycle 1" in html and "0 organisations took part." in html


def test_reach_runs_a_fixed_number_of_queries(app, world, sign_in_as, count_queries):
    coordinator = sign_in_as("coordinator@example.org")

    def add(start, count):
        with app.app_context():
            stage_id = db.session.scalar(
                select(Contribution.stage_id).where(Contribution.id == world["view_shared"])
            )
            for n in range(start, start + count):
                org = Organisation(
                    slug=f"org-{n}",
                    name=f"Org {n}",
                    kind="charity",
                    status="verified",
                    areas=[OrganisationArea(area="midlothian")],
                )
                db.session.add(org)
                db.session.flush()
                db.session.add(
                    Participation(
                        programme_id=world["programme_id"], organisation_id=org.id, status="admitted"
                    )
                )
                db.session.add(
                    Contribution(
                        programme_id=world["programme_id"],
                        stage_id=stage_id,
                        organisation_id=org.id,
                        title=f"View {n}",
                        status="received",
                        submitted_at=utcnow() - timedelta(days=1),
                    )
                )
            db.session.commit()

    add(0, 5)
    _, small = count_queries(lambda: coordinator.get(P + "/reach"))
    _, small_csv = count_queries(lambda: coordinator.get(P + "/reach/areas.csv"))
    add(5, 200)
    response, large = count_queries(lambda: coordinator.get(P + "/reach"))
    assert response.status_code == 200 and small == large
    assert "206 organisations took part." in response.get_data(as_text=True)
    response, large_csv = count_queries(lambda: coordinator.get(P + "/reach/areas.csv"))
    assert small_csv == large_csv
    assert ["Midlothian", "0", "0", "205", "205", "No"] in _csv(response)


def _csv(response):
    import csv
    import io

    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_each_table_downloads_as_csv_with_the_page_figures(app, world, sign_in_as):
    with app.app_context():
        db.session.add(ProgrammeArea(programme_id=world["programme_id"], area="scottish-borders"))
        db.session.commit()
    coordinator = sign_in_as("coordinator@example.org")
    html = coordinator.get(P + "/reach").get_data(as_text=True)
    for table, name in [("areas", "organisations by area"), ("kinds", "organisations by kind"),
                        ("communities", "views by community")]:
        assert (f'<a class="govuk-link" href="{P}/reach/{table}.csv">Download this table<span '
                f'class="govuk-visually-hidden"> of {name}</span> as a spreadsheet (CSV)</a>') in html
    response = coordinator.get(P + "/reach/areas.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-programme-reach-areas.csv"'
    areas = _csv(response)
    assert areas[0] == ["Area", "Booked a place", "Attended", "Gave views", "Took part in any way", "Gap"]
    rows = {row[0]: row[1:] for row in areas[1:]}
    assert rows["City of Edinburgh"] == ["1", "0", "1", "1", "No"]
    assert rows["Scottish Borders"] == ["0", "0", "0", "0", "Yes"]
    assert rows["Midlothian"] == ["0", "0", "0", "0", "No"]   # not an area of the programme: no gap
    page_rows = {row[0]: row[1:] for row in _rows(html, "by area they work in")[1:]}
    assert {label: cells[:4] for label, cells in rows.items()} == page_rows
    kinds = _csv(coordinator.get(P + "/reach/kinds.csv"))
    assert kinds[0][0] == "Kind" and ["Charity or SCIO", "1", "0", "1", "1", "No"] in kinds
    communities = _csv(coordinator.get(P + "/reach/communities.csv"))
    assert communities[0] == ["Community", "Views", "Gap"] and len(communities) == 6
    assert all(row[1:] == ["0", "Yes"] for row in communities[1:])


def test_a_table_for_one_stage_counts_only_that_stage(app, world, sign_in_as):
    with app.app_context():
        plan_id = db.session.scalar(
            select(Stage.id).where(Stage.programme_id == world["programme_id"], Stage.kind == "plan")
        )
    coordinator = sign_in_as("coordinator@example.org")
    html = coordinator.get(P + f"/reach?stage={plan_id}").get_data(as_text=True)
    assert f'href="{P}/reach/areas.csv?stage={plan_id}"' in html
    response = coordinator.get(P + f"/reach/areas.csv?stage={plan_id}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="test-programme-reach-cycle-1-plan-areas.csv"')
    assert ["City of Edinburgh", "0", "0", "0", "0", "Yes"] in _csv(response)
    assert coordinator.get(P + "/reach/areas.csv?stage=999999").status_code == 404
    assert coordinator.get(P + "/reach/people.csv").status_code == 404

"""The switch the query-count tests run under: an accidental lazy load fails them."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from psp.extensions import db
from psp.organisations.models import Membership, Organisation
from tests.raiseload import LazyLoad


def _first(app, *options):
    def load():
        with app.app_context():
            organisation = db.session.scalars(select(Organisation).order_by(Organisation.id)
                                              .options(*options).limit(1)).one()
            return [area.area for area in organisation.areas]
    return load


def test_a_lazy_load_while_counting_fails_with_its_name(app, world, count_queries):
    with pytest.raises(LazyLoad, match="Organisation lazily loaded OrganisationArea"):
        count_queries(_first(app))


def test_what_the_query_loads_passes(app, world, count_queries):
    areas, _ = count_queries(_first(app, selectinload(Organisation.areas)))
    assert isinstance(areas, list)


def test_a_many_to_one_already_in_the_session_passes(app, world, count_queries):
    def load():
        with app.app_context():
            membership = db.session.scalars(select(Membership).order_by(Membership.id).limit(1)).one()
            organisation = db.session.get(Organisation, membership.organisation_id)
            return membership.organisation is organisation

    same, _ = count_queries(load)
    assert same


def test_outside_counting_lazy_loads_still_work(app, world):
    assert isinstance(_first(app)(), list)

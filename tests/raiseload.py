"""Fail on an accidental lazy load: a page that counts its queries says what it loads.

While ``raising_on_lazy_loads()`` is active, any relationship loaded lazily with SQL (at any
depth: objects loaded by joinedload or selectinload too) raises instead, with the
relationship's name, so the page's query must ask for it (joinedload, selectinload) or
leave it alone. A many-to-one already in the session costs no SQL and passes. Column
loads (expired attributes after a commit) are not relationship loads and pass.
"""

from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session


class LazyLoad(InvalidRequestError):
    """A relationship was loaded lazily while a counted page was drawn."""


def _refuse_lazy_loads(execute_state):
    if not execute_state.is_select or execute_state.lazy_loaded_from is None:
        return
    parent = execute_state.lazy_loaded_from
    loading = execute_state.bind_mapper.class_.__name__ if execute_state.bind_mapper else "?"
    raise LazyLoad(f"{parent.class_.__name__} lazily loaded {loading}: load it in the page's query "
                   "(joinedload or selectinload) or do not touch it")


@contextmanager
def raising_on_lazy_loads():
    event.listen(Session, "do_orm_execute", _refuse_lazy_loads)
    try:
        yield
    finally:
        event.remove(Session, "do_orm_execute", _refuse_lazy_loads)

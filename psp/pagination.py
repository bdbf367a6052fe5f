"""Bounded pages for lists: a fixed page size and two queries per page."""

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute

from psp.extensions import db

PAGE_SIZE = 20
MAX_PAGE = 10_000

T = TypeVar("T")


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=_Identified)  # a record with an id


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    total: int
    size: int
    capped: bool = False   # there are more than `total`; counting them all would cost too much

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | int | None) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(query: Select[T], raw_page: str | int | None, size: int = PAGE_SIZE,
             cap: int | None = None) -> Page[T]:
    """With ``cap``, count at most that many rows (a work list can grow without bound) and page
    no further than the cap."""
    number = page_number(raw_page)
    counted = query.order_by(None)
    if cap is not None:
        number = min(number, -(-cap // size))
        counted = counted.limit(cap + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    capped = cap is not None and total > cap
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).all()
    return Page(items=list(items), number=number, total=min(total, cap) if cap is not None else total,
                size=size, capped=capped)


@dataclass
class KeysetPage(Generic[R]):
    """A page of a list ordered by id, newest first: a deep page costs what the first does."""

    items: list[R]
    total: int
    after: int | None    # id to pass for the next (older) page
    before: int | None   # id to pass for the previous (newer) page
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**63 else None


def keyset(query: Select[R], id_column: InstrumentedAttribute[int], raw_after: str | None = None,
           raw_before: str | None = None, size: int = PAGE_SIZE) -> KeysetPage[R]:
    """Two queries: the count and the page (one row more than shown, to know if more follow).

    With ``after`` the page holds the ids just below it; with ``before`` the ids just above.
    """
    after, before = cursor(raw_after), cursor(raw_before)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if before is not None:
        rows = db.session.scalars(query.where(id_column > before).order_by(None)
                                  .order_by(id_column.asc()).limit(size + 1)).all()
        items = list(reversed(rows[:size]))
        newer, older = len(rows) > size, True
    else:
        page = query.order_by(None).order_by(id_column.desc())
        if after is not None:
            page = page.where(id_column < after)
        rows = db.session.scalars(page.limit(size + 1)).all()
        items = list(rows[:size])
        newer, older = after is not None, len(rows) > size
    return KeysetPage(items=items, total=total, size=size,
                      after=items[-1].id if items and older else None,
                      before=items[0].id if items and newer else None)

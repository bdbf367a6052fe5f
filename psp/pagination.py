"""Bounded pages for lists: a fixed page size and two queries per page."""

from dataclasses import dataclass

from sqlalchemy import func, select

from psp.extensions import db

PAGE_SIZE = 20
MAX_PAGE = 10_000


@dataclass
class Page:
    items: list
    number: int
    total: int
    size: int

    @property
    def pages(self):
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.pages


def page_number(raw):
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate(query, raw_page, size=PAGE_SIZE):
    number = page_number(raw_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).all()
    return Page(items=list(items), number=number, total=total, size=size)

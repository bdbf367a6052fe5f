"""Readable, stable slugs from names: 'Leith Community Crops' -> 'leith-community-crops'."""

from typing import TYPE_CHECKING

from slugify import slugify
from sqlalchemy import select

from psp.extensions import db

if TYPE_CHECKING:
    from psp.organisations.models import Organisation
    from psp.programmes.models import Programme

# Words our own URLs use where a slug could go.
RESERVED = {"new", "to-verify", "edit"}


def unique_slug(model: "type[Organisation | Programme]", name: str, max_length: int = 100) -> str:
    base = slugify(name, max_length=max_length, word_boundary=True) or "item"
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    taken |= RESERVED
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"

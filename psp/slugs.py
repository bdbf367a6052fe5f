"""Readable, stable slugs from names: 'Leith Community Crops' -> 'leith-community-crops'."""

from slugify import slugify
from sqlalchemy import select

from psp.extensions import db

# Words our own URLs use where a slug could go.
RESERVED = {"new", "to-verify", "edit"}


def unique_slug(model, name, max_length=100):
    base = slugify(name, max_length=max_length, word_boundary=True) or "item"
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    taken |= RESERVED
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"

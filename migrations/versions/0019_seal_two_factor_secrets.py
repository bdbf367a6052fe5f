"""seal two-factor secrets

Reviewed by hand. second_factors.secret grows from 64 to 255 characters and every secret in it is
sealed: a Fernet token (AES-128-CBC with HMAC-SHA256) under a key derived by HKDF-SHA256 from
TWO_FACTOR_KEY, or SECRET_KEY when that is unset (as psp.auth.sealing does; the derivation is
copied here so this migration keeps working if that module changes). Secrets already sealed (they
start "gAAAAA", which base32 never does) are left alone, so running it twice is harmless.
Downgrade opens them again and shrinks the column.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-10 11:30:00.000000

"""
import base64

from alembic import op
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

INFO = b"psp-codesign two-factor secrets v1"
PREFIX = "gAAAAA"


def _box():
    keys = [k for k in (current_app.config.get("TWO_FACTOR_KEY"), current_app.config.get("SECRET_KEY")) if k]
    fernets = []
    for material in dict.fromkeys(keys):
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(str(material).encode())
        fernets.append(Fernet(base64.urlsafe_b64encode(key)))
    return MultiFernet(fernets)


def _rewrite(change):
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, secret FROM second_factors")).all()
    for row_id, secret in rows:
        new = change(secret)
        if new is not None and new != secret:
            conn.execute(sa.text("UPDATE second_factors SET secret = :secret WHERE id = :id"),
                         {"secret": new, "id": row_id})


def upgrade():
    with op.batch_alter_table('second_factors', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=False)
    box = _box()
    _rewrite(lambda secret: secret if secret.startswith(PREFIX) else box.encrypt(secret.encode()).decode())


def downgrade():
    box = _box()

    def opened(secret):
        if not secret.startswith(PREFIX):
            return secret
        try:
            return box.decrypt(secret.encode()).decode()
        except InvalidToken:
            return ""   # unreadable under these keys: no code will match, as before the downgrade

    _rewrite(opened)
    with op.batch_alter_table('second_factors', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=False)

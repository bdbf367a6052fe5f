"""Demo data: invented people at example.org. Only `flask psp seed-demo` loads it."""

from sqlalchemy import select

from psp.auth import passwords
from psp.auth.models import User
from psp.extensions import db
from psp.timeutil import utcnow

PASSWORD = "demo-codesign-2026"
ACCOUNTS = [
    ("admin@example.org", "Alasdair Grant", "site admin"),
    ("coordinator@example.org", "Morag Henderson", "account for the EVOC coordinator"),
    ("nhs.lead@example.org", "Dr Priya Raman", "account for the NHS Lothian lead"),
    ("member@example.org", "Callum Reid", "account for a partner member"),
]


def seed():
    """Create the demo accounts; return False when they already exist."""
    if db.session.scalar(select(User.id).where(User.email == ACCOUNTS[0][0])):
        return False
    password_hash = passwords.hash_password(PASSWORD)
    for email, name, role in ACCOUNTS:
        db.session.add(User(email=email, name=name, password_hash=password_hash,
                            email_confirmed_at=utcnow(), is_site_admin=role == "site admin"))
    db.session.commit()
    return True

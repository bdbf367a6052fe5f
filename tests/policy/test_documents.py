"""Documents: who attaches, changes and sees them, and who asks for and sends other formats."""

from psp.documents.models import Document
from tests.policy.tables import EVERYONE, INSIDE, LEADS, NOBODY, PARTNERS, SIGNED_IN


def _parent(scene, described):
    """'meeting public', 'meeting cancelled', 'stage analyse open', 'update public', 'view received',
    'view recorded received', ..."""
    kind, *rest = described.split()
    if kind == "meeting":
        found = scene.meeting("public")
        if rest == ["cancelled"]:
            found.status = "cancelled"
        return found
    if kind == "stage":
        return scene.stage(rest[0], rest[1])
    if kind == "update":
        return scene.update(rest[0])
    found = scene.view(rest[-1])
    if "recorded" in rest:
        found.source, found.giver = "paper", "group"
    return found


def _document(scene, audience, programme="here"):
    found = scene.get(Document, scene.world["doc_public"])
    found.audience = audience
    if programme != "here":
        found.programme_id = scene.world[f"programme_id:{programme}"]
    return found


def test_can_attach_document(check):
    check([
        # parent                                 who attaches documents to it
        ("meeting public",                         {"coordinator"}),
        ("meeting cancelled",                      NOBODY),
        ("stage analyse open",                     {"coordinator"}),
        ("stage analyse returned",                 {"coordinator"}),
        ("stage plan upcoming",                    NOBODY),
        ("stage analyse signed_off",               NOBODY),
        ("update public",                          {"coordinator"}),
        ("view draft",                             PARTNERS),
        ("view received",                          PARTNERS),
        ("view under_consideration",               NOBODY),     # answered: it no longer changes
        ("view recorded received",                 {"coordinator"}),
        ("view recorded taken_forward",            NOBODY),
    ], lambda scene, described: (scene.programme(), _parent(scene, described)))


def test_can_change_document(check):
    check([
        # document's programme and parent        who replaces or deletes it
        ("here meeting public",                    {"coordinator"}),
        ("here meeting cancelled",                 NOBODY),
        ("here view received",                     PARTNERS),
        ("elsewhere meeting public",               NOBODY),     # a document of another programme
    ], lambda scene, row: (scene.programme(), _document(scene, "public", row.split()[0]),
                           _parent(scene, row.split(maxsplit=1)[1])))


def test_can_see_document(check):
    check([
        # document for                           who sees it (its parent already visible)
        ("public",                                 EVERYONE),
        ("partners",                               INSIDE),
        ("leads",                                  LEADS),
    ], lambda scene, audience: (scene.programme(), _document(scene, audience)))


def test_can_ask_for_format(check):
    check([
        # document for                           who asks for it in another format
        ("public",                                 SIGNED_IN),
        ("partners",                               INSIDE),
        ("leads",                                  LEADS),
    ], lambda scene, audience: (scene.programme(), _document(scene, audience)))


def test_can_handle_format_requests(check):
    check([
        ("here",                                   {"coordinator"}),
        ("elsewhere",                              {"elsewhere_coordinator"}),
    ], lambda scene, which: (scene.programme(which),))

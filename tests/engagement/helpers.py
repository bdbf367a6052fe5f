"""Helpers for engagement tests: carry out a review through the pages."""

from psp.engagement.models import STANDARDS


def review_url(slug="test-programme", number=1):
    return f"/programmes/{slug}/cycles/{number}/engagement-review"


def finish_review(coordinator, by_hand=(), slug="test-programme", number=1, rating="partly-met"):
    """Assess every standard, value the hand-written indicators and finish the review, as a coordinator."""
    base = review_url(slug, number)
    for standard in STANDARDS:
        response = coordinator.forms.post(f"{base}/{standard}", {"version": "", "rating": rating,
                                                                 "learnt": f"Learnt about {standard}."})
        assert response.status_code == 302, response.get_data(as_text=True)
    for indicator_id in by_hand:
        assert coordinator.forms.post(f"{base}/indicators/{indicator_id}",
                                      {"value": "75", "note": "A show of hands."}).status_code == 302
    finished = coordinator.forms.post(f"{base}/finish", {}, page=base)
    assert finished.status_code == 302, finished.get_data(as_text=True)

"""The benchmark's own parts: its data builder against the real models, and reading wrk's report."""

from sqlalchemy import func, select

from bench.__main__ import parse_wrk, redact
from psp.contributions.models import Contribution, Response
from psp.extensions import db
from psp.meetings.models import Booking

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:41234/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    38.21ms   12.01ms 140.33ms   71.20%
    Req/Sec   105.12     20.33   150.00     70.00%
  Latency Distribution
     50%   36.90ms
     75%   44.10ms
     90%   53.70ms
     99%    1.02s
  4203 requests in 20.01s, 61.20MB read
  Non-2xx or 3xx responses: 12
Requests/sec:    210.04
Transfer/sec:      3.06MB
"""


def test_wrk_report_is_read_with_units():
    found = parse_wrk(WRK_OUTPUT)
    assert found == {
        "rps": 210.04,
        "p50_ms": 36.9,
        "p99_ms": 1020.0,
        "requests": 4203,
        "non_2xx_3xx": 12,
        "socket_errors": "",
    }


def test_passwords_are_hidden_in_printed_urls():
    assert redact("postgresql+psycopg://psp:secret@db:5432/psp") == "postgresql+psycopg://psp:***@db:5432/psp"


def test_the_data_set_builds_through_the_models(app):
    from bench import build

    with app.app_context():
        info = build.build(scale=0.001)
        counts = info["counts"]
        assert counts["programmes"] == 2 and counts["views"] == 100 and counts["meetings"] == 10
        assert counts["people"] == 22  # 20 people and the two bench accounts
        assert db.session.scalar(select(func.count()).select_from(Booking)) == counts["bookings"] > 0
        answered = db.session.scalar(
            select(func.count()).select_from(Contribution).where(Contribution.status != "received")
        )
        assert db.session.scalar(select(func.count()).select_from(Response)) == answered == 80
        assert info["meeting"] is not None and info["public_meetings"] and info["deepest_after"]
        # The engagement report has a plan with five indicators and a finished review to show.
        from psp.engagement.models import EngagementAssessment, EngagementIndicator, EngagementReview

        assert db.session.scalar(select(func.count()).select_from(EngagementIndicator)) == 5
        assert db.session.scalar(select(func.count()).select_from(EngagementAssessment)) == 7
        assert db.session.scalar(select(EngagementReview.finished_at)) is not None
        # The long discussion: its messages numbered 1..n, the count on the discussion agreeing.
        from psp.discussions.models import Discussion, Message

        long = db.session.get(Discussion, info["discussion"])
        numbers = db.session.scalars(select(Message.number).where(Message.discussion_id == long.id)
                                     .order_by(Message.number)).all()
        assert numbers == list(range(1, build.thread_length(0.001) + 1))
        assert numbers == list(range(1, long.message_count + 1))
        assert counts["discussions"] == 11 and counts["messages"] == 10 + long.message_count
        assert build.thread_length(1) == 500

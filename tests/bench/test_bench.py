"""The benchmark's own parts: its data builder against the real models, reading wrk's report, and
bench/load.lua keeping a rotating session cookie (against a tiny local server, when wrk is installed)."""

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from bench.__main__ import (
    LUA,
    PUBLIC_TARGET,
    TARGET,
    book_and_cancel,
    chosen,
    flags,
    pages_for,
    parse_args,
    parse_wrk,
    redact,
)
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
        "errors": 12,
    }


def test_load_lua_status_line_makes_redirects_errors_for_pages_not_for_writes():
    output = WRK_OUTPUT.replace("Requests/sec", "BENCH statuses 2xx=4000 3xx=200 4xx=2 5xx=1 signin=150 "
                                "cookies=4000\nRequests/sec")
    page = parse_wrk(output, "GET")
    assert page["statuses"] == {"2xx": 4000, "3xx": 200, "4xx": 2, "5xx": 1, "signin": 150, "cookies": 4000}
    assert page["errors"] == 203        # every redirect, to /sign-in or not, is not the page
    assert parse_wrk(output, "POST")["errors"] == 153   # a write redirects, but not to /sign-in
    assert parse_wrk(WRK_OUTPUT)["errors"] == 12         # without load.lua's line: wrk's own count


def test_rows_are_flagged_against_their_targets():
    row = {"ratio": 0.15, "target": PUBLIC_TARGET, "p99_ms": 100.0, "errors": 0, "socket_errors": ""}
    assert flags(row) == ["below target", "p99 >= 100 ms"]
    assert flags({**row, "target": TARGET, "p99_ms": 99.9}) == []
    assert flags({**row, "target": None, "p99_ms": 5, "errors": 3, "socket_errors": "timeout 2"}) == [
        "errors", "socket errors: timeout 2"]


INFO = {"programme": "programme-0", "organisation_id": 1, "stage_id": 2, "meeting": 3, "document": 4,
        "long_meeting": 5, "minutes_meeting": 6, "deepest_after": 7, "discussion": 8,
        "public_meetings": [10, 11, 12, 13, 14]}


def test_pages_cover_the_features_and_measure_public_pages_as_a_visitor():
    pages = {p["name"]: p for p in pages_for(INFO)}
    public = [p for p in pages.values() if p["target"] == PUBLIC_TARGET]
    p0 = "/programmes/programme-0"
    assert {p["path"] for p in public} == {"/", p0, p0 + "/cycles/1/analyse", "/meetings/3", p0 + "/views",
                                           p0 + "/you-said-we-did"}
    assert all(p["who"] == "visitor" for p in public)
    paths = {p["path"] for p in pages.values()}
    for path in ("/documents/4", "/meetings/5", "/meetings/5/bookings", "/meetings/6", "/my",
                 "/programmes/programme-0/interests", "/programmes/programme-0/reach",
                 "/programmes/programme-0/updates.atom", "/discussions/8", "/discussions/8?page=10000"):
        assert path in paths
    assert pages["bare route"]["target"] is None
    assert all("," not in name for name in pages)   # --only splits on commas
    assert [p["name"] for p in chosen(pages_for(INFO), "write:")] == [
        "bare route", "write: book a place and cancel it", "write: give a view"]


def test_each_wrk_thread_books_and_then_cancels_its_own_meetings():
    assert book_and_cancel([10, 11, 12, 13, 14], threads=2) == [
        "/meetings/10/book", "/meetings/11/book", "/meetings/10/cancel-booking",
        "/meetings/11/cancel-booking", "/meetings/12/book", "/meetings/13/book",
        "/meetings/12/cancel-booking", "/meetings/13/cancel-booking"]


def test_compare_takes_one_or_two_revisions_and_short_rounds():
    args = parse_args(["--compare", "main"])
    assert args.compare == ["main"] and args.duration == 5 and args.rounds == 3
    assert parse_args(["--compare", "a", "b", "--duration", "8"]).duration == 8
    assert parse_args([]).duration == 20 and parse_args([]).compare is None
    with pytest.raises(SystemExit):
        parse_args(["--compare", "a", "b", "c"])


class RotatingSession(BaseHTTPRequestHandler):
    """Issues a new session cookie with every answer and accepts only the newest, like a session that
    ends when an old cookie comes back; anything else goes to /sign-in. /bye deletes the cookie."""

    protocol_version = "HTTP/1.1"
    newest = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        sent = self.headers.get("Cookie", "")
        cls = type(self)
        if f"session=t{cls.newest}" in sent.split("; ") and "other=kept" in sent:
            cls.newest += 1
            self.send_response(200)
            if self.path == "/bye":
                self.send_header("Set-Cookie", "session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0")
            else:
                self.send_header("Set-Cookie", f"session=t{cls.newest}; HttpOnly; Path=/; SameSite=Lax")
        else:
            self.send_response(302)
            self.send_header("Location", "/sign-in?next=/")
        self.send_header("Content-Length", "0")
        self.end_headers()


def _load(port, cookies, path="/", seconds=1):
    RotatingSession.newest = 0
    return subprocess.run(
        ["wrk", "--latency", "-t", "1", "-c", "1", "-d", f"{seconds}s", "-s", str(LUA),
         "-H", "Cookie: other=kept; session=t0", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=30,
        env={"BENCH_COOKIES": cookies, "BENCH_METHOD": "GET"},
    ).stdout


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (bash scripts/ensure-wrk.sh)")
def test_load_lua_keeps_the_newest_session_cookie():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RotatingSession)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        kept = parse_wrk(_load(port, "keep"))
        assert kept["requests"] > 1 and kept["errors"] == 0
        assert kept["statuses"]["cookies"] == kept["requests"] == kept["statuses"]["2xx"]
        fixed = parse_wrk(_load(port, "fixed"))   # the old cookie: every request after the first is refused
        assert fixed["statuses"]["2xx"] == 1 and fixed["errors"] == fixed["statuses"]["signin"] > 0
        gone = parse_wrk(_load(port, "keep", "/bye"))   # a deleted cookie is not sent again
        assert gone["statuses"]["2xx"] == 1 and gone["errors"] == gone["requests"] - 1 > 0
    finally:
        server.shutdown()
        server.server_close()


def test_passwords_are_hidden_in_printed_urls():
    assert redact("postgresql+psycopg://psp:secret@db:5432/psp") == "postgresql+psycopg://psp:***@db:5432/psp"


def test_the_data_set_builds_through_the_models(app):
    from bench import build

    with app.app_context():
        info = build.build(scale=0.001)
        counts = info["counts"]
        assert counts["programmes"] == 2 and counts["views"] == 100 and counts["meetings"] == 12
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
        # The pages built since: papers on the measured meeting, a long list of bookings, agreed minutes,
        # a register of interests and news for the feed.
        from psp.documents.models import Document, DocumentVersion
        from psp.interests.models import Declaration
        from psp.meetings.models import Meeting, MinutesAgreement
        from psp.updates.models import Update

        document = db.session.get(Document, info["document"])
        assert document.meeting_id == info["meeting"] and document.version == 3
        assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 2
        assert counts["documents"] == build.PAPERS
        assert db.session.scalar(select(func.count()).select_from(Booking).where(
            Booking.meeting_id == info["long_meeting"])) == build.long_meeting_size(20) == 10
        minutes = db.session.get(Meeting, info["minutes_meeting"])
        assert minutes.minutes_state == "agreed" and minutes.minutes_published_at and minutes.minutes
        assert db.session.scalar(select(func.count()).select_from(MinutesAgreement)) > 0
        declarations = db.session.scalar(select(func.count()).select_from(Declaration))
        assert counts["declarations"] == declarations == 10
        assert db.session.scalar(select(func.count()).select_from(Update)) == build.UPDATES
        assert info["meeting"] not in (info["long_meeting"], info["minutes_meeting"])

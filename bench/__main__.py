"""`make bench`: build a large data set, serve it with gunicorn, load it with wrk, report ratios.

Every figure is relative to a bare route served by the same workers in the same run, so
the numbers compare across machines. Usage:

    python -m bench [--scale 1.0] [--database-url URL] [--duration 20] [--connections 8] [--rebuild]
    python -m bench --compare REV [REV_B] [--rounds 3] [--duration 5]

With --compare, the servers of two commits (REV and the working tree, or REV and REV_B) are loaded in
turn, page by page, on the same data, and the table gives each one's requests/s and their ratio.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
LUA = ROOT / "bench" / "load.lua"
P99_LIMIT_MS = 100   # p99 at or above this is flagged
MEMORY_LIMIT_MB = 150   # a worker's resident memory above this is flagged
PUBLIC_TARGET, TARGET = 0.20, 0.10
THREADS = 2   # wrk's threads   # ratio to the bare route: anonymous public pages, every other page


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default data sizes")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in instance/)")
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds per measurement (default 20; with --compare, 5 per round)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="build the data set even if it exists")
    parser.add_argument("--only", default="",
                        help="pages to measure: comma-separated parts of names, e.g. 'views:,(visitor)'")
    parser.add_argument("--compare", nargs="+", metavar="REV", default=None,
                        help="compare REV's server with the working tree's, or REV's with REV_B's")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --compare: rounds of each page per server")
    args = parser.parse_args(argv)
    if args.compare is not None and len(args.compare) > 2:
        parser.error("--compare takes one or two revisions")
    if args.duration is None:
        args.duration = 5 if args.compare else 20
    return args


def database_url(args, scale):
    if args.database_url:
        return args.database_url
    instance = ROOT / "instance"
    instance.mkdir(exist_ok=True)
    return f"sqlite:///{instance / f'bench-{scale:g}.sqlite3'}"


def small_database(args):
    """A tenth of the data, for counting queries at a second size: another SQLite file, or
    a sibling PostgreSQL database named <database>_small, created when missing."""
    if not args.database_url:
        return database_url(args, round(args.scale / 10, 4))
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    small = url.set(database=f"{url.database}_small")
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": small.database}):
            conn.execute(text(f'CREATE DATABASE "{small.database}"'))
    engine.dispose()
    return small.render_as_string(hide_password=False)


# Data --------------------------------------------------------------------------------


def prepare(url, scale, rebuild):
    """Migrate and fill the bench database once per scale; later runs reuse it."""
    from flask_migrate import upgrade
    from sqlalchemy import inspect, select

    from psp import create_app
    from psp.auth.models import User
    from psp.extensions import db

    os.environ["DATABASE_URL"] = url
    app = create_app()
    with app.app_context():
        if rebuild:
            if url.startswith("sqlite"):
                db.engine.dispose()
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            else:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(ROOT / "migrations"))
        from bench import build

        filled = "users" in inspect(db.engine).get_table_names() and db.session.scalar(
            select(User.id).where(User.email == build.COORDINATOR)
        )
        if filled:
            print(f"Reusing the data set in {redact(url)} (pass --rebuild to build it again).")
            return build.describe()
        print(f"Building the data set at scale {scale:g} in {redact(url)}:")
        return build.build(scale)


def redact(url):
    return re.sub(r"//([^:@/]+):[^@/]+@", r"//\1:***@", url)


# Queries per request, in process ----------------------------------------------------


def import_timing(url, info, coordinator, rows=1000):
    """Seconds to check and import a spreadsheet of recorded views of this many rows in one request's
    work (prepare, then confirm), on the bench data; the import is undone afterwards."""
    from sqlalchemy import select

    from psp import create_app
    from psp.auth.models import User
    from psp.contributions import importing
    from psp.extensions import db
    from psp.programmes.models import Programme

    os.environ["DATABASE_URL"] = url
    app = create_app()
    head = "title,view,communities,areas,source,given_on,giver,people"
    stamp = time.time_ns()   # a new file each run: the same file would be refused as a duplicate
    lines = [head] + [f"Bench view {n} {stamp},Text of the view,staff,Midlothian,event,2026-11-14,event,3"
                      for n in range(rows)]
    data = ("\n".join(lines) + "\n").encode()
    with app.test_request_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == info["programme"]))
        person = db.session.scalar(select(User).where(User.email == coordinator))
        started = time.perf_counter()
        upload = importing.prepare(person, programme, info["stage_id"], "bench.csv", data)
        importing.confirm(person, programme, upload)
        seconds = time.perf_counter() - started
        importing.undo(person, programme, upload)
    return round(seconds, 3)


def query_counts(url, pages, sessions_for):
    """SQL statements per request for each GET page, counted with the test client."""
    from sqlalchemy import event

    from psp import create_app
    from psp.extensions import db

    os.environ["DATABASE_URL"] = url
    os.environ["PSP_BENCH"] = "1"
    os.environ["REQUIRE_SECOND_FACTOR"] = "false"  # as in serve(): the coordinator has no app
    app = create_app()
    counts = {}
    clients = {}
    for who in {page["who"] for page in pages}:
        client = app.test_client()
        if who != "visitor":
            html = client.get("/sign-in").get_data(as_text=True)
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
            client.post(
                "/sign-in", data={"email": sessions_for[who], "password": _password(), "csrf_token": token}
            )
        clients[who] = client
    with app.app_context():
        engine = db.engine
    for page in pages:
        if page["method"] != "GET":
            continue
        seen = []

        def listener(*_args, seen=seen):
            seen.append(1)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            response = clients[page["who"]].get(page["path"])
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts[page["name"]] = len(seen) if response.status_code == 200 else f"HTTP {response.status_code}"
    return counts


def _password():
    from bench.build import PASSWORD

    return PASSWORD


# Serving ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url, workers, mail_dir, root=ROOT):
    """gunicorn serving the app of the checkout at root (another commit's worktree with --compare,
    imported ahead of the installed one through PYTHONPATH and --chdir)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PSP_BENCH": "1",
        "RATELIMIT_ENABLED": "false",
        # The bench's coordinator has no authenticator app; the check costs no query (it comes with
        # the session's), so pages are measured as the coordinator would see them with one.
        "REQUIRE_SECOND_FACTOR": "false",
        "PSP_BASE_URL": f"http://127.0.0.1:{port}",
        "MAIL_FILE_DIR": str(mail_dir),
        "PYTHONPATH": os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(root),
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
            "psp:create_app()",
        ],
        cwd=root,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = Http(base).request("/bench/bare")
            if status == 200:
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start within 60 s")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_memory(process):
    """Resident memory of each gunicorn worker, in MB, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{process.pid}$", status, re.M):
            rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))
            found.append(round(rss / 1024, 1))
    return sorted(found)


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Http:
    def __init__(self, base):
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path, data=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path):
        _, html = self.request(path)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def sign_in(self, email):
        self.email = email
        status, _ = self.request(
            "/sign-in", {"email": email, "password": _password(), "csrf_token": self.token("/sign-in")}
        )
        if status != 302:
            raise SystemExit(f"could not sign in as {email}: HTTP {status}")

    def touch(self, who):
        """Use the session, as a person keeps using theirs: the app refreshes the cookie (its idle
        timeout counts from the last request), so a long run never measures a session that ended.
        A session that ended while idle (a run longer than the idle timeout) is signed in again."""
        status, _ = self.request("/account")
        if status != 200:
            print(f"The {who}'s session ended while idle (GET /account: HTTP {status}): signing in again.")
            self.jar.clear()
            self.sign_in(self.email)

    @property
    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def sign_in_all(base, people):
    """A session for each signed-in person ("partner", "coordinator"), None for the visitor."""
    sessions = {"visitor": None}
    for who, email in people.items():
        client = Http(base)
        client.sign_in(email)
        sessions[who] = client
    return sessions


def touch_all(sessions):
    for who, client in sessions.items():
        if client is not None:
            client.touch(who)


# Load ---------------------------------------------------------------------------------


def wrk(base, page, cookie, duration, connections):
    """Load one page with wrk through bench/load.lua: the session's cookie is refreshed from each
    response per wrk thread (as a browser would), except for writes, whose redirects leave a flash
    message in the session that only the next page would take out (a run is far shorter than the
    session's idle timeout, and the runner refreshes the starting cookie before each run)."""
    command = ["wrk", "--latency", "-t", str(THREADS), "-c", str(connections), "-d", f"{duration}s",
               "-s", str(LUA)]
    env = dict(os.environ)
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    env["BENCH_METHOD"] = page["method"]
    env["BENCH_PATHS"] = " ".join(page.get("paths", []))
    env["BENCH_COOKIES"] = "fixed" if page["method"] == "POST" else "keep"
    env["BENCH_BLOCKS"] = str(THREADS if page.get("blocks") else 0)
    if page["method"] == "POST":
        env["BENCH_BODY"] = urlencode(page["data"], doseq=True)
    output = subprocess.run(
        command + [base + page["path"]], capture_output=True, text=True, env=env, check=True
    ).stdout
    return parse_wrk(output, page["method"])


def parse_wrk(output, method="GET"):
    """wrk's report, and the status counts bench/load.lua adds. An error is any response other than
    2xx for a page (a redirect, to /sign-in or elsewhere, is not the page), and for a write any 4xx
    or 5xx or a redirect to /sign-in."""

    def latency(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(found.group(1)), found.group(2)
        return round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    found = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": requests,
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }
    statuses = re.search(r"^BENCH statuses (.*)$", output, re.M)
    if statuses:
        counts = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", statuses.group(1))}
        found["statuses"] = counts
        if method == "GET":
            found["errors"] = counts["3xx"] + counts["4xx"] + counts["5xx"]
        else:
            found["errors"] = counts["4xx"] + counts["5xx"] + counts["signin"]
    else:
        found["errors"] = found["non_2xx_3xx"]
    return found


def book_and_cancel(meetings, threads=THREADS):
    """The booking write's paths: a block of meetings for each wrk thread, each booked in turn and then
    cancelled in turn, so the partner can book again in a long run and two requests in flight never
    book and cancel the same meeting (the blocks are as long as there are meetings)."""
    size = len(meetings) // threads
    paths = []
    for block in range(threads):
        chosen = meetings[block * size:(block + 1) * size]
        paths += [f"/meetings/{m}/book" for m in chosen] + [f"/meetings/{m}/cancel-booking" for m in chosen]
    return paths


def pages_for(info):
    slug = info["programme"]
    p = f"/programmes/{slug}"
    view = {
        "organisation": str(info["organisation_id"]),
        "stage": str(info["stage_id"]),
        "question": "",
        "meeting": "",
        "title": "Evening support is missing",
        "communities": "staff",
        "body": "People leaving hospital need somewhere to go after 6pm.",
        "areas": "midlothian",
        "audience": "partners",
        "submit": "Submit your view",
    }
    meeting = f"/meetings/{info['meeting']}"

    def get(name, who, path, target=TARGET):
        return {"name": name, "who": who, "method": "GET", "path": path, "target": target}

    def public(name, path):
        """An anonymous public page: measured as a visitor, against the higher target."""
        return get(name, "visitor", path, PUBLIC_TARGET)

    pages = [
        {**get("bare route", "visitor", "/bench/bare"), "target": None},
        public("home", "/"),
        public("programme dashboard (visitor)", p),
        public("stage page (visitor)", p + "/cycles/1/analyse"),
        public("meeting page (visitor)", meeting),
        public("views: first page (visitor)", p + "/views"),
        public("you said we did (visitor)", p + "/you-said-we-did"),
        get("programme dashboard", "partner", p),
        get("stage page", "partner", p + "/cycles/1/analyse"),
        get("engagement report", "partner", p + "/cycles/1/engagement-report"),
        get("meeting page (12 papers)", "partner", meeting),
        get("document page", "partner", f"/documents/{info['document']}"),
        get("meeting with 300 bookings (coordinator)", "coordinator", f"/meetings/{info['long_meeting']}"),
        get("bookings list of 300", "coordinator", f"/meetings/{info['long_meeting']}/bookings"),
        get("meeting with agreed minutes", "partner", f"/meetings/{info['minutes_meeting']}"),
        get("minutes page (coordinator)", "coordinator", f"/meetings/{info['minutes_meeting']}/minutes"),
        get("views: first page", "partner", p + "/views"),
        get("views: filtered", "partner", p + "/views?community=staff&status=taken_forward&area=midlothian"),
        get("views: search", "partner", p + "/views?q=evening+transport"),
        get("views: deepest page", "partner", p + f"/views?after={info['deepest_after']}"),
        get("discussions list", "partner", p + "/discussions"),
        get("discussion: first page", "partner", f"/discussions/{info['discussion']}"),
        get("discussion: last page", "partner", f"/discussions/{info['discussion']}?page={10_000}"),
        get("your work (/my)", "coordinator", "/my"),
        get("register of interests", "partner", p + "/interests"),
        get("reach", "coordinator", p + "/reach"),
        get("updates feed (.atom)", "visitor", p + "/updates.atom"),
        get("calendar feed (.ics)", "visitor", p + "/meetings.ics"),
        {
            "name": "write: book a place and cancel it",
            "who": "partner",
            "method": "POST",
            "path": f"/meetings/{info['public_meetings'][0]}/book",
            "data": {},
            "paths": book_and_cancel(info["public_meetings"]),
            "blocks": True,
            "target": TARGET,
        },
        {
            "name": "write: give a view",
            "who": "partner",
            "method": "POST",
            "path": p + "/views/new",
            "data": view,
            "paths": [p + "/views/new"],
            "target": TARGET,
        },
    ]
    return pages


def cancel_bookings(url, email):
    """Before the booking write: the person's places on every meeting are cancelled, so each run books
    from the same start whatever the runs before it did."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET status = 'cancelled', cancelled_at = CURRENT_TIMESTAMP "
                          "WHERE status IN ('booked', 'waiting') AND user_id = "
                          "(SELECT id FROM users WHERE email = :email)"), {"email": email})
    engine.dispose()


def measure(base, page, sessions, duration, connections, url):
    """One wrk run of one page, with every session used just before it."""
    if page.get("blocks"):
        from bench.build import PARTNER

        cancel_bookings(url, PARTNER)
    touch_all(sessions)
    client = sessions[page["who"]]
    if page["method"] == "POST":  # a CSRF token belongs to the session, not to one form
        page = {**page, "data": {**page["data"], "csrf_token": client.token("/account")}}
    return wrk(base, page, client.cookie if client else "", duration, connections)


def flags(row, target_key="ratio"):
    """What to look at in a row: below its target ratio, p99 at or above the limit, errors."""
    found = []
    ratio, target = row.get(target_key), row.get("target")
    if target is not None and ratio is not None and ratio < target:
        found.append("below target")
    if row["p99_ms"] >= P99_LIMIT_MS:
        found.append(f"p99 >= {P99_LIMIT_MS} ms")
    if row["errors"]:
        found.append("errors")
    if row["socket_errors"]:
        found.append("socket errors: " + row["socket_errors"])
    return found


def chosen(pages, only):
    """The pages whose names contain one of the comma-separated parts of only (all when empty), and
    always the bare route, which every ratio needs."""
    wanted = [w.strip().lower() for w in only.split(",") if w.strip()]
    return [p for p in pages if not wanted or p["name"] == "bare route"
            or any(w in p["name"].lower() for w in wanted)]


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # stop the servers and worktrees on the way out
    from bench.build import COORDINATOR, PARTNER

    url = database_url(args, args.scale)
    info = prepare(url, args.scale, args.rebuild)
    pages = pages_for(info)
    pages = chosen(pages, args.only)
    people = {"partner": PARTNER, "coordinator": COORDINATOR}
    if args.compare:
        return compare(args, url, info, pages, people)

    small_url = small_database(args)
    counts = {"large": query_counts(url, pages, people)}
    if small_url:
        small_info = prepare(small_url, round(args.scale / 10, 4), args.rebuild)
        counts["small"] = query_counts(small_url, pages_for(small_info), people)

    import_seconds = import_timing(url, info, COORDINATOR)
    print(f"Importing 1,000 recorded views from a CSV: {import_seconds} s", flush=True)

    with tempfile.TemporaryDirectory() as mail_dir:
        server, base = serve(url, args.workers, mail_dir)
        try:
            sessions = sign_in_all(base, people)
            results = []
            for page in pages:
                print(f"Measuring {page['name']} for {args.duration} s...", flush=True)
                measured = measure(base, page, sessions, args.duration, args.connections, url)
                results.append({key: page[key] for key in ("name", "method", "path", "who", "target")}
                               | measured)
            memory = worker_memory(server)
        finally:
            stop(server)

    bare = next(r["rps"] for r in results if r["name"] == "bare route")
    for row in results:
        row["ratio"] = round(row["rps"] / bare, 3) if bare else None
        row["queries_large"] = counts["large"].get(row["name"], "")
        row["queries_small"] = counts.get("small", {}).get(row["name"], "")
        row["flags"] = flags(row)
    report = {
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "scale": args.scale,
        "data": info["counts"],
        "duration_s": args.duration,
        "connections": args.connections,
        "workers": args.workers,
        "worker_rss_mb": memory,
        "import_1000_rows_s": import_seconds,
        "results": results,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"Importing 1,000 recorded views from a CSV: {report['import_1000_rows_s']} s")
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}")


def memory_line(memory):
    over = [m for m in memory if m > MEMORY_LIMIT_MB]
    return ", ".join(f"{m} MB" for m in memory) + (
        f"  << over the {MEMORY_LIMIT_MB} MB target" if over else f" (target < {MEMORY_LIMIT_MB} MB)"
    )


def print_table(report):
    print(
        f"\n{report['database']}, scale {report['scale']:g}: "
        + ", ".join(f"{v:,} {k}" for k, v in report["data"].items())
    )
    print(
        f"gunicorn {report['workers']} workers, wrk {report['connections']} connections, "
        f"{report['duration_s']} s each; worker memory after the run: " + memory_line(report["worker_rss_mb"])
    )
    width = max(len(r["name"]) for r in report["results"]) + 2
    header = (
        f"{'page':<{width}}{'as':<13}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'target':>8}"
        f"{'errors':>8}{'queries':>10}  flags"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for r in report["results"]:
        queries = (
            f"{r['queries_small']}/{r['queries_large']}"
            if r["queries_small"] != ""
            else str(r["queries_large"])
        )
        target = f"{r['target']:.2f}" if r.get("target") is not None else ""
        print(
            f"{r['name']:<{width}}{r['who']:<13}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
            f"{r['ratio']:>8.3f}{target:>8}{r['errors']:>8}{queries:>10}  " + ", ".join(r["flags"])
        )
    print(
        "ratio: requests/s over the bare route's; target: the issue's (anonymous public pages 0.20, others "
        f"0.10); p99 flagged at {P99_LIMIT_MS} ms;\nerrors: pages answering other than 2xx (a redirect "
        "counts), writes answering 4xx/5xx or sending to /sign-in; queries: SQL statements per request at "
        "the small and the large data size"
    )


# Comparing two commits ------------------------------------------------------------------


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


class Side:
    """One commit's server: a detached worktree (or this checkout, for the working tree), its gunicorn
    and its signed-in sessions."""

    def __init__(self, rev, scratch):
        self.rev = rev
        if rev is None:
            self.root = ROOT
            dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
            self.label = git("rev-parse", "--short", "HEAD") + dirty
        else:
            commit = git("rev-parse", "--verify", f"{rev}^{{commit}}")
            self.root = Path(scratch) / commit[:12]
            if not self.root.exists():
                git("worktree", "add", "--detach", str(self.root), commit)
            dist = ROOT / "static" / "dist"
            if dist.is_dir() and not (self.root / "static" / "dist").exists():
                (self.root / "static" / "dist").symlink_to(dist)   # compiled assets are not committed
            self.label = f"{rev} ({commit[:8]})" if rev != commit else commit[:8]
        self.process = self.base = self.sessions = None
        self.runs = {}

    def check_imports(self):
        """The server must run this side's code, not the installed checkout's."""
        found = subprocess.run(
            [sys.executable, "-c", "import psp; print(psp.__file__)"], cwd=self.root, capture_output=True,
            text=True, check=True, env={**os.environ, "PYTHONPATH": str(self.root)},
        ).stdout.strip()
        if not Path(found).resolve().is_relative_to(self.root.resolve()):
            raise SystemExit(f"{self.label}: psp is imported from {found}, not from {self.root}")

    def remove(self):
        if self.rev is not None and self.root.exists():
            git("worktree", "remove", "--force", str(self.root))


def compare(args, url, info, pages, people):
    revs = args.compare if len(args.compare) == 2 else [args.compare[0], None]
    scratch = Path(tempfile.mkdtemp(prefix="psp-bench-compare-"))
    sides = []
    try:
        for rev in revs:
            sides.append(Side(rev, scratch))
        with tempfile.TemporaryDirectory() as mail_dir:
            try:
                for side in sides:
                    side.check_imports()
                    side.process, side.base = serve(url, args.workers, mail_dir, side.root)
                    side.sessions = sign_in_all(side.base, people)
                total = args.rounds * len(sides) * len(pages) * args.duration
                print(f"Comparing {sides[0].label} with {sides[1].label}: {args.rounds} rounds of "
                      f"{args.duration} s per page and server, about {total / 60:.0f} minutes.", flush=True)
                for number in range(args.rounds):
                    for page in pages:
                        order = sides if number % 2 == 0 else sides[::-1]  # neither always goes first
                        for side in order:
                            print(f"Round {number + 1}/{args.rounds}: {page['name']} on {side.label}",
                                  flush=True)
                            run = measure(side.base, page, side.sessions, args.duration, args.connections,
                                          url)
                            side.runs.setdefault(page["name"], []).append(run)
                memory = [worker_memory(side.process) for side in sides]
            finally:
                for side in sides:
                    if side.process is not None:
                        stop(side.process)
    finally:
        for side in sides:
            side.remove()
        shutil.rmtree(scratch, ignore_errors=True)
        git("worktree", "prune")
    report = compared(pages, sides, memory, args)
    out = ROOT / "instance" / "bench-compare.json"   # instance/ is not committed
    out.write_text(json.dumps(report, indent=2) + "\n")
    print_comparison(report)
    print(f"\nWritten to {out.relative_to(ROOT)}")


def combine(runs):
    """Rounds of one page on one server: mean requests/s, the worst p99, every error."""
    return {
        "rps": round(sum(r["rps"] for r in runs) / len(runs), 1),
        "rounds": [r["rps"] for r in runs],
        "p50_ms": round(sorted(r["p50_ms"] for r in runs)[len(runs) // 2], 2),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "socket_errors": "; ".join(r["socket_errors"] for r in runs if r["socket_errors"]),
    }


def compared(pages, sides, memory, args):
    rows = []
    bare = [combine(side.runs["bare route"])["rps"] for side in sides]
    for page in pages:
        a, b = (combine(side.runs[page["name"]]) for side in sides)
        for found, bare_rps in ((a, bare[0]), (b, bare[1])):
            found["ratio"] = round(found["rps"] / bare_rps, 3) if bare_rps else None
        rows.append({"name": page["name"], "who": page["who"], "method": page["method"], "path": page["path"],
                     "target": page["target"], "a": a, "b": b,
                     "b_over_a": round(b["rps"] / a["rps"], 3) if a["rps"] else None})
    return {
        "a": sides[0].label, "b": sides[1].label, "rounds": args.rounds, "duration_s": args.duration,
        "connections": args.connections, "workers": args.workers, "worker_rss_mb": memory, "results": rows,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def print_comparison(report):
    print(f"\nA = {report['a']}, B = {report['b']}: {report['rounds']} rounds of {report['duration_s']} s "
          f"per page and server, alternating; wrk {report['connections']} connections, gunicorn "
          f"{report['workers']} workers")
    for name, memory in zip("AB", report["worker_rss_mb"], strict=True):
        print(f"worker memory {name}: " + memory_line(memory))
    width = max(len(r["name"]) for r in report["results"]) + 2
    header = (f"{'page':<{width}}{'A req/s':>9}{'B req/s':>9}{'B/A':>7}{'A ratio':>9}{'B ratio':>9}"
              f"{'target':>8}{'A p99':>8}{'B p99':>8}{'errors':>9}  flags")
    print("\n" + header + "\n" + "-" * len(header))
    for r in report["results"]:
        a, b = r["a"], r["b"]
        target = f"{r['target']:.2f}" if r.get("target") is not None else ""
        noted = []
        for name, side in (("A", a), ("B", b)):
            found = flags({**side, "target": r["target"]})
            noted += [f"{name} {flag}" for flag in found]
        print(f"{r['name']:<{width}}{a['rps']:>9.1f}{b['rps']:>9.1f}{r['b_over_a'] or 0:>7.3f}"
              f"{a['ratio']:>9.3f}{b['ratio']:>9.3f}{target:>8}{a['p99_ms']:>8.1f}{b['p99_ms']:>8.1f}"
              f"{str(a['errors']) + '/' + str(b['errors']):>9}  " + ", ".join(noted))
    print("B/A: B's requests/s over A's, the mean of the rounds (above 1: B is faster); ratio: over the "
          "same server's bare route; p99 the worst round's, in ms; errors: A/B")


if __name__ == "__main__":
    main()

"""`make bench`: build a large data set, serve it with gunicorn, load it with wrk, report ratios.

Every figure is relative to a bare route served by the same workers in the same run, so
the numbers compare across machines. Usage:

    python -m bench [--scale 1.0] [--database-url URL] [--duration 20] [--connections 8] [--rebuild]
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
LUA = ROOT / "bench" / "post.lua"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default data sizes")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite in instance/)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="build the data set even if it exists")
    parser.add_argument("--only", default="", help="comma-separated page names to measure")
    return parser.parse_args(argv)


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


def serve(url, workers, mail_dir):
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
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--worker-tmp-dir",
            "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
            "psp:create_app()",
        ],
        cwd=ROOT,
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
        status, _ = self.request(
            "/sign-in", {"email": email, "password": _password(), "csrf_token": self.token("/sign-in")}
        )
        if status != 302:
            raise SystemExit(f"could not sign in as {email}: HTTP {status}")

    @property
    def cookie(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


# Load ---------------------------------------------------------------------------------


def wrk(base, page, cookie, duration, connections):
    command = ["wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{duration}s"]
    env = dict(os.environ)
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if page["method"] == "POST":
        command += ["-s", str(LUA)]
        env["BENCH_BODY"] = urlencode(page["data"], doseq=True)
        env["BENCH_PATHS"] = " ".join(page["paths"])
    output = subprocess.run(
        command + [base + page["path"]], capture_output=True, text=True, env=env, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output):
    def latency(label):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(found.group(1)), found.group(2)
        return round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": requests,
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
    }


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
    return [
        {"name": "bare route", "who": "visitor", "method": "GET", "path": "/bench/bare"},
        {"name": "home", "who": "visitor", "method": "GET", "path": "/"},
        {"name": "programme dashboard", "who": "partner", "method": "GET", "path": p},
        {"name": "stage page", "who": "partner", "method": "GET", "path": p + "/cycles/1/analyse"},
        {"name": "engagement report", "who": "partner", "method": "GET",
         "path": p + "/cycles/1/engagement-report"},
        {"name": "meeting page", "who": "partner", "method": "GET", "path": f"/meetings/{info['meeting']}"},
        {"name": "views: first page", "who": "partner", "method": "GET", "path": p + "/views"},
        {"name": "discussion: first page of the long thread", "who": "partner", "method": "GET",
         "path": f"/discussions/{info['discussion']}"},
        {"name": "discussion: last page of the long thread", "who": "partner", "method": "GET",
         "path": f"/discussions/{info['discussion']}?page={10_000}"},
        {"name": "discussions list", "who": "partner", "method": "GET", "path": p + "/discussions"},
        {
            "name": "views: filtered",
            "who": "partner",
            "method": "GET",
            "path": p + "/views?community=staff&status=taken_forward&area=midlothian",
        },
        {
            "name": "views: search",
            "who": "partner",
            "method": "GET",
            "path": p + "/views?q=evening+transport",
        },
        {
            "name": "views: deepest page",
            "who": "partner",
            "method": "GET",
            "path": p + f"/views?after={info['deepest_after']}",
        },
        {"name": "your work (/my)", "who": "coordinator", "method": "GET", "path": "/my"},
        {"name": "calendar feed (.ics)", "who": "visitor", "method": "GET", "path": p + "/meetings.ics"},
        {
            "name": "write: book a place",
            "who": "partner",
            "method": "POST",
            "path": f"/meetings/{info['public_meetings'][0]}/book",
            "data": {},
            "paths": [f"/meetings/{m}/book" for m in info["public_meetings"]],
        },
        {
            "name": "write: give a view",
            "who": "partner",
            "method": "POST",
            "path": p + "/views/new",
            "data": view,
            "paths": [p + "/views/new"],
        },
    ]


def main(argv=None):
    args = parse_args(argv)
    from bench.build import COORDINATOR, PARTNER

    url = database_url(args, args.scale)
    info = prepare(url, args.scale, args.rebuild)
    pages = pages_for(info)
    if args.only:
        wanted = {"bare route", *[w.strip() for w in args.only.split(",")]}
        pages = [p for p in pages if p["name"] in wanted]
    people = {"partner": PARTNER, "coordinator": COORDINATOR}

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
            sessions = {"visitor": None}
            for who, email in people.items():
                client = Http(base)
                client.sign_in(email)
                sessions[who] = client
            results = []
            for page in pages:
                client = sessions[page["who"]]
                if page["method"] == "POST":  # a CSRF token belongs to the session, not to one form
                    page = {**page, "data": {**page["data"], "csrf_token": client.token("/account")}}
                print(f"Measuring {page['name']} for {args.duration} s...", flush=True)
                measured = wrk(base, page, client.cookie if client else "", args.duration, args.connections)
                results.append(
                    {
                        "name": page["name"],
                        "method": page["method"],
                        "path": page["path"],
                        "who": page["who"],
                        **measured,
                    }
                )
            memory = worker_memory(server)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    bare = next(r["rps"] for r in results if r["name"] == "bare route")
    for row in results:
        row["ratio"] = round(row["rps"] / bare, 3) if bare else None
        row["queries_large"] = counts["large"].get(row["name"], "")
        row["queries_small"] = counts.get("small", {}).get(row["name"], "")
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


def print_table(report):
    print(
        f"\n{report['database']}, scale {report['scale']:g}: "
        + ", ".join(f"{v:,} {k}" for k, v in report["data"].items())
    )
    print(
        f"gunicorn {report['workers']} workers, wrk {report['connections']} connections, "
        f"{report['duration_s']} s each; worker memory after the run: "
        + ", ".join(f"{m} MB" for m in report["worker_rss_mb"])
    )
    header = f"{'page':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'errors':>8}{'queries':>12}"
    print("\n" + header + "\n" + "-" * len(header))
    for r in report["results"]:
        queries = (
            f"{r['queries_small']}/{r['queries_large']}"
            if r["queries_small"] != ""
            else str(r["queries_large"])
        )
        print(
            f"{r['name']:<24}{r['rps']:>9.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['ratio']:>8.3f}"
            f"{r['non_2xx_3xx']:>8}{queries:>12}"
        )
    print("queries: SQL statements per request at the small and the large data size")


if __name__ == "__main__":
    main()

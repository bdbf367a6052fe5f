"""Pages, headers, error pages, health check and production settings."""

import pytest

from psp import create_app
from psp.config import DEMO_SECRET_KEY


@pytest.mark.parametrize("path, text", [
    ("/", "Design public services together"),
    ("/accessibility", "Accessibility statement"),
    ("/privacy", "Privacy notice"),
    ("/sign-in", "Sign in"),
    ("/register", "Create an account"),
    ("/reset-password", "Reset your password"),
])
def test_public_pages(client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert text in html
    assert "PSP Co-design" in html
    assert "govuk-header__logo" not in html and "Crown copyright" not in html
    assert "Open Government Licence" not in html


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_pages_carry_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace(
        '<script type="module" src=', "")


def test_session_cookie_flags(client, auth, make_user):
    make_user(email="cookie@example.org")
    response = auth.sign_in("cookie@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_navigation_changes_when_signed_in(client, auth, make_user):
    assert "Sign in" in client.get("/").get_data(as_text=True)
    make_user(email="nav@example.org")
    auth.sign_in("nav@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "Sign out" in html and "Your account" in html
    assert "Accounts</a>" not in html.replace("\n", "")  # not a site admin


@pytest.mark.parametrize("method, path, code, title", [
    ("get", "/no-such-page", 404, "Page not found"),
    ("delete", "/", 405, "That action is not allowed here"),
    ("get", "/admin/people", 302, None),
])
def test_error_pages(client, method, path, code, title):
    response = getattr(client, method)(path)
    assert response.status_code == code
    if title:
        assert title in response.get_data(as_text=True)


def test_forbidden_page(client, auth, make_user):
    make_user(email="plain@example.org")
    auth.sign_in("plain@example.org")
    response = client.get("/admin/people")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_missing_or_wrong_csrf_token_is_refused(client, make_user):
    make_user(email="csrf@example.org")
    for token in (None, "forged"):
        data = {"email": "csrf@example.org", "password": "correct horse battery staple"}
        if token:
            data["csrf_token"] = token
        response = client.post("/sign-in", data=data)
        assert response.status_code == 400
        assert "did not come from this service" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_rate_limited_page_is_styled(client, forms):
    for n in range(10):
        forms.post("/reset-password", {"email": f"x{n}@example.org"})
    response = forms.post("/reset-password", {"email": "x@example.org"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_server_error_page(tmp_path):
    app = create_app({"SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"})

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_healthz_and_pages_when_database_is_unreachable(tmp_path):
    unreachable = tmp_path / "missing-folder" / "db.sqlite3"
    app = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{unreachable}",
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
    assert response.headers["Retry-After"] == "30"
    page = client.post("/sign-in", data={"email": "a@example.org", "password": "whatever it is"})
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in page.get_data(as_text=True)


@pytest.mark.parametrize("key", ["", DEMO_SECRET_KEY, "short"])
def test_production_refuses_a_missing_or_demo_secret_key(monkeypatch, key):
    monkeypatch.setenv("PSP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("PSP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.internal/psp")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.internal/psp"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    response = app.test_client().get("/privacy")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
